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

import functools
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

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


@functools.lru_cache(maxsize=16)
def _sentences(language: str) -> SimpleNamespace:
    """Every label and sentence template of the rules, translated in `language` once per process
    (the catalogues do not change while it runs): a list of bulletins checks each row with no
    translation lookup."""
    with translation.override(language or None):
        return SimpleNamespace(
            service_label=_("Years of police service"),
            service_unknown=_("Service start date unknown; this bulletin asks for %(n)d years."),
            service_reason=_("%(years)d years of service; this bulletin asks for %(n)d."),
            levels={level: str(label) for level, label in LanguageLevel.choices},
            language_label=_("%(lang)s proficiency"),
            language_unknown=_("%(lang)s level unknown; this bulletin asks for %(need)s."),
            language_reason=_("%(lang)s level %(have)s; this bulletin asks for %(need)s."),
            firearms=(_("Firearms qualification"), _("Firearms qualification not recorded."),
                      _("Firearms qualified."), _("Not firearms qualified; this armed mission requires it.")),
            driving=(_("Manual transmission driving"), _("Manual driving not recorded."),
                     _("Drives a manual transmission."),
                     _("Does not drive a manual transmission; this bulletin requires it.")),
            age_label=_("Age at deployment"),
            age_unknown=_("Date of birth unknown."),
            age_young=_("%(age)d years old at deployment; the minimum is %(min)d."),
            age_old=_("%(age)d years old at deployment; applicants must be under %(max)d."),
            age_ok=_("%(age)d years old at deployment."),
            clearance_kinds={kind: str(label) for kind, label in Clearance.Kind.choices},
            clearance_missing=_("No %(name)s on file."),
            clearance_before_start=_("%(name)s expires on %(date)s, before the deployment start (%(start)s)."),
            clearance_before_end=_("%(name)s valid until %(date)s, before the tour ends on %(end)s."),
            clearance_ok=_("%(name)s valid until %(date)s."),
            availability_label=_("Availability over the tour"),
            available=_("No other deployment or selection from %(start)s to %(end)s."),
        )


class Rules:
    """A bulletin's requirements made ready once (its tour, and every label and sentence template
    translated in the current language) to check one officer or many: `check` builds one per call,
    a list page one per page (`check_many`), so the per-officer work is a few comparisons and
    string formats, with no translation lookup and no query."""

    def __init__(self, bulletin: Bulletin, *, today: date | None = None):
        self.bulletin = bulletin
        self.today = today or timezone.localdate()
        self.start, self.end = tour(bulletin, today=self.today)
        b = bulletin
        t = _sentences(get_language() or "")
        if b.min_years_service:
            self.service_label = t.service_label
            self.service_unknown = t.service_unknown % {"n": b.min_years_service}
            self.service_reason = t.service_reason
        if b.required_language:
            self.lang_name = b.get_required_language_display()
            self.need = b.min_language_level if b.min_language_level is not None else LanguageLevel.INTERMEDIATE
            self.levels = t.levels
            self.language_label = t.language_label % {"lang": self.lang_name}
            self.language_unknown = t.language_unknown % {
                "lang": self.lang_name, "need": self.levels.get(self.need, "?")}
            self.language_reason = t.language_reason
        if b.requires_firearms:
            self.firearms = t.firearms
        if b.requires_manual_driving:
            self.driving = t.driving
        if b.min_age or b.max_age:
            self.age_label, self.age_unknown = t.age_label, t.age_unknown
            self.age_young, self.age_old, self.age_ok = t.age_young, t.age_old, t.age_ok
        if b.required_clearances:
            self.clearances = [(kind, t.clearance_kinds.get(kind, kind)) for kind in b.required_clearances]
            self.clearance_missing = t.clearance_missing
            self.clearance_before_start = t.clearance_before_start
            self.clearance_before_end = t.clearance_before_end
            self.clearance_ok = t.clearance_ok
        self.availability_label = t.availability_label
        self.available = t.available % {"start": self.start.isoformat(), "end": self.end.isoformat()}

    def availability(self, officer: Officer, *, commitments=None) -> RuleResult:
        start, end = self.start, self.end
        if commitments is None:
            commitments = officer_commitments(officer)
        clashes = [c for c in commitments if c.bulletin_id != self.bulletin.pk and c.overlaps(start, end)]
        if clashes:
            return RuleResult(AVAILABILITY, self.availability_label, FAIL, " ".join(c.sentence for c in clashes))
        return RuleResult(AVAILABILITY, self.availability_label, PASS, self.available)

    def check(self, officer: Officer, *, clearances=None, commitments=None) -> Eligibility:
        bulletin, start, end = self.bulletin, self.start, self.end
        results: list[RuleResult] = []

        # Years of service, on the deployment start
        if bulletin.min_years_service:
            years = officer.years_of_service(on=start)
            if years is None:
                results.append(RuleResult("service", self.service_label, UNKNOWN, self.service_unknown))
            else:
                ok = years >= bulletin.min_years_service
                results.append(RuleResult("service", self.service_label, PASS if ok else FAIL,
                                          self.service_reason % {"years": years, "n": bulletin.min_years_service}))

        # Working language and level
        if bulletin.required_language:
            have = officer.language_level(bulletin.required_language)
            if have is None:
                results.append(RuleResult("language", self.language_label, UNKNOWN, self.language_unknown))
            else:
                ok = have >= self.need
                reason = self.language_reason % {
                    "lang": self.lang_name, "have": self.levels.get(have, "?"), "need": self.levels.get(self.need, "?")}
                results.append(RuleResult("language", self.language_label, PASS if ok else FAIL, reason))

        # Firearms (armed missions), manual transmission: a yes/no on file, or not recorded
        if bulletin.requires_firearms:
            results.append(_yes_no("firearms", self.firearms, officer.firearms_qualified))
        if bulletin.requires_manual_driving:
            results.append(_yes_no("driving", self.driving, officer.manual_driving))

        # Age on the deployment start
        if bulletin.min_age or bulletin.max_age:
            age = officer.age(on=start)
            if age is None:
                results.append(RuleResult("age", self.age_label, UNKNOWN, self.age_unknown))
            else:
                too_young = bulletin.min_age is not None and age < bulletin.min_age
                too_old = bulletin.max_age is not None and age >= bulletin.max_age
                if too_young:
                    reason = self.age_young % {"age": age, "min": bulletin.min_age}
                elif too_old:
                    reason = self.age_old % {"age": age, "max": bulletin.max_age}
                else:
                    reason = self.age_ok % {"age": age}
                results.append(RuleResult("age", self.age_label, FAIL if (too_young or too_old) else PASS, reason))

        # Clearances valid through the tour's planned end (the deployment service asks the same)
        if bulletin.required_clearances:
            held = {c.kind: c for c in (clearances if clearances is not None else officer.clearances.all())}
            for kind, name in self.clearances:
                c = held.get(kind)
                rule = f"clearance:{kind}"
                if c is None:
                    results.append(RuleResult(rule, name, FAIL, self.clearance_missing % {"name": name}))
                elif c.valid_until < start:
                    results.append(RuleResult(rule, name, FAIL, self.clearance_before_start % {
                        "name": name, "date": c.valid_until.isoformat(), "start": start.isoformat()}))
                elif c.valid_until < end:
                    results.append(RuleResult(rule, name, FAIL, self.clearance_before_end % {
                        "name": name, "date": c.valid_until.isoformat(), "end": end.isoformat()}))
                else:
                    results.append(RuleResult(rule, name, PASS, self.clearance_ok % {
                        "name": name, "date": c.valid_until.isoformat()}))

        # Not committed elsewhere over the tour
        results.append(self.availability(officer, commitments=commitments))
        return Eligibility(results)


