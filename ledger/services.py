"""Writes for cost claims: keyword-only, atomic, each with its event row, audit entry and emails.

- `claim_submit`: an agency's coordinator claims a period of a partner officer's tour.
- `claim_transition`: the only way a claim changes state (ledger.models.TRANSITIONS).
- `claim_documents_add`: the agency adds documents while the claim awaits review.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.logging import log_event
from notifications.services import Recipient, coordinator_recipients, mail_queue, staff_recipients
from roster.models import Deployment
from roster.services.applications import document_errors as roster_document_errors
from roster.services.applications import remember_written_file, removing_written_files_on_error

from . import periods
from .models import (
    DECISIONS,
    LIVE_STATES,
    MAX_DIGITS,
    REASON_REQUIRED,
    TRANSITIONS,
    ZERO,
    Claim,
    ClaimDocument,
    ClaimEvent,
    ClaimStatus,
)
from .permissions import can_file_claim, role_for_claim

S = ClaimStatus
AMOUNT_FIELDS = ("salary", "benefits", "overtime", "allowances")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10 ** (MAX_DIGITS - 2)) - CENT


def _documents_limit() -> int:
    return settings.ROSTER["CLAIM_DOCUMENTS_PER_CLAIM"]


def to_amount(value, field: str) -> Decimal:
    """A non-negative amount in dollars and cents, exactly; else a ValidationError naming `field`.
    Never goes through a float."""
    if isinstance(value, float):
        raise TypeError("amounts are Decimals, never floats")
    try:
        amount = Decimal(str(value if value not in (None, "") else "0").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter an amount in dollars and cents, e.g. 1234.56.")]}) from None
    if not amount.is_finite():
        raise ValidationError({field: [_("Enter an amount in dollars and cents, e.g. 1234.56.")]})
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise ValidationError({field: [_("Use at most two decimal places (cents).")]})
    if amount < ZERO:
        raise ValidationError({field: [_("An amount cannot be negative.")]})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: [_("This amount is too large.")]})
    return amount.quantize(CENT)


# --- documents ---------------------------------------------------------------------------------

def document_errors(uploads, *, already: int = 0) -> list[str]:
    """Why these uploads cannot be attached to a claim (too many, not a plain PDF, too large): the
    roster's checks of an application's documents, with a claim's limit."""
    return roster_document_errors(uploads, already=already, limit=_documents_limit(),
                                  too_many=_("At most %(n)d documents per claim."))


def _attach(claim: Claim, uploads, *, actor, checked: bool = False) -> int:
    """Attach the uploads; a service calling this is wrapped in removing_written_files_on_error, so
    the files go again if it fails (its rows roll back)."""
    uploads = [u for u in (uploads or []) if u]
    errors = [] if checked else document_errors(uploads, already=claim.documents.count())
    if errors:
        raise ValidationError({"documents": errors})
    for upload in uploads:
        doc = ClaimDocument(claim=claim, original_name=upload.name[:200], size=upload.size, uploaded_by=actor)
        doc.file.save(upload.name, upload, save=False)
        remember_written_file(doc.file)
        doc.save()
    return len(uploads)


# --- notifications ------------------------------------------------------------------------------

def ipo_recipients() -> list[Recipient]:
    """Where claims to review are announced: the program's cost-recovery address if set
    (ROSTER["LEDGER_EMAIL"]), else every active IPO staff login."""
    address = settings.ROSTER.get("LEDGER_EMAIL") or ""
    if address:
        return [Recipient(email=address, language="en")]
    return staff_recipients()


def agency_recipients(agency) -> list[Recipient]:
    """The agency's active coordinators, and its mailbox if it has one."""
    recipients = coordinator_recipients(agency.pk)
    if agency.mailbox:
        recipients.append(Recipient(email=agency.mailbox, language=agency.language))
    return recipients


def _notify(claim: Claim, event: ClaimEvent) -> None:
    context = {"claim": claim, "event": event, "agency": claim.agency, "deployment": claim.deployment,
               "officer": claim.deployment.officer, "mission": claim.deployment.mission}
    if event.to_status == S.SUBMITTED:
        recipients, template = ipo_recipients(), "claim_submitted"
    elif event.to_status in DECISIONS:
        recipients, template = agency_recipients(claim.agency), "claim_decided"
    elif event.to_status == S.PAID:
        recipients, template = agency_recipients(claim.agency), "claim_paid"
    else:
        return
    mail_queue(recipients=recipients, template=template, context=context, topic=f"claim:{claim.pk}")


def _event(claim: Claim, *, from_status: str, actor, note: str = "", amount=None) -> ClaimEvent:
    return ClaimEvent.objects.create(
        claim=claim, from_status=from_status, to_status=claim.status, actor=actor, note=note or "", amount=amount
    )


# --- filing a claim -----------------------------------------------------------------------------

