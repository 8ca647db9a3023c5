"""The strength forecast (reads only): each mission's and the program's strength, day by day, over the
next ROSTER["FORECAST_MONTHS"] months; when to post a rotation bulletin; the missions to alert about;
the share of women among deployed officers and nominees; the talent pool as supply.

How a day is counted (the same rules as missions.selectors.Strength, so that today's figure is the one
on the mission pages):

- SURE: the deployments that fill a position now (FILLED_STATES: in mission, planned). Today every one
  of them counts, as on the mission pages (a planned relief fills its position from the day it is
  planned). After today a tour counts up to the day before its end (the actual end, else the planned
  end, which already holds any extension: roster.services.deployment_extend moves it). The end date is
  the day the officer leaves, NOT a day in mission: the roster's tours are [start, end), so that a
  relief can start on the day the officer it replaces leaves. A tour past its planned end whose return
  is not recorded yet counts today only.
- EXPECTED: applications selected and not deployed yet (the mission pages' "selected"), and the
  positions of open bulletins (published: not closed, not cancelled) not filled yet (positions minus
  the applications selected or deployed, POSITION_FILLING_STATES). Each arrives on its bulletin's
  deployment start (today if that is past) and stays for the bulletin's duration_months (the end
  deployment_create would plan: the same month arithmetic, add_months).
- TOTAL = sure + expected: what the chart draws and what the rotation advice and the alert read.

The monthly points: for each calendar month from the current one, the strength on its first day (today
for the current month) and the lowest strength within the month, with the first day it is reached.

Every figure comes from a constant number of queries (missions, deployments, selections, open
bulletins), whatever the number of rows; the step function is then computed in Python.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from agencies.models import Officer
from missions.models import Bulletin, Mission
from missions.selectors import FILLED_STATES, POSITION_FILLING_STATES
from roster.models import Application, ApplicationStatus, Deployment
from roster.services.deployments import add_months

# The application states that mean an agency put the officer forward to IPO: endorsed by the
# coordinator (a coordinator's nomination is created endorsed) and every state IPO staff can move it
# to from there. Withdrawn is left out: it cannot tell an application withdrawn before its endorsement
# from one withdrawn after.
S = ApplicationStatus
NOMINATED_STATES = (S.ENDORSED, S.SHORTLISTED, S.SCREENED_OUT, S.SELECTED, S.WAITLISTED, S.NOT_SELECTED,
                    S.DEPLOYED)


def rules() -> dict:
    r = settings.ROSTER
    return {
        "months": r.get("FORECAST_MONTHS", 12),
        "share": r.get("FORECAST_ALERT_SHARE_PERCENT", 80),
        "horizon": r.get("FORECAST_ALERT_HORIZON_MONTHS", 6),
        "lead_days": r.get("FORECAST_LEAD_TIME_DAYS", 120),
        "lead_min_samples": r.get("FORECAST_LEAD_TIME_MIN_SAMPLES", 5),
        "nominee_months": r.get("FORECAST_NOMINEE_MONTHS", 12),
    }


# --- the step function --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayStrength:
    day: date
    sure: int
    expected: int

    @property
    def total(self) -> int:
        return self.sure + self.expected


@dataclass(frozen=True)
class MonthPoint:
    month: date  # the first of the month
    first: DayStrength  # on the first of the month (today for the current month)
    low: DayStrength  # the lowest total within the month (clipped to the forecast), first day reached


@dataclass
class Series:
    """One mission's (or the program's) forecast: a step function of the day, from `today` on."""

    today: date
    end: date  # the first day after the forecast
    authorised: int
    _days: list[date] = field(default_factory=list)
    _sure: list[int] = field(default_factory=list)
    _expected: list[int] = field(default_factory=list)

    @classmethod
    def build(cls, *, today, end, authorised, events) -> Series:
        """`events`: (day, sure delta, expected delta), days on or after today."""
        per_day: dict[date, list[int]] = defaultdict(lambda: [0, 0])
        per_day[today]  # noqa: B018 -- the first step is always today's
        for day, d_sure, d_expected in events:
            per_day[day][0] += d_sure
            per_day[day][1] += d_expected
        series = cls(today=today, end=end, authorised=authorised)
        sure = expected = 0
        for day in sorted(per_day):
            sure += per_day[day][0]
            expected += per_day[day][1]
            if series._days and (sure, expected) == (series._sure[-1], series._expected[-1]):
                continue
            series._days.append(day)
            series._sure.append(sure)
            series._expected.append(expected)
        return series

    def on(self, day: date) -> DayStrength:
        """The forecast strength on `day` (today or later; after the forecast's end, the last figure)."""
        if day < self.today:
            raise ValueError("The forecast starts today.")
        i = bisect_right(self._days, day) - 1
        return DayStrength(day, self._sure[i], self._expected[i])

    def changes(self, until: date | None = None) -> list[DayStrength]:
        """Today's figure, then each day the figure changes, before `until` (default: the forecast's end)."""
        until = until or self.end
        rows = zip(self._days, self._sure, self._expected, strict=True)
        return [DayStrength(d, s, e) for d, s, e in rows if d < until]

    def low_between(self, start: date, stop: date) -> DayStrength:
        """The lowest total over [start, stop), on the first day it is reached."""
        best = self.on(start)
        i = bisect_right(self._days, start)
        while i < len(self._days) and self._days[i] < stop:
            if self._sure[i] + self._expected[i] < best.total:
                best = DayStrength(self._days[i], self._sure[i], self._expected[i])
            i += 1
        return best

    def first_below(self, threshold_percent: int, stop: date) -> DayStrength | None:
        """The first day before `stop` the total falls below `threshold_percent` of the authorised strength."""
        if not self.authorised:
            return None
        i = bisect_right(self._days, self.today) - 1
        while i < len(self._days) and self._days[i] < stop:
            if (self._sure[i] + self._expected[i]) * 100 < threshold_percent * self.authorised:
                return DayStrength(max(self._days[i], self.today), self._sure[i], self._expected[i])
            i += 1
        return None

    def months(self) -> list[MonthPoint]:
        points = []
        first = self.today.replace(day=1)
        while first < self.end:
            start = max(first, self.today)
            stop = min(add_months(first, 1), self.end)
            points.append(MonthPoint(month=first, first=self.on(start), low=self.low_between(start, stop)))
            first = add_months(first, 1)
        return points

    def peak(self) -> int:
        return max((s + e for s, e in zip(self._sure, self._expected, strict=True)), default=0)


@dataclass
class MissionForecast:
    mission: Mission
    series: Series
    open_bulletins: list[dict]

    @property
    def authorised(self) -> int:
        return self.series.authorised


@dataclass
class Forecast:
    today: date
    end: date
    missions: list[MissionForecast]
    program: Series
    ceiling: int

    def mission(self, mission_id) -> MissionForecast | None:
        return next((m for m in self.missions if m.mission.pk == mission_id), None)


def _authorised(mission: Mission) -> int:
    # as missions.selectors.strength_of: a closed mission authorises nobody
    return 0 if mission.status == Mission.Status.CLOSED else (mission.authorized_strength or 0)


def forecast(*, today: date | None = None, months: int | None = None) -> Forecast:
    """Every mission's forecast and the program's. Four queries, whatever the number of rows."""
    today = today or timezone.localdate()
    months = months or rules()["months"]
    end = add_months(today, months)
    tomorrow = today + timedelta(days=1)
    events: dict[int, list] = defaultdict(list)

    missions = list(Mission.objects.order_by("code"))

    for mission_id, actual_end, planned_end in Deployment.objects.filter(
        status__in=FILLED_STATES
    ).values_list("mission_id", "actual_end_date", "planned_end_date").order_by():
        leaves = max(actual_end or planned_end, tomorrow)
        events[mission_id] += [(today, 1, 0), (leaves, -1, 0)]

    def arrival(mission_id, start, months_, n):
        arrives = max(start, today)
        leaves = add_months(arrives, months_ or 0)
        if n > 0 and leaves > arrives:
            events[mission_id] += [(arrives, 0, n), (leaves, 0, -n)]

    for mission_id, start, months_ in Application.objects.filter(status=S.SELECTED).values_list(
        "bulletin__mission_id", "bulletin__deployment_start", "bulletin__duration_months"
    ).order_by():
        arrival(mission_id, start, months_, 1)

    open_by_mission: dict[int, list[dict]] = defaultdict(list)
    for b in Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED).annotate(
        filling=Count("applications", filter=Q(applications__status__in=POSITION_FILLING_STATES))
    ).values("pk", "reference", "mission_id", "positions", "deployment_start", "duration_months", "closes_at",
             "filling").order_by("deployment_start", "pk"):
        unfilled = max(0, b["positions"] - b["filling"])
        b["unfilled"] = unfilled
        open_by_mission[b["mission_id"]].append(b)
        arrival(b["mission_id"], b["deployment_start"], b["duration_months"], unfilled)

    per_mission = [
        MissionForecast(
            mission=m,
            series=Series.build(today=today, end=end, authorised=_authorised(m), events=events.get(m.pk, [])),
            open_bulletins=open_by_mission.get(m.pk, []),
        )
        for m in missions
    ]
    ceiling = settings.ROSTER["PROGRAM_CEILING"]
    program = Series.build(today=today, end=end, authorised=ceiling,
                           events=[e for m in missions for e in events.get(m.pk, [])])
    return Forecast(today=today, end=end, missions=per_mission, program=program, ceiling=ceiling)


