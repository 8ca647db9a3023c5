"""Who the program's messages go to, one rule each for every app that writes to them: IPO staff,
an agency's coordinators, an officer (notifications.services)."""

import pytest

from notifications.services import coordinator_recipients, officer_recipients, staff_recipients
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_staff_are_the_active_ipo_staff_logins_only():
    active = f.IpoStaffFactory(email="staff@example.test", preferred_language="fr")
    f.IpoStaffFactory(email="gone@example.test", is_active=False)
    f.CoordinatorFactory(email="coord@example.test")
    assert [(r.email, r.language, r.user_id) for r in staff_recipients()] == [("staff@example.test", "fr", active.pk)]


def test_coordinators_are_the_agency_s_active_coordinators_only():
    agency, other = f.AgencyFactory(), f.AgencyFactory()
    first = f.CoordinatorFactory(agency=agency, email="c1@example.test")
    second = f.CoordinatorFactory(agency=agency, email="c2@example.test")
    f.CoordinatorFactory(agency=agency, email="left@example.test", is_active=False)
    f.CoordinatorFactory(agency=other, email="other@example.test")
    f.UserFactory(agency=agency, email="officer@example.test")
    assert [r.user_id for r in coordinator_recipients(agency.pk)] == [first.pk, second.pk]


def test_an_officer_is_reached_at_their_login_else_their_profile_address():
    agency = f.AgencyFactory(language="fr")
    user = f.UserFactory(agency=agency, email="login@example.test", preferred_language="en")
    officer = f.OfficerFactory(agency=agency, user=user, email="profile@example.test", first_name="Ana",
                               last_name="Roy")
    assert [(r.email, r.user_id) for r in officer_recipients(officer)] == [("login@example.test", user.pk)]
    user.is_active = False
    user.save()
    officer.refresh_from_db()
    # a login closed: the profile's address, in the agency's language
    assert [(r.email, r.language, r.user_id, r.name) for r in officer_recipients(officer)] == [
        ("profile@example.test", "fr", None, "Ana Roy")]
    officer.email = ""
    assert officer_recipients(officer) == []