@removing_written_files_on_error
@transaction.atomic
def claim_submit(
    *, deployment: Deployment, actor, period_start: date, salary, benefits, overtime, allowances,
    note: str = "", documents=(), today: date | None = None,
) -> Claim:
    """The agency's coordinator claims one period of a partner officer's tour (a quarter by
    default, cut to the tour's dates: ledger.periods). Every problem is reported at once. The
    tour's row is locked, so two claims of one period cannot both be accepted."""
    deployment = (
        Deployment.objects.select_for_update(of=("self",))
        .select_related("officer", "officer__agency", "mission")
        .get(pk=deployment.pk)
    )
    if not can_file_claim(actor, deployment):
        raise PermissionDenied(_("Only the coordinator of a partner agency claims the costs of its officers' tours."))
    today = today or timezone.localdate()
    errors: dict[str, list] = {}
    amounts = {}
    for field, value in (("salary", salary), ("benefits", benefits), ("overtime", overtime),
                         ("allowances", allowances)):
        try:
            amounts[field] = to_amount(value, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    total = sum(amounts.values(), ZERO)
    if not errors and total <= ZERO:
        errors["__all__"] = [_("Enter at least one amount: the claim's total must be more than zero.")]
    elif total > MAX_AMOUNT:
        errors["__all__"] = [_("The claim's total is too large.")]
    period = next((p for p in periods.deployment_periods(deployment, today=today) if p.start == period_start), None)
    if period is None:
        errors["period"] = [_("Choose one of the tour's periods that has begun.")]
    elif Claim.objects.filter(deployment=deployment, period_start=period.start, status__in=LIVE_STATES).exists():
        errors["period"] = [_("This period of the tour is already claimed.")]
    upload_errors = document_errors(documents)
    if upload_errors:
        errors["documents"] = upload_errors
    if errors:
        raise ValidationError(errors)
    claim = Claim(
        agency=deployment.officer.agency, deployment=deployment, period_start=period.start, period_end=period.end,
        fiscal_year=period.fiscal_year, claimed_amount=total, note=(note or "").strip(), status=S.SUBMITTED,
        submitted_by=actor, **amounts,
    )
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError:
        raise ValidationError({"period": [_("This period of the tour is already claimed.")]}) from None
    _attach(claim, documents, actor=actor, checked=True)
    event = _event(claim, from_status="", actor=actor, note=claim.note, amount=total)
    _notify(claim, event)
    return claim


# --- reviewing and paying --------------------------------------------------------------------------

def allowed_moves(claim: Claim, user) -> list[str]:
    role = role_for_claim(user, claim)
    return [to for to, roles in TRANSITIONS.get(claim.status, {}).items() if role in roles]


@transaction.atomic
def claim_transition(
    *, claim: Claim, to: str, actor, reason: str = "", approved_amount=None, paid_on: date | None = None,
    payment_reference: str = "",
) -> Claim:
    """Move a claim along the table (ledger.models.TRANSITIONS): lock it, check the move and the
    actor, write the event and queue the email, in one transaction.

    - approved: the whole amount claimed is approved;
    - partly_approved: `approved_amount` (more than zero, less than claimed) and a `reason`;
    - rejected: a `reason`;
    - paid: `paid_on` (not in the future) and an optional `payment_reference`;
    - withdrawn: by the agency, while the claim awaits review (`reason` optional).
    """
    claim = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("agency", "deployment", "deployment__officer", "deployment__mission")
        .get(pk=claim.pk)
    )
    from_status = claim.status
    moves = TRANSITIONS.get(from_status, {})
    if to not in moves:
        raise ValidationError(
            _("A claim cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(from_status).label, "to": S(to).label if to in S.values else to}
        )
    if role_for_claim(actor, claim) not in moves[to]:
        raise PermissionDenied(_("You may not move this claim to “%(to)s”.") % {"to": S(to).label})
    reason = (reason or "").strip()
    errors: dict[str, list] = {}
    if to in REASON_REQUIRED and not reason:
        errors["reason"] = [_("Give the reason: the agency reads it.")]
    amount = None
    if to == S.APPROVED:
        amount = claim.claimed_amount
    elif to == S.PARTLY_APPROVED:
        try:
            amount = to_amount(approved_amount, "approved_amount") if approved_amount not in (None, "") else None
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            if amount is None or amount <= ZERO:
                errors["approved_amount"] = [_("Enter the amount approved: more than zero.")]
            elif amount >= claim.claimed_amount:
                errors["approved_amount"] = [_("A partial approval is less than the amount claimed; "
                                               "approve the claim instead.")]
    elif to == S.REJECTED:
        amount = None
    elif to == S.PAID:
        if paid_on is None:
            errors["paid_on"] = [_("Enter the payment date.")]
        elif paid_on > timezone.localdate():
            errors["paid_on"] = [_("The payment date cannot be in the future.")]
        elif claim.decided_at and paid_on < timezone.localtime(claim.decided_at).date():
            errors["paid_on"] = [_("The payment date cannot come before the approval.")]
        amount = claim.approved_amount
    if errors:
        raise ValidationError(errors)
    claim.status = to
    fields = ["status", "updated_at"]
    if to in DECISIONS:
        claim.approved_amount = amount
        claim.decision_reason = reason
        claim.decided_by = actor
        claim.decided_at = timezone.now()
        fields += ["approved_amount", "decision_reason", "decided_by", "decided_at"]
    elif to == S.PAID:
        claim.paid_on = paid_on
        claim.payment_reference = (payment_reference or "").strip()[:100]
        fields += ["paid_on", "payment_reference"]
    claim.save(update_fields=fields)
    event = _event(claim, from_status=from_status, actor=actor,
                   note=reason if to != S.PAID else claim.payment_reference, amount=amount)
    _notify(claim, event)
    return claim


@removing_written_files_on_error
@transaction.atomic
def claim_documents_add(*, claim: Claim, actor, documents) -> int:
    """The agency adds documents to its claim while it awaits review."""
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if role_for_claim(actor, claim) != "coordinator":
        raise PermissionDenied(_("Only the agency's coordinator adds documents to its claim."))
    if claim.status != S.SUBMITTED:
        raise ValidationError(_("Documents are added while the claim awaits review."))
    if not [u for u in (documents or []) if u]:
        raise ValidationError({"documents": [_("Choose at least one PDF document.")]})
    added = _attach(claim, documents, actor=actor)
    log_event("claim_documents_added", actor=actor, claim_id=claim.pk, documents=added)
    return added
