"""Days served and medal eligibility (domain-facts.md, "Medals"), and recording an award.

Counting days served
--------------------
A deployment is served from its start (counted) up to its end (not counted), where the start is
the arrival (`actual_start_date`), else `start_date`, and the end is `actual_end_date`, else
`planned_end_date`, and never later than today:

    days_served = max(0, min(end, today) - start)        # in days; start inclusive, end exclusive

So a tour from 1 March to 31 May counts 91 days (March 31 + April 30 + May 30), a tour that
started today counts 0 and one that starts tomorrow counts 0. A `planned` deployment has not
started and always counts 0, whatever its dates say; nor does a `cancelled` one, which never did.

Medals
------
- UN mission medal: at least `ROSTER["UN_MEDAL_CONSECUTIVE_DAYS"]` (90) consecutive days on one
  UN mission (`Mission.kind == "un"`). Back-to-back deployments on the same mission (the next
  starts on the day the previous one ended) form one unbroken run; any gap breaks the run.
- Canadian Peacekeeping Service Medal (CPSM): at least `ROSTER["CPSM_ACCUMULATED_DAYS"]` (30)
  days accumulated over all deployments, on any mission.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Officer
from agencies.permissions import is_ipo_staff
from audit.logging import log_event
from missions.models import Mission

from .models import Deployment, MedalAward

Medal = MedalAward.Medal


def un_medal_days() -> int:
    return settings.ROSTER["UN_MEDAL_CONSECUTIVE_DAYS"]


def cpsm_days() -> int:
    return settings.ROSTER["CPSM_ACCUMULATED_DAYS"]


def served_until(deployment: Deployment, today: date) -> date:
    """The first day no longer served (exclusive end), capped at today."""
    return min(deployment.actual_end_date or deployment.planned_end_date, today)


def days_served(deployment: Deployment, *, today: date | None = None) -> int:
    """Days served on one deployment: start inclusive, end exclusive, capped at today (module doc)."""
    if deployment.status in (Deployment.Status.PLANNED, Deployment.Status.CANCELLED):
        return 0
    today = today or timezone.localdate()
    return max(0, (served_until(deployment, today) - deployment.effective_start_date).days)


@dataclass
class MissionService:
    """One mission's service for one officer."""

    mission: Mission
    days: int = 0
    longest_run: int = 0  # consecutive days, back-to-back tours joined

    @property
    def is_un(self) -> bool:
        return self.mission.kind == Mission.Kind.UN

    @property
    def un_medal_eligible(self) -> bool:
        return self.is_un and self.longest_run >= un_medal_days()


@dataclass
class ServiceRecord:
    """An officer's service, computed from their deployments without touching the database."""

    deployments: list[Deployment] = field(default_factory=list)  # each with `.days_served`
    missions: list[MissionService] = field(default_factory=list)
    total_days: int = 0

    @property
    def cpsm_eligible(self) -> bool:
        return self.total_days >= cpsm_days()

    @property
    def un_medal_missions(self) -> list[Mission]:
        return [m.mission for m in self.missions if m.un_medal_eligible]

    def is_eligible(self, medal: str, mission: Mission | None = None) -> bool:
        if medal == Medal.CPSM:
            return self.cpsm_eligible
        if medal == Medal.UN_MISSION:
            return mission is not None and any(m.mission.pk == mission.pk for m in self.missions if m.un_medal_eligible)
        return False


def service_record(deployments: Iterable[Deployment], *, today: date | None = None) -> ServiceRecord:
    """Days served per deployment and in total, and the runs per mission, for ONE officer's deployments.

    `deployments` must have their `mission` loaded (select_related) to stay free of queries.
    """
    today = today or timezone.localdate()
    record = ServiceRecord()
    by_mission: dict[int, MissionService] = {}
    runs: dict[int, tuple[date, int]] = {}  # mission id -> (end of the current run, its length)
    for dep in sorted(deployments, key=lambda d: (d.effective_start_date, d.pk or 0)):
        dep.days_served = days_served(dep, today=today)
        record.deployments.append(dep)
        record.total_days += dep.days_served
        service = by_mission.setdefault(dep.mission_id, MissionService(mission=dep.mission))
        service.days += dep.days_served
        if not dep.days_served:
            continue
        end = served_until(dep, today)
        previous_end, length = runs.get(dep.mission_id, (None, 0))
        length = length + dep.days_served if previous_end == dep.effective_start_date else dep.days_served
        runs[dep.mission_id] = (end, length)
        service.longest_run = max(service.longest_run, length)
    record.missions = sorted(by_mission.values(), key=lambda m: m.mission.code)
    return record


def officer_deployments(officer: Officer):
    return Deployment.objects.filter(officer=officer).select_related("mission")


def officer_service_record(officer: Officer, *, today: date | None = None) -> ServiceRecord:
    """Every deployment of the officer counts for medals: callers have already checked visibility."""
    return service_record(officer_deployments(officer), today=today)


