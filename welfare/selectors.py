"""Reads of the welfare app. The `*_visible_to` querysets are the single visibility rule of each model:

- check-ins: IPO staff all; a coordinator their agency's officers'; an officer their own
  (agencies.selectors.scope_to_user). What each may read of a check-in (the note, the contact, the
  follow-up) is welfare.permissions'.
- return plans: IPO staff all; an officer their own; coordinators none (the steps are health
  follow-ups).
- return questionnaires, one by one: the officer who answered only. Everyone else reads them in
  aggregate (welfare.impact), within `answers_in_scope`.

When a check-in is due: the last check-in's day (Ottawa time), else the first day of the tour, plus
the mission's interval (MissionWelfare.checkin_days, else ROSTER["WELFARE_CHECKIN_DAYS"]). It is
overdue from the day after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Window
from django.utils import timezone
from django.utils.translation import get_language

from agencies.permissions import is_coordinator, is_ipo_staff, is_officer
from agencies.selectors import scope_to_user
from missions.models import Mission
from roster.models import Deployment
from roster.selectors import deployment_visible_to

from .models import CheckIn, CheckInStatus, MissionWelfare, ReturnPlan, ReturnQuestionnaire, ReturnStep

D = Deployment.Status
ENDED = (D.COMPLETED, D.REPATRIATED)
BOARD_PER_PAGE = 50
# check-ins that may await a follow-up
OPEN_STATUSES = (CheckInStatus.CONCERN, CheckInStatus.URGENT)
HISTORY_PER_PAGE = 25
RETURNS_PER_PAGE = 25


# --- rules (settings.ROSTER) -------------------------------------------------------------------

def default_checkin_days() -> int:
    return int(settings.ROSTER.get("WELFARE_CHECKIN_DAYS", 14))


def alert_days() -> int:
    """Overdue by this many days: IPO staff are alerted."""
    return int(settings.ROSTER.get("WELFARE_ALERT_DAYS", 7))


def duty_email() -> str:
    return settings.ROSTER.get("IPO_DUTY_EMAIL", "")


def duty_language() -> str:
    return settings.ROSTER.get("IPO_DUTY_LANGUAGE", "en")


def return_plan_lookback_days() -> int:
    """Plans start for tours ended at most this many days ago (older ones are past every step)."""
    return int(settings.ROSTER.get("WELFARE_RETURN_PLAN_LOOKBACK_DAYS", 183))


# The questionnaire promises the officers that their answers are only shown with at least four others'.
MIN_ANSWERS_FLOOR = 5


def min_answers() -> int:
    """A figure of the impact report is shown only when at least this many answers back it: the setting,
    never fewer than MIN_ANSWERS_FLOOR."""
    return max(MIN_ANSWERS_FLOOR, int(settings.ROSTER.get("IMPACT_MIN_ANSWERS", MIN_ANSWERS_FLOOR)))


# --- visibility ----------------------------------------------------------------------------------

def checkin_visible_to(user) -> QuerySet[CheckIn]:
    qs = CheckIn.objects.select_related("officer", "officer__agency", "deployment", "deployment__mission")
    return scope_to_user(qs, user, officer_path="officer")


def return_plan_visible_to(user) -> QuerySet[ReturnPlan]:
    """scope_to_user's rule without the coordinators (the steps are health follow-ups)."""
    qs = ReturnPlan.objects.select_related("officer", "officer__agency", "deployment", "deployment__mission")
    if is_coordinator(user):
        return qs.none()
    return scope_to_user(qs, user, officer_path="officer")


def questionnaire_visible_to(user) -> QuerySet[ReturnQuestionnaire]:
    """One officer's answers, as answered: that officer only."""
    qs = ReturnQuestionnaire.objects.select_related("deployment", "deployment__mission")
    return scope_to_user(qs, user, officer_path="officer") if is_officer(user) else qs.none()


def answers_in_scope(user) -> QuerySet[ReturnQuestionnaire]:
    """The answers `user` may see in aggregate: IPO staff all, a coordinator their agency's
    officers'; an officer none (their own answers are theirs to read, not a report)."""
    if is_officer(user):
        return ReturnQuestionnaire.objects.none()
    return scope_to_user(ReturnQuestionnaire.objects.all(), user, officer_path="officer")


