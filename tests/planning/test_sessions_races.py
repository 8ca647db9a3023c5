"""Races on PostgreSQL: officers registered at once for the last seats, and a withdrawal racing a
registration. The session row is locked first (select_for_update), so the seats never exceed the capacity
and the waiting list keeps one place per officer, in order."""

import datetime as dt

import pytest

from agencies.models import Clearance, User
from planning.sessions import services
from planning.sessions.models import AssessmentSession, Registration
from tests import factories as f
from tests.clock import TODAY
from tests.roster.test_races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _session(ipo, capacity):
    return services.session_schedule(actor=ipo, kind="saat", starts_on=TODAY + dt.timedelta(days=20),
                                     ends_on=TODAY + dt.timedelta(days=22), place="Ottawa", language="en",
                                     capacity=capacity)


def test_racing_registrations_fill_the_seats_then_the_waiting_list_in_distinct_places():
    ipo = f.IpoStaffFactory()
    agency = f.AgencyFactory()
    coordinator = f.CoordinatorFactory(agency=agency)
    session = _session(ipo, capacity=2)
    officers = [f.OfficerFactory(agency=agency) for _ in range(6)]
    outcomes = race(6, lambda i: services.registration_create(
        session=AssessmentSession.objects.get(pk=session.pk), officer=officers[i],
        actor=User.objects.get(pk=coordinator.pk)))
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert Registration.objects.filter(state="registered").count() == 2
    waiting = Registration.objects.filter(state="waitlisted").order_by("position")
    assert [r.position for r in waiting] == [1, 2, 3, 4]


def test_a_withdrawal_racing_a_registration_gives_the_seat_to_the_first_in_line():
    ipo = f.IpoStaffFactory()
    agency = f.AgencyFactory()
    coordinator = f.CoordinatorFactory(agency=agency)
    session = _session(ipo, capacity=1)
    first, second, late = [f.OfficerFactory(agency=agency) for _ in range(3)]
    seat = services.registration_create(session=session, officer=first, actor=coordinator)
    line = services.registration_create(session=session, officer=second, actor=coordinator)

    def work(i):
        actor = User.objects.get(pk=coordinator.pk)
        if i == 0:
            return services.registration_withdraw(registration=Registration.objects.get(pk=seat.pk), actor=actor)
        return services.registration_create(session=AssessmentSession.objects.get(pk=session.pk), officer=late,
                                            actor=actor)

    outcomes = race(2, work)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert Registration.objects.get(pk=line.pk).state == "registered"  # the first in line, never the late one
    late_reg = Registration.objects.get(officer=late)
    assert (late_reg.state, late_reg.position) == ("waitlisted", 2) or \
        (late_reg.state, late_reg.position) == ("waitlisted", 1)
    assert Registration.objects.filter(state="registered").count() == 1


def test_two_sessions_passes_recorded_at_once_make_one_clearance_valid_from_the_later_end():
    ipo = f.IpoStaffFactory()
    agency = f.AgencyFactory()
    coordinator = f.CoordinatorFactory(agency=agency)
    officer = f.OfficerFactory(agency=agency)
    sessions, registrations = [], []
    for ends_on in (dt.date(2026, 3, 31), dt.date(2026, 5, 15)):
        session = _session(ipo, capacity=1)
        registrations.append(services.registration_create(session=session, officer=officer, actor=coordinator))
        AssessmentSession.objects.filter(pk=session.pk).update(starts_on=ends_on - dt.timedelta(days=2),
                                                               ends_on=ends_on)
        sessions.append(session.pk)

    def work(i):
        return services.results_record(
            session=AssessmentSession.objects.get(pk=sessions[i]), actor=User.objects.get(pk=ipo.pk),
            results={registrations[i].pk: {"language": "pass", "interview": "pass", "driving": "pass"}})

    outcomes = race(2, work)
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    clearances = Clearance.objects.filter(officer=officer, kind="un_assessment")
    assert [c.valid_until for c in clearances] == [dt.date(2028, 5, 15)]
