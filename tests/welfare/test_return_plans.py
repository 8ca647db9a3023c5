"""Return plans: started for every tour that ended (completed or repatriated), once; their steps, due
dates, who did them, and the overdue flag; who sees them."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from roster import services as roster_services
from tests import factories as f
from tests.welfare.conftest import ended_tour
from welfare import selectors, services, tasks
from welfare.models import ReturnPlan, ReturnStep

pytestmark = pytest.mark.django_db


def test_a_tour_that_ends_gets_a_plan_with_four_dated_steps_at_once(world, outbox):
    deployment = roster_services.deployment_complete(deployment=world.dep_x, actor=world.ipo,
                                                     on=timezone.localdate() - dt.timedelta(days=2))
    # started by the end itself (roster.tour_hooks), not at beat's next run: nothing left to start
    assert services.return_plans_start() == []
    plan = ReturnPlan.objects.get()
    assert plan.deployment_id == deployment.pk and plan.invited_at is not None
    ended = deployment.actual_end_date
    steps = {s.kind: s.due_on for s in plan.steps.all()}
    assert steps == {
        "debriefing": ended + dt.timedelta(days=14),
        "medical": ended + dt.timedelta(days=30),
        "psych_3m": roster_services.add_months(ended, 3),
        "psych_6m": roster_services.add_months(ended, 6),
    }
    invitation = outbox("welfare_questionnaire_invite")
    assert [m.to for m in invitation] == ["officer-x@example.test"]
    assert f"/welfare/questionnaire/{deployment.pk}/" in invitation[0].body_text


def test_a_repatriated_tour_gets_a_plan_too(world):
    roster_services.deployment_repatriate(deployment=world.dep_y, actor=world.ipo, reason="medical")
    assert [p.deployment_id for p in ReturnPlan.objects.all()] == [world.dep_y.pk]


def test_the_plan_rolls_back_with_the_end_of_the_tour(world, outbox, monkeypatch):
    """The listener writes in the transaction that records the end: a failure after it leaves no plan,
    no invitation and the tour in mission."""
    from django.db import transaction

    from roster.services import deployments as roster_deployments

    original = roster_deployments.tour_ended

    def then_fail(deployment):
        original(deployment)
        assert ReturnPlan.objects.filter(deployment=deployment).exists()  # written, not yet committed
        raise RuntimeError("after the listener")

    monkeypatch.setattr(roster_deployments, "tour_ended", then_fail)
    with pytest.raises(RuntimeError), transaction.atomic():
        roster_services.deployment_complete(deployment=world.dep_x, actor=world.ipo)
    world.dep_x.refresh_from_db()
    assert world.dep_x.status == "in_mission" and not ReturnPlan.objects.exists()
    assert outbox("welfare_questionnaire_invite") == []


def test_a_tour_recorded_as_ended_long_ago_gets_no_plan(world, settings):
    settings.ROSTER = {**settings.ROSTER, "WELFARE_RETURN_PLAN_LOOKBACK_DAYS": 10}
    world.dep_x.start_date = timezone.localdate() - dt.timedelta(days=300)
    world.dep_x.save()
    roster_services.deployment_complete(deployment=world.dep_x, actor=world.ipo,
                                        on=timezone.localdate() - dt.timedelta(days=30))
    assert not ReturnPlan.objects.exists()


def test_starting_plans_again_does_nothing_and_invites_once(world, outbox):
    ended_tour(world.officer_x)
    services.return_plans_start()
    assert services.return_plans_start() == []
    assert ReturnPlan.objects.count() == 1 and ReturnStep.objects.count() == 4
    assert len(outbox("welfare_questionnaire_invite")) == 1


def test_no_plan_for_current_cancelled_or_long_past_tours(world, settings):
    settings.ROSTER = {**settings.ROSTER, "WELFARE_RETURN_PLAN_LOOKBACK_DAYS": 183}
    ended_tour(f.OfficerFactory(), ended_days_ago=400)  # before the welfare app: past every step
    f.DeploymentFactory(status="planned", start_date=timezone.localdate() + dt.timedelta(days=9))
    assert services.return_plans_start() == []
    assert not ReturnPlan.objects.exists()


def test_the_officer_who_already_answered_is_not_invited(world, outbox):
    from tests.welfare.conftest import ANSWERS
    from welfare.models import ReturnQuestionnaire

    deployment = ended_tour(world.officer_x)
    ReturnQuestionnaire.objects.create(deployment=deployment, officer=world.officer_x,
                                       returned_on=deployment.actual_end_date, fiscal_year=2026, **ANSWERS)
    services.return_plans_start()
    assert ReturnPlan.objects.count() == 1 and outbox() == []


def test_the_beat_task_and_the_pages_start_the_plans(world, clients):
    ended_tour(world.officer_x)
    tasks.return_plans_start.delay()
    assert ReturnPlan.objects.count() == 1
    ended_tour(world.officer_y)
    clients.ipo.get("/welfare/returns/")
    assert ReturnPlan.objects.count() == 2
    ended_tour(f.OfficerFactory(agency=world.agency_a, user=f.UserFactory(agency=world.agency_a)))
    clients.officer_x.get("/welfare/my-returns/")
    assert ReturnPlan.objects.count() == 3


# --- recording the steps ----------------------------------------------------------------------------------

def plan_for(officer, ended_days_ago=40):
    ended_tour(officer, ended_days_ago=ended_days_ago)
    return services.return_plans_start()[0]


def test_ipo_staff_record_who_did_a_step_and_when(world):
    plan = plan_for(world.officer_x)
    step = plan.steps.get(kind="debriefing")
    today = timezone.localdate()
    services.return_step_record(step=step, actor=world.ipo, done_on=today, done_by="Sgt. Brennan")
    step.refresh_from_db()
    assert (step.done_on, step.done_by, step.recorded_by) == (today, "Sgt. Brennan", world.ipo)
    assert not step.is_overdue(today + dt.timedelta(days=400))


@pytest.mark.parametrize("persona", ["coord_a", "user_x"])
def test_only_ipo_staff_record_a_step(world, persona):
    step = plan_for(world.officer_x).steps.first()
    with pytest.raises(PermissionDenied):
        services.return_step_record(step=step, actor=getattr(world, persona), done_on=timezone.localdate(),
                                    done_by="x")


def test_a_step_is_recorded_with_a_person_and_a_day_not_in_the_future(world):
    step = plan_for(world.officer_x).steps.first()
    with pytest.raises(ValidationError) as exc:
        services.return_step_record(step=step, actor=world.ipo, done_on=timezone.localdate() + dt.timedelta(days=1),
                                    done_by=" ")
    assert set(exc.value.message_dict) == {"done_on", "done_by"}


def test_overdue_steps_are_flagged_the_most_overdue_first(world):
    plan = plan_for(world.officer_x, ended_days_ago=40)  # debriefing (14 days) and medical (30) overdue
    steps, total = selectors.overdue_steps(world.ipo)
    assert total == 2 and [s.kind for s in steps] == ["debriefing", "medical"]
    services.return_step_record(step=plan.steps.get(kind="debriefing"), actor=world.ipo,
                                done_on=timezone.localdate(), done_by="Sgt. Brennan")
    assert selectors.overdue_steps(world.ipo)[1] == 1


def test_the_plan_page_records_a_step_with_errors_next_to_the_fields(world, clients):
    plan = plan_for(world.officer_x)
    step = plan.steps.get(kind="medical")
    page = clients.ipo.get(f"/welfare/returns/{plan.pk}/").content.decode()
    assert "Overdue" in page and f'action="/welfare/returns/steps/{step.pk}/"' in page
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    bad = clients.ipo.post(f"/welfare/returns/steps/{step.pk}/", {f"step-{step.pk}-done_on": tomorrow,
                                                                 f"step-{step.pk}-done_by": "Dr. Côté"})
    assert bad.status_code == 200
    assert "cannot be in the future" in bad.content.decode() and "Dr. Côté" in bad.content.decode()
    good = clients.ipo.post(f"/welfare/returns/steps/{step.pk}/", {
        f"step-{step.pk}-done_on": timezone.localdate().isoformat(), f"step-{step.pk}-done_by": "Dr. Côté"})
    assert good.status_code == 302
    step.refresh_from_db()
    assert step.done_by == "Dr. Côté"


def test_the_officer_sees_their_plan_read_only_and_a_coordinator_never_sees_it(world, clients):
    plan = plan_for(world.officer_x)
    mine = clients.officer_x.get(f"/welfare/returns/{plan.pk}/")
    assert mine.status_code == 200 and b"welfare/returns/steps" not in mine.content
    assert clients.coord_a.get(f"/welfare/returns/{plan.pk}/").status_code == 404
    assert clients.officer_y.get(f"/welfare/returns/{plan.pk}/").status_code == 404
    assert clients.coord_a.get("/welfare/returns/").status_code == 403
    step = plan.steps.first()
    assert clients.officer_x.post(f"/welfare/returns/steps/{step.pk}/", {}).status_code == 403


def test_reading_a_plan_is_audited_except_by_the_officer(world, clients):
    plan = plan_for(world.officer_x)
    clients.officer_x.get(f"/welfare/returns/{plan.pk}/")
    assert not AuditEntry.objects.filter(event="read.return_plan").exists()
    clients.ipo.get(f"/welfare/returns/{plan.pk}/")
    assert AuditEntry.objects.get(event="read.return_plan").officer_id == world.officer_x.pk


def test_the_list_puts_overdue_plans_first_and_filters(world, clients):
    recent = plan_for(f.OfficerFactory(agency=world.agency_a), ended_days_ago=2)
    late = plan_for(world.officer_y, ended_days_ago=60)
    html = clients.ipo.get("/welfare/returns/").content.decode()
    assert html.index(f'data-testid="plan-{late.pk}"') < html.index(f'data-testid="plan-{recent.pk}"')
    overdue = clients.ipo.get("/welfare/returns/?show=overdue").content.decode()
    assert f'plan-{late.pk}"' in overdue and f'plan-{recent.pk}"' not in overdue
    assert clients.ipo.get("/welfare/returns/?show=nonsense&page=zz").status_code == 200
    ReturnStep.objects.filter(plan=late).update(done_on=timezone.localdate(), done_by="x")
    done = clients.ipo.get("/welfare/returns/?show=done").content.decode()
    assert f'plan-{late.pk}"' in done and f'plan-{recent.pk}"' not in done


# session + user, starting the missing plans (none), the count, the page, the page's steps
@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, rows):
    for i in range(rows):
        ended_tour(f.OfficerFactory(agency=world.agency_a), ended_days_ago=5 + i)
    services.return_plans_start()
    with django_assert_num_queries(6):
        assert clients.ipo.get("/welfare/returns/").status_code == 200


# session + user, starting the missing plans (none), the officer, the tours, their plans, steps and answers
@pytest.mark.parametrize("rows", [1, 5])
def test_my_returns_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, rows):
    for i in range(rows):
        ended_tour(world.officer_x, ended_days_ago=60 + 400 * i)
    services.return_plans_start()
    with django_assert_num_queries(8):
        assert clients.officer_x.get("/welfare/my-returns/").status_code == 200
