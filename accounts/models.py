"""Accounts keep no tables of their own: the login is `agencies.User`, MFA devices are
django-otp's, lockouts django-axes', and the trail is `audit.AuditEntry`."""

from agencies.models import Role, User

__all__ = ["Role", "User"]
