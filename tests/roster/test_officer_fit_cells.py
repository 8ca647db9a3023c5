"""The bulletins list's "For you" column (roster_tags.officer_fit_cells): each officer's own cells, worked
out once per page and kept for that officer alone until a change is recorded (roster.freshness)."""

import pytest
from django.urls import reverse

from accounts.models import User
from audit.services import untracked
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def signed_in(user):
    """A client signed in without a trace in the audit trail (a sign-in records last_login, a change
    that would give the next view a new stamp by itself, and hide what the cache keeps)."""
    with untracked():
        return client_for(user)


def cell(client, bulletin, language="en"):
    """The "For you" cell of `bulletin`'s row, for a client whose user reads `language`."""
    response = client.get(reverse("missions:bulletin-list"))
    assert response.status_code == 200
    html = response.content.decode()
    row = html[html.index(f">{bulletin.reference}</a>"):]
    row = row[:row.index("</tr>")]
    label = "Pour vous" if language == "fr" else "For you"
    return row[row.index(f'data-label="{label}">') + len(label) + 14:row.rindex("</td>")].strip()


@pytest.fixture
def officer_z(world):
    """A second officer of agency A (officer X's), who has applied to nothing."""
    user = f.UserFactory(email="officer-z@example.test", agency=world.agency_a)
    return f.OfficerFactory(agency=world.agency_a, user=user, first_name="Zoé", last_name="Zed")


def test_each_row_says_where_the_officer_stands_in_english_and_french(world, officer_z):
    open_to_all = f.BulletinFactory(mission=world.mission)
    demanding = f.BulletinFactory(mission=world.mission, min_years_service=40)
    x = signed_in(world.user_x)
    applied = cell(x, world.bulletin)
    assert applied.startswith(f'<a href="/applications/{world.app_x.pk}/">You applied</a>:')
    assert applied.endswith('<span class="badge text-bg-secondary">Submitted</span>')
    assert cell(x, demanding) == '<span class="badge text-bg-warning">2 requirements not met</span>'
    z = signed_in(officer_z.user)
    assert cell(z, open_to_all) == '<span class="badge text-bg-success">You meet every requirement</span>'
    User.objects.filter(pk__in=[world.user_x.pk, officer_z.user.pk]).update(preferred_language="fr")
    assert cell(z, open_to_all, "fr") == (
        '<span class="badge text-bg-success">Vous satisfaites à toutes les exigences</span>')
    assert cell(x, world.bulletin, "fr").startswith(
        f'<a href="/applications/{world.app_x.pk}/">Vous avez postulé</a>\xa0:')
    assert cell(x, demanding, "fr") == '<span class="badge text-bg-warning">2 exigences non satisfaites</span>'


def test_the_cells_are_kept_for_each_officer_alone(world, officer_z):
    """Two officers of the same agency, nothing recorded between their views: each sees their own."""
    x, z = signed_in(world.user_x), signed_in(officer_z.user)
    assert "You applied" in cell(x, world.bulletin)
    assert "You applied" not in cell(z, world.bulletin)
    assert "You applied" in cell(x, world.bulletin)


def test_a_recorded_change_shows_on_the_next_view(world, officer_z):
    z = signed_in(officer_z.user)
    assert "You applied" not in cell(z, world.bulletin)
    application = f.ApplicationFactory(bulletin=world.bulletin, officer=officer_z)
    assert f'<a href="/applications/{application.pk}/">You applied</a>' in cell(z, world.bulletin)


def test_a_kept_page_reads_none_of_the_officers_data(world, django_assert_num_queries):
    x = signed_in(world.user_x)
    # session, user, mission choices, the page of bulletins (keyset: no COUNT), the change stamp
    # + the officer, their clearances, their applications (bulletins joined), their current deployments
    with django_assert_num_queries(5 + 4):
        x.get(reverse("missions:bulletin-list"))
    with django_assert_num_queries(5):
        x.get(reverse("missions:bulletin-list"))
