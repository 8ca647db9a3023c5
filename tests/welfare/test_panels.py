"""The welfare panels that the home pages and the dashboard include (roster.home_hooks): what each role
sees, what counts as needing attention, and a constant number of queries."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from roster.home_hooks import dashboard_panels, home_panels
from tests import factories as f
from tests.welfare.conftest import answered, ended_tour, make_checkin
from welfare import services
from welfare.models import CheckIn, CheckInReminder
from welfare.panels import dashboard_panel, home_panel, welfare_stamp

pytestmark = pytest.mark.django_db


def render(panel):
    return render_to_string(panel["template"], panel["context"])


def test_the_panels_are_registered_with_the_roster_hooks(world):
    today = timezone.localdate()
    assert any(p["template"] == "welfare/_home_panel.html" for p in home_panels(world.ipo, today=today))
    assert any(p["template"] == "welfare/_dashboard_panel.html" for p in dashboard_panels(world.ipo, today=today))


def test_ipo_staff_see_urgent_check_ins_until_followed_up(world):
    urgent = make_checkin(world.dep_x, "urgent", note="Help")
    panel = home_panel(world.ipo)
    assert panel["attention"] == 1 and panel["context"]["welfare_urgent_total"] == 1
    html = render(panel)
    assert f"/welfare/check-ins/{urgent.pk}/follow-up/" in html and "Xena Xavier" in html
    services.checkin_follow_up(checkin=urgent, actor=world.ipo, note="Reached.")
    assert home_panel(world.ipo)["attention"] == 0


def test_ipo_staff_see_overdue_return_steps(world):
    ended_tour(world.officer_y, ended_days_ago=40)
    services.return_plans_start()
    panel = home_panel(world.ipo)
    assert panel["context"]["welfare_steps_total"] == 2 and panel["attention"] == 2
    html = render(panel)
    assert "Debriefing" in html and "Medical check" in html and "2 return-plan steps overdue" in html


def test_officers_still_silent_after_the_alert_need_attention_until_they_check_in(world):
    # dep_x and dep_y: 16 days overdue; the alert goes out
    services.checkin_reminders_send()
    assert CheckInReminder.objects.filter(kind="staff").count() == 2
    panel = home_panel(world.ipo)
    assert panel["context"]["welfare_silent"] == 2 and panel["attention"] == 2
    services.checkin_create(user=world.user_x, status="well")
    assert home_panel(world.ipo)["context"]["welfare_silent"] == 1


def test_a_coordinator_sees_counts_for_their_officers_only_and_no_note(world):
    make_checkin(world.dep_x, "urgent", note="Secret")
    make_checkin(world.dep_y, "urgent", note="Other")
    panel = home_panel(world.coord_a)
    assert panel["attention"] == 0
    assert panel["context"]["welfare_in_mission"] == 1 and panel["context"]["welfare_urgent_total"] == 1
    assert "Secret" not in render(panel)


def test_a_coordinator_without_officers_in_mission_gets_no_panel(world):
    for deployment in (world.dep_x,):
        deployment.status, deployment.actual_end_date = "completed", timezone.localdate()
        deployment.save()
    assert home_panel(world.coord_a) is None


def test_an_officer_in_mission_is_told_when_to_check_in(world):
    panel = home_panel(world.user_x)
    assert panel["attention"] == 1  # overdue
    html = render(panel)
    assert "Overdue by 16 days" in html and "/welfare/check-in/" in html
    services.checkin_create(user=world.user_x, status="well")
    assert home_panel(world.user_x)["attention"] == 0


def test_an_officer_back_home_is_invited_to_the_questionnaire(world):
    world.dep_x.status, world.dep_x.actual_end_date = "completed", timezone.localdate() - dt.timedelta(days=3)
    world.dep_x.save()
    panel = home_panel(world.user_x)
    assert panel["attention"] == 1 and f"/welfare/questionnaire/{world.dep_x.pk}/" in render(panel)


def test_an_officer_with_nothing_to_do_gets_no_panel(world):
    officer = f.OfficerFactory(agency=world.agency_a, user=f.UserFactory(agency=world.agency_a))
    assert home_panel(officer.user) is None


def test_the_dashboard_panel_for_staff_and_coordinators(world):
    make_checkin(world.dep_x, "well")
    for _ in range(5):
        answered(f.OfficerFactory(agency=world.agency_b))
    staff = dashboard_panel(world.ipo)["context"]
    assert (staff["welfare_in_mission"], staff["welfare_on_time"], staff["welfare_overdue"]) == (2, 1, 1)
    assert staff["welfare_answers"] == 5 and "welfare_steps_overdue" in staff
    coordinator = dashboard_panel(world.coord_a)["context"]
    assert coordinator["welfare_in_mission"] == 1 and coordinator["welfare_answers"] is None  # 0 of agency A
    assert "welfare_steps_overdue" not in coordinator
    assert "fewer than 5" in render(dashboard_panel(world.coord_a))
    assert dashboard_panel(world.user_x) is None


def grow(world, n):
    today = timezone.localdate()
    for i in range(n):
        officer = f.OfficerFactory(agency=world.agency_a if i % 2 else world.agency_b)
        deployment = f.DeploymentFactory(officer=officer, mission=world.mission,
                                         start_date=today - dt.timedelta(days=40))
        make_checkin(deployment, "urgent" if i % 2 else "well", days_ago=20)
        ended_tour(f.OfficerFactory(agency=world.agency_a), ended_days_ago=40 + i)
        answered(f.OfficerFactory(agency=world.agency_a))
    services.return_plans_start()
    services.checkin_reminders_send()


# IPO staff's home: the stamp, then the urgent check-ins, the overdue steps, the silent officers; a
# coordinator's: the stamp, then their officers in mission (two); an officer's (kept for them alone): the stamp,
# then their profile, their deployment, its state (two), the questionnaires pending. The dashboard: the stamp,
# then the officers in mission (two), the answers, and for IPO staff the overdue steps. Once kept, a panel costs
# the stamp alone.
@pytest.mark.parametrize("persona,home,dashboard,kept", [("ipo", 4, 5, 1), ("coord_a", 3, 4, 1),
                                                         ("user_x", 6, 0, 1)])
@pytest.mark.parametrize("rows", [1, 12])
def test_the_panels_run_a_constant_number_of_queries(world, django_assert_num_queries, persona, home, dashboard,
                                                     kept, rows):
    grow(world, rows)
    user = getattr(world, persona)
    with django_assert_num_queries(home):
        panel = home_panel(user)
        render(panel)
    with django_assert_num_queries(dashboard):
        dashboard_panel(user)
    with django_assert_num_queries(kept):
        assert home_panel(user) == panel
    with django_assert_num_queries(1 if dashboard else 0):
        dashboard_panel(user)


def _new_checkin(world):
    make_checkin(world.dep_x, "well")


def _follow_up(world):
    CheckIn.objects.filter(status="urgent").update(followed_up_at=timezone.now(), follow_up_note="Reached.")


def _reminder(world):
    CheckInReminder.objects.create(deployment=world.dep_y, kind="officer", period_start=timezone.localdate())


def _return_plan(world):
    ended_tour(world.officer_y, ended_days_ago=40)
    services.return_plans_start()


def _answer(world):
    answered(f.OfficerFactory(agency=world.agency_b))


@pytest.mark.parametrize("change", [_new_checkin, _follow_up, _reminder, _return_plan, _answer])
def test_a_welfare_row_outside_the_audit_trail_moves_the_stamp(world, change):
    """Check-ins, reminders, return plans (their steps are bulk-created with them) and questionnaires are
    not in the audit trail: the stamp reads them itself, even when written around the services."""
    make_checkin(world.dep_x, "urgent")
    before = welfare_stamp()
    assert welfare_stamp() == before
    change(world)
    assert welfare_stamp() != before


def test_a_kept_panel_is_worked_out_again_after_each_change(world, monkeypatch):
    """The IPO staff's panel is read from the cache while nothing changes, and shows each change on the
    next view: an urgent check-in, then its follow-up."""
    from welfare import panels

    built = []
    staff_panel = panels._staff_panel
    monkeypatch.setattr(panels, "_staff_panel", lambda *args: built.append(1) or staff_panel(*args))
    assert home_panel(world.ipo)["context"]["welfare_urgent_total"] == 0
    assert home_panel(world.ipo)["context"]["welfare_urgent_total"] == 0
    assert len(built) == 1
    urgent = make_checkin(world.dep_x, "urgent")
    assert home_panel(world.ipo)["context"]["welfare_urgent_total"] == 1
    services.checkin_follow_up(checkin=urgent, actor=world.ipo, note="Reached.")
    assert home_panel(world.ipo)["context"]["welfare_urgent_total"] == 0
    assert len(built) == 3


def test_a_coordinator_without_a_panel_keeps_that_too(world, django_assert_num_queries):
    """No officer in mission: no panel, kept like any other answer (the stamp alone on the next view)."""
    world.dep_x.status, world.dep_x.actual_end_date = "completed", timezone.localdate()
    world.dep_x.save()
    assert home_panel(world.coord_a) is None
    with django_assert_num_queries(1):
        assert home_panel(world.coord_a) is None


@pytest.mark.parametrize("seconds, queries", [(0, 3), (300, 1)])
def test_nothing_is_kept_when_the_figures_cache_is_off(world, settings, django_assert_num_queries, seconds, queries):
    """ROSTER["FIGURES_CACHE_SECONDS"] = 0 works the panels out on every view, with no stamp to read."""
    settings.ROSTER = {**settings.ROSTER, "FIGURES_CACHE_SECONDS": seconds}
    home_panel(world.ipo)
    with django_assert_num_queries(queries):
        home_panel(world.ipo)


def test_a_kept_panel_is_never_another_agencys(world):
    """Kept per scope (roster.freshness.scope_of): coordinator B never reads what was kept for coordinator A,
    nor IPO staff's program-wide panel."""
    make_checkin(world.dep_x, "urgent", note="Secret")
    staff = home_panel(world.ipo)
    a = home_panel(world.coord_a)
    b = home_panel(world.coord_b)
    assert staff["context"]["welfare_urgent_total"] == 1 and staff["context"]["welfare_role"] == "ipo_staff"
    assert (a["context"]["welfare_in_mission"], a["context"]["welfare_urgent_total"]) == (1, 1)
    assert (b["context"]["welfare_in_mission"], b["context"]["welfare_urgent_total"]) == (1, 0)
    assert dashboard_panel(world.coord_a)["context"]["welfare_urgent"] == 1
    assert dashboard_panel(world.coord_b)["context"]["welfare_urgent"] == 0


def test_an_officers_kept_panel_is_their_own_and_shows_their_next_check_in(world):
    """Kept for each officer alone: another officer of the same agency, nothing recorded in between, sees
    their own tour; the officer's own check-in shows on their next view."""
    user_z = f.UserFactory(email="officer-z@example.test", agency=world.agency_a)
    officer_z = f.OfficerFactory(agency=world.agency_a, user=user_z)
    dep_z = f.DeploymentFactory(officer=officer_z, mission=world.mission)
    x, z = home_panel(world.user_x), home_panel(user_z)
    assert x["context"]["welfare_state"].deployment_id == world.dep_x.pk
    assert z["context"]["welfare_state"].deployment_id == dep_z.pk
    assert z["context"]["welfare_last"] == ""
    make_checkin(dep_z, "well")
    assert home_panel(user_z)["context"]["welfare_last"] != ""
    assert home_panel(world.user_x)["context"]["welfare_state"].deployment_id == world.dep_x.pk