# --- when a check-in is due ---------------------------------------------------------------------

def mission_interval(mission: Mission) -> int:
    override = MissionWelfare.objects.filter(mission=mission).values_list("checkin_days", flat=True).first()
    return override or default_checkin_days()


@dataclass
class CheckInState:
    """One deployment in mission, as the board, the reminders and the panels see it."""

    deployment_id: int
    officer_id: int
    officer_user_id: int | None
    first_name: str
    last_name: str
    agency_id: int
    agency_name: str
    mission_id: int
    mission_code: str
    interval: int
    started_on: date
    last_at: datetime | None
    last_status: str | None
    urgent_pk: int | None
    urgent_at: datetime | None
    concern_open: bool
    due: date = field(init=False)
    overdue_days: int = field(init=False)
    state: str = field(init=False)
    today: date = field(default=None, repr=False)

    def __post_init__(self):
        anchor = timezone.localdate(self.last_at) if self.last_at else self.started_on
        self.due = anchor + timedelta(days=self.interval)
        self.overdue_days = max(0, (self.today - self.due).days)
        if self.urgent_pk:
            self.state = "urgent"
        elif self.overdue_days:
            self.state = "overdue"
        elif self.due == self.today:
            self.state = "due"
        else:
            self.state = "ok"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def alerted(self) -> bool:
        """Overdue long enough for IPO staff to be alerted."""
        return self.overdue_days >= alert_days()

    def sort_key(self):
        """Urgent ones not followed up on top (the oldest first), then by due date: the most overdue
        first, the ones due soonest next."""
        if self.urgent_pk:
            return (0, self.urgent_at, date.min, self.last_name, self.first_name, self.deployment_id)
        return (1, None, self.due, self.last_name, self.first_name, self.deployment_id)


STATE_FIELDS = ("pk", "officer_id", "officer__user_id", "officer__first_name", "officer__last_name",
                "officer__agency_id", "officer__agency__name_en", "officer__agency__name_fr", "mission_id",
                "mission__code", "mission__welfare__checkin_days", "start_date", "actual_start_date")


def checkin_states(deployments: QuerySet[Deployment], *, today: date | None = None) -> list[CheckInState]:
    """Every deployment of `deployments` that is in mission, with its last check-in, its open urgent
    check-in and when the next is due; sorted for the board. Two queries, whatever the number of rows
    (the officers in mission: at most the program ceiling): the deployments with their last check-in, and
    the check-ins still awaiting a follow-up (few, by the partial index checkin_open)."""
    today = today or timezone.localdate()
    latest = CheckIn.objects.filter(deployment=OuterRef("pk")).order_by("-created_at", "-id")
    in_mission = deployments.filter(status=D.IN_MISSION)
    rows = list(
        in_mission.annotate(
            last_at=Subquery(latest.values("created_at")[:1]),
            last_status=Subquery(latest.values("status")[:1]),
        )
        .order_by()
        .values_list(*STATE_FIELDS, "last_at", "last_status")
    )
    urgent, concern = {}, set()
    if rows:
        # at most two rows per deployment: its open urgent check-ins (the first one) and its open concerns
        awaiting = (CheckIn.objects.filter(followed_up_at__isnull=True, status__in=OPEN_STATUSES,
                                           deployment__in=in_mission.order_by().values("pk"))
                    .order_by().values("deployment_id", "status").annotate(first_pk=Min("pk"), since=Min("created_at"))
                    .values_list("deployment_id", "status", "first_pk", "since"))
        for deployment_id, status, pk, since in awaiting:
            if status == CheckInStatus.URGENT:
                urgent[deployment_id] = (pk, since)
            else:
                concern.add(deployment_id)
    french = (get_language() or "en")[:2] == "fr"
    default = default_checkin_days()
    states = [
        CheckInState(
            deployment_id=pk, officer_id=officer_id, officer_user_id=user_id, first_name=first, last_name=last,
            agency_id=agency_id, agency_name=(name_fr if french and name_fr else name_en), mission_id=mission_id,
            mission_code=code, interval=days or default, started_on=arrival or start, last_at=last_at,
            last_status=last_status, urgent_pk=urgent.get(pk, (None, None))[0],
            urgent_at=urgent.get(pk, (None, None))[1], concern_open=pk in concern, today=today,
        )
        for (pk, officer_id, user_id, first, last, agency_id, name_en, name_fr, mission_id, code, days, start, arrival,
             last_at, last_status) in rows
    ]
    states.sort(key=CheckInState.sort_key)
    return states


