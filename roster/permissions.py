"""Predicates of the roster used by views, templates, exports and emails alike.

Need to know: a repatriation for medical, compassionate or disciplinary reasons is health or
conduct information. Its reason and note are for IPO staff and the officer concerned; everyone
else who may see the deployment (`deployment_visible_to`) reads only that the officer came home
early. The display values follow from these predicates in roster.selectors
(`repatriation_reason_for`, `repatriation_note_for`).

The reason a planned tour was cancelled before departure is treated the same way, whatever it
says: IPO staff and the officer concerned read it; the others read "Cancelled before departure"
(`cancellation_reason_for`).
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


def _recipient_is_officer_concerned(recipient, deployment) -> bool:
    """A recipient without an account is the officer concerned only when it is the officer's own
    address (an officer without an active account is written there)."""
    officer = deployment.officer
    return (
        recipient.user_id is None
        and bool(officer.email)
        and recipient.email.strip().lower() == officer.email.strip().lower()
    )


def recipient_can_read_repatriation_reason(recipient, deployment, *, user=None) -> bool:
    """The same rule for an email's recipient (notifications.services.Recipient): their account
    (`user`, loaded by the caller) decides; a recipient without one is the officer concerned only
    when it is the officer's own address (an officer without an active account is written there)."""
    if user is not None:
        return can_read_repatriation_reason(user, deployment)
    if deployment.repatriation_reason not in CONFIDENTIAL_REPATRIATION_REASONS:
        return True
    return _recipient_is_officer_concerned(recipient, deployment)


def can_read_cancellation_reason(user, deployment) -> bool:
    """May `user` read why a planned tour was cancelled? The reason often concerns the officer's
    health, family or conduct: IPO staff and the officer concerned only. Everyone else who may see
    the deployment reads that it was cancelled before departure."""
    return is_ipo_staff(user) or is_officer_concerned(user, deployment)


def recipient_can_read_cancellation_reason(recipient, deployment, *, user=None) -> bool:
    """The same rule for an email's recipient, as for a repatriation's reason."""
    if user is not None:
        return can_read_cancellation_reason(user, deployment)
    return _recipient_is_officer_concerned(recipient, deployment)


# --- notes on an application's timeline (issue 9, item 5) ----------------------------------
# A note IPO staff write on a move is internal unless they share it: the officer and their
# agency's coordinators read the status and the shared notes only. Notes the agency or the officer
# write (an endorsement, a reason for declining or withdrawing) are always shared. The pages and
# the status emails read notes through roster.selectors (`application_events_for`,
# `application_event_note_for`, `shared_note`), never `event.note` directly; so must any export
# that shows them (the roster's exports carry no notes; privacy/archive.py, the Privacy Act copy
# of an officer's record, reads `event.note`).

def can_read_internal_notes(user) -> bool:
    """Internal notes on an application's timeline are for IPO staff only."""
    return is_ipo_staff(user)


def can_read_event_note(user, event) -> bool:
    """May `user` (None: a reader without an account, such as an email's recipient) read the
    note of this ApplicationEvent?"""
    return event.note_shared or can_read_internal_notes(user)


# --- the catalogue of deployment roles (issue 14) -------------------------------------------

def can_manage_deployment_roles(user) -> bool:
    """IPO staff keep the catalogue of roles, in English and French; everyone reads the names."""
    return is_ipo_staff(user)
