"""Who may call what. The rules are the apps' own predicates (agencies.permissions,
roster.permissions, roster.selectors); these classes only say which one a view uses, and
that a read-only token reads."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from accounts.models import ApiToken
from agencies.permissions import is_coordinator, is_ipo_staff, is_officer

ROLE_CHECKS = {"ipo_staff": is_ipo_staff, "coordinator": is_coordinator, "officer": is_officer}


def token_of(request) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


class SignedIn(permissions.BasePermission):
    """A signed-in caller (a token or a session); a read-only token only reads (403 otherwise)."""

    message = _("This API token is read-only: create a read-and-write token to change anything.")

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        token = token_of(request)
        if token is not None and not token.writes and request.method not in permissions.SAFE_METHODS:
            return False
        return True


class RoleRequired(SignedIn):
    """The view's `roles` (for its action, when `roles` is a dict of action -> roles) decide who may
    call it at all, as `agencies.access.role_required` does for a page: anyone else gets 403."""

    role_message = _("Your role may not use this part of the API.")

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        roles = getattr(view, "roles", None)
        if isinstance(roles, dict):
            roles = roles.get(getattr(view, "action", None), roles.get("*"))
        if roles and not any(ROLE_CHECKS[r](request.user) for r in roles):
            self.message = self.role_message
            return False
        return True
