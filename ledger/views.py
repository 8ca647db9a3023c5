"""Cost-recovery pages: an agency's claims and balances, the program's ledger, filing, reviewing and
paying a claim, its documents and the exports. Views parse input, call one service or selector and
answer; the rules live in ledger.permissions, ledger.selectors and ledger.services.

A claim the user may not see answers 404; a visible claim with an action not theirs answers 403.
Each list's rows are made here, once per page (labels translated once, amounts formatted once)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import recent_auth_required
from agencies.access import add_service_errors, flash_errors, get_visible_or_404, pdf_download, require, role_required
from agencies.permissions import is_ipo_staff
from audit.services import audit_read
from config.pagination import seek_page, set_row_urls
from roster.selectors import deployment_visible_to
from roster.views.exports import _export as roster_export

from . import exports, periods, selectors, services
from .forms import ClaimForm, DecisionForm, DocumentsForm, LedgerFilter, PaymentForm, WithdrawForm, period_label
from .models import Claim, ClaimDocument, ClaimStatus
from .money import format_money
from .permissions import can_add_claim_documents, can_file_claim, role_for_claim

S = ClaimStatus
CLAIMS_PER_PAGE = 25
GROUPS_PER_PAGE = 25
DEPLOYMENTS_PER_PAGE = 25
BADGES = {
    S.SUBMITTED: "text-bg-warning", S.APPROVED: "text-bg-success", S.PARTLY_APPROVED: "text-bg-info",
    S.REJECTED: "text-bg-danger", S.PAID: "text-bg-secondary", S.WITHDRAWN: "text-bg-light",
}


def _short(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


# --- the claims list (an agency's ledger, or the program's) ------------------------------------------

@role_required("ipo_staff", "coordinator")
def claim_list(request):
    user = request.user
    ledger_filter = LedgerFilter(request.GET or None, user=user)
    claims = selectors.filter_claims(selectors.claim_visible_to(user), **ledger_filter.values())
    balance = selectors.balances(claims)
    page = seek_page(selectors.claim_rows(claims), order=selectors.CLAIM_ORDER, size=CLAIMS_PER_PAGE,
                     after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    set_row_urls(page, url="ledger:claim-detail")
    language = translation.get_language()
    statuses = {value: str(label) for value, label in S.choices}
    for claim in page:
        claim.status_label = statuses.get(claim.status, claim.status)
        claim.badge = BADGES.get(claim.status, "text-bg-light")
        claim.period_text = f"{_short(claim.period_start)} – {_short(claim.period_end)}"
        claim.claimed_text = format_money(claim.claimed_amount, language)
        claim.approved_text = format_money(claim.approved_amount, language)
    return render(request, "ledger/claim_list.html", {
        "filter": ledger_filter, "page": page, "balance": balance,
        "balance_text": selectors.balance_texts(balance, language),
        "show_agency": is_ipo_staff(user), "query": request.GET.urlencode(),
    })


# --- the ledger by agency, mission or fiscal year ----------------------------------------------------

@role_required("ipo_staff", "coordinator")
def ledger_summary(request):
    user = request.user
    groupings = [("agency", _("By agency")), ("mission", _("By mission")), ("year", _("By fiscal year"))]
    if not is_ipo_staff(user):
        groupings = groupings[1:]
    by = request.GET.get("by", "")
    if by not in dict(groupings):
        by = groupings[0][0]
    ledger_filter = LedgerFilter(request.GET or None, user=user, with_status=False)
    claims = selectors.filter_claims(selectors.claim_visible_to(user), **ledger_filter.values())
    total = selectors.balances(claims)
    page = Paginator(selectors.ledger_groups(claims, by), GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    language = translation.get_language()
    rows = []
    for raw in page:
        row = selectors.ledger_row(raw, by, language=(language or "en")[:2])
        row.texts = selectors.balance_texts(row.balance, language)
        rows.append(row)
    return render(request, "ledger/summary.html", {
        "filter": ledger_filter, "by": by, "groupings": groupings, "page": page, "rows": rows,
        "total": total, "total_text": selectors.balance_texts(total, language),
        "heading": dict(groupings)[by], "key_label": {"agency": _("Agency"), "mission": _("Mission"),
                                                       "year": _("Fiscal year")}[by],
    })


# --- filing a claim -------------------------------------------------------------------------------

@role_required("coordinator")
def claimable(request):
    """The agency's tours whose costs it may claim, with the periods left to claim."""
    today = timezone.localdate()
    page = Paginator(selectors.claimable_deployments(request.user), DEPLOYMENTS_PER_PAGE).get_page(
        request.GET.get("page"))
    deployments = selectors.with_open_periods(page.object_list, today=today)
    for d in deployments:
        d.open_text = ", ".join(f"{_short(p.start)} – {_short(p.end)}" for p in d.open_periods[:4])
    return render(request, "ledger/claimable.html", {"page": page, "deployments": deployments})


