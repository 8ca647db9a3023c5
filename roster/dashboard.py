"""Reads for the home pages, the roster dashboard, the mission timeline and the service histories.

Strength (authorised, in mission, planned, filled, vacant, over strength), per mission and
against the program ceiling, has one definition: missions.selectors.Strength. It is
program-wide, the same figures for every user; a coordinator also sees their own agency's
share of them (`AgencyShare`), apart. Every other figure starts from the visibility-scoped
querysets (`deployment_visible_to`, `application_visible_to`, `clearance_visible_to`,
`officer_visible_to`), so on a coordinator's dashboard it is their agency's, and the exports
count the very same rows. Each function runs a fixed number of queries, whatever the number of
deployments.

Cost: the figures are conditional counts (COUNT(...) FILTER (WHERE ...)), one pass per table
over the few rows that can matter (current deployments, open applications, open bulletins),
with EXISTS for "has a relief", "has an application to decide", "has an agency that has not
acknowledged"; never a correlated count per mission or per bulletin over every application.
The lists are read only for the rows they show, and only the columns they show.

On PostgreSQL these reads rely on indexes of roster_application: (status, bulletin) for the open
applications by state, (created_at, id) for the latest ones and the last 12 months' nominees,
and (officer, status) for an agency's applications by state.

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
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import Agency, Clearance, Officer, Role
from agencies.permissions import is_ipo_staff
from agencies.selectors import clearance_visible_to, officer_visible_to
from missions.models import Bulletin, BulletinNotice, Mission
from missions.selectors import (
    AWAITING_STATES,
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
from .models import OPEN_STATES, Application, ApplicationStatus, Deployment
from .selectors import (
    PENDING_STATES,
    agency_applications,
    application_visible_to,
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


def ending_soon(today: date) -> Q:
    """The condition on a current deployment for its tour to be "ending soon": its planned end
    falls within `ENDING_SOON_DAYS`, and no deployment (other than a cancelled one) replaces it."""
    horizon = today + timedelta(days=settings.ROSTER["ENDING_SOON_DAYS"])
    relief = Deployment.objects.filter(replaces=OuterRef("pk")).exclude(status=Deployment.Status.CANCELLED)
    return Q(planned_end_date__gte=today, planned_end_date__lte=horizon) & ~Q(Exists(relief))


def tours_ending_soon(deployments: QuerySet[Deployment], *, today: date) -> QuerySet[Deployment]:
    """Current tours whose planned end falls within `ENDING_SOON_DAYS`, which no deployment replaces yet."""
    return deployments_current(deployments).filter(ending_soon(today)).order_by("planned_end_date", "id")


def with_total(queryset: QuerySet) -> QuerySet:
    """Each row also carries `total`, the number of rows of the whole queryset (COUNT(*) OVER ()),
    so that a list cut at its first rows comes with its count in the same query."""
    return queryset.annotate(total=Window(Count("pk")))


def total_of(rows: list) -> int:
    return rows[0].total if rows else 0


# The columns the lists read (`.only()`): a row of an application with its officer, agency, bulletin
# and mission is some 90 columns, and reading them costs more than the query itself.
DEPLOYMENT_ROW_FIELDS = (
    "officer_id", "mission_id", "start_date", "planned_end_date", "actual_end_date", "status", "replaces_id",
    "catalogue_role_id", "catalogue_role__name_en", "catalogue_role__name_fr", "role_other_en", "role_other_fr",
    "officer__first_name", "officer__last_name", "officer__agency_id",
    "officer__agency__name_en", "officer__agency__name_fr", "mission__code",
)
APPLICATION_ROW_FIELDS = (
    "bulletin_id", "officer_id", "status", "ineligible", "nominated_by_id", "created_at",
    "bulletin__reference", "bulletin__title_en", "bulletin__title_fr", "bulletin__mission_id",
    "bulletin__deployment_start", "bulletin__closes_at", "bulletin__closed_at", "bulletin__status",
    "bulletin__mission__code",
    "officer__first_name", "officer__last_name", "officer__agency_id",
    "officer__agency__name_en", "officer__agency__name_fr",
)
CLEARANCE_ROW_FIELDS = (
    "officer_id", "kind", "valid_until",
    "officer__first_name", "officer__last_name", "officer__agency_id",
    "officer__agency__name_en", "officer__agency__name_fr",
)


def dashboard_summary(user, *, today: date | None = None) -> dict:
    """Every figure of the dashboard. Strength (`missions`, `program`) is the program's, whoever
    asks; a coordinator also gets their agency's share (`share`, `MissionRow.own`); the other
    figures count what `user` may see. Five queries, whatever the numbers (four when no tour
    ends soon)."""
    today = today or timezone.localdate()
    roster = settings.ROSTER
    deployments = deployment_visible_to(user)
    in_mission = Q(status=Deployment.Status.IN_MISSION)
    planned = Q(status=Deployment.Status.PLANNED)

    # 1. every mission with its strength: the rows, and the program's sum against the ceiling
    missions = list(missions_with_strength(Mission.objects.order_by("code")))
    strengths = {mission.pk: strength_of(mission) for mission in missions}
    program = program_strength(strengths.values())
    # 2. one pass over the current deployments `user` may see, per mission: in mission, planned,
    # origin and women among those in mission, tours ending soon
    per_mission = list(
        deployments_current(deployments)
        .order_by()
        .values("mission_id")
        .annotate(
            in_mission=Count("status", filter=in_mission),
            planned=Count("status", filter=planned),
            rcmp=Count("status", filter=in_mission & Q(officer__agency__kind=Agency.Kind.RCMP)),
            women=Count("status", filter=in_mission & Q(officer__gender=Officer.Gender.WOMAN)),
            ending=Count("status", filter=ending_soon(today)),
        )
    )
    totals = {key: sum(r[key] for r in per_mission) for key in ("in_mission", "planned", "rcmp", "women", "ending")}
    # a coordinator's agency's share of each mission's filled positions
    own = None
    if not is_ipo_staff(user):
        own = {r["mission_id"]: AgencyShare(r["in_mission"], r["planned"]) for r in per_mission}
    # the rows: every active mission, and any other with a position filled
    rows = [
        MissionRow(mission, strengths[mission.pk], None if own is None else own.get(mission.pk, AgencyShare()))
        for mission in missions
        if mission.status == Mission.Status.ACTIVE or strengths[mission.pk].filled
    ]
    deployed = totals["in_mission"]
    partner = deployed - totals["rcmp"]

    # 3. women among nominees of the last 12 months
    since = one_year_before(today)
    nominees = (
        application_visible_to(user)
        .filter(status__in=NOMINEE_STATES, created_at__gte=start_of_day(since))
        .order_by()
        .aggregate(total=Count("*"), women=Count("status", filter=Q(officer__gender=Officer.Gender.WOMAN)))
    )

    # 4. tours ending soon with no replacement selected (counted in 2)
    ending_list = []
    if totals["ending"]:
        ending_list = list(
            tours_ending_soon(deployments, today=today)
            .only(*DEPLOYMENT_ROW_FIELDS)[:LIST_LIMIT]
        )
    for dep in ending_list:
        dep.days_left = (dep.planned_end_date - today).days
    # 5. clearances expiring, of officers deployed now or selected, with their count
    clearance_list = list(with_total(clearances_expiring(user, today=today).only(*CLEARANCE_ROW_FIELDS))[:LIST_LIMIT])
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
        "ending_soon_count": totals["ending"],
        "ending_soon": ending_list,
        "clearance_warning_days": roster["CLEARANCE_EXPIRY_WARNING_DAYS"],
        "clearances_count": total_of(clearance_list),
        "clearances": clearance_list,
        "list_limit": LIST_LIMIT,
    }


# --- home pages ----------------------------------------------------------------------------

COORDINATOR_LIST_LIMIT = 10
COORDINATOR_DEPLOYMENTS_LIMIT = 20


def home_summary(user) -> dict:
    """What each role's home page shows; counts come from the visibility-scoped querysets."""
    if user.role == Role.IPO_STAFF:
        return staff_home(user)
    if user.role == Role.COORDINATOR:
        return coordinator_home(user)
    applications = application_visible_to(user)
    deployments = deployment_visible_to(user)
    return {
        "applications": list(applications.only(*APPLICATION_ROW_FIELDS).order_by("-created_at", "-id")),
        "deployments": list(deployments.only(*DEPLOYMENT_ROW_FIELDS).order_by("-start_date", "-id")[:5]),
        "open_bulletins": bulletins_open().count(),
    }


