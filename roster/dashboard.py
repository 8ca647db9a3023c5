"""Reads for the home pages, the roster dashboard, the mission timeline and the service histories.

Strength (authorised, in mission, planned, filled, vacant, over strength), per mission and
against the program ceiling, has one definition: missions.selectors.Strength. It is
program-wide, the same figures for every user; a coordinator also sees their own agency's
share of them (`AgencyShare`), apart. Every other figure starts from the visibility-scoped
querysets (`deployment_visible_to`, `application_visible_to`, `clearance_visible_to`,
`officer_visible_to`), so on a coordinator's dashboard it is their agency's, and the exports
count the very same rows. Each function runs a fixed number of queries, whatever the number of
deployments.

Definitions
-----------
- filled, vacant, over strength: see missions.selectors.Strength (filled: deployments planned or
  in mission; selected applications not yet deployed are not counted).
- deployed now: deployments `in_mission`; `planned` ones are counted separately.
- partner vs RCMP: the officer's agency `kind` is "rcmp" or anything else (a partner agency).
- women: `Officer.gender == "woman"`, among the officers deployed now, and among nominees:
  applications filed in the last 12 months that reached `endorsed` or any later state
  (withdrawn, declined and still-submitted applications are not nominations).
- tours ending soon: `planned` or `in_mission` deployments whose planned end falls between
  today and `ENDING_SOON_DAYS` ahead, which no other deployment `replaces`.
- clearances expiring: clearances that expire within `CLEARANCE_EXPIRY_WARNING_DAYS` (or have
  expired) of officers with a current deployment or a `selected` application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import Agency, Clearance, Officer, Role
from agencies.permissions import is_ipo_staff
from agencies.selectors import clearance_visible_to, officer_visible_to
from missions.models import Bulletin, Mission
from missions.selectors import (
    Strength,
    bulletin_visible_to,
    bulletins_open,
    bulletins_with_progress,
    missions_with_strength,
    notices_pending_acknowledgement,
    program_strength,
    strength_of,
)
from notifications.models import OutgoingMail
from notifications.selectors import outbox_visible_to

from .medals import days_served, service_record
from .models import Application, ApplicationStatus, Deployment
from .selectors import (
    agency_applications,
    application_visible_to,
    applications_pending,
    deployment_visible_to,
    deployments_current,
)

S = ApplicationStatus
NOMINEE_STATES = (S.ENDORSED, S.SHORTLISTED, S.SCREENED_OUT, S.SELECTED, S.WAITLISTED, S.NOT_SELECTED, S.DEPLOYED)
LIST_LIMIT = 50  # rows shown in the dashboard's lists; the count says how many there are


def pct(part: int, whole: int) -> float | None:
    """`part` out of `whole` in per cent, one decimal; None when there is nothing to count."""
    if not whole:
        return None
    return round(100 * part / whole, 1)


def one_year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class AgencyShare:
    """A coordinator's agency's officers on the roster: a part of the program's `Strength.filled`,
    shown apart from it, never counted against a strength of its own."""

    in_mission: int = 0
    planned: int = 0

    @property
    def filled(self) -> int:
        return self.in_mission + self.planned


@dataclass
class MissionRow:
    """A mission on the dashboard: its Strength, program-wide and the same for everyone, and for a
    coordinator their agency's share (None for IPO staff, who see the whole program)."""

    mission: Mission
    strength: Strength
    own: AgencyShare | None = None


def deployment_end():
    """The end of a deployment as an expression: the actual end, else the planned one."""
    return Coalesce("actual_end_date", "planned_end_date")


