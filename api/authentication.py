"""Who is calling: a personal API token (accounts.ApiToken) in `Authorization: Bearer <token>`, or
the browser's session (DRF's SessionAuthentication, next in the settings: CSRF is checked on every
unsafe method; two-step verification and the session limits are the middleware's, as for a page).

A token follows its user's account: it stops working when the token is revoked or expired, the
login is inactive, django-axes has locked the login after failed sign-ins, or the login's role
must use two-step verification (settings.ROSTER["MFA_REQUIRED"]) and has none set up. Each is a
401 with a message that says which. One query finds the token, its user, the lock and the MFA
device together; `last_used_at` is written at most once a minute."""

import hmac
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import authentication, exceptions

from accounts.models import ApiToken
from accounts.permissions import mfa_required_for
from accounts.services import api_token_hash, api_token_prefix_of, api_token_touch

KEYWORD = "Bearer"

MESSAGES = {
    "malformed": _("The Authorization header must be “Bearer ” followed by one API token."),
    "invalid": _("This API token is not valid."),
    "revoked": _("This API token was revoked."),
    "expired": _("This API token has expired. Create a new one on your API tokens page."),
    "inactive": _("The login this API token belongs to is deactivated."),
    "locked": _("The login this API token belongs to is locked after too many failed sign-ins. Try again later."),
    "mfa": _("Your role must use two-step verification: set it up by signing in to the roster before using "
             "the API."),
}


def lockout_filter():
    """The django-axes lock on a login (by its email), as the sign-in page applies it: at least
    AXES_FAILURE_LIMIT failures within the last AXES_COOLOFF_TIME."""
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.filter(
        username__iexact=OuterRef("user__email"), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    )
    if settings.AXES_COOLOFF_TIME:
        cooloff = settings.AXES_COOLOFF_TIME
        if not isinstance(cooloff, timedelta):
            cooloff = timedelta(hours=cooloff)
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cooloff)
    return Exists(attempts)


def tokens_with_account_state():
    return ApiToken.objects.select_related("user", "user__agency").annotate(
        user_locked=lockout_filter(),
        user_mfa_enrolled=Exists(TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)),
    )


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer rst_<prefix>_<secret>`; anything else is left to the next class."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(MESSAGES["malformed"])
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(MESSAGES["malformed"])
        return self.authenticate_token(raw)

    def authenticate_token(self, raw: str):
        prefix = api_token_prefix_of(raw)
        token = tokens_with_account_state().filter(prefix=prefix).first() if prefix else None
        if token is None or not hmac.compare_digest(token.secret_hash, api_token_hash(raw)):
            raise exceptions.AuthenticationFailed(MESSAGES["invalid"])
        now = timezone.now()
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(MESSAGES["revoked"])
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(MESSAGES["expired"])
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(MESSAGES["inactive"])
        if token.user_locked:
            raise exceptions.AuthenticationFailed(MESSAGES["locked"])
        if mfa_required_for(user) and not token.user_mfa_enrolled:
            raise exceptions.AuthenticationFailed(MESSAGES["mfa"])
        api_token_touch(token=token, now=now)
        return user, token

    def authenticate_header(self, request):
        return f'{KEYWORD} realm="api"'

