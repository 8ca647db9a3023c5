"""Writes of the welfare app. Each is atomic; every email goes through the outbox
(notifications.services.mail_queue) in the same transaction as the change that causes it.

Check-ins
- `checkin_create`: an officer in mission says how they are. An urgent check-in emails the IPO duty
  address (ROSTER["IPO_DUTY_EMAIL"]) and the officer's agency coordinators at once; the coordinators'
  message holds the note and the contact only when the officer shared them.
- `checkin_follow_up`: IPO staff record who followed up a concern or an urgent check-in, when and how;
  an urgent one leaves IPO's attention list then. Once per check-in (a conditional update).
- `checkin_reminders_send` (beat, welfare.tasks): a reminder to each officer whose check-in is
  overdue, once per overdue period (one interval long), and one alert to the IPO duty address listing
  the officers overdue by ROSTER["WELFARE_ALERT_DAYS"] or more, once per officer and due date.
- `mission_interval_set`: a mission's own check-in interval.

Return
- `return_plans_start`: a plan (debriefing, medical check, psychological follow-ups at 3 and 6 months)
  for every tour that ended (completed or repatriated) in the last
  ROSTER["WELFARE_RETURN_PLAN_LOOKBACK_DAYS"] days and has none; the officer is invited to answer the
  return questionnaire. Idempotent and safe to run concurrently (unique keys, conflicts ignored, the
  invitation claimed by a conditional update). Roster's end of a tour starts its plan at once
  (`return_plan_start_for`, a roster.tour_hooks listener, in the same transaction); beat and the
  welfare pages start any other (a tour ended in the admin or before welfare existed).
- `return_step_record`: IPO staff record that a step was done, by whom and on which day.
- `questionnaire_submit`: the officer's answers, once per ended tour.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.permissions import is_ipo_staff
from agencies.selectors import officer_for_user
from audit.logging import log_event
from missions.models import Mission
from notifications.models import OutgoingMail
from notifications.services import Recipient, coordinator_recipients, mail_queue, officer_recipients
from roster.models import Deployment
from roster.services import add_months

from . import selectors
from .models import (
    CHECKIN_DAYS_MAX,
    CONTACT_MAX,
    NOTE_MAX,
    SKILLS,
    CheckIn,
    CheckInReminder,
    CheckInStatus,
    MissionWelfare,
    ReturnPlan,
    ReturnQuestionnaire,
    ReturnStep,
    fiscal_year_of,
)
from .permissions import can_answer_questionnaire, can_check_in, can_manage_intervals, can_record_step

D = Deployment.Status
FOLLOW_UP_MAX = 2000


# --- recipients ----------------------------------------------------------------------------------------

def duty_recipients() -> list[Recipient]:
    address = selectors.duty_email()
    return [Recipient(email=address, language=selectors.duty_language(), name=_("IPO duty desk"))] if address else []


# --- check-ins -------------------------------------------------------------------------------------------

def checkin_create(*, user, status: str, note: str = "", contact: str = "", shared: bool = False,
                   token: uuid.UUID | None = None) -> CheckIn:
    """The signed-in officer's check-in on their deployment in mission. A second submission of the
    same form (`token`) answers the first check-in and sends nothing again."""
    if not can_check_in(user):
        raise PermissionDenied(_("Only officers check in."))
    officer = officer_for_user(user)
    deployment = selectors.current_deployment_of(officer) if officer else None
    if deployment is None:
        raise ValidationError(_("You have no deployment in mission: check-ins are for officers in mission."))
    errors = {}
    if status not in CheckInStatus.values:
        errors["status"] = [_("Choose how you are: all well, a concern or urgent.")]
    note, contact = (note or "").strip(), (contact or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [_("Keep the note to %(max)s characters.") % {"max": NOTE_MAX}]
    if len(contact) > CONTACT_MAX:
        errors["contact"] = [_("Keep this to %(max)s characters.") % {"max": CONTACT_MAX}]
    if errors:
        raise ValidationError(errors)
    if token is not None:
        earlier = CheckIn.objects.filter(token=token, officer=officer).first()
        if earlier is not None:
            return earlier
    try:
        with transaction.atomic():
            checkin = CheckIn.objects.create(
                deployment=deployment, officer=officer, status=status, note=note, contact=contact,
                shared=bool(shared), token=token, created_by=user,
            )
            checkin.deployment = deployment
            checkin.officer = officer
            log_event("checkin_created", actor=user, checkin_id=checkin.pk, deployment_id=deployment.pk)
            if status == CheckInStatus.URGENT:
                _notify_urgent(checkin)
    except IntegrityError:
        earlier = CheckIn.objects.filter(token=token, officer=officer).first() if token else None
        if earlier is None:
            raise
        return earlier
    return checkin


def _notify_urgent(checkin: CheckIn) -> None:
    """The IPO duty desk reads everything; the coordinators read the note and the contact only when
    the officer shared them (welfare.permissions.can_read_checkin_note)."""
    officer = checkin.officer
    context = {"checkin": checkin, "officer": officer, "mission": checkin.deployment.mission,
               "deployment": checkin.deployment}
    topic = f"checkin:{checkin.pk}"
    mail_queue(recipients=duty_recipients(), template="welfare_urgent",
               context={**context, "for_ipo": True, "note": checkin.note, "contact": checkin.contact},
               topic=topic, kind="welfare_urgent")
    shared = checkin.shared
    mail_queue(recipients=coordinator_recipients(officer.agency_id), template="welfare_urgent",
               context={**context, "for_ipo": False, "note": checkin.note if shared else "",
                        "contact": checkin.contact if shared else ""},
               topic=topic, kind="welfare_urgent")


def checkin_follow_up(*, checkin: CheckIn, actor, note: str) -> CheckIn:
    """Record how IPO staff followed up a concern or an urgent check-in. Refused when it was already
    followed up (by someone else a moment ago, say): the first one stands."""
    if not is_ipo_staff(actor):
        raise PermissionDenied(_("Only IPO staff follow up a check-in."))
    if checkin.status == CheckInStatus.WELL:
        raise ValidationError(_("An all-well check-in needs no follow-up."))
    if checkin.followed_up_at is not None:
        raise ValidationError(_("This check-in was already followed up."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Say how you followed up: who was reached, and what was agreed.")]})
    if len(note) > FOLLOW_UP_MAX:
        raise ValidationError({"note": [_("Keep the follow-up to %(max)s characters.") % {"max": FOLLOW_UP_MAX}]})
    now = timezone.now()
    with transaction.atomic():
        done = CheckIn.objects.filter(pk=checkin.pk, followed_up_at__isnull=True).update(
            followed_up_at=now, followed_up_by=actor, follow_up_note=note)
        if done != 1:
            raise ValidationError(_("This check-in was already followed up."))
        log_event("checkin_followed_up", actor=actor, checkin_id=checkin.pk)
    checkin.followed_up_at, checkin.followed_up_by, checkin.follow_up_note = now, actor, note
    return checkin


def mission_interval_set(*, mission: Mission, checkin_days: int | None, actor) -> MissionWelfare:
    """The mission's own check-in interval in days; None goes back to the program's default."""
    if not can_manage_intervals(actor):
        raise PermissionDenied(_("Only IPO staff set the check-in interval."))
    if checkin_days is not None and not (1 <= checkin_days <= CHECKIN_DAYS_MAX):
        raise ValidationError({"checkin_days": [_("Give a number of days from 1 to %(max)s.")
                                                % {"max": CHECKIN_DAYS_MAX}]})
    with transaction.atomic():
        setting, _created = MissionWelfare.objects.select_for_update().get_or_create(mission=mission)
        setting.checkin_days = checkin_days
        setting.updated_by = actor
        setting.save()
    return setting


def overdue_period_start(state) -> date:
    """The first day of the overdue period `state` is in: the due date, then one interval later, and so on."""
    periods = (state.overdue_days - 1) // state.interval
    return state.due + timedelta(days=periods * state.interval)


def checkin_reminders_send(*, today: date | None = None) -> dict:
    """Remind each officer whose check-in is overdue, once per overdue period; alert the IPO duty
    address once about each officer overdue by ROSTER["WELFARE_ALERT_DAYS"] days or more (for the
    same due date). Concurrent runs send each message once (the reminder's unique key)."""
    today = today or timezone.localdate()
    states = [s for s in selectors.checkin_states(Deployment.objects.all(), today=today) if s.overdue_days > 0]
    if not states:
        return {"reminded": 0, "alerted": 0}
    deployments = Deployment.objects.select_related("officer", "officer__user", "officer__agency", "mission") \
        .in_bulk([s.deployment_id for s in states])
    reminded, alerted = 0, []
    for state in states:
        deployment = deployments[state.deployment_id]
        with transaction.atomic():
            _row, created = CheckInReminder.objects.get_or_create(
                deployment=deployment, kind=CheckInReminder.Kind.OFFICER, period_start=overdue_period_start(state))
            if created:
                mail_queue(recipients=officer_recipients(deployment.officer), template="welfare_checkin_reminder",
                           context={"officer": deployment.officer, "mission": deployment.mission, "due": state.due,
                                    "days": state.overdue_days},
                           topic=f"checkin-reminder:{deployment.pk}", kind="welfare_checkin_reminder")
                reminded += 1
    with transaction.atomic():
        for state in states:
            if state.alerted:
                _row, created = CheckInReminder.objects.get_or_create(
                    deployment_id=state.deployment_id, kind=CheckInReminder.Kind.STAFF, period_start=state.due)
                if created:
                    alerted.append(state)
        if alerted:
            mail_queue(recipients=duty_recipients(), template="welfare_overdue_alert",
                       context={"states": alerted, "today": today, "alert_days": selectors.alert_days()},
                       topic=f"checkin-alert:{today.isoformat()}", kind="welfare_overdue_alert")
    return {"reminded": reminded, "alerted": len(alerted)}


# --- return plans ----------------------------------------------------------------------------------------

def debriefing_days() -> int:
    return int(settings.ROSTER.get("RETURN_DEBRIEFING_DAYS", 14))


def medical_check_days() -> int:
    return int(settings.ROSTER.get("RETURN_MEDICAL_CHECK_DAYS", 30))


def step_due_dates(ended_on: date) -> list[tuple[str, int, date]]:
    """(kind, position, due date) of each step of a plan for a tour that ended on `ended_on`."""
    K = ReturnStep.Kind
    return [
        (K.DEBRIEFING, 1, ended_on + timedelta(days=debriefing_days())),
        (K.MEDICAL, 2, ended_on + timedelta(days=medical_check_days())),
        (K.PSYCH_3, 3, add_months(ended_on, 3)),
        (K.PSYCH_6, 4, add_months(ended_on, 6)),
    ]


def return_plans_start(*, today: date | None = None, invite: bool = True) -> list[ReturnPlan]:
    """Start the missing return plans (see the module's docstring) and invite each officer to the
    questionnaire once. Answers the plans this call started. One query when none is missing."""
    today = today or timezone.localdate()
    since = today - timedelta(days=selectors.return_plan_lookback_days())
    missing = list(
        Deployment.objects.filter(status__in=selectors.ENDED, actual_end_date__gte=since,
                                  actual_end_date__isnull=False, return_plan__isnull=True)
        .select_related("officer", "officer__user", "officer__agency", "mission").order_by("pk")
    )
    return _plans_start(missing, invite=invite)


def return_plan_start_for(deployment: Deployment) -> None:
    """The tour has just ended (roster.tour_hooks, in the transaction that records it): its plan starts
    and the officer is invited to the questionnaire at once, not at beat's next run. A tour recorded
    as ended longer ago than the lookback (history entered late) gets none, as with beat."""
    since = timezone.localdate() - timedelta(days=selectors.return_plan_lookback_days())
    if deployment.status in selectors.ENDED and deployment.actual_end_date and deployment.actual_end_date >= since:
        _plans_start([deployment], invite=True)


def _plans_start(missing: list[Deployment], *, invite: bool) -> list[ReturnPlan]:
    """A plan for each of these ended tours that has none, and the invitation to the questionnaire."""
    if not missing:
        return []
    with transaction.atomic():
        ReturnPlan.objects.bulk_create(
            [ReturnPlan(deployment=d, officer_id=d.officer_id, ended_on=d.actual_end_date) for d in missing],
            ignore_conflicts=True,
        )
        plans = {p.deployment_id: p for p in ReturnPlan.objects.filter(deployment__in=missing)}
        ReturnStep.objects.bulk_create(
            [ReturnStep(plan=plans[d.pk], kind=kind, position=position, due_on=due)
             for d in missing for kind, position, due in step_due_dates(plans[d.pk].ended_on)],
            ignore_conflicts=True,
        )
        answered = set(ReturnQuestionnaire.objects.filter(deployment__in=missing).values_list("deployment_id",
                                                                                               flat=True))
        started = []
        now = timezone.now()
        for d in missing:
            plan = plans[d.pk]
            # the invitation is claimed once, whoever runs this at the same moment
            if ReturnPlan.objects.filter(pk=plan.pk, invited_at__isnull=True).update(invited_at=now) != 1:
                continue
            started.append(plan)
            if invite and d.pk not in answered:
                mail_queue(recipients=officer_recipients(d.officer), template="welfare_questionnaire_invite",
                           context={"officer": d.officer, "mission": d.mission, "deployment": d},
                           topic=f"questionnaire:{d.pk}", kind="welfare_questionnaire_invite")
    return started


def return_step_record(*, step: ReturnStep, actor, done_on: date, done_by: str) -> ReturnStep:
    """Record that a step was done (or correct the record): the day and who did it."""
    if not can_record_step(actor):
        raise PermissionDenied(_("Only IPO staff record the steps of a return plan."))
    errors = {}
    done_by = (done_by or "").strip()
    if not done_by:
        errors["done_by"] = [_("Say who did it.")]
    elif len(done_by) > 200:
        errors["done_by"] = [_("Keep this to %(max)s characters.") % {"max": 200}]
    if done_on is None:
        errors["done_on"] = [_("Give the day it was done.")]
    elif done_on > timezone.localdate():
        errors["done_on"] = [_("Record a step once it is done: the day cannot be in the future.")]
    elif done_on < step.plan.deployment.effective_start_date:
        errors["done_on"] = [_("The day cannot come before the tour began.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = ReturnStep.objects.select_for_update().get(pk=step.pk)
        locked.done_on, locked.done_by = done_on, done_by
        locked.recorded_by, locked.recorded_at = actor, timezone.now()
        locked.save(update_fields=["done_on", "done_by", "recorded_by", "recorded_at"])
    return locked


# --- the return questionnaire -------------------------------------------------------------------------------

QUESTIONNAIRE_FIELDS = (*SKILLS, "responsibilities", "support", "go_again", "recommend", "comments",
                        "comments_shareable")


def questionnaire_submit(*, user, deployment: Deployment, answers: dict) -> ReturnQuestionnaire:
    """The officer's answers about an ended tour: once per tour."""
    if not can_answer_questionnaire(user, deployment):
        raise PermissionDenied(_("Only the officer of an ended tour answers its questionnaire."))
    row = ReturnQuestionnaire(
        deployment=deployment, officer_id=deployment.officer_id, returned_on=deployment.actual_end_date,
        fiscal_year=fiscal_year_of(deployment.actual_end_date), language=(user.preferred_language or "en"),
        **{name: answers.get(name) for name in QUESTIONNAIRE_FIELDS if name in answers},
    )
    row.comments = (row.comments or "").strip()
    row.comments_shareable = bool(row.comments_shareable) and bool(row.comments)
    row.full_clean(exclude=["deployment", "officer"], validate_unique=False)
    try:
        with transaction.atomic():
            row.save()
            log_event("questionnaire_submitted", actor=user, questionnaire_id=row.pk, deployment_id=deployment.pk)
    except IntegrityError:
        raise ValidationError(_("You have already answered the questionnaire for this tour.")) from None
    return row


# --- anonymisation --------------------------------------------------------------------------------------------

def officer_welfare_erase(*, officer_id: int) -> dict:
    """Erase the free text the welfare app holds about an officer past the retention period: check-in
    notes and contacts, follow-up notes, questionnaire comments, and the urgent check-in emails to the duty
    desk and the coordinators (they hold the officer's name, and the note; privacy erases the messages to
    the officer). Kept: dates, statuses, steps and the scaled answers (the impact report counts them).
    Called by privacy.services.officer_anonymise, in its transaction (privacy.hooks)."""
    checkins = CheckIn.objects.filter(officer_id=officer_id)
    topics = [f"checkin:{pk}" for pk in checkins.filter(status=CheckInStatus.URGENT).values_list("pk", flat=True)]
    messages = OutgoingMail.objects.filter(topic__in=topics).update(subject="", body_text="", body_html="",
                                                                    last_error="") if topics else 0
    erased = checkins.update(note="", contact="", follow_up_note="")
    comments = ReturnQuestionnaire.objects.filter(officer_id=officer_id).update(comments="",
                                                                                comments_shareable=False)
    return {"checkins": erased, "questionnaires": comments, "messages": messages}