def strength_on(day: date, *, mission_id=None, today: date | None = None) -> DayStrength:
    """The forecast strength on `day`: a mission's, or the program's (mission_id None)."""
    today = today or timezone.localdate()
    f = forecast(today=today, months=max(1, (day.year - today.year) * 12 + day.month - today.month + 1))
    series = f.program if mission_id is None else f.mission(mission_id).series
    return series.on(day)


# --- the lead time, from the roster's history ---------------------------------------------------------


@dataclass(frozen=True)
class LeadTime:
    days: int
    samples: int  # past bulletins measured
    from_history: bool  # False: the setting (fewer than FORECAST_LEAD_TIME_MIN_SAMPLES samples)


def lead_time(*, today: date | None = None) -> LeadTime:
    """The median number of days from a bulletin's publication to the first arrival of its deployments
    (the arrival once recorded, else the planned start; cancelled tours left out), over the bulletins
    published before today with at least one deployment. One query. With fewer than
    ROSTER["FORECAST_LEAD_TIME_MIN_SAMPLES"] such bulletins, ROSTER["FORECAST_LEAD_TIME_DAYS"]."""
    today = today or timezone.localdate()
    r = rules()
    rows = (
        Deployment.objects.exclude(status=Deployment.Status.CANCELLED)
        .filter(application__isnull=False)
        .values("application__bulletin_id")
        .annotate(
            published=Min(Coalesce("application__bulletin__published_at", "application__bulletin__created_at")),
            arrival=Min(Coalesce("actual_start_date", "start_date")),
        )
        .order_by()
    )
    samples = []
    for row in rows:
        if row["published"] is None:
            continue
        published = timezone.localdate(row["published"])
        if published >= today or row["arrival"] < published:
            continue
        samples.append((row["arrival"] - published).days)
    if len(samples) < r["lead_min_samples"]:
        return LeadTime(days=r["lead_days"], samples=len(samples), from_history=False)
    return LeadTime(days=round(statistics.median(samples)), samples=len(samples), from_history=True)


