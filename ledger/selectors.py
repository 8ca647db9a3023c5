"""Reads for cost claims. `claim_visible_to` is the single visibility rule: IPO staff see every
claim; a coordinator sees their own agency's; officers and everyone else see none (a claim is
the agency's business with the program, and holds an officer's pay).

Balances and the ledger's groups are computed by the database (grouped SUMs), never by adding
rows up in Python:
- claimed: every claim but the withdrawn ones;
- awaiting review: claimed, not yet decided;
- approved: what IPO staff approved (in whole or in part), paid or not;
- paid: what the program has paid;
- outstanding: approved and not yet paid (what the program owes the agency).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from agencies.models import Agency, Role
from agencies.permissions import is_coordinator
from roster.freshness import cached_figures
from roster.home_hooks import rendered
from roster.models import Deployment
from roster.selectors import deployment_visible_to

from . import periods
from .models import APPROVED_STATES, LIVE_STATES, MAX_DIGITS, OWED_STATES, Claim, ClaimStatus
from .money import format_money
from .permissions import CLAIMABLE_DEPLOYMENT_STATES, may_see_ledgers

S = ClaimStatus
CLAIM_ORDER = ("-created_at", "-id")
GROUPINGS = ("agency", "mission", "year")


def claim_visible_to(user) -> QuerySet[Claim]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Claim.objects.none()
    if user.role == Role.IPO_STAFF:
        return Claim.objects.all()
    if user.role == Role.COORDINATOR and user.agency_id:
        return Claim.objects.filter(agency_id=user.agency_id)
    return Claim.objects.none()


def claim_rows(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """What a list row shows: the agency, the officer and the mission, in the same query."""
    return queryset.select_related("agency", "deployment__officer", "deployment__mission")


def claim_page_queryset(user) -> QuerySet[Claim]:
    """One claim's page: its agency, tour, officer, mission and the people who acted on it."""
    return claim_visible_to(user).select_related(
        "agency", "deployment__officer__agency", "deployment__mission", "submitted_by", "decided_by"
    )


def filter_claims(queryset: QuerySet[Claim], *, status="", fiscal_year=None, agency_id=None, mission_id=None):
    """The claims list's filters (each already validated by the form; empty means all). They only
    narrow `queryset`, which is already what the user may see."""
    if status == "owed":
        queryset = queryset.filter(status__in=OWED_STATES)
    elif status:
        queryset = queryset.filter(status=status)
    if fiscal_year is not None:
        queryset = queryset.filter(fiscal_year=fiscal_year)
    if agency_id is not None:
        queryset = queryset.filter(agency_id=agency_id)
    if mission_id is not None:
        queryset = queryset.filter(deployment__mission_id=mission_id)
    return queryset


# --- balances --------------------------------------------------------------------------------

def _sum(field: str, condition: Q):
    zero = Value(Decimal("0.00"), output_field=DecimalField(max_digits=MAX_DIGITS + 4, decimal_places=2))
    return Coalesce(Sum(field, filter=condition), zero,
                    output_field=DecimalField(max_digits=MAX_DIGITS + 4, decimal_places=2))


def balance_aggregates() -> dict:
    live = ~Q(status=S.WITHDRAWN)
    return {
        "claims": Count("pk", filter=live),
        "claimed": _sum("claimed_amount", live),
        "pending": _sum("claimed_amount", Q(status=S.SUBMITTED)),
        "pending_count": Count("pk", filter=Q(status=S.SUBMITTED)),
        "approved": _sum("approved_amount", Q(status__in=sorted(APPROVED_STATES))),
        "paid": _sum("approved_amount", Q(status=S.PAID)),
        "outstanding": _sum("approved_amount", Q(status__in=sorted(OWED_STATES))),
    }


@dataclass
class Balance:
    claims: int = 0
    claimed: Decimal = Decimal("0.00")
    pending: Decimal = Decimal("0.00")
    pending_count: int = 0
    approved: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")
    outstanding: Decimal = Decimal("0.00")


def _balance(row: dict) -> Balance:
    return Balance(**{k: row[k] for k in Balance.__dataclass_fields__})


def balances(queryset: QuerySet[Claim]) -> Balance:
    """The balances of these claims, in one query."""
    return _balance(queryset.order_by().aggregate(**balance_aggregates()))


def balance_texts(balance: Balance, language: str | None = None) -> dict[str, str]:
    """The balance's amounts as the language writes them (ledger.money)."""
    return {key: format_money(getattr(balance, key), language)
            for key in ("claimed", "pending", "approved", "paid", "outstanding")}


@dataclass
class LedgerRow:
    key: object  # an Agency or Mission id, or a fiscal year
    label: str
    balance: Balance


def ledger_groups(queryset: QuerySet[Claim], by: str) -> QuerySet:
    """The claims' balances per agency, mission or fiscal year: one grouped query (values rows)."""
    if by == "agency":
        keys = ("agency_id", "agency__name_en", "agency__name_fr")
        order = ("agency__name_en", "agency_id")
    elif by == "mission":
        keys = ("deployment__mission_id", "deployment__mission__code")
        order = ("deployment__mission__code", "deployment__mission_id")
    elif by == "year":
        keys = ("fiscal_year",)
        order = ("-fiscal_year",)
    else:
        raise ValueError(by)
    return queryset.order_by().values(*keys).annotate(**balance_aggregates()).order_by(*order)


