"""An officer against a bulletin's requirements, rule by rule.

Each rule answers pass, fail or unknown (data missing) with a sentence saying why, e.g.
"9 years of service; this bulletin asks for 10". An ineligible officer may still apply
(after a warning); the application is then flagged.

The bulletin's tour is [deployment_start, deployment_start + duration_months): clearances must
stay valid through its end, and the officer must not be committed elsewhere over it (a planned or
current deployment, or a selection on another bulletin). A list page evaluates many officers
without a query per officer: it prefetches their commitments with `commitment_prefetches()` (two
queries for the whole page) and `check` reads them from there.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import Clearance, LanguageLevel, Officer
from missions.models import Bulletin

from .models import Application, ApplicationStatus, Deployment

PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
AVAILABILITY = "availability"  # the rule key of `availability`


@dataclass(frozen=True)
class RuleResult:
    rule: str
    label: str
    outcome: str
    reason: str

    @property
    def passed(self):
        return self.outcome == PASS


@dataclass
class Eligibility:
    results: list[RuleResult] = field(default_factory=list)

    @property
    def failures(self):
        return [r for r in self.results if r.outcome == FAIL]

    @property
    def unknowns(self):
        return [r for r in self.results if r.outcome == UNKNOWN]

    @property
    def eligible(self) -> bool:
        """No rule failed (unknowns are for the agency to fill in, not a refusal)."""
        return not self.failures

    @property
    def summary(self) -> str:
        if self.failures:
            return ngettext(
                "%(n)d of %(total)d requirements not met", "%(n)d of %(total)d requirements not met",
                len(self.failures),
            ) % {"n": len(self.failures), "total": len(self.results)}
        if self.unknowns:
            return ngettext(
                "%(n)d requirement cannot be checked (data missing)",
                "%(n)d requirements cannot be checked (data missing)",
                len(self.unknowns),
            ) % {"n": len(self.unknowns)}
        return _("Meets every requirement")

    @property
    def outcome(self) -> str:
        return FAIL if self.failures else UNKNOWN if self.unknowns else PASS

    @property
    def clash(self) -> str:
        """The availability rule's sentence when the officer is committed elsewhere over the tour, else ""."""
        return next((r.reason for r in self.failures if r.rule == AVAILABILITY), "")


def _level_label(level):
    return dict(LanguageLevel.choices).get(level, "?")


# --- the tour and what else the officer is committed to over it ----------------------------------

# Deployment statuses that hold the officer; any other (completed, repatriated, cancelled) does not.
COMMITTING_STATUSES = (Deployment.Status.PLANNED, Deployment.Status.IN_MISSION)
# Where `commitment_prefetches` puts an officer's rows (read by `officer_commitments`).
DEPLOYMENTS_ATTR = "committing_deployments"
SELECTIONS_ATTR = "selected_applications"
PLANNED, IN_MISSION, SELECTED = "planned", "in_mission", "selected"


def tour(bulletin: Bulletin, *, today: date | None = None) -> tuple[date, date]:
    """The bulletin's tour, [start, end): from the deployment start for `duration_months`."""
    from .services.deployments import add_months  # roster.services imports this module

    start = bulletin.deployment_start or today or timezone.localdate()
    return start, add_months(start, bulletin.duration_months)


@dataclass(frozen=True)
class Commitment:
    """A deployment (planned or in mission) or a selection that holds the officer over [start, end)."""

    kind: str  # PLANNED, IN_MISSION or SELECTED
    start: date
    end: date
    mission: str
    bulletin_id: int | None = None  # the bulletin it comes from (a deployment's origin application's)
    reference: str = ""  # a selection's bulletin

    def overlaps(self, start: date, end: date) -> bool:
        """Half-open ranges: a tour may end on the day the next one begins."""
        return self.start < end and start < self.end

    @property
    def sentence(self) -> str:
        values = {"mission": self.mission, "start": self.start.isoformat(), "end": self.end.isoformat(),
                  "reference": self.reference}
        if self.kind == IN_MISSION:
            return _("In mission at %(mission)s until %(end)s.") % values
        if self.kind == PLANNED:
            return _("Planned for %(mission)s from %(start)s to %(end)s.") % values
        return _("Selected for %(reference)s (%(mission)s) from %(start)s to %(end)s.") % values