# --- rotation advice and alerts -----------------------------------------------------------------------


@dataclass
class Advice:
    mission: Mission
    authorised: int
    threshold: int  # the share of the authorised strength, in officers (rounded up)
    below: DayStrength  # the first day the forecast falls below the share
    post_by: date  # below.day minus the lead time
    lead: LeadTime
    open_bulletins: list[dict]
    pool_available: int = 0  # talent-pool officers speaking the mission's language, available by post_by

    today: date | None = None

    @property
    def overdue(self) -> bool:
        """The day to post by is already past."""
        return self.today is not None and self.post_by < self.today

    @property
    def gap(self) -> int:
        """Officers missing to the authorised strength on the day the forecast falls below the share."""
        return max(0, self.authorised - self.below.total)

    @property
    def pool_by(self) -> date:
        """The day the talent pool is counted by: the day to post by, or today when that is past."""
        return max(self.post_by, self.today) if self.today else self.post_by

    @property
    def already_below(self) -> bool:
        """Below the share today already."""
        return self.today is not None and self.below.day <= self.today

    @property
    def covered(self) -> bool:
        """An open bulletin (published: neither closed nor cancelled) exists for the mission."""
        return bool(self.open_bulletins)


def rotation_advice(fc: Forecast, *, lead: LeadTime | None = None, horizon_months: int | None = None,
                    share: int | None = None) -> list[Advice]:
    """For each active mission whose forecast total falls below `share` per cent of its authorised
    strength within `horizon_months`: that first day, and the day to post a rotation bulletin by (that
    day minus the lead time). By date to post."""
    r = rules()
    share = r["share"] if share is None else share
    horizon_months = r["horizon"] if horizon_months is None else horizon_months
    lead = lead or lead_time(today=fc.today)
    stop = add_months(fc.today, horizon_months)
    advice = []
    for mf in fc.missions:
        if mf.mission.status != Mission.Status.ACTIVE or not mf.authorised:
            continue
        below = mf.series.first_below(share, stop)
        if below is None:
            continue
        advice.append(Advice(
            mission=mf.mission, authorised=mf.authorised, threshold=-(-share * mf.authorised // 100),
            below=below, post_by=below.day - timedelta(days=lead.days), lead=lead,
            open_bulletins=mf.open_bulletins, today=fc.today,
        ))
    advice.sort(key=lambda a: (a.post_by, a.mission.code))
    return advice


def alerts(advice: list[Advice]) -> list[Advice]:
    """The missions forecast to fall below the share within the horizon with no open bulletin to cover it."""
    return [a for a in advice if not a.covered]


def pool_supply(advice: list[Advice], *, today: date) -> None:
    """Set each advice's `pool_available`: the talent-pool officers (planning.pool.selectors.pool_available)
    who speak the mission's working language and are available by the day to post (today if past). One
    query, whatever the number of entries."""
    if not advice:
        return
    from planning.pool.selectors import pool_available

    latest = max(max(a.post_by, today) for a in advice)
    rows = list(pool_available(by=latest).values_list("available_from", "languages").order_by())
    for a in advice:
        by = max(a.post_by, today)
        a.pool_available = sum(1 for available, langs in rows
                               if available <= by and a.mission.language in (langs or []))


def pool_by_language(*, by: date) -> dict[str, int]:
    """Talent-pool officers available by `by`, per mission working language (en, fr). One query."""
    from planning.pool.selectors import pool_available

    counts = {"en": 0, "fr": 0}
    for (langs,) in pool_available(by=by).values_list("languages").order_by():
        for code in counts:
            if code in (langs or []):
                counts[code] += 1
    return counts


# --- women among deployed officers and nominees ----------------------------------------------------------


@dataclass(frozen=True)
class Share:
    women: int
    total: int
    target: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.women / self.total, 1) if self.total else None

    @property
    def meets(self) -> bool:
        return self.total > 0 and self.women * 100 >= self.target * self.total