@transaction.atomic
def medal_award_record(
    *, officer: Officer, medal: str, mission: Mission | None = None, awarded_on: date, actor
) -> MedalAward:
    """Record that `officer` was awarded `medal`. IPO staff only; refused unless the officer is eligible.

    Raises PermissionDenied for anyone but IPO staff and ValidationError (with a message for the
    user) when the medal is unknown, the officer not eligible, the date in the future or the
    award already recorded. The UN mission medal names its mission; the CPSM names none.
    """
    if not is_ipo_staff(actor):
        raise PermissionDenied(_("Only IPO staff may record a medal award."))
    if medal not in Medal.values:
        raise ValidationError({"medal": _("Unknown medal.")})
    if awarded_on > timezone.localdate():
        raise ValidationError({"awarded_on": _("The award date cannot be in the future.")})
    if medal == Medal.UN_MISSION and mission is None:
        raise ValidationError({"mission": _("Choose the mission of the UN mission medal.")})
    if medal == Medal.CPSM:
        mission = None
    # Lock the officer so two clicks cannot record the same award twice.
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    record = officer_service_record(officer)
    if not record.is_eligible(medal, mission):
        if medal == Medal.UN_MISSION:
            message = _(
                "%(name)s is not eligible for the UN mission medal for %(mission)s: it requires "
                "%(days)s consecutive days on a UN mission."
            ) % {"name": officer.full_name, "mission": mission.code, "days": un_medal_days()}
        else:
            message = _(
                "%(name)s is not eligible for the Canadian Peacekeeping Service Medal: it requires "
                "%(days)s days accumulated (%(served)s served)."
            ) % {"name": officer.full_name, "days": cpsm_days(), "served": record.total_days}
        raise ValidationError(message)
    if MedalAward.objects.filter(officer=officer, medal=medal, mission=mission).exists():
        raise ValidationError(_("This award is already recorded."))
    award = MedalAward.objects.create(
        officer=officer, medal=medal, mission=mission, awarded_on=awarded_on, recorded_by=actor
    )
    log_event("medal_recorded", actor=actor, award_id=award.pk, officer_id=officer.pk)
    return award


# --- medal ceremonies ------------------------------------------------------------------------------
# Officers returning in a period (their tour ends, or is planned to end, between two dates) and the
# medals each is eligible for on the day they return: the Canadian Peacekeeping Service Medal, and
# the UN mission medal of the mission they return from. Eligibility follows the rules above, counted
# up to the return day (so a tour still under way is projected to its planned end).

RETURNING_STATES = (Deployment.Status.IN_MISSION, Deployment.Status.COMPLETED, Deployment.Status.REPATRIATED)


def ceremony_max_days() -> int:
    return settings.ROSTER["MEDAL_CEREMONY_MAX_DAYS"]


@dataclass
class CeremonyRow:
    """One medal an officer returning in the period is eligible for."""

    medal: str  # Medal value
    mission: Mission | None  # the UN mission medal's mission
    officer: Officer
    deployment: Deployment  # the tour the officer returns from
    return_date: date
    projected: bool  # the tour is under way: eligibility counted to its planned end
    days: int  # days that count for this medal (accumulated, or the longest run on the mission)
    awarded_on: date | None = None  # when the award is already recorded


@dataclass
class Ceremony:
    rows: list[CeremonyRow] = field(default_factory=list)
    returning: int = 0  # officers returning in the period
    not_eligible: int = 0  # of them, eligible for no medal yet


def returning_deployments(deployments, start: date, end: date):
    """Of `deployments` (already scoped to the user), the tours that end between `start` and `end`
    (inclusive): the actual end once recorded, else the planned end."""
    from django.db.models import Q

    return deployments.filter(status__in=RETURNING_STATES).filter(
        Q(actual_end_date__range=(start, end)) | Q(actual_end_date__isnull=True, planned_end_date__range=(start, end))
    )


def medal_ceremony(deployments, start: date, end: date, *, today: date | None = None) -> Ceremony:
    """The medal ceremony of the officers returning between `start` and `end`. `deployments`: the
    deployments the user may see (roster.selectors.deployment_visible_to), optionally narrowed
    (a mission). Three queries whatever the number of officers: the returning tours, every tour of
    those officers (eligibility counts them all), and their recorded awards."""
    today = today or timezone.localdate()
    returning = list(
        returning_deployments(deployments, start, end)
        .select_related("officer", "officer__agency", "mission")
        .order_by("officer_id", "planned_end_date", "id")
    )
    last_return: dict[int, Deployment] = {}
    for dep in returning:  # an officer back twice in the period is listed for the later return
        last_return[dep.officer_id] = dep
    ceremony = Ceremony(returning=len(last_return))
    if not last_return:
        return ceremony
    tours: dict[int, list[Deployment]] = {}
    for dep in Deployment.objects.filter(officer_id__in=list(last_return)).select_related("mission"):
        tours.setdefault(dep.officer_id, []).append(dep)
    awards = {
        (a.officer_id, a.medal, a.mission_id): a.awarded_on
        for a in MedalAward.objects.filter(officer_id__in=list(last_return))
    }
    for officer_id, dep in last_return.items():
        return_date = dep.actual_end_date or dep.planned_end_date
        record = service_record(tours.get(officer_id, []), today=return_date)
        eligible = []
        if record.cpsm_eligible:
            eligible.append((Medal.CPSM, None, record.total_days))
        service = next((m for m in record.missions if m.mission.pk == dep.mission_id), None)
        if service is not None and service.un_medal_eligible:
            eligible.append((Medal.UN_MISSION, dep.mission, service.longest_run))
        if not eligible:
            ceremony.not_eligible += 1
        for medal, mission, days in eligible:
            ceremony.rows.append(CeremonyRow(
                medal=medal, mission=mission, officer=dep.officer, deployment=dep, return_date=return_date,
                projected=dep.status == Deployment.Status.IN_MISSION and dep.actual_end_date is None
                and return_date > today,
                days=days, awarded_on=awards.get((officer_id, medal, mission.pk if mission else None)),
            ))
    ceremony.rows.sort(key=lambda r: (r.medal != Medal.CPSM, r.mission.code if r.mission else "", r.return_date,
                                      r.officer.last_name, r.officer.first_name, r.officer.pk))
    return ceremony