def committing_deployments() -> QuerySet[Deployment]:
    """Deployments that hold their officer (planned or in mission), with what a Commitment needs."""
    return (
        Deployment.objects.filter(status__in=COMMITTING_STATUSES)
        .select_related("mission")
        .annotate(origin_bulletin_id=F("application__bulletin_id"))
        .order_by("start_date", "id")
    )


def selected_applications() -> QuerySet[Application]:
    """Selections, with what a Commitment needs."""
    return (
        Application.objects.filter(status=ApplicationStatus.SELECTED)
        .select_related("bulletin", "bulletin__mission")
        .order_by("bulletin__deployment_start", "id")
    )


def commitment_prefetches(path: str = "") -> list[Prefetch]:
    """The prefetches that give `check` the officers' commitments: `path` is "" on an Officer
    queryset, "officer__" on an Application queryset. Two queries for the whole list."""
    return [
        Prefetch(f"{path}deployments", queryset=committing_deployments(), to_attr=DEPLOYMENTS_ATTR),
        Prefetch(f"{path}applications", queryset=selected_applications(), to_attr=SELECTIONS_ATTR),
    ]


def commitments_from(*, deployments, applications) -> list[Commitment]:
    """Commitments out of deployment rows (mission loaded) and application rows (bulletin and
    mission loaded); rows that do not commit the officer are skipped."""
    found = []
    for d in deployments:
        if d.status not in COMMITTING_STATUSES:
            continue
        start = getattr(d, "effective_start_date", None) or d.start_date  # the arrival, once recorded
        found.append(Commitment(
            kind=IN_MISSION if d.status == Deployment.Status.IN_MISSION else PLANNED,
            start=start, end=d.actual_end_date or d.planned_end_date, mission=d.mission.code,
            bulletin_id=getattr(d, "origin_bulletin_id", None),
        ))
    for a in applications:
        if a.status != ApplicationStatus.SELECTED:
            continue
        start, end = tour(a.bulletin)
        found.append(Commitment(kind=SELECTED, start=start, end=end, mission=a.bulletin.mission.code,
                                bulletin_id=a.bulletin_id, reference=a.bulletin.reference))
    return sorted(found, key=lambda c: (c.start, c.end))


def officer_commitments(officer: Officer) -> list[Commitment]:
    """The officer's commitments: from `commitment_prefetches` when the list prefetched them,
    else read now (two queries)."""
    deployments = getattr(officer, DEPLOYMENTS_ATTR, None)
    applications = getattr(officer, SELECTIONS_ATTR, None)
    if deployments is None:
        deployments = committing_deployments().filter(officer_id=officer.pk)
    if applications is None:
        applications = selected_applications().filter(officer_id=officer.pk)
    return commitments_from(deployments=deployments, applications=applications)


def availability(officer: Officer, bulletin: Bulletin, *, today: date | None = None, commitments=None) -> RuleResult:
    """Whether the officer is free over the bulletin's whole tour: no planned or current deployment
    and no selection on another bulletin overlapping it. The sentence names each clash."""
    start, end = tour(bulletin, today=today)
    if commitments is None:
        commitments = officer_commitments(officer)
    clashes = [c for c in commitments if c.bulletin_id != bulletin.pk and c.overlaps(start, end)]
    label = _("Availability over the tour")
    if clashes:
        return RuleResult(AVAILABILITY, label, FAIL, " ".join(c.sentence for c in clashes))
    return RuleResult(AVAILABILITY, label, PASS,
                      _("No other deployment or selection from %(start)s to %(end)s.")
                      % {"start": start.isoformat(), "end": end.isoformat()})