def _yes_no(rule: str, texts: tuple[str, str, str, str], value: bool | None) -> RuleResult:
    """A requirement the officer meets when `value` is true; `texts`: (label, not recorded, yes, no)."""
    label, unknown, yes, no = texts
    if value is None:
        return RuleResult(rule, label, UNKNOWN, unknown)
    return RuleResult(rule, label, PASS if value else FAIL, yes if value else no)


def availability(officer: Officer, bulletin: Bulletin, *, today: date | None = None, commitments=None) -> RuleResult:
    """Whether the officer is free over the bulletin's whole tour: no planned or current deployment
    and no selection on another bulletin overlapping it. The sentence names each clash."""
    return Rules(bulletin, today=today).availability(officer, commitments=commitments)


def check(
    officer: Officer, bulletin: Bulletin, *, today: date | None = None, clearances=None, commitments=None
) -> Eligibility:
    """Check every requirement. `clearances` and `commitments` (`officer_commitments`) may be passed,
    or prefetched (`commitment_prefetches`), to avoid queries."""
    return Rules(bulletin, today=today).check(officer, clearances=clearances, commitments=commitments)


def check_many(officers, bulletin: Bulletin, *, today: date | None = None) -> dict[int, Eligibility]:
    """`check` for many officers against one bulletin: {officer id: Eligibility}. Three queries
    for the whole list, whatever its length (the officers' clearances, their deployments that
    commit them, their selections), read straight into lists (no related manager per officer), and
    the bulletin's labels and sentences made ready once (`Rules`). For a page, pass only its rows'
    officers: nothing else is read or evaluated."""
    officers = list(officers)
    ids = {o.pk for o in officers}
    if not ids:
        return {}
    clearances: dict[int, list] = {pk: [] for pk in ids}
    for c in Clearance.objects.filter(officer_id__in=ids).values_list("officer_id", "kind", "valid_until", named=True):
        clearances[c.officer_id].append(c)  # a row with .kind and .valid_until, all `check` reads
    deployments: dict[int, list] = {pk: [] for pk in ids}
    for d in committing_deployments().filter(officer_id__in=ids):
        deployments[d.officer_id].append(d)
    selections: dict[int, list] = {pk: [] for pk in ids}
    for a in selected_applications().filter(officer_id__in=ids):
        selections[a.officer_id].append(a)
    rules = Rules(bulletin, today=today)
    return {
        o.pk: rules.check(o, clearances=clearances[o.pk], commitments=commitments_from(
            deployments=deployments[o.pk], applications=selections[o.pk]))
        for o in officers
    }
