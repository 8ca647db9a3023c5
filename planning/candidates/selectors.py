"""Reads for "who could go?": counts over every partner agency's active officers (IPO staff: counts and
per-agency figures, never names), the same limited to one agency (its coordinator, with names: the
officers `officer_visible_to` already lets them see), the what-if of a changed draft, the gender balance
of the open bulletins, and the per-agency counts of the publication notice. Each is a constant number of
queries (evaluate.Population.load: four, plus the talent pool and the names of agencies)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from agencies.models import Agency, LanguageLevel, Officer
from agencies.selectors import officer_visible_to
from missions.models import Bulletin
from missions.selectors import bulletins_open
from planning.pool.selectors import pool_officer_ids
from roster.models import Application

from .evaluate import AGENCY, ENGLISH, FRENCH, GENDER, ID, RANK, WOMAN, Outcome, Population, evaluate, rule_labels


def _rules():
    return settings.ROSTER


def clearance_kinds_of(*bulletins: Bulletin) -> set[str]:
    kinds: set[str] = set()
    for b in bulletins:
        kinds.update(b.required_clearances or ())
    return kinds


@dataclass
class Figures:
    """One row of a breakdown: officers counted, those meeting every requirement, those failing one rule."""

    officers: int = 0
    eligible: int = 0
    one_away: int = 0
    eligible_women: int = 0


@dataclass
class Summary:
    bulletin: Bulletin
    start: date
    end: date
    officers: int = 0
    eligible: int = 0
    eligible_women: int = 0
    eligible_missing_data: int = 0
    one_away: int = 0
    in_pool: int = 0
    one_away_in_pool: int = 0
    # rule key -> officers failing only that rule; labels: rule key -> label (active language)
    one_rule: dict[str, int] = field(default_factory=dict)
    one_rule_women: dict[str, int] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    # dimension -> {value: Figures}
    breakdowns: dict[str, dict] = field(default_factory=dict)
    # the officers meeting every requirement (ids): what a coordinator's list and a what-if compare
    eligible_ids: set[int] = field(default_factory=set)

    @property
    def women_share(self) -> float | None:
        return 100 * self.eligible_women / self.eligible if self.eligible else None

    def rule_rows(self) -> list[dict]:
        """The rules, each with how many officers fail only it, most first."""
        rows = [{"key": k, "label": self.labels.get(k, k), "count": n, "women": self.one_rule_women.get(k, 0)}
                for k, n in self.one_rule.items()]
        return sorted(rows, key=lambda r: (-r["count"], str(r["label"])))


BREAKDOWNS = ("agency", "gender", "french", "english", "rank")


def summarise(population: Population, outcome: Outcome, bulletin: Bulletin, *, pool: set[int] | None = None,
              labels: dict[str, str] | None = None, breakdowns: bool = True) -> Summary:
    """The counts of one outcome, in one pass over the officers."""
    s = Summary(bulletin=bulletin, start=outcome.start, end=outcome.end, labels=labels or {})
    pool = pool or set()
    one_rule, one_rule_women = Counter(), Counter()
    dims = {name: {} for name in BREAKDOWNS} if breakdowns else {}
    single = outcome.single_rule
    for o, mask, missing in zip(population.officers, outcome.masks, outcome.unknown, strict=True):
        woman = o[GENDER] == WOMAN
        s.officers += 1
        rule = None
        if mask == 0:
            s.eligible += 1
            s.eligible_ids.add(o[ID])
            if woman:
                s.eligible_women += 1
            if missing:
                s.eligible_missing_data += 1
            if o[ID] in pool:
                s.in_pool += 1
        else:
            rule = single(mask)
            if rule is not None:
                s.one_away += 1
                one_rule[rule] += 1
                if woman:
                    one_rule_women[rule] += 1
                if o[ID] in pool:
                    s.one_away_in_pool += 1
        if dims:
            for name, value in (("agency", o[AGENCY]), ("gender", o[GENDER]), ("french", o[FRENCH]),
                                ("english", o[ENGLISH]), ("rank", o[RANK])):
                f = dims[name].get(value)
                if f is None:
                    f = dims[name][value] = Figures()
                f.officers += 1
                if mask == 0:
                    f.eligible += 1
                    if woman:
                        f.eligible_women += 1
                elif rule is not None:
                    f.one_away += 1
    s.one_rule, s.one_rule_women, s.breakdowns = dict(one_rule), dict(one_rule_women), dims
    return s


def who_could_go(bulletin: Bulletin, *, today: date | None = None, population: Population | None = None,
                 breakdowns: bool = True) -> Summary:
    """Every partner agency's active officers against the bulletin: how many meet every requirement,
    how many fail one rule (and which), broken down; how many of them are in the talent pool (available
    by the tour's start). Six queries, whatever the number of officers."""
    today = today or timezone.localdate()
    if population is None:
        population = Population.load(clearance_kinds=clearance_kinds_of(bulletin))
    outcome = evaluate(population, bulletin, today=today)
    pool = pool_officer_ids(by=outcome.start)
    return summarise(population, outcome, bulletin, pool=pool, labels=rule_labels(bulletin, today=today),
                     breakdowns=breakdowns)


# --- labels of the breakdowns (one query for the agencies' names) -----------------------------------------

def breakdown_tables(summary: Summary) -> list[dict]:
    """The breakdowns as tables: a caption, and rows (label, Figures) in a stable order."""
    from django.utils.translation import gettext as _

    agency_ids = [pk for pk in summary.breakdowns.get("agency", {}) if pk is not None]
    names = {a.pk: a.name for a in Agency.objects.filter(pk__in=agency_ids).only("pk", "name_en", "name_fr")}
    levels = dict(LanguageLevel.choices)
    unknown = _("Not recorded")

    def level(v):
        return str(levels.get(v, unknown)) if v is not None else unknown

    specs = [
        ("agency", _("By agency"), lambda v: names.get(v, "?"), lambda k: str(names.get(k, ""))),
        ("gender", _("By gender"), lambda v: str(dict(Officer.Gender.choices).get(v, v)),
         lambda k: list(Officer.Gender.values).index(k) if k in Officer.Gender.values else 99),
        ("french", _("By French level"), level, lambda k: -1 if k is None else k),
        ("english", _("By English level"), level, lambda k: -1 if k is None else k),
        ("rank", _("By rank"), lambda v: str(dict(Officer.Rank.choices).get(v, v)),
         lambda k: list(Officer.Rank.values).index(k) if k in Officer.Rank.values else 99),
    ]
    tables = []
    for key, caption, label, order in specs:
        values = summary.breakdowns.get(key, {})
        rows = [{"label": label(v), "figures": f} for v, f in sorted(values.items(), key=lambda kv: order(kv[0]))]
        tables.append({"key": key, "caption": caption, "rows": rows})
    return tables


# --- a coordinator: their agency's officers ----------------------------------------------------------------

def agency_candidates(user, bulletin: Bulletin, *, today: date | None = None) -> dict:
    """The coordinator's agency: its counts (as IPO staff's, limited to the agency) and the officers
    meeting every requirement, each with `has_applied`, by name. Officers come from `officer_visible_to`
    (the coordinator's own agency only). A constant number of queries."""
    today = today or timezone.localdate()
    officers_qs = officer_visible_to(user).filter(is_active=True, anonymised_at__isnull=True)
    population = Population.load(officers=officers_qs, clearance_kinds=clearance_kinds_of(bulletin))
    outcome = evaluate(population, bulletin, today=today)
    pool = pool_officer_ids(by=outcome.start)
    summary = summarise(population, outcome, bulletin, pool=pool, labels=rule_labels(bulletin, today=today),
                        breakdowns=False)
    return {"summary": summary, "eligible_ids": summary.eligible_ids}


def eligible_officers_page_queryset(user, bulletin: Bulletin, ids):
    """The coordinator's officers among `ids`, by name, each with `has_applied` (for one page)."""
    return (
        officer_visible_to(user).filter(pk__in=list(ids))
        .annotate(has_applied=Exists(Application.objects.filter(bulletin_id=bulletin.pk, officer_id=OuterRef("pk"))))
        .order_by("last_name", "first_name", "id")
    )


# --- the publication notice: each agency's count -------------------------------------------------------

def eligible_per_agency(bulletin: Bulletin, agency_ids, *, today: date | None = None) -> dict[int, int]:
    """{agency id: its active officers meeting every requirement}, for these agencies (0 included).
    Five queries whatever the number of agencies and officers."""
    agency_ids = [a for a in set(agency_ids) if a is not None]
    if not agency_ids:
        return {}
    population = Population.load(officers=_agency_officers(agency_ids), clearance_kinds=clearance_kinds_of(bulletin))
    outcome = evaluate(population, bulletin, today=today)
    counts = dict.fromkeys(agency_ids, 0)
    for o, mask in zip(population.officers, outcome.masks, strict=True):
        if mask == 0:
            counts[o[AGENCY]] = counts.get(o[AGENCY], 0) + 1
    return counts


def _agency_officers(agency_ids):
    return Officer.objects.filter(is_active=True, anonymised_at__isnull=True, agency_id__in=agency_ids)


# --- the gender balance of the open bulletins ----------------------------------------------------------

@dataclass
class Balance:
    bulletin: Bulletin
    eligible: int
    eligible_women: int
    applicants: int
    applicant_women: int
    flagged: bool

    @property
    def eligible_share(self) -> float | None:
        return 100 * self.eligible_women / self.eligible if self.eligible else None

    @property
    def applicant_share(self) -> float | None:
        return 100 * self.applicant_women / self.applicants if self.applicants else None


def is_flagged(*, eligible: int, eligible_women: int, applicants: int, applicant_women: int) -> bool:
    """Women are eligible but not applying: at least CANDIDATES_FLAG_MIN_ELIGIBLE_WOMEN eligible women,
    making at least CANDIDATES_FLAG_ELIGIBLE_SHARE % of the eligible officers, at least
    CANDIDATES_FLAG_MIN_APPLICANTS applicants, and a share of women among the applicants below
    CANDIDATES_FLAG_APPLICANT_RATIO % of their share among the eligible."""
    r = _rules()
    if eligible_women < r["CANDIDATES_FLAG_MIN_ELIGIBLE_WOMEN"] or not eligible:
        return False
    if applicants < r["CANDIDATES_FLAG_MIN_APPLICANTS"]:
        return False
    eligible_share = eligible_women / eligible
    if eligible_share * 100 < r["CANDIDATES_FLAG_ELIGIBLE_SHARE"]:
        return False
    return applicant_women / applicants < eligible_share * r["CANDIDATES_FLAG_APPLICANT_RATIO"] / 100


def gender_balance(*, today: date | None = None, limit: int | None = None) -> list[Balance]:
    """Each open bulletin (closing soonest first; at most `limit`): the share of women among the officers
    meeting every requirement and among its applicants (every application received, whatever its
    status), and whether it is flagged (`is_flagged`). One load of the officers, reused for every
    bulletin: seven queries whatever the number of bulletins and officers."""
    today = today or timezone.localdate()
    qs = bulletins_open().select_related("mission").order_by("closes_at", "pk").annotate(
        n_applicants=Count("applications"),
        n_applicant_women=Count("applications", filter=Q(applications__officer__gender=WOMAN)),
    )
    bulletins = list(qs[:limit] if limit else qs)
    if not bulletins:
        return []
    population = Population.load(clearance_kinds=clearance_kinds_of(*bulletins))
    women = [o[GENDER] == WOMAN for o in population.officers]
    rows = []
    for b in bulletins:
        outcome = evaluate(population, b, today=today)
        eligible = eligible_women = 0
        for mask, woman in zip(outcome.masks, women, strict=True):
            if mask == 0:
                eligible += 1
                eligible_women += woman
        figures = dict(eligible=eligible, eligible_women=eligible_women, applicants=b.n_applicants,
                       applicant_women=b.n_applicant_women)
        rows.append(Balance(bulletin=b, flagged=is_flagged(**figures), **figures))
    return rows
