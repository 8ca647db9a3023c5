"""Cost recovery: a partner agency claims what a deployed officer cost it, per period, and IPO staff
review and pay the claim. Amounts are exact decimals in Canadian dollars.

A claim's states, and who moves it, are the one table `TRANSITIONS` below, applied only by
`ledger.services.claim_transition` (which locks the row, writes a ClaimEvent and queues the email):

    submitted       -> approved | partly_approved | rejected     (IPO staff)
    submitted       -> withdrawn                                 (the agency's coordinator)
    approved        -> paid                                      (IPO staff)
    partly_approved -> paid                                      (IPO staff)

A claim is created `submitted` by `ledger.services.claim_submit`. A rejected or withdrawn claim
frees its period: the agency may file a new claim for it.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from config.choices import ChoiceLabels
from roster.models import Deployment, StatusEvent

MAX_DIGITS = 12  # up to 9,999,999,999.99 per amount
ZERO = Decimal("0.00")


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    APPROVED = "approved", _("Approved")
    PARTLY_APPROVED = "partly_approved", _("Partly approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")
    WITHDRAWN = "withdrawn", _("Withdrawn")


S = ClaimStatus

# to-state -> the roles that may apply the move. "coordinator": a coordinator of the claim's agency.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    S.SUBMITTED: {
        S.APPROVED: frozenset({"ipo_staff"}),
        S.PARTLY_APPROVED: frozenset({"ipo_staff"}),
        S.REJECTED: frozenset({"ipo_staff"}),
        S.WITHDRAWN: frozenset({"coordinator"}),
    },
    S.APPROVED: {S.PAID: frozenset({"ipo_staff"})},
    S.PARTLY_APPROVED: {S.PAID: frozenset({"ipo_staff"})},
}
# A partial approval and a rejection say why.
REASON_REQUIRED = frozenset({S.PARTLY_APPROVED, S.REJECTED})
# The decisions IPO staff take on a submitted claim (the emails to the agency say which).
DECISIONS = frozenset({S.APPROVED, S.PARTLY_APPROVED, S.REJECTED})
# States in which a period counts as claimed (a new claim for it is refused).
LIVE_STATES = frozenset({S.SUBMITTED, S.APPROVED, S.PARTLY_APPROVED, S.PAID})
# States whose approved amount the program owes or has paid.
APPROVED_STATES = frozenset({S.APPROVED, S.PARTLY_APPROVED, S.PAID})
OWED_STATES = frozenset({S.APPROVED, S.PARTLY_APPROVED})


def money_field(verbose_name, **kwargs):
    return models.DecimalField(
        verbose_name, max_digits=MAX_DIGITS, decimal_places=2, validators=[MinValueValidator(ZERO)], **kwargs
    )


class Claim(ChoiceLabels, models.Model):
    Status = ClaimStatus

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="claims")
    deployment = models.ForeignKey(
        Deployment, verbose_name=_("deployment"), on_delete=models.PROTECT, related_name="claims"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    # The year in which the fiscal year (April to March) of the period begins: 2025 is 2025-2026.
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    salary = money_field(_("salary"))
    benefits = money_field(_("benefits"))
    overtime = money_field(_("overtime"))
    allowances = money_field(_("allowances"))
    claimed_amount = money_field(_("amount claimed"))
    approved_amount = money_field(_("amount approved"), null=True, blank=True)
    note = models.TextField(_("note from the agency"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=S.choices, default=S.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("cost claim")
        verbose_name_plural = _("cost claims")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="claim_period_end_after_start",
                violation_error_message=_("The period must end on or after its start."),
            ),
            models.CheckConstraint(
                condition=Q(salary__gte=0, benefits__gte=0, overtime__gte=0, allowances__gte=0),
                name="claim_amounts_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
            ),
            # The amount claimed is the sum of the four parts (ledger.services.claim_submit writes it;
            # not checked here: SQLite compares decimals as floating-point numbers).
            models.CheckConstraint(
                condition=Q(claimed_amount__gt=0),
                name="claim_total_positive",
                violation_error_message=_("The amount claimed must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True)
                | Q(approved_amount__gte=0, approved_amount__lte=F("claimed_amount")),
                name="claim_approved_within_claimed",
                violation_error_message=_("The amount approved is between zero and the amount claimed."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=sorted(APPROVED_STATES)) | Q(approved_amount__isnull=False),
                name="claim_approved_has_amount",
                violation_error_message=_("An approved claim has an amount approved."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=sorted(REASON_REQUIRED)) | ~Q(decision_reason=""),
                name="claim_partial_or_rejected_has_reason",
                violation_error_message=_("A partial approval or a rejection has a reason."),
            ),
            models.CheckConstraint(
                condition=~Q(status=S.PAID) | Q(paid_on__isnull=False),
                name="claim_paid_has_date",
                violation_error_message=_("A paid claim has a payment date."),
            ),
            models.UniqueConstraint(
                fields=["deployment", "period_start"],
                condition=Q(status__in=sorted(LIVE_STATES)),
                name="claim_one_live_per_period",
                violation_error_message=_("This period of the tour is already claimed."),
            ),
        ]
        indexes = [
            # the claims list, newest first with the id as tie-break (keyset pagination): every
            # claim (IPO staff), and one agency's (a coordinator)
            models.Index(fields=["created_at", "id"], name="claim_created_id"),
            models.Index(fields=["agency", "created_at", "id"], name="claim_agency_created_id"),
            models.Index(fields=["status", "fiscal_year"], name="claim_status_year"),
        ]

    def __str__(self):
        return f"{self.agency.slug} · {self.period_start} → {self.period_end}"

    def get_additional_data(self):
        return {"officer_id": self.deployment.officer_id} if self.deployment_id else {}

    @property
    def is_owed(self) -> bool:
        return self.status in OWED_STATES


def claim_document_upload_to(instance, filename):
    return f"claims/{instance.claim_id}/{uuid.uuid4().hex}.pdf"


class ClaimDocument(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=claim_document_upload_to)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("claim document")
        verbose_name_plural = _("claim documents")

    def __str__(self):
        return self.original_name


class ClaimEvent(StatusEvent):
    """One row per change of a claim's state (roster.models.StatusEvent: from, to, who, why, when),
    and the amount it concerned."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, choices=S.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=S.choices)
    amount = models.DecimalField(_("amount"), max_digits=MAX_DIGITS, decimal_places=2, null=True, blank=True)

    class Meta(StatusEvent.Meta):
        verbose_name = _("claim event")
        verbose_name_plural = _("claim events")