def checkin_states_for(user, *, today: date | None = None) -> list[CheckInState]:
    return checkin_states(deployment_visible_to(user), today=today)


def current_deployment_of(officer) -> Deployment | None:
    """The officer's deployment in mission (at most one: tours never overlap)."""
    return (Deployment.objects.select_related("mission", "catalogue_role").filter(officer=officer, status=D.IN_MISSION)
            .order_by("-start_date").first())


def checkin_state_of(deployment: Deployment, *, today: date | None = None) -> CheckInState | None:
    states = checkin_states(Deployment.objects.filter(pk=deployment.pk), today=today)
    return states[0] if states else None


# --- the board ------------------------------------------------------------------------------------

BOARD_STATES = ("urgent", "overdue", "ok")


def welfare_board(user, *, state: str = "", mission_id=None, agency_id=None, page=None,
                  today: date | None = None) -> dict:
    """Every officer in mission `user` may see, urgent ones not followed up on top, then overdue ones
    (the most overdue first). `state`, `mission_id` and `agency_id` narrow it; an unknown value is
    ignored. Paginated; one query whatever the number of rows."""
    today = today or timezone.localdate()
    states = checkin_states_for(user, today=today)
    counts = {
        "total": len(states),
        "urgent": sum(s.state == "urgent" for s in states),
        "overdue": sum(s.state == "overdue" for s in states),
        "alerted": sum(s.state == "overdue" and s.alerted for s in states),
    }
    missions = sorted({(s.mission_id, s.mission_code) for s in states}, key=lambda m: m[1])
    agencies = sorted({(s.agency_id, s.agency_name) for s in states}, key=lambda a: a[1])
    shown = states
    if state in BOARD_STATES:
        shown = [s for s in shown if (s.state == state if state != "ok" else s.state in ("ok", "due"))]
    if mission_id is not None:
        shown = [s for s in shown if s.mission_id == mission_id]
    if agency_id is not None and is_ipo_staff(user):
        shown = [s for s in shown if s.agency_id == agency_id]
    return {
        "page": Paginator(shown, BOARD_PER_PAGE).get_page(page),
        "counts": counts,
        "missions": missions,
        "agencies": agencies if is_ipo_staff(user) else [],
        "today": today,
    }


# --- one deployment's check-ins -----------------------------------------------------------------

def checkin_history(user, deployment: Deployment, *, page=None):
    """The deployment's check-ins `user` may see, newest first, paginated."""
    qs = checkin_visible_to(user).filter(deployment=deployment).select_related("followed_up_by")
    return Paginator(qs.order_by("-created_at", "-id"), HISTORY_PER_PAGE).get_page(page)


def my_recent_checkins(officer, *, limit: int = 10) -> list[CheckIn]:
    return list(CheckIn.objects.filter(officer=officer).select_related("deployment__mission")
                .order_by("-created_at", "-id")[:limit])


def urgent_open(user, *, limit: int = 5) -> tuple[list[CheckIn], int]:
    """Urgent check-ins nobody has followed up yet, the oldest first, and how many there are (one query)."""
    qs = (checkin_visible_to(user).filter(status=CheckInStatus.URGENT, followed_up_at__isnull=True)
          .annotate(total=Window(Count("pk"))).order_by("created_at", "id"))
    rows = list(qs[:limit])
    return rows, (rows[0].total if rows else 0)


def silent_after_alert(user) -> int:
    """Officers in mission IPO staff were alerted about (overdue) who have not checked in since."""
    from .models import CheckInReminder

    later = CheckIn.objects.filter(deployment=OuterRef("deployment"), created_at__gt=OuterRef("sent_at"))
    return (
        CheckInReminder.objects.filter(kind=CheckInReminder.Kind.STAFF, deployment__status=D.IN_MISSION,
                                       deployment__in=deployment_visible_to(user).values("pk"))
        .filter(~Exists(later)).values("deployment").distinct().count()
    )


# --- return plans ----------------------------------------------------------------------------------

RETURN_VIEWS = ("open", "overdue", "done", "all")