def women_shares(*, today: date | None = None) -> dict[str, Share]:
    """The share of women among the officers in mission, and among the officers nominated to IPO
    (applications in NOMINATED_STATES submitted in the last FORECAST_NOMINEE_MONTHS months), against
    ROSTER["WOMEN_TARGET_PERCENT"] and ROSTER["WOMEN_NOMINEE_TARGET_PERCENT"]. Distinct officers. Two
    queries."""
    today = today or timezone.localdate()
    woman = Officer.Gender.WOMAN
    deployed = Deployment.objects.filter(status=Deployment.Status.IN_MISSION).aggregate(
        total=Count("officer", distinct=True),
        women=Count("officer", distinct=True, filter=Q(officer__gender=woman)),
    )
    since = timezone.make_aware(datetime.combine(add_months(today, -rules()["nominee_months"]), time.min))
    nominees = Application.objects.filter(status__in=NOMINATED_STATES, created_at__gte=since).aggregate(
        total=Count("officer", distinct=True),
        women=Count("officer", distinct=True, filter=Q(officer__gender=woman)),
    )
    return {
        "deployed": Share(deployed["women"], deployed["total"], settings.ROSTER["WOMEN_TARGET_PERCENT"]),
        "nominees": Share(nominees["women"], nominees["total"], settings.ROSTER["WOMEN_NOMINEE_TARGET_PERCENT"]),
    }


def women_deployed_by_mission() -> dict[int, Share]:
    """The share of women among each mission's officers in mission. One grouped query."""
    target = settings.ROSTER["WOMEN_TARGET_PERCENT"]
    rows = Deployment.objects.filter(status=Deployment.Status.IN_MISSION).values("mission_id").annotate(
        total=Count("officer", distinct=True),
        women=Count("officer", distinct=True, filter=Q(officer__gender=Officer.Gender.WOMAN)),
    ).order_by()
    return {r["mission_id"]: Share(r["women"], r["total"], target) for r in rows}