@login_required
def claim_create(request, deployment_pk):
    deployment = get_visible_or_404(deployment_visible_to(request.user), pk=deployment_pk)
    require(can_file_claim, request.user, deployment)
    today = timezone.localdate()
    open_periods = selectors.open_periods(deployment, today=today)
    if request.method != "POST" and not open_periods:
        messages.info(request, _("Every period of this tour that has begun is already claimed."))
        return redirect("ledger:claimable")
    form = ClaimForm(request.POST or None, request.FILES or None, open_periods=open_periods,
                     initial={"period": request.GET.get("period", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = services.claim_submit(
                deployment=deployment, actor=request.user, period_start=data["period"], salary=data["salary"],
                benefits=data["benefits"], overtime=data["overtime"], allowances=data["allowances"],
                note=data["note"], documents=request.FILES.getlist("documents"), today=today,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Claim filed: %(amount)s for %(period)s. IPO staff are told.")
                             % {"amount": format_money(claim.claimed_amount),
                                "period": period_label(periods.Period(claim.period_start, claim.period_end))})
            return redirect("ledger:claim-detail", pk=claim.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "ledger/claim_form.html", {"form": form, "deployment": deployment}, status=status)


# --- one claim --------------------------------------------------------------------------------------

def _detail(request, claim, *, decision_form=None, payment_form=None, withdraw_form=None, documents_form=None,
            status=200):
    moves = services.allowed_moves(claim, request.user)
    language = translation.get_language()
    statuses = {value: str(label) for value, label in S.choices}
    events = list(claim.events.select_related("actor"))
    for event in events:
        event.to_label = statuses.get(event.to_status, event.to_status)
        event.amount_text = format_money(event.amount, language)
    context = {
        "claim": claim,
        "officer": claim.deployment.officer,
        "mission": claim.deployment.mission,
        "status_label": statuses.get(claim.status, claim.status),
        "badge": BADGES.get(claim.status, "text-bg-light"),
        "fiscal_year": periods.fiscal_year_label(claim.fiscal_year),
        "amounts": [(label, format_money(getattr(claim, field), language)) for field, label in (
            ("salary", _("Salary")), ("benefits", _("Benefits")), ("overtime", _("Overtime")),
            ("allowances", _("Allowances")))],
        "claimed_text": format_money(claim.claimed_amount, language),
        "approved_text": format_money(claim.approved_amount, language),
        "documents": claim.documents.all(),
        "events": events,
        "can_decide": bool({S.APPROVED, S.PARTLY_APPROVED, S.REJECTED} & set(moves)),
        "can_pay": S.PAID in moves,
        "can_withdraw": S.WITHDRAWN in moves,
        "can_add_documents": can_add_claim_documents(request.user, claim),
    }
    if context["can_decide"]:
        context["decision_form"] = decision_form or DecisionForm()
    if context["can_pay"]:
        context["payment_form"] = payment_form or PaymentForm()
    if context["can_withdraw"]:
        context["withdraw_form"] = withdraw_form or WithdrawForm()
    if context["can_add_documents"]:
        context["documents_form"] = documents_form or DocumentsForm()
    return render(request, "ledger/claim_detail.html", context, status=status)


def _visible_claim(request, pk) -> Claim:
    return get_visible_or_404(selectors.claim_page_queryset(request.user), pk=pk)


@login_required
def claim_detail(request, pk):
    claim = _visible_claim(request, pk)
    audit_read(actor=request.user, obj=claim, event="read.claim", officer_id=claim.deployment.officer_id,
               request=request)
    return _detail(request, claim)


def _done(request, claim):
    return redirect("ledger:claim-detail", pk=claim.pk)


@require_POST
@login_required
def claim_decide(request, pk):
    claim = _visible_claim(request, pk)
    require(is_ipo_staff, request.user)
    form = DecisionForm(request.POST)
    if form.is_valid():
        to = form.cleaned_data["decision"]
        try:
            claim = services.claim_transition(
                claim=claim, to=to, actor=request.user, reason=form.cleaned_data["reason"],
                approved_amount=form.cleaned_data["approved_amount"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Claim %(id)s: %(status)s. The agency is told.")
                             % {"id": claim.pk, "status": S(claim.status).label})
            return _done(request, claim)
    claim.refresh_from_db()
    return _detail(request, claim, decision_form=form, status=400)


@require_POST
@login_required
def claim_pay(request, pk):
    claim = _visible_claim(request, pk)
    require(is_ipo_staff, request.user)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            claim = services.claim_transition(
                claim=claim, to=S.PAID, actor=request.user, paid_on=form.cleaned_data["paid_on"],
                payment_reference=form.cleaned_data["payment_reference"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Claim %(id)s is marked paid. The agency is told.") % {"id": claim.pk})
            return _done(request, claim)
    claim.refresh_from_db()
    return _detail(request, claim, payment_form=form, status=400)


@require_POST
@login_required
def claim_withdraw(request, pk):
    claim = _visible_claim(request, pk)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.claim_transition(claim=claim, to=S.WITHDRAWN, actor=request.user,
                                  reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The claim is withdrawn; you may file a new one for its period."))
    return _done(request, claim)


@require_POST
@login_required
def claim_documents_add(request, pk):
    claim = _visible_claim(request, pk)
    if not can_add_claim_documents(request.user, claim):
        if role_for_claim(request.user, claim) == "coordinator":  # the agency's, once the claim is decided
            messages.error(request, _("Documents are added while the claim awaits review."))
            return _done(request, claim)
        raise PermissionDenied
    form = DocumentsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            added = services.claim_documents_add(claim=claim, actor=request.user,
                                                 documents=request.FILES.getlist("documents"))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)d document(s) added.") % {"n": added})
            return _done(request, claim)
    return _detail(request, claim, documents_form=form, status=400)


@login_required
def claim_document(request, pk, doc_pk):
    """A document of a claim the user may see (any other pairing answers 404), always as a
    download, never kept in a cache."""
    claim = _visible_claim(request, pk)
    document = get_object_or_404(ClaimDocument, pk=doc_pk, claim=claim)
    return pdf_download(document, record=lambda: audit_read(
        actor=request.user, obj=document, event="read.claim_document", officer_id=claim.deployment.officer_id,
        request=request, detail={"claim": claim.pk, "file": document.original_name}))


# --- exports ----------------------------------------------------------------------------------------

@role_required("ipo_staff", "coordinator")
@recent_auth_required
def claims_export(request, fmt):
    """The claims list as CSV or Excel: the rows its user may see, with the list's filters. Pay is
    personal data: recorded in the audit trail with its row count, password asked again when not
    given recently (as the roster's exports)."""
    ledger_filter = LedgerFilter(request.GET or None, user=request.user)
    claims = selectors.filter_claims(selectors.claim_visible_to(request.user), **ledger_filter.values())
    return roster_export(request, exports.claims_table(claims), fmt, model=Claim, what="claims")
