"""The claims as CSV or Excel (XLSX), streamed by roster.exports: the rows of the claims list its
user may see (ledger.selectors.claim_visible_to), with the list's filters. Amounts are exact
decimals (a number in the spreadsheet, "1234.56" in the CSV); labels are looked up once."""

from django.utils import timezone
from django.utils.translation import gettext as _

from roster.exports import Table, labels, local_naive

from . import periods
from .models import Claim, ClaimStatus


def claims_table(claims, *, today=None) -> Table:
    """`claims`: claim_visible_to(user), filtered as the list is."""
    today = today or timezone.localdate()
    statuses = labels(ClaimStatus)
    year_labels: dict[int, str] = {}

    def year(value: int) -> str:
        if value not in year_labels:
            year_labels[value] = periods.fiscal_year_label(value)
        return year_labels[value]

    def row(c: Claim) -> list:
        officer = c.deployment.officer
        return [
            c.pk,
            c.agency.name,
            officer.last_name,
            officer.first_name,
            officer.badge_number,
            c.deployment.mission.code,
            year(c.fiscal_year),
            c.period_start,
            c.period_end,
            c.salary,
            c.benefits,
            c.overtime,
            c.allowances,
            c.claimed_amount,
            c.approved_amount,
            statuses.get(c.status, c.status),
            c.decision_reason,
            local_naive(c.created_at),
            local_naive(c.decided_at),
            c.paid_on,
            c.payment_reference,
        ]

    return Table(
        title=_("Claims"),
        filename=f"claims-{today:%Y-%m-%d}",
        headers=[
            _("Claim"),
            _("Agency"),
            _("Last name"),
            _("First name"),
            _("Badge number"),
            _("Mission"),
            _("Fiscal year"),
            _("Period start"),
            _("Period end"),
            _("Salary (CAD)"),
            _("Benefits (CAD)"),
            _("Overtime (CAD)"),
            _("Allowances (CAD)"),
            _("Amount claimed (CAD)"),
            _("Amount approved (CAD)"),
            _("Status"),
            _("Reason"),
            _("Submitted at"),
            _("Decided at"),
            _("Paid on"),
            _("Payment reference"),
        ],
        objects=claims.select_related("agency", "deployment__officer", "deployment__mission").order_by(
            "-created_at", "-id"
        ),
        row=row,
    )