def check(
    officer: Officer, bulletin: Bulletin, *, today: date | None = None, clearances=None, commitments=None
) -> Eligibility:
    """Check every requirement. `clearances` and `commitments` (`officer_commitments`) may be passed,
    or prefetched (`commitment_prefetches`), to avoid queries."""
    today = today or timezone.localdate()
    start, end = tour(bulletin, today=today)
    results: list[RuleResult] = []

    # Years of service, on the deployment start
    if bulletin.min_years_service:
        label = _("Years of police service")
        years = officer.years_of_service(on=start)
        if years is None:
            results.append(RuleResult("service", label, UNKNOWN,
                                      _("Service start date unknown; this bulletin asks for %(n)d years.")
                                      % {"n": bulletin.min_years_service}))
        else:
            ok = years >= bulletin.min_years_service
            results.append(RuleResult("service", label, PASS if ok else FAIL,
                                      _("%(years)d years of service; this bulletin asks for %(n)d.")
                                      % {"years": years, "n": bulletin.min_years_service}))

    # Working language and level
    if bulletin.required_language:
        lang_name = bulletin.get_required_language_display()
        need = bulletin.min_language_level if bulletin.min_language_level is not None else LanguageLevel.INTERMEDIATE
        label = _("%(lang)s proficiency") % {"lang": lang_name}
        have = officer.language_level(bulletin.required_language)
        if have is None:
            results.append(RuleResult("language", label, UNKNOWN,
                                      _("%(lang)s level unknown; this bulletin asks for %(need)s.")
                                      % {"lang": lang_name, "need": _level_label(need)}))
        else:
            ok = have >= need
            results.append(RuleResult("language", label, PASS if ok else FAIL,
                                      _("%(lang)s level %(have)s; this bulletin asks for %(need)s.")
                                      % {"lang": lang_name, "have": _level_label(have), "need": _level_label(need)}))

    # Firearms (armed missions)
    if bulletin.requires_firearms:
        label = _("Firearms qualification")
        q = officer.firearms_qualified
        if q is None:
            results.append(RuleResult("firearms", label, UNKNOWN, _("Firearms qualification not recorded.")))
        else:
            results.append(RuleResult("firearms", label, PASS if q else FAIL,
                                      _("Firearms qualified.") if q else
                                      _("Not firearms qualified; this armed mission requires it.")))

    # Manual transmission
    if bulletin.requires_manual_driving:
        label = _("Manual transmission driving")
        d = officer.manual_driving
        if d is None:
            results.append(RuleResult("driving", label, UNKNOWN, _("Manual driving not recorded.")))
        else:
            results.append(RuleResult("driving", label, PASS if d else FAIL,
                                      _("Drives a manual transmission.") if d else
                                      _("Does not drive a manual transmission; this bulletin requires it.")))

    # Age on the deployment start
    if bulletin.min_age or bulletin.max_age:
        label = _("Age at deployment")
        age = officer.age(on=start)
        if age is None:
            results.append(RuleResult("age", label, UNKNOWN, _("Date of birth unknown.")))
        else:
            too_young = bulletin.min_age is not None and age < bulletin.min_age
            too_old = bulletin.max_age is not None and age >= bulletin.max_age
            if too_young:
                reason = _("%(age)d years old at deployment; the minimum is %(min)d.") % {
                    "age": age, "min": bulletin.min_age}
            elif too_old:
                reason = _("%(age)d years old at deployment; applicants must be under %(max)d.") % {
                    "age": age, "max": bulletin.max_age}
            else:
                reason = _("%(age)d years old at deployment.") % {"age": age}
            results.append(RuleResult("age", label, FAIL if (too_young or too_old) else PASS, reason))

    # Clearances valid through the tour's planned end (the deployment service asks the same)
    if bulletin.required_clearances:
        held = {c.kind: c for c in (clearances if clearances is not None else officer.clearances.all())}
        kinds = dict(Clearance.Kind.choices)
        for kind in bulletin.required_clearances:
            name = str(kinds.get(kind, kind))
            c = held.get(kind)
            if c is None:
                results.append(RuleResult(f"clearance:{kind}", name, FAIL, _("No %(name)s on file.") % {"name": name}))
            elif c.valid_until < start:
                results.append(RuleResult(
                    f"clearance:{kind}", name, FAIL,
                    _("%(name)s expires on %(date)s, before the deployment start (%(start)s).")
                    % {"name": name, "date": c.valid_until.isoformat(), "start": start.isoformat()}))
            elif c.valid_until < end:
                results.append(RuleResult(
                    f"clearance:{kind}", name, FAIL,
                    _("%(name)s valid until %(date)s, before the tour ends on %(end)s.")
                    % {"name": name, "date": c.valid_until.isoformat(), "end": end.isoformat()}))
            else:
                results.append(RuleResult(
                    f"clearance:{kind}", name, PASS,
                    _("%(name)s valid until %(date)s.") % {"name": name, "date": c.valid_until.isoformat()}))

    # Not committed elsewhere over the tour
    results.append(availability(officer, bulletin, today=today, commitments=commitments))
    return Eligibility(results)