def dashboard_summary(user, *, today: date | None = None) -> dict:
    """Every figure of the dashboard. Strength (`missions`, `program`) is the program's, whoever
    asks; a coordinator also gets their agency's share (`share`, `MissionRow.own`); the other
    figures count what `user` may see. Seven queries for IPO staff, eight for a coordinator,
    whatever the numbers."""
    today = today or timezone.localdate()
    roster = settings.ROSTER
    deployments = deployment_visible_to(user)
    in_mission = Q(status=Deployment.Status.IN_MISSION)
    planned = Q(status=Deployment.Status.PLANNED)

    # 1. every mission with its strength: the rows, and the program's sum against the ceiling
    missions = list(missions_with_strength(Mission.objects.order_by("code")))
    strengths = {mission.pk: strength_of(mission) for mission in missions}
    program = program_strength(strengths.values())
    # 2. a coordinator's agency's share of each mission's filled positions
    own = None
    if not is_ipo_staff(user):
        own = {
            r["mission_id"]: AgencyShare(r["in_mission"], r["planned"])
            for r in deployments_current(deployments)
            .order_by()
            .values("mission_id")
            .annotate(in_mission=Count("id", filter=in_mission), planned=Count("id", filter=planned))
        }
    # the rows: every active mission, and any other with a position filled
    rows = [
        MissionRow(mission, strengths[mission.pk], None if own is None else own.get(mission.pk, AgencyShare()))
        for mission in missions
        if mission.status == Mission.Status.ACTIVE or strengths[mission.pk].filled
    ]

    # 3. the officers `user` may see: in mission, planned, origin and women among those in mission
    totals = deployments.order_by().aggregate(
        deployed=Count("id", filter=in_mission),
        planned=Count("id", filter=planned),
        rcmp=Count("id", filter=in_mission & Q(officer__agency__kind=Agency.Kind.RCMP)),
        women=Count("id", filter=in_mission & Q(officer__gender=Officer.Gender.WOMAN)),
    )
    deployed = totals["deployed"]
    partner = deployed - totals["rcmp"]

    # 4. women among nominees of the last 12 months
    since = one_year_before(today)
    nominees = (
        application_visible_to(user)
        .filter(status__in=NOMINEE_STATES, created_at__gte=start_of_day(since))
        .order_by()
        .aggregate(total=Count("id"), women=Count("id", filter=Q(officer__gender=Officer.Gender.WOMAN)))
    )

    # 5-6. tours ending soon with no replacement selected
    ending = tours_ending_soon(deployments, today=today)
    # 7-8. clearances expiring, of officers deployed now or selected
    clearances = clearances_expiring(user, today=today)

    ending_list = list(ending[:LIST_LIMIT])
    for dep in ending_list:
        dep.days_left = (dep.planned_end_date - today).days
    clearance_list = list(clearances[:LIST_LIMIT])
    for clearance in clearance_list:
        clearance.days_left = (clearance.valid_until - today).days
    return {
        "today": today,
        "missions": rows,
        "program": program,
        "ceiling": program.authorised,
        "share": None if own is None else AgencyShare(deployed, totals["planned"]),
        "deployed": deployed,
        "planned": totals["planned"],
        "rcmp": totals["rcmp"],
        "partner": partner,
        "rcmp_pct": pct(totals["rcmp"], deployed),
        "partner_pct": pct(partner, deployed),
        "women": totals["women"],
        "women_pct": pct(totals["women"], deployed),
        "women_target": roster["WOMEN_TARGET_PERCENT"],
        "nominees": nominees["total"],
        "women_nominees": nominees["women"],
        "women_nominees_pct": pct(nominees["women"], nominees["total"]),
        "women_nominee_target": roster["WOMEN_NOMINEE_TARGET_PERCENT"],
        "nominees_since": since,
        "ending_soon_days": roster["ENDING_SOON_DAYS"],
        "ending_soon_count": ending.count(),
        "ending_soon": ending_list,
        "clearance_warning_days": roster["CLEARANCE_EXPIRY_WARNING_DAYS"],
        "clearances_count": clearances.count(),
        "clearances": clearance_list,
        "list_limit": LIST_LIMIT,
    }


def tours_ending_soon(deployments: QuerySet[Deployment], *, today: date) -> QuerySet[Deployment]:
    """Current tours whose planned end falls within `ENDING_SOON_DAYS`, which no deployment replaces yet."""
    horizon = today + timedelta(days=settings.ROSTER["ENDING_SOON_DAYS"])
    return (
        deployments_current(deployments)
        .filter(planned_end_date__gte=today, planned_end_date__lte=horizon)
        .exclude(Exists(Deployment.objects.filter(replaces=OuterRef("pk")).exclude(status=Deployment.Status.CANCELLED)))
        .order_by("planned_end_date", "id")
    )


# --- home pages ----------------------------------------------------------------------------

COORDINATOR_LIST_LIMIT = 10


