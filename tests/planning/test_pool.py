"""The standing talent pool (issue 13 item 6): an officer joins, changes their entry or leaves; their
coordinator confirms or declines the agency's support; IPO staff see every agency's entries and filter them;
a coordinator never sees another agency's officers. Pinned query counts, both languages, privacy hooks."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from notifications.models import OutgoingMail
from planning.pool import services
from planning.pool.models import PoolEntry
from planning.pool.selectors import pool_officer_ids, pool_visible_to
from tests import factories as f
from tests.clock import TODAY
from tests.conftest import client_for
from tests.pages import page_text

pytestmark = pytest.mark.django_db

LIST = reverse("planning:pool-list")
MINE = reverse("planning:pool-mine")


def join(officer, user, **kwargs):
    values = dict(regions=["africa", "americas"], languages=["fr", "en"], specialities=["gender"],
                  available_from=TODAY + dt.timedelta(days=30), note="")
    values.update(kwargs)
    return services.pool_entry_save(officer=officer, actor=user, **values)


def support_url(entry):
    return reverse("planning:pool-support", args=[entry.pk])


# --- services ------------------------------------------------------------------------------------------

def test_an_officer_joins_and_their_coordinator_is_asked(world):
    entry = join(world.officer_x, world.user_x)
    assert entry.support == "pending" and entry.regions == ["americas", "africa"]  # in the choices' order
    assert entry.languages == ["en", "fr"]
    assert list(OutgoingMail.objects.filter(kind="pool_joined").values_list("to", flat=True)) == [world.coord_a.email]


def test_only_the_officer_themself_joins_or_leaves(world):
    for actor in (world.user_y, world.coord_a, world.ipo):
        with pytest.raises(PermissionDenied):
            join(world.officer_x, actor)
    join(world.officer_x, world.user_x)
    with pytest.raises(PermissionDenied):
        services.pool_entry_leave(officer=world.officer_x, actor=world.coord_a)
    assert services.pool_entry_leave(officer=world.officer_x, actor=world.user_x)
    assert not PoolEntry.objects.exists()


def test_bad_input_changes_nothing(world):
    with pytest.raises(ValidationError) as exc:
        join(world.officer_x, world.user_x, regions=["mars"], languages=[])
    assert set(exc.value.message_dict) == {"regions", "languages"}
    assert not PoolEntry.objects.exists()


def test_a_change_keeps_the_agency_answer(world):
    entry = join(world.officer_x, world.user_x)
    services.pool_support_set(entry=entry, actor=world.coord_a, support="supported")
    entry = join(world.officer_x, world.user_x, available_from=TODAY + dt.timedelta(days=90))
    assert entry.support == "supported" and PoolEntry.objects.count() == 1
    assert OutgoingMail.objects.filter(kind="pool_joined").count() == 1


def test_the_coordinator_confirms_or_declines_with_a_note_and_the_officer_is_told(world):
    entry = join(world.officer_x, world.user_x)
    with pytest.raises(ValidationError) as exc:
        services.pool_support_set(entry=entry, actor=world.coord_a, support="not_supported", note=" ")
    assert "note" in exc.value.message_dict
    services.pool_support_set(entry=entry, actor=world.coord_a, support="not_supported", note="Short-staffed")
    entry.refresh_from_db()
    assert (entry.support, entry.support_note, entry.support_by) == ("not_supported", "Short-staffed", world.coord_a)
    assert OutgoingMail.objects.filter(kind="pool_support", to=world.user_x.email).exists()


@pytest.mark.parametrize("who", ["coord_b", "ipo", "user_x"])
def test_no_one_else_answers_for_the_agency(world, who):
    entry = join(world.officer_x, world.user_x)
    with pytest.raises(PermissionDenied):
        services.pool_support_set(entry=entry, actor=getattr(world, who), support="supported")


def test_the_counts_for_who_could_go_leave_out_a_declined_officer(world):
    x = join(world.officer_x, world.user_x)
    join(world.officer_y, world.user_y)
    assert pool_officer_ids(by=TODAY + dt.timedelta(days=30)) == {world.officer_x.pk, world.officer_y.pk}
    assert pool_officer_ids(by=TODAY) == set()  # not available yet
    services.pool_support_set(entry=x, actor=world.coord_a, support="not_supported", note="No")
    assert pool_officer_ids(by=TODAY + dt.timedelta(days=30)) == {world.officer_y.pk}


def test_visibility(world):
    join(world.officer_x, world.user_x)
    join(world.officer_y, world.user_y)
    assert pool_visible_to(world.ipo).count() == 2
    assert [e.officer for e in pool_visible_to(world.coord_a)] == [world.officer_x]
    assert [e.officer for e in pool_visible_to(world.user_y)] == [world.officer_y]


def test_anonymisation_removes_the_entry_and_the_archive_holds_it(world):
    from privacy.hooks import archive_sections, officer_erasers

    join(world.officer_x, world.user_x, note="Ready in spring")
    section = next(s for s in archive_sections(world.officer_x, world.user_x) if s.key == "planning")
    assert section.data["talent_pool"]["note"] == "Ready in spring"
    for eraser in officer_erasers():
        eraser(officer_id=world.officer_x.pk)
    assert not PoolEntry.objects.exists()


# --- pages ---------------------------------------------------------------------------------------------

def test_an_officer_joins_changes_and_leaves_from_the_page(clients, world):
    assert "Join the talent pool" in page_text(clients.officer_x.get(MINE))
    data = {"regions": ["africa"], "languages": ["fr"], "available_from": str(TODAY + dt.timedelta(days=10))}
    assert clients.officer_x.post(MINE, data).status_code == 302
    html = page_text(clients.officer_x.get(MINE))
    assert "Awaiting the agency" in html and "Leave the talent pool" in html
    response = clients.officer_x.post(MINE, {"regions": [], "languages": ["fr"], "available_from": ""})
    html = response.content.decode()
    assert "Choose at least one region." in html and "Say from when you could leave." in html
    clients.officer_x.post(reverse("planning:pool-leave"))
    assert not PoolEntry.objects.exists()


def test_the_list_is_for_ipo_staff_and_coordinators(clients, world):
    join(world.officer_x, world.user_x)
    join(world.officer_y, world.user_y)
    html = page_text(clients.ipo.get(LIST))
    assert "Xavier, Xena" in html and "Young, Yves" in html
    html = page_text(clients.coord_a.get(LIST))
    assert "Xavier, Xena" in html and "Young" not in html
    html = page_text(clients.coord_b.get(LIST))
    assert "Young, Yves" in html and "Xavier" not in html
    assert clients.officer_x.get(LIST).status_code == 403
    assert clients.officer_x.get(MINE).status_code == 200 and clients.coord_a.get(MINE).status_code == 403


def test_ipo_staff_filter_the_pool(clients, world):
    join(world.officer_x, world.user_x, regions=["africa"], languages=["fr"], specialities=["gender"])
    join(world.officer_y, world.user_y, regions=["europe"], languages=["en"], specialities=["training"],
         available_from=TODAY + dt.timedelta(days=200))
    services.pool_support_set(entry=world.officer_y.pool_entry, actor=world.coord_b, support="supported")

    def names(**params):
        html = page_text(clients.ipo.get(LIST, params))
        return {n for n in ("Xavier", "Young") if n in html}

    assert names() == {"Xavier", "Young"}
    assert names(region="africa") == {"Xavier"}
    assert names(language="en") == {"Young"}
    assert names(speciality="training") == {"Young"}
    assert names(available_by=str(TODAY + dt.timedelta(days=60))) == {"Xavier"}
    assert names(support="supported") == {"Young"}
    assert names(agency=world.agency_a.pk) == {"Xavier"}
    assert names(region="nowhere") == {"Xavier", "Young"}  # a bad filter is ignored, with its error shown


def test_a_coordinator_cannot_filter_their_way_to_another_agency(clients, world):
    join(world.officer_y, world.user_y)
    html = page_text(clients.coord_a.get(LIST, {"agency": world.agency_b.pk}))
    assert "Young" not in html


def test_the_coordinator_answers_from_the_page_and_agency_b_gets_404(clients, world):
    entry = join(world.officer_x, world.user_x)
    assert clients.coord_b.get(support_url(entry)).status_code == 404
    assert clients.ipo.get(support_url(entry)).status_code == 403
    response = clients.coord_a.post(support_url(entry), {"support": "not_supported", "note": ""})
    assert "Say why the agency does not support the officer." in response.content.decode()
    assert clients.coord_a.post(support_url(entry), {"support": "supported"}).status_code == 302
    entry.refresh_from_db()
    assert entry.support == "supported"


@pytest.mark.parametrize("n", [1, 30])
def test_the_list_runs_a_constant_number_of_queries(clients, world, django_assert_num_queries, n):
    for i in range(n):
        agency = world.agency_a if i % 2 else world.agency_b
        user = f.UserFactory(agency=agency)
        join(f.OfficerFactory(agency=agency, user=user), user)
    # IPO staff: session, user, the agencies (filter), the COUNT, the page
    with django_assert_num_queries(5):
        assert clients.ipo.get(LIST, {"language": "fr"}).status_code == 200
    # a coordinator: no agency filter
    with django_assert_num_queries(4):
        assert clients.coord_b.get(LIST).status_code == 200


def test_the_pages_render_in_french(world):
    join(world.officer_x, world.user_x)
    for user, url in ((world.ipo, LIST), (world.coord_a, LIST), (world.user_x, MINE),
                      (world.coord_a, support_url(world.officer_x.pool_entry))):
        user.preferred_language = "fr"
        user.save()
        response = client_for(user).get(url)
        assert response.status_code == 200 and '<html lang="fr">' in response.content.decode()
