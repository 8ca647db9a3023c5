"""The demo data (welfare.demo, run by `manage.py seed_demo`): check-ins with one urgent not followed up
and some overdue, return plans in progress with an overdue step, and enough answers for the impact report
of the program and of the demo agency."""

import pytest
from django.core.management import call_command

from agencies.models import User
from welfare import selectors
from welfare.impact import impact_report
from welfare.models import CheckIn, ReturnPlan, ReturnQuestionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


def test_the_demo_has_check_ins_one_urgent_and_some_overdue(seeded):
    ipo = User.objects.get(email="ipo@demo.example")
    coordinator = User.objects.get(email="coordinator@demo.example")
    urgent = CheckIn.objects.filter(status="urgent", followed_up_at__isnull=True)
    assert urgent.count() == 1
    assert urgent.get().officer.agency == coordinator.agency  # the demo coordinator sees it too
    states = selectors.checkin_states_for(ipo)
    assert states[0].state == "urgent"
    assert sum(s.state == "overdue" for s in states) >= 3
    assert sum(s.state == "overdue" and s.alerted for s in states) >= 1
    assert selectors.silent_after_alert(ipo) >= 1
    assert all(s.last_at for s in states)  # everyone in mission has checked in at least once


def test_the_demo_has_return_plans_in_progress_with_an_overdue_step(seeded):
    ipo = User.objects.get(email="ipo@demo.example")
    assert ReturnPlan.objects.exists()
    assert selectors.overdue_steps(ipo)[1] >= 1
    assert selectors.return_plans_page(ipo)["page"].paginator.count >= 1


def test_the_impact_report_is_drawn_for_the_program_and_the_demo_agency(seeded):
    ipo = User.objects.get(email="ipo@demo.example")
    coordinator = User.objects.get(email="coordinator@demo.example")
    program, agency = impact_report(ipo), impact_report(coordinator)
    assert program["total"].shown and agency["total"].shown
    assert any(y.shown for y in program["years"]) and any(y.shown for y in agency["years"])
    assert any(not y.shown for y in program["years"])  # the demo shows a hidden year too
    assert program["comments"]
    officer = User.objects.get(email="officer@demo.example")
    assert not ReturnQuestionnaire.objects.filter(officer__user=officer).exists()  # hers to answer


def test_an_officer_in_mission_can_sign_in_to_check_in(seeded):
    user = User.objects.get(email="in-mission@demo.example")
    assert user.check_password("demo-roster-2026")
    assert selectors.current_deployment_of(user.officer) is not None
