"""What the bulletin pages tell an officer about themself, kept for that officer alone until a change is
recorded (roster.freshness): the bulletins list's "For you" column (roster_tags.officer_fit_cells), worked
out once per page, and the bulletin page's panel (roster_tags.bulletin_apply_panel)."""

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


# --- the bulletin page's panel: an officer's, kept for them alone ------------------------------------


def panel(client, bulletin):
    from tests.pages import page_text

    response = client.get(reverse("missions:bulletin-detail", kwargs={"pk": bulletin.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('data-testid="bulletin-apply-panel"')
    return page_text(response), html[start:html.index("</section>", start)]


def test_the_bulletin_panel_is_kept_for_each_officer_alone(world, officer_z):
    """Two officers of the same agency, nothing recorded between their views: each sees their own."""
    x, z = signed_in(world.user_x), signed_in(officer_z.user)
    assert "You applied to this bulletin." in panel(x, world.bulletin)[1]
    assert "You applied to this bulletin." not in panel(z, world.bulletin)[1]
    assert "Do you meet the requirements?" in panel(z, world.bulletin)[1]


def test_the_bulletin_panel_shows_a_recorded_change_on_the_next_view(world, officer_z):
    demanding = f.BulletinFactory(mission=world.mission, required_clearances=["medical"])
    z = signed_in(officer_z.user)
    assert "No Medical on file." in panel(z, demanding)[1]
    f.ClearanceFactory(officer=officer_z, kind="medical")
    assert "No Medical on file." not in panel(z, demanding)[1]
    application = f.ApplicationFactory(bulletin=demanding, officer=officer_z)
    assert f'href="/applications/{application.pk}/"' in panel(z, demanding)[1]


def test_the_bulletin_panel_stops_offering_to_apply_once_the_bulletin_closes_by_the_clock(world, officer_z,
                                                                                         settings):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    settings.ROSTER = {**settings.ROSTER, "FIGURES_CACHE_SECONDS": 3600}
    bulletin = f.BulletinFactory(mission=world.mission, closes_at=timezone.now() + dt.timedelta(minutes=2))
    z = signed_in(officer_z.user)
    apply = reverse("roster:application-create", kwargs={"bulletin_pk": bulletin.pk})
    assert apply in panel(z, bulletin)[1]
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3), tick=False):
        text, html = panel(z, bulletin)
        assert apply not in html and "This bulletin is not open for applications." in html


def test_a_kept_bulletin_panel_reads_none_of_the_officers_data(world, officer_z, django_assert_num_queries):
    z = signed_in(officer_z.user)
    page = reverse("missions:bulletin-detail", kwargs={"pk": world.bulletin.pk})
    # session, user, the bulletin (mission joined), the change stamp with which the panel is kept
    # + the officer, their application, their current deployments and selections (the bulletin asks for no
    # clearance: none are read)
    with django_assert_num_queries(4 + 4):
        z.get(page)
    with django_assert_num_queries(4):
        z.get(page)