def staff_home(user) -> dict:
    """IPO staff's home: three figures, the worklist, the latest applications. The figures come
    with the worklist's counts (`staff_worklist`); one more query for the latest applications."""
    worklist = staff_worklist(user)
    return {
        "open_bulletins": worklist["open_bulletins"],
        "pending_applications": worklist["pending_applications"],
        "current_deployments": worklist["current_deployments"],
        "recent_applications": list(
            application_visible_to(user).only(*APPLICATION_ROW_FIELDS).order_by("-created_at", "-id")[:10]
        ),
        "worklist": worklist,
    }


def coordinator_home(user) -> dict:
    """A coordinator's home, their agency's: officers, applications by status (one grouped
    query, which also gives the pending ones and the ones awaiting endorsement), current
    deployments, bulletins to acknowledge, the applications to endorse."""
    applications = application_visible_to(user)
    labels = dict(ApplicationStatus.choices)
    by_status = {
        row["status"]: row["n"]
        for row in applications.order_by().values("status").annotate(n=Count("*"))
    }
    current = list(
        with_total(deployments_current(deployment_visible_to(user)).only(*DEPLOYMENT_ROW_FIELDS))
        .order_by("planned_end_date", "id")[:COORDINATOR_DEPLOYMENTS_LIMIT]
    )
    # the coordinator's own queue: submitted applications wait for the agency's endorsement,
    # the bulletin closing soonest first
    to_endorse_count = by_status.get(S.SUBMITTED, 0)
    to_endorse = []
    if to_endorse_count:
        to_endorse = list(
            agency_applications(user, status=S.SUBMITTED)
            .select_related(None).select_related("officer__agency", "bulletin__mission").only(*APPLICATION_ROW_FIELDS)
            .order_by("bulletin__closes_at", "created_at", "id")[:COORDINATOR_LIST_LIMIT]
        )
    return {
        "agency": user.agency,
        "officer_count": officer_visible_to(user).filter(is_active=True).count(),
        "pending_applications": sum(n for status, n in by_status.items() if status in PENDING_STATES),
        "current_deployments": current,
        "current_deployments_count": total_of(current),
        "status_counts": [
            {"status": status, "n": by_status[status], "label": labels.get(status, status)}
            for status in sorted(by_status)
        ],
        "notices_to_acknowledge": list(
            notices_pending_acknowledgement(user.agency_id).select_related(None).select_related("bulletin")
            .only("bulletin_id", "agency_id", *(f"bulletin__{name}" for name in BULLETIN_ROW_FIELDS),
                  "bulletin__closed_at")
            .order_by("bulletin__closes_at", "id")[:20]
        ),
        "to_endorse": to_endorse,
        "to_endorse_count": to_endorse_count,
        "open_bulletins": bulletins_open().count(),
    }


