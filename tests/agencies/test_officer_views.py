"""Officer pages: list, create, edit, clearances, and an officer's own profile."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Clearance, Officer
from tests import factories as f
from tests.pages import page_text

pytestmark = pytest.mark.django_db


def officer_post(**overrides):
    data = {
        "first_name": "Nora",
        "last_name": "New",
        "badge_number": "N-100",
        "rank": "cst",
        "gender": "woman",
        "date_of_birth": "1988-04-02",
        "service_start": "2012-09-01",
        "email": "nora@example.test",
        "phone": "",
        "english_level": "4",
        "french_level": "2",
        "manual_driving": "true",
        "firearms_qualified": "true",
        "is_active": "on",
    }
    return {**data, **overrides}


# --- list ---------------------------------------------------------------------------------------

def test_it_lists_only_the_coordinators_own_officers(clients, world):
    html = page_text(clients.coord_a.get(reverse("agencies:officer-list")))
    assert "Xavier" in html and "Young" not in html


def test_it_lets_ipo_staff_filter_by_agency(clients, world):
    response = clients.ipo.get(reverse("agencies:officer-list"), {"agency": world.agency_b.pk})
    assert [o.pk for o in response.context["page"]] == [world.officer_y.pk]


def test_it_ignores_an_agency_filter_from_a_coordinator(clients, world):
    response = clients.coord_a.get(reverse("agencies:officer-list"), {"agency": world.agency_b.pk})
    assert [o.pk for o in response.context["page"]] == [world.officer_x.pk]
    assert "agency" not in response.context["filter"].form.fields


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"q": "xena xav"}, {"x"}),
        ({"q": "OTHER@example"}, {"other"}),
        ({"rank": "sgt"}, {"other"}),
        ({"gender": "man"}, {"other"}),
        ({"french_level": "4"}, {"other"}),
        ({"english_level": "4"}, {"x"}),
        ({"active": "no"}, {"other"}),
        ({"active": "yes"}, {"x"}),
    ],
)
def test_it_searches_and_filters_officers(clients, world, params, expected):
    other = f.OfficerFactory(
        agency=world.agency_a, rank="sgt", gender="man", email="other@example.test", english_level=2,
        french_level=4, is_active=False,
    )
    names = {world.officer_x.pk: "x", other.pk: "other"}
    response = clients.coord_a.get(reverse("agencies:officer-list"), params)
    assert {names[o.pk] for o in response.context["page"]} == expected


def test_it_counts_expiring_and_expired_clearances(clients, world):
    today = timezone.localdate()
    f.ClearanceFactory(officer=world.officer_x, kind="medical", valid_until=today - dt.timedelta(days=1))
    f.ClearanceFactory(officer=world.officer_x, kind="passport", valid_until=today)
    f.ClearanceFactory(officer=world.officer_x, kind="security", valid_until=today + dt.timedelta(days=60))
    f.ClearanceFactory(officer=world.officer_x, kind="firearms", valid_until=today + dt.timedelta(days=61))
    response = clients.coord_a.get(reverse("agencies:officer-list"))
    (row,) = response.context["page"]
    assert (row.clearances_expiring, row.clearances_expired) == (2, 1)


# --- create / edit ------------------------------------------------------------------------------

def test_coordinator_a_creates_an_officer_in_agency_a_even_if_the_post_says_b(clients, world):
    response = clients.coord_a.post(reverse("agencies:officer-create"), officer_post(agency=world.agency_b.pk))
    officer = Officer.objects.get(badge_number="N-100")
    assert response.status_code == 302 and response["Location"] == reverse("agencies:officer-detail", args=[officer.pk])
    assert officer.agency == world.agency_a


def test_coordinators_do_not_see_an_agency_field(clients):
    response = clients.coord_a.get(reverse("agencies:officer-create"))
    assert "agency" not in response.context["form"].fields
    assert 'name="agency"' not in response.content.decode()


def test_ipo_staff_choose_the_agency(clients, world):
    clients.ipo.post(reverse("agencies:officer-create"), officer_post(agency=world.agency_b.pk))
    assert Officer.objects.get(badge_number="N-100").agency == world.agency_b


def test_it_shows_a_duplicate_badge_next_to_the_badge_field(clients, world):
    response = clients.coord_a.post(
        reverse("agencies:officer-create"), officer_post(badge_number=world.officer_x.badge_number)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "already used in this agency" in form.errors["badge_number"][0]
    assert not form.non_field_errors()
    html = response.content.decode()
    assert 'id="id_badge_number"' in html and "is-invalid" in html


def test_ipo_staff_see_a_duplicate_badge_next_to_the_badge_field_too(clients, world):
    response = clients.ipo.post(
        reverse("agencies:officer-create"),
        officer_post(agency=world.agency_a.pk, badge_number=world.officer_x.badge_number),
    )
    assert "badge_number" in response.context["form"].errors
    assert not response.context["form"].non_field_errors()


@pytest.mark.parametrize("persona", ["officer_x", "officer_y"])
def test_officers_get_403_on_officer_create(clients, persona):
    client = getattr(clients, persona)
    assert client.get(reverse("agencies:officer-create")).status_code == 403
    assert client.post(reverse("agencies:officer-create"), officer_post()).status_code == 403
    assert not Officer.objects.filter(badge_number="N-100").exists()


def test_coordinator_b_gets_404_editing_an_officer_of_agency_a(clients, world):
    url = reverse("agencies:officer-edit", args=[world.officer_x.pk])
    assert clients.coord_b.get(url).status_code == 404
    assert clients.coord_b.post(url, officer_post(rank="supt")).status_code == 404
    assert Officer.objects.get(pk=world.officer_x.pk).rank == "cst"


def test_an_officer_gets_403_editing_their_own_record(clients, world):
    url = reverse("agencies:officer-edit", args=[world.officer_x.pk])
    assert clients.officer_x.post(url, officer_post(rank="supt")).status_code == 403
    assert Officer.objects.get(pk=world.officer_x.pk).rank == "cst"


def test_coordinator_a_edits_an_officer(clients, world):
    url = reverse("agencies:officer-edit", args=[world.officer_x.pk])
    response = clients.coord_a.post(url, officer_post(badge_number=world.officer_x.badge_number, rank="sgt"))
    assert response.status_code == 302
    officer = Officer.objects.get(pk=world.officer_x.pk)
    assert (officer.rank, officer.first_name, officer.agency_id, officer.user_id) == (
        "sgt", "Nora", world.agency_a.pk, world.user_x.pk
    )


# --- clearances ----------------------------------------------------------------------------------

def test_coordinator_adds_a_clearance(clients, world):
    url = reverse("agencies:clearance-create", args=[world.officer_x.pk])
    response = clients.coord_a.post(url, {"kind": "passport", "valid_until": "2031-05-01", "reference": "P123"})
    assert response.status_code == 302
    assert world.officer_x.clearances.get().valid_until == dt.date(2031, 5, 1)


def test_it_shows_a_second_clearance_of_a_kind_next_to_kind(clients, world):
    f.ClearanceFactory(officer=world.officer_x, kind="medical")
    url = reverse("agencies:clearance-create", args=[world.officer_x.pk])
    response = clients.coord_a.post(url, {"kind": "medical", "valid_until": "2031-05-01"})
    assert response.status_code == 200
    assert "already has a clearance of this kind" in response.context["form"].errors["kind"][0]
    assert world.officer_x.clearances.count() == 1


def test_it_edits_and_deletes_a_clearance(clients, world):
    clearance = f.ClearanceFactory(officer=world.officer_x, kind="medical")
    edit = reverse("agencies:clearance-edit", args=[world.officer_x.pk, clearance.pk])
    assert clients.coord_a.post(edit, {"kind": "medical", "valid_until": "2032-01-31"}).status_code == 302
    assert Clearance.objects.get(pk=clearance.pk).valid_until == dt.date(2032, 1, 31)
    delete = reverse("agencies:clearance-delete", args=[world.officer_x.pk, clearance.pk])
    assert clients.coord_a.get(delete).status_code == 405
    assert clients.coord_a.post(delete).status_code == 302
    assert not Clearance.objects.filter(pk=clearance.pk).exists()


def test_a_clearance_is_reached_only_through_its_own_officer(clients, world):
    clearance_y = f.ClearanceFactory(officer=world.officer_y)
    url = reverse("agencies:clearance-edit", args=[world.officer_x.pk, clearance_y.pk])
    assert clients.ipo.get(url).status_code == 404
    delete = reverse("agencies:clearance-delete", args=[world.officer_x.pk, clearance_y.pk])
    assert clients.coord_a.post(delete).status_code == 404
    assert Clearance.objects.filter(pk=clearance_y.pk).exists()


def test_coordinator_b_cannot_touch_the_clearances_of_agency_a(clients, world):
    clearance = f.ClearanceFactory(officer=world.officer_x)
    delete = reverse("agencies:clearance-delete", args=[world.officer_x.pk, clearance.pk])
    assert clients.coord_b.post(delete).status_code == 404
    assert clients.officer_x.post(delete).status_code == 403
    assert Clearance.objects.filter(pk=clearance.pk).exists()


def test_the_detail_page_flags_expired_and_expiring_clearances(clients, world):
    today = timezone.localdate()
    f.ClearanceFactory(officer=world.officer_x, kind="medical", valid_until=today - dt.timedelta(days=1))
    f.ClearanceFactory(officer=world.officer_x, kind="passport", valid_until=today + dt.timedelta(days=10))
    f.ClearanceFactory(officer=world.officer_x, kind="security", valid_until=today + dt.timedelta(days=400))
    response = clients.coord_a.get(reverse("agencies:officer-detail", args=[world.officer_x.pk]))
    flags = {c.kind: c.expiry for c in response.context["clearances"]}
    assert flags == {"medical": "expired", "passport": "expiring", "security": "valid"}
    html = response.content.decode()
    assert "Expired" in html and "Expires soon" in html
    assert html.count("<h1") == 1


def test_the_detail_page_offers_management_only_to_managers(clients, world):
    url = reverse("agencies:officer-detail", args=[world.officer_x.pk])
    edit = reverse("agencies:officer-edit", args=[world.officer_x.pk])
    assert edit in clients.coord_a.get(url).content.decode()
    own = clients.officer_x.get(url).content.decode()
    assert edit not in own and reverse("agencies:my-profile-edit") in own


# --- own profile ---------------------------------------------------------------------------------

def test_an_officer_sees_their_profile_and_clearances(clients, world):
    soon = timezone.localdate() + dt.timedelta(days=5)
    f.ClearanceFactory(officer=world.officer_x, kind="passport", valid_until=soon)
    response = clients.officer_x.get(reverse("agencies:my-profile"))
    assert response.context["officer"] == world.officer_x
    assert "Expires soon" in response.content.decode()


def test_an_officer_without_a_record_is_told_so(world):
    from tests.conftest import client_for

    lone = f.UserFactory(agency=world.agency_a)
    for name in ("agencies:my-profile", "agencies:my-profile-edit"):
        response = client_for(lone).get(reverse(name))
        assert response.status_code == 200
        assert 'data-testid="no-officer-profile"' in response.content.decode()


@pytest.mark.parametrize("persona", ["ipo", "coord_a"])
def test_non_officers_get_403_on_my_profile(clients, persona):
    assert getattr(clients, persona).get(reverse("agencies:my-profile")).status_code == 403
    assert getattr(clients, persona).get(reverse("agencies:my-profile-edit")).status_code == 403


def test_an_officer_edits_only_their_own_profile_fields(clients, world):
    before = Officer.objects.get(pk=world.officer_x.pk)
    response = clients.officer_x.post(
        reverse("agencies:my-profile-edit"),
        {
            "email": "xena@example.test",
            "phone": "613-555-0100",
            "english_level": "3",
            "french_level": "4",
            "manual_driving": "false",
            "preferred_language": "fr",
            # not on the form: ignored
            "badge_number": "HACKED",
            "rank": "supt",
            "agency": world.agency_b.pk,
            "service_start": "1990-01-01",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("agencies:my-profile")
    after = Officer.objects.get(pk=world.officer_x.pk)
    assert (after.email, after.phone, after.english_level, after.french_level, after.manual_driving) == (
        "xena@example.test", "613-555-0100", 3, 4, False
    )
    assert (after.badge_number, after.rank, after.agency_id, after.service_start) == (
        before.badge_number, before.rank, before.agency_id, before.service_start
    )
    world.user_x.refresh_from_db()
    assert world.user_x.preferred_language == "fr"


def test_the_profile_form_shows_errors_next_to_fields(clients):
    response = clients.officer_x.post(
        reverse("agencies:my-profile-edit"), {"email": "nope", "preferred_language": "en", "manual_driving": "unknown"}
    )
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert set(response.context["form"].fields) == {
        "email", "phone", "english_level", "french_level", "manual_driving", "preferred_language"
    }


def test_ipo_staff_see_the_current_agency_and_may_change_it(clients, world):
    officer = f.OfficerFactory(agency=world.agency_a)
    url = reverse("agencies:officer-edit", args=[officer.pk])
    assert clients.ipo.get(url).context["form"]["agency"].value() == world.agency_a.pk
    data = officer_post(badge_number=officer.badge_number, agency=world.agency_b.pk)
    assert clients.ipo.post(url, data).status_code == 302
    assert Officer.objects.get(pk=officer.pk).agency == world.agency_b


def test_it_flags_a_clearance_expiring_before_an_open_bulletins_deployment_start(world, clients):
    import datetime as dt

    from django.utils import timezone

    from tests import factories as f

    start = timezone.localdate() + dt.timedelta(days=200)
    bulletin = f.BulletinFactory(mission=world.mission, deployment_start=start,
                                 required_clearances=["passport", "medical"])
    f.ClearanceFactory(officer=world.officer_x, kind="passport", valid_until=start - dt.timedelta(days=1))
    html = clients.coord_a.get(reverse("agencies:officer-detail", args=[world.officer_x.pk])).content.decode()
    assert f'data-testid="conflict-{bulletin.reference}"' in html
    assert "Passport expires on" in html and "before the deployment start" in html
    assert "Required and not on file:" in html and "Medical" in html
    # renewed past the start: no longer flagged for that clearance
    world.officer_x.clearances.filter(kind="passport").update(valid_until=start + dt.timedelta(days=400))
    html = clients.coord_a.get(reverse("agencies:officer-detail", args=[world.officer_x.pk])).content.decode()
    assert "Passport expires on" not in html


def test_an_officer_keeps_an_email_and_a_real_phone_number_on_their_profile(world, clients):
    url = reverse("agencies:my-profile-edit")
    data = {"email": "", "phone": "abc-not-a-phone", "english_level": 4, "french_level": 2,
            "manual_driving": "true", "preferred_language": "en"}
    response = clients.officer_x.post(url, data)
    errors = response.context["form"].errors
    assert "email" in errors and "phone" in errors
    world.officer_x.refresh_from_db()
    assert world.officer_x.email
    response = clients.officer_x.post(
        url, {**data, "email": "xena@agency-a.example", "phone": "+1 613 555-0199 ext. 12"}
    )
    assert response.status_code == 302
    world.officer_x.refresh_from_db()
    assert world.officer_x.phone == "+1 613 555-0199 ext. 12"
