"""Writes to the catalogue of deployment roles: IPO staff only, keyword-only, atomic.

A role has an English and a French name, each unique in its language (without regard to case). A
role is never deleted once a tour holds it: it is deactivated, so new deployments no longer offer it
and the tours that hold it keep it."""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ..models import DeploymentRole
from ..permissions import can_manage_deployment_roles
from .selectors import normal

NAME_FIELDS = {"deployment_role_name_en_unique": "name_en", "deployment_role_name_fr_unique": "name_fr"}


def _require(actor) -> None:
    if not can_manage_deployment_roles(actor):
        raise PermissionDenied(_("Only IPO staff manage the catalogue of roles."))


def _check(role: DeploymentRole) -> None:
    errors: dict = {}
    try:
        role.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    for name, field in NAME_FIELDS.items():
        if field in errors:
            continue
        constraint = next(c for c in DeploymentRole._meta.constraints if c.name == name)
        try:
            constraint.validate(DeploymentRole, role)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.error_list)
    if errors:
        raise ValidationError(errors)


def deployment_role_check(role: DeploymentRole) -> None:
    """Tidy the role's names and raise ValidationError, field by field, if it cannot be saved as it is:
    a name missing, or taken in its language. Saves nothing (the admin's form asks it before saving)."""
    role.name_en, role.name_fr = normal(role.name_en), normal(role.name_fr)
    errors = {}
    if not role.name_en:
        errors["name_en"] = [_("Give the role's English name.")]
    if not role.name_fr:
        errors["name_fr"] = [_("Give the role's French name.")]
    if errors:
        raise ValidationError(errors)
    _check(role)


@transaction.atomic
def deployment_role_save(*, actor, role: DeploymentRole) -> DeploymentRole:
    """Add a role or change its names and place in the list. Both names are required; saving them
    marks the French name as checked (a role made from an earlier free text is flagged until then)."""
    _require(actor)
    if role.pk:  # lock it, so two edits of one role queue up
        DeploymentRole.objects.select_for_update().filter(pk=role.pk).first()
    role.needs_review = False
    deployment_role_check(role)
    try:
        with transaction.atomic():
            role.save()
    except IntegrityError:  # the same name, saved meanwhile by someone else
        _check(role)
        raise ValidationError({NON_FIELD_ERRORS: [_("A role with this name already exists.")]}) from None
    return role


@transaction.atomic
def deployment_role_set_active(*, actor, role: DeploymentRole, active: bool) -> DeploymentRole:
    """Offer a role again, or stop offering it to new deployments (the tours that hold it keep it)."""
    _require(actor)
    role = DeploymentRole.objects.select_for_update().get(pk=role.pk)
    if role.is_active != active:
        role.is_active = active
        role.save(update_fields=["is_active", "updated_at"])
    return role
