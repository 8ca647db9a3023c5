"""Reads of the catalogue of deployment roles."""

from django.db.models import Count, Q, QuerySet

from ..models import DeploymentRole
from ..permissions import can_manage_deployment_roles


def normal(text: str) -> str:
    """A role's text with its spaces tidied: "  Police   adviser " is "Police adviser"."""
    return " ".join((text or "").split())


def deployment_roles_for(user) -> QuerySet[DeploymentRole]:
    """The catalogue as IPO staff manage it (every role, offered or not, with how many tours hold it);
    nothing for anyone else."""
    if not can_manage_deployment_roles(user):
        return DeploymentRole.objects.none()
    return DeploymentRole.objects.annotate(tours=Count("deployments")).order_by(
        "-is_active", "position", "name_en", "id")


def deployment_roles_offered(*, including: DeploymentRole | None = None) -> QuerySet[DeploymentRole]:
    """The roles a new deployment may take (the active ones), in the catalogue's order; `including`:
    one more, already chosen, kept even if it was deactivated meanwhile."""
    condition = Q(is_active=True)
    if including is not None:
        condition |= Q(pk=including.pk)
    return DeploymentRole.objects.filter(condition)


def deployment_role_matching(text: str) -> DeploymentRole | None:
    """The offered role whose English or French name is `text` (without regard to case or spaces),
    if any: what an older client's free-text role, or a bulletin's title, stands for."""
    text = normal(text)
    if not text:
        return None
    return deployment_roles_offered().filter(Q(name_en__iexact=text) | Q(name_fr__iexact=text)).first()


def deployment_roles_to_review() -> int:
    """How many roles still have a French name to check (made from free text by an earlier version)."""
    return DeploymentRole.objects.filter(needs_review=True).count()
