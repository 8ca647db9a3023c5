"""Who may do what with accounts, the trail and MFA; used by views, the admin and templates."""

from django.conf import settings

from agencies.models import Role
from agencies.permissions import is_ipo_staff

MANAGE_ACCOUNTS = "agencies.manage_accounts"


def can_manage_accounts(user) -> bool:
    """Superusers, and users explicitly given the "manage accounts" permission."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and (
        user.is_superuser or user.has_perm(MANAGE_ACCOUNTS)
    ))


def can_change_account(actor, target) -> bool:
    """Change another login's password, role, agency, active flag or MFA. Nobody but a
    superuser changes a superuser."""
    if target is not None and target.is_superuser:
        return bool(getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_superuser)
    return can_manage_accounts(actor)


def can_read_audit(user) -> bool:
    return is_ipo_staff(user)


def mfa_required_for(user) -> bool:
    """IPO staff, coordinators and anyone with admin rights must use two-step verification where
    the setting enforces it (production); officers are offered it."""
    if not settings.ROSTER["MFA_REQUIRED"] or not getattr(user, "is_authenticated", False):
        return False
    return user.role in (Role.IPO_STAFF, Role.COORDINATOR) or user.is_staff or user.is_superuser
