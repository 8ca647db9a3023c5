"""The impact report: the return questionnaires in aggregate, for the program (IPO staff) or one
agency (its coordinators; IPO staff may pick one).

Privacy rule (k-anonymity, k = ROSTER["IMPACT_MIN_ANSWERS"], never fewer than 5):
- a figure is shown only when at least k answers back it; every question is compulsory (except the
  comments), so each figure of a selection is backed by the number of answers in it;
- in the table over time, a fiscal year with fewer than k answers is hidden, and when the hidden
  years hold fewer than k answers together while the total is shown, the smallest shown years are
  hidden too, until the hidden ones hold k or more (else subtracting the shown years from the total
  would give the hidden ones away); a year hidden so is `withheld`: not even its count is shown;
- the same goes for the agencies IPO staff may pick (the program's figures minus the shown agencies'
  must never give away fewer than k answers), and an agency's figures are not broken down by year
  for IPO staff (the program's years minus an agency's would give away the other agencies' years);
- answers are never listed one by one, and the officers' names, agencies and missions never appear;
- comments: never shown to coordinators; IPO staff read only the comments the officer agreed to
  share, without any detail of who wrote them or when (alphabetical order), and only when the
  selection holds k answers or more.
One query for the figures (grouped by fiscal year), one more for IPO staff's comments, and one more
for the answers per agency when IPO staff pick one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from agencies.permissions import is_ipo_staff

from .models import SKILLS, Responsibilities, ReturnQuestionnaire, SupportScale, YesNo
from .permissions import can_read_impact_comments
from .selectors import answers_in_scope, min_answers

COMMENTS_SHOWN = 100


def _aggregates() -> dict:
    exprs = {"n": Count("pk"), "support_sum": Sum("support")}
    for skill in SKILLS:
        exprs[f"{skill}_sum"] = Sum(skill)
        exprs[f"{skill}_high"] = Count("pk", filter=Q(**{f"{skill}__gte": 4}))
    for value in Responsibilities.values:
        exprs[f"resp_{value}"] = Count("pk", filter=Q(responsibilities=value))
    for value in SupportScale.values:
        exprs[f"support_{value}"] = Count("pk", filter=Q(support=value))
    for value in YesNo.values:
        exprs[f"go_{value}"] = Count("pk", filter=Q(go_again=value))
        exprs[f"rec_{value}"] = Count("pk", filter=Q(recommend=value))
    return exprs


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _mean(total: int, n: int) -> float:
    return round(total / n, 1) if n else 0.0


@dataclass
class Figures:
    """The figures of one selection (the whole report, or one fiscal year)."""

    n: int
    shown: bool
    year: int | None = None  # the fiscal year's first year; None for the whole selection
    # hidden although k answers or more back it, so that a smaller group cannot be worked out from the total
    withheld: bool = False
    skills: list[dict] = field(default_factory=list)  # key, label, mean (1-5), high (% considerably or greatly)
    skills_mean: float = 0.0
    responsibilities: list[dict] = field(default_factory=list)  # key, label, count, share
    more_share: float = 0.0  # more or much more than at home
    support_mean: float = 0.0
    support_good: float = 0.0  # good or excellent
    support: list[dict] = field(default_factory=list)
    go_again: dict = field(default_factory=dict)  # yes, unsure, no: shares
    recommend: dict = field(default_factory=dict)


def figures_of(sums: dict, *, k: int) -> Figures:
    n = sums.get("n") or 0
    if n < k:
        return Figures(n=n, shown=False)
    labels = {name: ReturnQuestionnaire._meta.get_field(name).verbose_name for name in SKILLS}
    skills = [
        {"key": s, "label": labels[s], "mean": _mean(sums[f"{s}_sum"], n), "high": _share(sums[f"{s}_high"], n)}
        for s in SKILLS
    ]
    return Figures(
        n=n,
        shown=True,
        skills=skills,
        skills_mean=_mean(sum(sums[f"{s}_sum"] for s in SKILLS), n * len(SKILLS)),
        responsibilities=[
            {"key": v, "label": label, "count": sums[f"resp_{v}"], "share": _share(sums[f"resp_{v}"], n)}
            for v, label in Responsibilities.choices
        ],
        more_share=_share(sums["resp_more"] + sums["resp_much_more"], n),
        support_mean=_mean(sums["support_sum"], n),
        support_good=_share(sums["support_4"] + sums["support_5"], n),
        support=[
            {"key": v, "label": label, "count": sums[f"support_{v}"], "share": _share(sums[f"support_{v}"], n)}
            for v, label in SupportScale.choices
        ],
        go_again={v: _share(sums[f"go_{v}"], n) for v in YesNo.values},
        recommend={v: _share(sums[f"rec_{v}"], n) for v in YesNo.values},
    )


def withheld_groups(counts: dict, *, k: int) -> set:
    """The groups (keys of `counts`, answers per group) that hold k answers or more but must be hidden
    beside those with fewer than k: the smallest first, until the hidden groups hold k or more together
    (or none at all), so that the total minus the shown groups never gives fewer than k answers away."""
    hidden = sum(n for n in counts.values() if n < k)
    withheld = set()
    for key, n in sorted(((key, n) for key, n in counts.items() if n >= k), key=lambda item: (item[1], item[0])):
        if hidden == 0 or hidden >= k:
            break
        withheld.add(key)
        hidden += n
    return withheld


def suppress_years(years: list[Figures], *, k: int, total_shown: bool) -> None:
    """Hide the years with fewer than k answers and, when the total is shown, enough further years
    (the smallest first, marked `withheld`) for the hidden ones to hold k answers or more together."""
    if not total_shown:
        return
    withheld = withheld_groups({f.year: f.n for f in years}, k=k)
    for f in years:
        if f.year in withheld:
            f.shown, f.withheld = False, True


def impact_report(user, *, agency_id: int | None = None) -> dict:
    """The report `user` may see: their scope (welfare.selectors.answers_in_scope), narrowed to one
    agency for IPO staff who ask."""
    k = min_answers()
    qs: QuerySet = answers_in_scope(user)
    one_agency = agency_id is not None and is_ipo_staff(user)
    withheld = False
    if one_agency:
        per_agency = dict(qs.order_by().values_list("officer__agency_id").annotate(n=Count("pk")))
        withheld = agency_id in withheld_groups(per_agency, k=k)
        qs = qs.filter(officer__agency_id=agency_id)
    per_year = list(qs.order_by().values("fiscal_year").annotate(**_aggregates()).order_by("fiscal_year"))
    totals = {key: sum((row[key] or 0) for row in per_year) for key in _aggregates()}
    total = Figures(n=totals["n"], shown=False, withheld=True) if withheld else figures_of(totals, k=k)
    years = []
    for row in per_year if total.shown and not one_agency else ():
        figures = figures_of(row, k=k)
        figures.year = row["fiscal_year"]
        years.append(figures)
    suppress_years(years, k=k, total_shown=total.shown)
    # a hidden year keeps no figure at all
    years = [f if f.shown else Figures(n=f.n, shown=False, year=f.year, withheld=f.withheld) for f in years]
    comments = []
    if total.shown and can_read_impact_comments(user):
        comments = list(
            qs.filter(comments_shareable=True).exclude(comments="").order_by("comments")
            .values_list("comments", flat=True)[:COMMENTS_SHOWN]
        )
    return {"k": k, "total": total, "years": years, "comments": comments,
            "comments_allowed": can_read_impact_comments(user)}
