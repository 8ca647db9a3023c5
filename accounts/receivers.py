"""Security events from Django's and django-axes' signals, into the audit trail, and the
session's sign-in bookkeeping (time of sign-in, two-step verification state)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.services import audit_security

from . import sessions


@receiver(user_logged_in, dispatch_uid="accounts.logged_in")
def _logged_in(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    sessions.start(request, user)
    audit_security(event="login.succeeded", user=user, request=request)


@receiver(user_login_failed, dispatch_uid="accounts.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    from .models import User

    email = (credentials or {}).get("username") or (credentials or {}).get("email") or ""
    user = User.objects.filter(email__iexact=email).first() if email else None
    audit_security(event="login.failed", user=user, email=email, request=request)


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    from .models import User

    user = User.objects.filter(email__iexact=username or "").first() if username else None
    audit_security(event="login.locked_out", user=user, email=username or "", request=request,
                   detail={"ip_address": ip_address})


@receiver(user_logged_out, dispatch_uid="accounts.logged_out")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_security(event="logout", user=user, request=request)