def home_summary(user) -> dict:
    """What each role's home page shows; counts come from the visibility-scoped querysets."""
    applications = application_visible_to(user)
    deployments = deployment_visible_to(user)
    ctx: dict = {}
    if user.role == Role.IPO_STAFF:
        ctx["open_bulletins"] = bulletins_open().count()
        ctx["pending_applications"] = applications_pending(applications).count()
        ctx["current_deployments"] = deployments_current(deployments).count()
        ctx["recent_applications"] = applications.order_by("-created_at", "-id")[:10]
        ctx["worklist"] = staff_worklist(user)
    elif user.role == Role.COORDINATOR:
        ctx["agency"] = user.agency
        ctx["officer_count"] = officer_visible_to(user).filter(is_active=True).count()
        ctx["pending_applications"] = applications_pending(applications).count()
        ctx["current_deployments"] = list(
            deployments_current(deployments).order_by("planned_end_date", "id")[:20]
        )
        labels = dict(ApplicationStatus.choices)
        ctx["status_counts"] = [
            {**row, "label": labels.get(row["status"], row["status"])}
            for row in applications.order_by().values("status").annotate(n=Count("id")).order_by("status")
        ]
        ctx["notices_to_acknowledge"] = list(notices_pending_acknowledgement(user.agency_id)[:20])
        # the coordinator's own queue: submitted applications wait for the agency's endorsement,
        # the bulletin closing soonest first
        to_endorse = agency_applications(user, status=ApplicationStatus.SUBMITTED).order_by(
            "bulletin__closes_at", "created_at", "id")
        ctx["to_endorse"] = list(to_endorse[:COORDINATOR_LIST_LIMIT])
        ctx["to_endorse_count"] = to_endorse.count()
        ctx["open_bulletins"] = bulletins_open().count()
    else:
        ctx["applications"] = list(applications.order_by("-created_at", "-id"))
        ctx["deployments"] = list(deployments.order_by("-start_date", "-id")[:5])
        ctx["open_bulletins"] = bulletins_open().count()
    return ctx


WORKLIST_LIMIT = 8  # rows per list on the staff home page; the count says how many there are
WORKLIST_CLOSING_DAYS = 7


def staff_worklist(user, *, today: date | None = None, now: datetime | None = None) -> dict:
    """What IPO staff should act on next, from what they may see; each list comes with its full
    count. Nine queries, whatever the numbers.

    - to decide: published or closed bulletins with applications endorsed, shortlisted or
      waitlisted, the oldest closing first (their pipeline);
    - to deploy: selected applications that have no deployment yet;
    - not acknowledged: bulletins closing within a week that some notified agency has not
      acknowledged;
    - tours ending soon with no relief (as on the dashboard);
    - emails that failed.
    """
    today = today or timezone.localdate()
    now = now or timezone.now()
    bulletins = bulletins_with_progress(
        bulletin_visible_to(user).filter(status__in=[Bulletin.Status.PUBLISHED, Bulletin.Status.CLOSED])
    )
    to_decide = bulletins.filter(applications_awaiting__gt=0).order_by("closes_at", "id")
    unacknowledged = bulletins.filter(
        status=Bulletin.Status.PUBLISHED, closes_at__gt=now,
        closes_at__lte=now + timedelta(days=WORKLIST_CLOSING_DAYS),
        notices_acknowledged__lt=F("notices_total"),
    ).order_by("closes_at", "id")
    to_deploy = (
        application_visible_to(user).filter(status=S.SELECTED)
        .order_by("bulletin__deployment_start", "bulletin__reference", "officer__last_name", "id")
    )
    ending = tours_ending_soon(deployment_visible_to(user), today=today)
    ending_list = list(ending[:WORKLIST_LIMIT])
    for dep in ending_list:
        dep.days_left = (dep.planned_end_date - today).days
    return {
        "limit": WORKLIST_LIMIT,
        "closing_days": WORKLIST_CLOSING_DAYS,
        "ending_soon_days": settings.ROSTER["ENDING_SOON_DAYS"],
        "to_decide": list(to_decide[:WORKLIST_LIMIT]),
        "to_decide_count": to_decide.count(),
        "to_deploy": list(to_deploy[:WORKLIST_LIMIT]),
        "to_deploy_count": to_deploy.count(),
        "unacknowledged": list(unacknowledged[:WORKLIST_LIMIT]),
        "unacknowledged_count": unacknowledged.count(),
        "ending_soon": ending_list,
        "ending_soon_count": ending.count(),
        "failed_mail_count": outbox_visible_to(user).filter(status=OutgoingMail.Status.FAILED).count(),
    }


