"""Races on PostgreSQL: a double tap on "Join the talent pool" makes one entry and one email to the
coordinator (the officer's row is locked first)."""

import datetime as dt

import pytest

from agencies.models import Officer, User
from notifications.models import OutgoingMail
from planning.pool import services
from planning.pool.models import PoolEntry
from tests import factories as f
from tests.roster.test_races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_double_tap_makes_one_entry():
    agency = f.AgencyFactory()
    f.CoordinatorFactory(agency=agency)
    user = f.UserFactory(agency=agency)
    officer = f.OfficerFactory(agency=agency, user=user)
    outcomes = race(3, lambda i: services.pool_entry_save(
        officer=Officer.objects.get(pk=officer.pk), actor=User.objects.get(pk=user.pk), regions=["africa"],
        languages=["fr"], specialities=[], available_from=dt.date(2027, 3, 1)))
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert PoolEntry.objects.count() == 1
    assert OutgoingMail.objects.filter(kind="pool_joined").count() == 1
