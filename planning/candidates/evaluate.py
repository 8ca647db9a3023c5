"""Many officers against a bulletin's requirements in one pass: the rules of roster.eligibility, made
into a few comparisons per officer, with no query and no sentence per officer.

`Population.load()` reads the officers (one query), their clearances of the kinds asked (one query) and
what commits them elsewhere (planned or current deployments, selections: two queries), as plain tuples.
`evaluate(population, bulletin)` then gives each officer a bit mask of the rules they fail, with the
same rule keys and the same outcomes as `roster.eligibility.check` (a test compares the two on varied
data): a rule is failed only when the data says so; missing data is "unknown", not a failure. One
population serves any number of bulletins (the gender balance of every open bulletin, a what-if).

The thresholds are computed once per bulletin: "at least n whole years on the tour's start" is "born
(or in service) on or before the day n years before the start", a date comparison per officer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from agencies.models import Clearance, LanguageLevel, Officer
from missions.models import Bulletin
from roster.eligibility import AVAILABILITY, COMMITTING_STATUSES, Rules, tour
from roster.models import Application, ApplicationStatus, Deployment

# One officer: the fields the rules and the breakdowns read, in this order.
FIELDS = ("id", "agency_id", "gender", "rank", "english_level", "french_level", "date_of_birth",
          "service_start", "manual_driving", "firearms_qualified")
ID, AGENCY, GENDER, RANK, ENGLISH, FRENCH, BIRTH, SERVICE, DRIVING, FIREARMS = range(len(FIELDS))
WOMAN = Officer.Gender.WOMAN


def active_officers():
    """Who "who could go?" counts: active officers of the partner agencies, not anonymised."""
    return Officer.objects.filter(is_active=True, agency__is_partner=True, anonymised_at__isnull=True)


@dataclass
class Population:
    officers: list[tuple]
    clearances: dict[int, dict[str, date]] = field(default_factory=dict)
    # officer id -> [(start, end, bulletin id or None)]: what holds the officer elsewhere
    commitments: dict[int, list[tuple]] = field(default_factory=dict)

    @classmethod
    def load(cls, *, officers=None, clearance_kinds=None) -> Population:
        """Four queries, whatever the number of officers. `officers`: a queryset of Officer (default:
        `active_officers()`); `clearance_kinds`: the kinds to read (default: every kind)."""
        qs = active_officers() if officers is None else officers
        rows = list(qs.order_by("pk").values_list(*FIELDS))
        ids = qs.values("pk")
        clearances: dict[int, dict[str, date]] = {}
        if clearance_kinds is None or clearance_kinds:
            cq = Clearance.objects.filter(officer_id__in=ids)
            if clearance_kinds is not None:
                cq = cq.filter(kind__in=sorted(clearance_kinds))
            for officer_id, kind, valid_until in cq.values_list("officer_id", "kind", "valid_until"):
                clearances.setdefault(officer_id, {})[kind] = valid_until
        commitments: dict[int, list[tuple]] = {}
        for officer_id, start, arrival, planned_end, actual_end, bulletin_id in (
            Deployment.objects.filter(officer_id__in=ids, status__in=COMMITTING_STATUSES).values_list(
                "officer_id", "start_date", "actual_start_date", "planned_end_date", "actual_end_date",
                "application__bulletin_id")
        ):
            commitments.setdefault(officer_id, []).append((arrival or start, actual_end or planned_end, bulletin_id))
        for officer_id, bulletin_id, start, months in Application.objects.filter(
            officer_id__in=ids, status=ApplicationStatus.SELECTED
        ).values_list("officer_id", "bulletin_id", "bulletin__deployment_start", "bulletin__duration_months"):
            begin, end = tour(Bulletin(pk=bulletin_id, deployment_start=start, duration_months=months))
            commitments.setdefault(officer_id, []).append((begin, end, bulletin_id))
        return cls(officers=rows, clearances=clearances, commitments=commitments)

    def __post_init__(self):
        self._columns: dict = {}
        self._clearance_columns: dict = {}
        self.position = {o[ID]: i for i, o in enumerate(self.officers)}

    def column(self, index: int) -> list:
        """One field of every officer, in order (made once per population)."""
        if index not in self._columns:
            self._columns[index] = [o[index] for o in self.officers]
        return self._columns[index]

    def clearance_column(self, kind: str) -> list:
        """Each officer's valid-until date of a clearance kind, or None, in order (made once per population)."""
        if kind not in self._clearance_columns:
            held, none = self.clearances, {}
            self._clearance_columns[kind] = [held.get(o[ID], none).get(kind) for o in self.officers]
        return self._clearance_columns[kind]


def years_before(day: date, years: int) -> date:
    """The last birth (or service start) date that gives at least `years` whole years on `day`
    (agencies.models._whole_years): `day` moved back `years` years, 29 February becoming the 28th."""
    year = max(day.year - years, 1)
    try:
        return date(year, day.month, day.day)
    except ValueError:
        return date(year, day.month, 28)


