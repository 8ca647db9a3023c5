"""Roster services, one module per area: applications, deployments.
Callers use `roster.services.<name>`."""

from .applications import (
    actor_role_for,
    allowed_transitions,
    application_nominate,
    application_submit,
    application_transition,
    application_transition_many,
    application_update,
    document_errors,
    filled_positions,
    validate_pdf,
)
from .deployments import (
    add_months,
    clearance_problems,
    deployment_cancel,
    deployment_complete,
    deployment_create,
    deployment_extend,
    deployment_repatriate,
    deployment_start,
    handovers,
    overlapping,
    strength_problems,
)

__all__ = [
    "actor_role_for",
    "add_months",
    "allowed_transitions",
    "application_nominate",
    "application_submit",
    "application_transition",
    "application_transition_many",
    "application_update",
    "clearance_problems",
    "deployment_cancel",
    "deployment_complete",
    "deployment_create",
    "deployment_extend",
    "deployment_repatriate",
    "deployment_start",
    "document_errors",
    "filled_positions",
    "handovers",
    "overlapping",
    "strength_problems",
    "validate_pdf",
]
