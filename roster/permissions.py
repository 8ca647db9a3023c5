"""Predicates of the roster used by views, templates, exports and emails alike.

Need to know: a repatriation for medical, compassionate or disciplinary reasons is health or
conduct information. Its reason and note are for IPO staff and the officer concerned; everyone
else who may see the deployment (`deployment_visible_to`) reads only that the officer came home
early. The display values follow from these predicates in roster.selectors
(`repatriation_reason_for`, `repatriation_note_for`).
"""

from agencies.permissions import is_ipo_staff, is_officer

from .models import Deployment

R = Deployment.RepatriationReason

CONFIDENTIAL_REPATRIATION_REASONS = frozenset({R.MEDICAL, R.COMPASSIONATE, R.DISCIPLINARY})


def is_officer_concerned(user, deployment) -> bool:
    return is_officer(user) and deployment.officer.user_id == user.pk


def can_read_repatriation_reason(user, deployment, *, reason: str | None = None) -> bool:
    """May `user` read why the deployment was repatriated, and the note that goes with it?
    `reason`: the code to judge when it is not the deployment's own (a logged event's)."""
    code = deployment.repatriation_reason if reason is None else reason
    if code not in CONFIDENTIAL_REPATRIATION_REASONS:
        return True
    return is_ipo_staff(user) or is_officer_concerned(user, deployment)


def recipient_can_read_repatriation_reason(recipient, deployment, *, user=None) -> bool:
    """The same rule for an email's recipient (notifications.services.Recipient): their account
    (`user`, loaded by the caller) decides; a recipient without one is the officer concerned only
    when it is the officer's own address (an officer without an active account is written there)."""
    if user is not None:
        return can_read_repatriation_reason(user, deployment)
    if deployment.repatriation_reason not in CONFIDENTIAL_REPATRIATION_REASONS:
        return True
    officer = deployment.officer
    return (
        recipient.user_id is None
        and bool(officer.email)
        and recipient.email.strip().lower() == officer.email.strip().lower()
    )
