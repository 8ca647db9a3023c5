"""Races on PostgreSQL: the beat and page loads starting return plans at once, two members of staff following
up one check-in, a double tap on the check-in button. Threads with their own connections, released together."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from notifications.models import OutgoingMail
from tests import factories as f
from tests.roster.test_races import race
from tests.welfare.conftest import ended_tour, make_checkin
from welfare import services
from welfare.models import CheckIn, ReturnPlan, ReturnStep

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_starts_make_one_plan_and_one_invitation_per_tour():
    tours = [ended_tour(f.OfficerFactory(user=f.UserFactory()), ended_days_ago=40 + i) for i in range(3)]
    outcomes = race(6, lambda i: services.return_plans_start())
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert ReturnPlan.objects.count() == 3 and ReturnStep.objects.count() == 12
    assert OutgoingMail.objects.filter(kind="welfare_questionnaire_invite").count() == 3
    assert sum(len(started) for _, started in outcomes) == 3  # each plan started by exactly one racer
    assert {p.deployment_id for p in ReturnPlan.objects.all()} == {t.pk for t in tours}


def test_two_staff_following_up_one_check_in_at_once_one_wins():
    officer = f.OfficerFactory(user=f.UserFactory())
    checkin = make_checkin(f.DeploymentFactory(officer=officer), "urgent", note="Help")
    staff = [f.IpoStaffFactory(), f.IpoStaffFactory()]
    outcomes = race(2, lambda i: services.checkin_follow_up(checkin=CheckIn.objects.get(pk=checkin.pk),
                                                            actor=staff[i], note=f"Follow-up {i}"))
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"]
    assert all(isinstance(e, ValidationError) for kind, e in outcomes if kind == "refused")
    checkin.refresh_from_db()
    winner = next(result for kind, result in outcomes if kind == "ok")
    assert checkin.follow_up_note == winner.follow_up_note


def test_a_double_tap_is_one_urgent_check_in_and_one_alert_per_recipient(settings):
    settings.ROSTER = {**settings.ROSTER, "IPO_DUTY_EMAIL": "duty@ipo.example"}
    agency = f.AgencyFactory()
    f.CoordinatorFactory(agency=agency)
    user = f.UserFactory(agency=agency)
    f.DeploymentFactory(officer=f.OfficerFactory(agency=agency, user=user))
    token = uuid.uuid4()
    outcomes = race(4, lambda i: services.checkin_create(user=user, status="urgent", note="Help", token=token))
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    assert CheckIn.objects.count() == 1
    assert OutgoingMail.objects.filter(kind="welfare_urgent").count() == 2