def return_plans_page(user, *, show: str = "open", page=None, today: date | None = None) -> dict:
    """Return plans `user` may see: by default the ones with a step still to do, the one whose next
    step was due first on top (the most overdue first). Paginated."""
    today = today or timezone.localdate()
    show = show if show in RETURN_VIEWS else "open"
    open_step = Q(steps__done_on__isnull=True)
    qs = return_plan_visible_to(user).annotate(
        next_due=Min("steps__due_on", filter=open_step),
        overdue=Count("steps", filter=open_step & Q(steps__due_on__lt=today)),
        answered=Exists(ReturnQuestionnaire.objects.filter(deployment_id=OuterRef("deployment_id"))),
    )
    if show == "open":
        qs = qs.filter(next_due__isnull=False)
    elif show == "overdue":
        qs = qs.filter(overdue__gt=0)
    elif show == "done":
        qs = qs.filter(next_due__isnull=True)
    qs = qs.order_by(F("next_due").asc(nulls_last=True), "-ended_on", "id")
    page_obj = Paginator(qs, RETURNS_PER_PAGE).get_page(page)
    plans = list(page_obj.object_list)
    steps = {}
    for step in ReturnStep.objects.filter(plan__in=plans).order_by("plan_id", "position", "id"):
        steps.setdefault(step.plan_id, []).append(step)
    for plan in plans:
        plan.step_list = steps.get(plan.pk, [])
    page_obj.object_list = plans
    return {"page": page_obj, "show": show, "today": today}


def overdue_steps(user, *, today: date | None = None, limit: int = 5) -> tuple[list[ReturnStep], int]:
    """Steps past their due date and not done, the most overdue first, and how many (one query)."""
    today = today or timezone.localdate()
    plans = return_plan_visible_to(user)
    qs = (ReturnStep.objects.filter(done_on__isnull=True, due_on__lt=today, plan__in=plans.values("pk"))
          .select_related("plan", "plan__officer", "plan__deployment__mission")
          .annotate(total=Window(Count("pk"))).order_by("due_on", "id"))
    rows = list(qs[:limit])
    return rows, (rows[0].total if rows else 0)


def plan_steps(plan: ReturnPlan) -> list[ReturnStep]:
    return list(plan.steps.select_related("recorded_by").order_by("position", "id"))


# --- the officer's own returns ---------------------------------------------------------------------

def my_ended_tours(officer) -> list[Deployment]:
    """The officer's ended tours, newest first, each with `plan` (or None), `questionnaire` (or None)."""
    tours = list(
        Deployment.objects.filter(officer=officer, status__in=ENDED).select_related("mission", "catalogue_role")
        .order_by("-actual_end_date", "-id")
    )
    plans = {p.deployment_id: p for p in ReturnPlan.objects.filter(deployment__in=tours)}
    steps = {}
    for step in ReturnStep.objects.filter(plan__in=plans.values()).order_by("plan_id", "position", "id"):
        steps.setdefault(step.plan_id, []).append(step)
    answered = dict(ReturnQuestionnaire.objects.filter(deployment__in=tours)
                    .values_list("deployment_id", "submitted_at"))
    for tour in tours:
        tour.plan = plans.get(tour.pk)
        if tour.plan is not None:
            tour.plan.step_list = steps.get(tour.plan.pk, [])
        tour.answered_at = answered.get(tour.pk)
    return tours


def questionnaires_pending(officer, *, today: date | None = None) -> QuerySet[Deployment]:
    """The officer's tours ended within the return-plan window that they have not told us about yet."""
    today = today or timezone.localdate()
    since = today - timedelta(days=return_plan_lookback_days())
    return (Deployment.objects.filter(officer=officer, status__in=ENDED, actual_end_date__gte=since)
            .filter(return_questionnaire__isnull=True).select_related("mission", "catalogue_role")
            .order_by("-actual_end_date"))


def mission_intervals() -> list[Mission]:
    """Missions not closed, each with `checkin_days` (its own, or None) and `interval` (the one that applies)."""
    default = default_checkin_days()
    missions = list(Mission.objects.exclude(status=Mission.Status.CLOSED).select_related("welfare").order_by("code"))
    for mission in missions:
        own = getattr(mission, "welfare", None)
        mission.checkin_days = own.checkin_days if own else None
        mission.interval = mission.checkin_days or default
    return missions