def failed_mail_count(user) -> int:
    """The emails that could not be delivered, of those `user` may see."""
    return outbox_visible_to(user).filter(status=OutgoingMail.Status.FAILED).count()


def worklist_clock(now: datetime | None = None) -> str:
    """The next moments at which the staff worklist changes by the clock alone, whatever is recorded:
    the next published bulletin to close (it leaves the open ones), and the next to come within
    WORKLIST_CLOSING_DAYS (it joins those not acknowledged). One pass over the published bulletins
    (roster.freshness.cached_figures' `clock`). A coordinator's home keeps its lists with the same
    clock: the next bulletin to close leaves its open ones and its notices to acknowledge."""
    now = now or timezone.now()
    soon = now + timedelta(days=WORKLIST_CLOSING_DAYS)
    marks = Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED, closes_at__gt=now).aggregate(
        next=Min("closes_at"), next_soon=Min("closes_at", filter=Q(closes_at__gt=soon)),
    )
    return f"{marks['next'] and marks['next'].isoformat()}|{marks['next_soon'] and marks['next_soon'].isoformat()}"


# The columns the worklist's bulletins show (not their long descriptions).
BULLETIN_ROW_FIELDS = ("reference", "title_en", "title_fr", "positions", "closes_at", "status")
WORKLIST_LIMIT = 8  # rows per list on the staff home page; the count says how many there are
WORKLIST_CLOSING_DAYS = 7


