"""What each kind of message is, in words (the outbox, the recipient's pages and the admin).

`OutgoingMail.kind` holds the code a caller of `mail_queue` gave (its `kind`, or else its
`template`). The codes below are the ones the project queues; the security notices of
`accounts.services` are queued as `security:<event>` and share one label.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SECURITY_PREFIX = "security:"
# The value of the "security notices" choice in the outbox's kind filter (matches every event).
SECURITY = "security"

KIND_LABELS = {
    "session_registration": _("Assessment session registration"),
    "session_promoted": _("Moved up from a session waiting list"),
    "session_cancelled": _("Assessment session cancelled"),
    "session_result": _("Assessment session result"),
    "pool_joined": _("Officer joined the talent pool"),
    "pool_support": _("Talent pool: agency support answered"),
    "forecast_alerts": _("Strength forecast alerts"),
    "bulletin_published": _("Bulletin published"),
    "bulletin_reminder": _("Bulletin closing reminder"),
    "bulletin_cancelled": _("Bulletin cancelled"),
    "bulletin_closed_early": _("Bulletin closed early"),
    "bulletin_closed": _("Bulletin closed"),
    "bulletin_circulated": _("Bulletin circulated to officers"),
    "application_status": _("Application status"),
    "deployment_update": _("Deployment update"),
    "position_freed": _("Position freed"),
    "invitation": _("Invitation"),
    "password_reset": _("Password reset"),
    "claim_submitted": _("Cost claim submitted"),
    "claim_decided": _("Cost claim decided"),
    "claim_paid": _("Cost claim paid"),
    "partner_request_received": _("Request to join the program"),
    "partner_request_declined": _("Request to join declined"),
    "partner_welcome": _("Invitation of a new partner agency"),
    "problem_report": _("Problem reported on a page"),
    "welfare_urgent": _("Urgent welfare check-in"),
    "welfare_checkin_reminder": _("Welfare check-in reminder"),
    "welfare_overdue_alert": _("Overdue check-ins alert"),
    "welfare_questionnaire_invite": _("Return questionnaire invitation"),
    SECURITY: _("Security notice"),
}


def kind_label(code: str):
    """The label of a kind code (a lazy translation); an unknown code is shown as it is."""
    code = code or ""
    if code.startswith(SECURITY_PREFIX):
        return KIND_LABELS[SECURITY]
    return KIND_LABELS.get(code, code)


def kind_choices() -> list[tuple[str, object]]:
    """The known kinds, for a filter: (value, label)."""
    return list(KIND_LABELS.items())


def kind_condition(value: str) -> Q | None:
    """The condition matching a filter value from `kind_choices()`, or None for an unknown value."""
    if value == SECURITY:
        return Q(kind__startswith=SECURITY_PREFIX)
    if value in KIND_LABELS:
        return Q(kind=value)
    return None
