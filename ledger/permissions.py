"""Who may do what with cost claims (used by views, templates and the services alike).

A partner agency is one of the program's partner police services other than the RCMP itself:
the program reimburses partners for their officers' tours; the RCMP's own officers are not claimed.
"""

from agencies.models import Agency
from agencies.permissions import is_coordinator, is_ipo_staff
from roster.models import Deployment

# Tours whose costs may be claimed: begun (in mission) or over (completed, repatriated).
CLAIMABLE_DEPLOYMENT_STATES = frozenset({
    Deployment.Status.IN_MISSION, Deployment.Status.COMPLETED, Deployment.Status.REPATRIATED,
})


def is_reimbursed_agency(agency) -> bool:
    return bool(agency.is_partner) and agency.kind != Agency.Kind.RCMP


def may_see_ledgers(user) -> bool:
    return is_ipo_staff(user) or (is_coordinator(user) and bool(user.agency_id))


def can_file_claim(user, deployment) -> bool:
    """The coordinator of the officer's agency, for a partner agency's tour that has begun."""
    officer = deployment.officer
    return (
        is_coordinator(user)
        and user.agency_id == officer.agency_id
        and is_reimbursed_agency(officer.agency)
        and deployment.status in CLAIMABLE_DEPLOYMENT_STATES
    )


def role_for_claim(user, claim) -> str | None:
    """The role key of the transition table that `user` holds for `claim`."""
    if is_ipo_staff(user):
        return "ipo_staff"
    if is_coordinator(user) and user.agency_id == claim.agency_id:
        return "coordinator"
    return None


def can_add_claim_documents(user, claim) -> bool:
    """The agency adds documents to its claim while it awaits review."""
    return role_for_claim(user, claim) == "coordinator" and claim.status == claim.Status.SUBMITTED
