"""agencies.services: officers, clearances and an officer's own profile."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies import services
from agencies.models import Clearance, Officer
from tests import factories as f

pytestmark = pytest.mark.django_db


def new_officer(agency=None, **fields):
    defaults = {"badge_number": "N-100", "first_name": "Nora", "last_name": "New"}
    return Officer(agency=agency, **{**defaults, **fields})


# --- officer_create ----------------------------------------------------------------------------

def test_it_creates_an_officer_in_the_coordinators_own_agency(world):
    officer = services.officer_create(actor=world.coord_a, officer=new_officer(world.agency_b))
    officer.refresh_from_db()
    assert officer.agency == world.agency_a


def test_it_lets_ipo_staff_choose_the_agency(world):
    officer = services.officer_create(actor=world.ipo, officer=new_officer(world.agency_b))
    assert Officer.objects.get(pk=officer.pk).agency == world.agency_b


def test_it_requires_ipo_staff_to_choose_an_agency(world):
    with pytest.raises(ValidationError) as exc:
        services.officer_create(actor=world.ipo, officer=new_officer(None))
    assert "agency" in exc.value.message_dict


@pytest.mark.parametrize("persona", ["user_x", "user_y"])
def test_it_refuses_officers_creating_officers(world, persona):
    with pytest.raises(PermissionDenied):
        services.officer_create(actor=getattr(world, persona), officer=new_officer(world.agency_a))
    assert not Officer.objects.filter(badge_number="N-100").exists()


def test_it_reports_a_duplicate_badge_next_to_the_badge_field(world):
    with pytest.raises(ValidationError) as exc:
        services.officer_create(actor=world.coord_a, officer=new_officer(badge_number=world.officer_x.badge_number))
    assert list(exc.value.message_dict) == ["badge_number"]
    assert "already used in this agency" in exc.value.message_dict["badge_number"][0]


def test_it_allows_the_same_badge_in_another_agency(world):
    duplicate = new_officer(badge_number=world.officer_x.badge_number)
    officer = services.officer_create(actor=world.coord_b, officer=duplicate)
    assert officer.agency == world.agency_b


def test_it_turns_a_lost_race_on_the_badge_into_the_same_error(world, monkeypatch):
    """The check passed, then a concurrent insert won: the IntegrityError becomes the field error."""
    calls = {"n": 0}
    real = services._full_clean

    def first_check_passes(instance, **kwargs):
        calls["n"] += 1
        if calls["n"] > 1:
            return real(instance, **kwargs)

    monkeypatch.setattr(services, "_full_clean", first_check_passes)
    with pytest.raises(ValidationError) as exc:
        services.officer_create(actor=world.coord_a, officer=new_officer(badge_number=world.officer_x.badge_number))
    assert list(exc.value.message_dict) == ["badge_number"]


# --- officer_update ----------------------------------------------------------------------------

def test_it_updates_an_officer_of_the_coordinators_agency(world):
    officer = Officer.objects.get(pk=world.officer_x.pk)
    officer.rank = Officer.Rank.SERGEANT
    services.officer_update(actor=world.coord_a, officer=officer)
    assert Officer.objects.get(pk=officer.pk).rank == Officer.Rank.SERGEANT


@pytest.mark.parametrize("persona", ["coord_b", "user_x", "user_y"])
def test_it_refuses_updates_by_others(world, persona):
    officer = Officer.objects.get(pk=world.officer_x.pk)
    officer.rank = Officer.Rank.SERGEANT
    with pytest.raises(PermissionDenied):
        services.officer_update(actor=getattr(world, persona), officer=officer)
    assert Officer.objects.get(pk=officer.pk).rank == Officer.Rank.CONSTABLE


def test_it_keeps_a_coordinators_officer_in_their_agency(world):
    officer = f.OfficerFactory(agency=world.agency_a)
    officer.agency = world.agency_b
    services.officer_update(actor=world.coord_a, officer=officer)
    assert Officer.objects.get(pk=officer.pk).agency == world.agency_a


def test_it_lets_ipo_staff_move_an_officer_without_a_login(world):
    officer = f.OfficerFactory(agency=world.agency_a)
    officer.agency = world.agency_b
    services.officer_update(actor=world.ipo, officer=officer)
    assert Officer.objects.get(pk=officer.pk).agency == world.agency_b


def test_it_refuses_to_move_an_officer_away_from_their_logins_agency(world):
    officer = Officer.objects.get(pk=world.officer_x.pk)
    officer.agency = world.agency_b
    with pytest.raises(ValidationError) as exc:
        services.officer_update(actor=world.ipo, officer=officer)
    assert "agency" in exc.value.message_dict


def test_it_reports_a_duplicate_badge_on_update(world):
    other = f.OfficerFactory(agency=world.agency_a)
    other.badge_number = world.officer_x.badge_number
    with pytest.raises(ValidationError) as exc:
        services.officer_update(actor=world.coord_a, officer=other)
    assert list(exc.value.message_dict) == ["badge_number"]


# --- clearances --------------------------------------------------------------------------------

def test_it_adds_and_changes_a_clearance(world):
    clearance = services.clearance_save(
        actor=world.coord_a,
        clearance=Clearance(officer=world.officer_x, kind="passport", valid_until=dt.date(2030, 1, 1)),
    )
    clearance.valid_until = dt.date(2031, 1, 1)
    services.clearance_save(actor=world.coord_a, clearance=clearance)
    assert world.officer_x.clearances.get().valid_until == dt.date(2031, 1, 1)


def test_it_reports_a_second_clearance_of_a_kind_next_to_kind(world):
    f.ClearanceFactory(officer=world.officer_x, kind="medical")
    with pytest.raises(ValidationError) as exc:
        services.clearance_save(
            actor=world.coord_a,
            clearance=Clearance(officer=world.officer_x, kind="medical", valid_until=dt.date(2030, 1, 1)),
        )
    assert list(exc.value.message_dict) == ["kind"]
    assert "already has a clearance of this kind" in exc.value.message_dict["kind"][0]


def test_it_allows_the_same_kind_for_another_officer(world):
    f.ClearanceFactory(officer=world.officer_x, kind="medical")
    services.clearance_save(
        actor=world.ipo, clearance=Clearance(officer=world.officer_y, kind="medical", valid_until=dt.date(2030, 1, 1))
    )
    assert world.officer_y.clearances.count() == 1


@pytest.mark.parametrize("persona", ["coord_b", "user_x", "user_y"])
def test_it_refuses_clearance_changes_by_others(world, persona):
    clearance = f.ClearanceFactory(officer=world.officer_x)
    actor = getattr(world, persona)
    with pytest.raises(PermissionDenied):
        services.clearance_save(
            actor=actor, clearance=Clearance(officer=world.officer_x, kind="passport", valid_until=dt.date(2030, 1, 1))
        )
    with pytest.raises(PermissionDenied):
        services.clearance_delete(actor=actor, clearance=clearance)
    assert world.officer_x.clearances.count() == 1


def test_it_deletes_a_clearance(world):
    clearance = f.ClearanceFactory(officer=world.officer_x)
    services.clearance_delete(actor=world.coord_a, clearance=clearance)
    assert not world.officer_x.clearances.exists()


# --- profile_update ----------------------------------------------------------------------------

def profile(**overrides):
    values = {
        "email": "xena@example.test",
        "phone": "613-555-0100",
        "english_level": 3,
        "french_level": 4,
        "manual_driving": False,
        "preferred_language": "fr",
    }
    return {**values, **overrides}


def test_it_lets_an_officer_update_their_own_profile(world):
    services.profile_update(actor=world.user_x, officer=world.officer_x, **profile())
    officer = Officer.objects.get(pk=world.officer_x.pk)
    assert (officer.email, officer.phone, officer.english_level, officer.french_level, officer.manual_driving) == (
        "xena@example.test", "613-555-0100", 3, 4, False
    )
    world.user_x.refresh_from_db()
    assert world.user_x.preferred_language == "fr"


def test_profile_update_cannot_touch_other_fields(world):
    officer = Officer.objects.get(pk=world.officer_x.pk)
    before = {f: getattr(officer, f) for f in ("badge_number", "agency_id", "rank", "date_of_birth", "service_start",
                                                "first_name", "firearms_qualified", "is_active")}
    officer.badge_number = "HACKED"
    officer.agency = world.agency_b
    officer.rank = Officer.Rank.SUPERINTENDENT
    officer.date_of_birth = dt.date(2000, 1, 1)
    officer.service_start = dt.date(1990, 1, 1)
    services.profile_update(actor=world.user_x, officer=officer, **profile())
    stored = Officer.objects.get(pk=world.officer_x.pk)
    assert {f: getattr(stored, f) for f in before} == before
    with pytest.raises(TypeError):
        services.profile_update(actor=world.user_x, officer=officer, badge_number="X", **profile())


@pytest.mark.parametrize("persona", ["user_y", "coord_a", "ipo"])
def test_it_refuses_profile_updates_by_anyone_else(world, persona):
    with pytest.raises(PermissionDenied):
        services.profile_update(actor=getattr(world, persona), officer=world.officer_x, **profile())
    assert Officer.objects.get(pk=world.officer_x.pk).email != "xena@example.test"


def test_it_validates_the_profile_fields(world):
    with pytest.raises(ValidationError) as exc:
        services.profile_update(
            actor=world.user_x, officer=world.officer_x, **profile(email="not-an-email", preferred_language="de")
        )
    assert set(exc.value.message_dict) == {"email", "preferred_language"}