def rule_keys(bulletin: Bulletin) -> list[str]:
    """The rules `roster.eligibility.check` applies to this bulletin, in its order."""
    keys = []
    if bulletin.min_years_service:
        keys.append("service")
    if bulletin.required_language:
        keys.append("language")
    if bulletin.requires_firearms:
        keys.append("firearms")
    if bulletin.requires_manual_driving:
        keys.append("driving")
    if bulletin.min_age or bulletin.max_age:
        keys.append("age")
    keys += [f"clearance:{kind}" for kind in dict.fromkeys(bulletin.required_clearances or ())]
    keys.append(AVAILABILITY)
    return keys


def rule_labels(bulletin: Bulletin, *, today: date | None = None) -> dict[str, str]:
    """Each rule's label, as the eligibility page says it (roster.eligibility.Rules), in the active language."""
    rules = Rules(bulletin, today=today)
    labels = {AVAILABILITY: rules.availability_label}
    if bulletin.min_years_service:
        labels["service"] = rules.service_label
    if bulletin.required_language:
        labels["language"] = rules.language_label
    if bulletin.requires_firearms:
        labels["firearms"] = rules.firearms[0]
    if bulletin.requires_manual_driving:
        labels["driving"] = rules.driving[0]
    if bulletin.min_age or bulletin.max_age:
        labels["age"] = rules.age_label
    for kind, name in getattr(rules, "clearances", ()):
        labels[f"clearance:{kind}"] = name
    return labels


@dataclass
class Outcome:
    """Each officer's failed rules as a bit mask (bit i: `keys[i]`), and whether a rule could not be
    checked (data missing), aligned with `population.officers`."""

    keys: list[str]
    masks: list[int]
    unknown: list[bool]
    start: date
    end: date

    def failed(self, index: int) -> set[str]:
        mask = self.masks[index]
        return {key for bit, key in enumerate(self.keys) if mask >> bit & 1}

    def single_rule(self, mask: int) -> str | None:
        """The one rule of a mask with exactly one bit set, else None."""
        if mask and not mask & (mask - 1):
            return self.keys[mask.bit_length() - 1]
        return None


def evaluate(population: Population, bulletin: Bulletin, *, today: date | None = None) -> Outcome:
    """Every officer of `population` against `bulletin` (saved or not: a what-if is an unsaved copy
    with its pk, so the bulletin's own selections never count as a clash). No query. Rule by rule over
    the population's columns (a list comprehension each), then the few officers with commitments."""
    today = today or timezone.localdate()
    start, end = tour(bulletin, today=today)
    keys = rule_keys(bulletin)
    bit = {key: 1 << i for i, key in enumerate(keys)}
    b = bulletin
    n = len(population.officers)
    masks, unknown = [0] * n, [False] * n

    def fail(rule_bit, failed):
        return [m | rule_bit if f else m for m, f in zip(masks, failed, strict=True)]

    def missing(column):
        return [u or v is None for u, v in zip(unknown, column, strict=True)]

    if b.min_years_service:
        cut, column = years_before(start, b.min_years_service), population.column(SERVICE)
        masks = fail(bit["service"], [v is not None and v > cut for v in column])
        unknown = missing(column)
    if b.required_language:
        need = b.min_language_level if b.min_language_level is not None else LanguageLevel.INTERMEDIATE
        column = population.column(ENGLISH if b.required_language == "en" else FRENCH)
        masks = fail(bit["language"], [v is not None and v < need for v in column])
        unknown = missing(column)
    for required, key, index in ((b.requires_firearms, "firearms", FIREARMS),
                                 (b.requires_manual_driving, "driving", DRIVING)):
        if required:
            column = population.column(index)
            masks = fail(bit[key], [v is not None and not v for v in column])
            unknown = missing(column)
    if b.min_age or b.max_age:
        column = population.column(BIRTH)
        young = years_before(start, b.min_age) if b.min_age is not None else None
        old = years_before(start, b.max_age) if b.max_age is not None else None
        masks = fail(bit["age"], [
            v is not None and ((young is not None and v > young) or (old is not None and v <= old)) for v in column])
        unknown = missing(column)
    for key in keys:
        if key.startswith("clearance:"):
            column = population.clearance_column(key.split(":", 1)[1])
            masks = fail(bit[key], [v is None or v < end for v in column])
    availability, pk, position = bit[AVAILABILITY], bulletin.pk, population.position
    for officer_id, commitments in population.commitments.items():
        index = position.get(officer_id)
        if index is not None and any(c_bulletin != pk and c_start < end and start < c_end
                                     for c_start, c_end, c_bulletin in commitments):
            masks[index] |= availability
    return Outcome(keys=keys, masks=masks, unknown=unknown, start=start, end=end)