def ledger_row(row: dict, by: str, *, language: str) -> LedgerRow:
    if by == "agency":
        name = row["agency__name_fr"] if language == "fr" and row["agency__name_fr"] else row["agency__name_en"]
        return LedgerRow(row["agency_id"], name, _balance(row))
    if by == "mission":
        return LedgerRow(row["deployment__mission_id"], row["deployment__mission__code"], _balance(row))
    return LedgerRow(row["fiscal_year"], periods.fiscal_year_label(row["fiscal_year"]), _balance(row))


# --- what an agency may claim ----------------------------------------------------------------------

def claimable_deployments(user) -> QuerySet[Deployment]:
    """The tours a coordinator's agency may claim for: of the tours they may see
    (roster.selectors.deployment_visible_to: their agency's), those that have begun, if the agency
    is a reimbursed partner (not the RCMP). Most recent first."""
    if not (is_coordinator(user) and user.agency_id):
        return Deployment.objects.none()
    return (
        deployment_visible_to(user)
        .filter(status__in=sorted(CLAIMABLE_DEPLOYMENT_STATES), officer__agency__is_partner=True)
        .exclude(officer__agency__kind=Agency.Kind.RCMP)
        .order_by("-start_date", "-id")
    )


def with_open_periods(deployments, *, today: date) -> list:
    """Set `.open_periods` (the periods begun and not claimed) and `.claimed_periods` on each tour,
    with one query for all their live claims."""
    deployments = list(deployments)
    claimed: dict[int, set] = {}
    for dep_id, start in Claim.objects.filter(
        deployment_id__in=[d.pk for d in deployments], status__in=sorted(LIVE_STATES)
    ).values_list("deployment_id", "period_start"):
        claimed.setdefault(dep_id, set()).add(start)
    for d in deployments:
        taken = claimed.get(d.pk, set())
        all_periods = periods.deployment_periods(d, today=today)
        d.open_periods = [p for p in all_periods if p.start not in taken]
        d.claimed_periods = len(all_periods) - len(d.open_periods)
    return deployments


def open_periods(deployment, *, today: date) -> list:
    return with_open_periods([deployment], today=today)[0].open_periods


# --- panels (registered in ledger.apps) --------------------------------------------------------------

def _kept_panel(name: str, user, today: date, build):
    """`build()`'s panel for `user`'s scope, kept until a change is recorded (roster.freshness): claims,
    requests to join and agencies are all in the audit trail, so the change stamp sees every change
    under these panels. A second view runs the stamp's one query instead of the panel's, and renders
    nothing: the panel is kept rendered (roster.home_hooks.rendered)."""
    return cached_figures(name, user, today, lambda: rendered(build()))


def dashboard_panel(user, *, today: date):
    """The dashboard's cost-recovery figures for the current fiscal year: the program's (IPO staff)
    or the coordinator's agency's. One query, kept until a change is recorded."""
    if not may_see_ledgers(user):
        return None
    return _kept_panel("ledger-dashboard", user, today, lambda: _dashboard_panel(user, today))


def _dashboard_panel(user, today: date) -> dict:
    year = periods.fiscal_year_of(today)
    balance = balances(claim_visible_to(user).filter(fiscal_year=year))
    return {
        "template": "ledger/_dashboard_panel.html",
        "context": {"ledger_balance": balance, "ledger_balance_text": balance_texts(balance),
                    "ledger_year": periods.fiscal_year_label(year), "ledger_year_value": year,
                    "ledger_is_program": user.role == Role.IPO_STAFF},
    }


def partners_panel(user, *, today: date):
    """Partner agencies over time: how many joined each year, and the running total. One query, kept
    until a change is recorded."""
    if not may_see_ledgers(user):
        return None
    return _kept_panel("ledger-partners", user, today, _partners_panel)


def _partners_panel() -> dict:
    from agencies.selectors import partners_by_year

    rows, total = [], 0
    for year, joined in partners_by_year():
        total += joined
        rows.append({"year": year, "joined": joined, "total": total})
    bars = [{"label": str(r["year"]), "value": r["total"], "text": str(r["total"])} for r in rows]
    return {"template": "ledger/_partners_panel.html",
            "context": {"partner_years": rows, "partner_total": total, "partner_bars": bars}}


def home_panel(user, *, today: date):
    """IPO staff: claims awaiting review and requests to join awaiting a decision (both need their
    action). A coordinator: their claims awaiting review and what the program owes the agency.
    Two queries at most, kept until a change is recorded."""
    if not may_see_ledgers(user):
        return None
    return _kept_panel("ledger-home", user, today, lambda: _home_panel(user))


def _home_panel(user) -> dict:
    from agencies.selectors import partner_request_visible_to

    balance = balances(claim_visible_to(user))
    context = {"ledger_balance": balance, "ledger_is_program": user.role == Role.IPO_STAFF,
               "ledger_outstanding_text": format_money(balance.outstanding) if balance.outstanding else ""}
    attention = 0
    if user.role == Role.IPO_STAFF:
        context["partner_requests_pending"] = partner_request_visible_to(user).filter(status="pending").count()
        attention = balance.pending_count + context["partner_requests_pending"]
    return {"template": "ledger/_home_panel.html", "context": context, "attention": attention}