def clearances_expiring(user, *, today: date | None = None) -> QuerySet[Clearance]:
    """Clearances expiring soon (or expired) of officers with a current deployment or a selected application."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.ROSTER["CLEARANCE_EXPIRY_WARNING_DAYS"])
    current = deployments_current(Deployment.objects.filter(officer=OuterRef("officer_id")))
    selected = Application.objects.filter(officer=OuterRef("officer_id"), status=S.SELECTED)
    return (
        clearance_visible_to(user)
        .select_related("officer__agency")
        .filter(valid_until__lte=horizon)
        .filter(Exists(current) | Exists(selected))
        .order_by("valid_until", "officer__last_name", "id")
    )


def bulletins_for_export(user, *, limit: int = 10) -> list[Bulletin]:
    """The latest published or closed bulletins, for the applicants export links."""
    return list(
        bulletin_visible_to(user)
        .filter(status__in=[Bulletin.Status.PUBLISHED, Bulletin.Status.CLOSED])
        .order_by("-closes_at", "-id")[:limit]
    )


# --- mission timeline ------------------------------------------------------------------------


@dataclass
class Handover:
    """A rotation: `deployment` replaces `previous`. Positive overlap, or a gap, in days."""

    deployment: Deployment
    previous: Deployment

    @property
    def days(self) -> int:
        """Days between the previous tour's end (exclusive) and this one's start: < 0 overlap, > 0 gap."""
        return (self.deployment.effective_start_date - self.previous.end_date).days

    @property
    def overlap(self) -> int:
        return max(0, -self.days)

    @property
    def gap(self) -> int:
        return max(0, self.days)


def mission_timeline(user, mission: Mission, *, today: date | None = None) -> dict:
    """The mission's deployments `user` may see, and their rotation handovers. Two queries at most."""
    today = today or timezone.localdate()
    deployments = list(deployment_visible_to(user).filter(mission=mission).order_by("start_date", "id"))
    by_pk = {d.pk: d for d in deployments}
    missing = {d.replaces_id for d in deployments if d.replaces_id and d.replaces_id not in by_pk}
    if missing:  # a predecessor on another mission: only if visible too
        by_pk.update({d.pk: d for d in deployment_visible_to(user).filter(pk__in=missing)})
    handovers = [Handover(d, by_pk[d.replaces_id]) for d in deployments
                 if d.replaces_id in by_pk and not d.is_cancelled and not by_pk[d.replaces_id].is_cancelled]
    for dep in deployments:
        dep.days_served = days_served(dep, today=today)
    return {"deployments": deployments, "handovers": handovers, "today": today}


# --- histories ---------------------------------------------------------------------------


def officer_history(user, officer: Officer, *, today: date | None = None) -> dict:
    """An officer's deployments (as `user` may see them), days served and medals. Two queries."""
    deployments = deployment_visible_to(user).filter(officer=officer).order_by("start_date", "id")
    record = service_record(deployments, today=today)
    awards = list(officer.medals.select_related("mission", "recorded_by").order_by("-awarded_on", "-id"))
    return {"record": record, "awards": awards}


@dataclass
class OfficerTotal:
    officer: Officer
    deployments: int
    days: int
    cpsm_eligible: bool
    un_medal_missions: list[Mission]


def agency_history(user, agency: Agency, *, today: date | None = None) -> dict:
    """The agency's past deployments and each officer's days served (past and current tours). One query."""
    today = today or timezone.localdate()
    deployments = list(
        deployment_visible_to(user)
        .filter(officer__agency=agency)
        .exclude(status=Deployment.Status.CANCELLED)  # a tour cancelled before departure was never served
        .order_by("officer__last_name", "officer_id", "start_date")
    )
    per_officer: dict[int, list[Deployment]] = {}
    for dep in deployments:
        per_officer.setdefault(dep.officer_id, []).append(dep)
    totals = []
    for deps in per_officer.values():
        record = service_record(deps, today=today)
        totals.append(
            OfficerTotal(deps[0].officer, len(deps), record.total_days, record.cpsm_eligible, record.un_medal_missions)
        )
    totals.sort(key=lambda t: (-t.days, t.officer.last_name, t.officer.first_name, t.officer.pk))
    past = sorted(
        (d for d in deployments if not d.is_current),
        key=lambda d: (d.end_date, d.pk),
        reverse=True,
    )
    return {
        "past": past,
        "totals": totals,
        "total_days": sum(t.days for t in totals),
        "today": today,
    }


def deployments_overlapping(qs: QuerySet[Deployment], start: date, end: date) -> QuerySet[Deployment]:
    """Deployments served on at least one day of [start, end] (both included; a tour's end is exclusive)."""
    return (
        qs.exclude(status=Deployment.Status.CANCELLED)
        .alias(ends_on=deployment_end())
        .filter(start_date__lte=end, ends_on__gt=start)
    )