def staff_worklist(user, *, today: date | None = None, now: datetime | None = None) -> dict:
    """What IPO staff should act on next, from what they may see; each list comes with its full
    count, and the home page's figures (open bulletins, pending applications, current
    deployments) come with them. Four counting queries, one pass over each table; the bulletins
    to decide with their count; then one query per other list that has rows: eight at most,
    whatever the numbers.

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
    soon = now + timedelta(days=WORKLIST_CLOSING_DAYS)
    decided_on = [Bulletin.Status.PUBLISHED, Bulletin.Status.CLOSED]
    unacknowledged_notice = BulletinNotice.objects.filter(bulletin=OuterRef("pk"), acknowledged_at__isnull=True)
    applications = application_visible_to(user)
    deployments = deployment_visible_to(user)

    # 1. the open applications: pending ones, and selected ones to deploy
    a = applications.filter(status__in=OPEN_STATES).order_by().aggregate(
        pending=Count("status", filter=Q(status__in=PENDING_STATES)),
        to_deploy=Count("status", filter=Q(status=S.SELECTED)),
    )
    # 2. the open bulletins, and those closing within the week that an agency has not acknowledged
    b = bulletins_open(now).order_by().aggregate(
        open=Count("*"),
        unacknowledged=Count("status", filter=Q(closes_at__lte=soon) & Q(Exists(unacknowledged_notice))),
    )
    # 3. the current deployments, and the tours among them ending soon with no relief
    d = deployments_current(deployments).order_by().aggregate(
        current=Count("*"), ending=Count("status", filter=ending_soon(today))
    )
    # 4. the emails that failed
    failed_mail = failed_mail_count(user)

    # 5. the bulletins with applications to decide, with their count: joined to those applications
    # and grouped, so PostgreSQL starts from the few applications that wait (an EXISTS per bulletin,
    # in closing order, read most of the 2,000 bulletins to find the first eight)
    to_decide = list(
        with_total(bulletins_with_progress(
            bulletin_visible_to(user).select_related(None).only(*BULLETIN_ROW_FIELDS)
            .filter(status__in=decided_on, applications__status__in=AWAITING_STATES)
            .annotate(applications_awaiting=Count("applications__status")),
            "positions_filled",
        )).order_by("closes_at", "id")[:WORKLIST_LIMIT]
    )
    # the other lists, each cut at WORKLIST_LIMIT rows, read only when they have some
    to_deploy = unacknowledged = ending_list = []
    if a["to_deploy"]:
        to_deploy = list(
            applications.filter(status=S.SELECTED).only(*APPLICATION_ROW_FIELDS)
            .order_by("bulletin__deployment_start", "bulletin__reference", "officer__last_name", "id")[:WORKLIST_LIMIT]
        )
    if b["unacknowledged"]:
        unacknowledged = list(
            bulletins_with_progress(
                bulletin_visible_to(user).filter(
                    Exists(unacknowledged_notice), status=Bulletin.Status.PUBLISHED, closes_at__gt=now,
                    closes_at__lte=soon,
                ).select_related(None).only(*BULLETIN_ROW_FIELDS),
                "notices_acknowledged", "notices_total",
            ).order_by("closes_at", "id")[:WORKLIST_LIMIT]
        )
    if d["ending"]:
        ending_list = list(tours_ending_soon(deployments, today=today).only(*DEPLOYMENT_ROW_FIELDS)[:WORKLIST_LIMIT])
    for dep in ending_list:
        dep.days_left = (dep.planned_end_date - today).days
    return {
        "limit": WORKLIST_LIMIT,
        "closing_days": WORKLIST_CLOSING_DAYS,
        "ending_soon_days": settings.ROSTER["ENDING_SOON_DAYS"],
        "to_decide": to_decide,
        "to_decide_count": total_of(to_decide),
        "to_deploy": to_deploy,
        "to_deploy_count": a["to_deploy"],
        "unacknowledged": unacknowledged,
        "unacknowledged_count": b["unacknowledged"],
        "ending_soon": ending_list,
        "ending_soon_count": d["ending"],
        "failed_mail_count": failed_mail,
        "open_bulletins": b["open"],
        "pending_applications": a["pending"],
        "current_deployments": d["current"],
    }


def clearances_expiring(user, *, today: date | None = None) -> QuerySet[Clearance]:
    """Clearances expiring soon (or expired) of officers with a current deployment or a selected application."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.ROSTER["CLEARANCE_EXPIRY_WARNING_DAYS"])
    # the officers concerned: a few hundred at most, whatever the history; one IN over their union
    # lets PostgreSQL start from them (an OR of two EXISTS made it read every officer)
    concerned = (
        deployments_current(Deployment.objects.all()).order_by().values("officer_id")
        .union(Application.objects.filter(status=S.SELECTED).order_by().values("officer_id"))
    )
    return (
        clearance_visible_to(user)
        .select_related("officer__agency")
        .filter(valid_until__lte=horizon, officer_id__in=concerned)
        .order_by("valid_until", "officer__last_name", "id")
    )


def bulletins_for_export(user, *, limit: int = 10) -> list[Bulletin]:
    """The latest published or closed bulletins, for the applicants export links."""
    return list(
        bulletin_visible_to(user)
        .filter(status__in=[Bulletin.Status.PUBLISHED, Bulletin.Status.CLOSED])
        .only("reference", "closes_at", "status", "mission__code")
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
