"""Logins and their security: invitations, password resets, access changes, two-step
verification and lockouts. Emails go through the outbox in the person's language; every
security event is written to the audit trail."""

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Officer, Role, User
from agencies.permissions import can_manage_officer, is_ipo_staff
from audit.models import event_label
from audit.services import audit_security
from config.typography import label_value
from notifications.services import mail_queue, recipient_for_user

from .permissions import can_change_account, can_manage_accounts

logger = logging.getLogger(__name__)

BACKUP_CODES = 10


# --- secret links ---------------------------------------------------------------------------------

def set_password_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})


def set_password_link(mail) -> str | None:
    """The outbox's renderer for "set_password" links: made at send time for the message's
    login, so the link is never stored."""
    user = User.objects.filter(pk=mail.user_id, is_active=True).first() if mail.user_id else None
    if user is None:
        return None
    return settings.SITE_URL + set_password_path(user)


# --- invitations and resets -----------------------------------------------------------------------

@transaction.atomic
def officer_invite(*, officer: Officer, actor, request=None) -> User:
    """Give an officer a login: a user tied to the officer and their agency, with no usable
    password, and an email with a link to choose one, in the officer's preferred language (the officer
    form's; else the agency's working language)."""
    officer = Officer.objects.select_for_update(of=("self",)).select_related("agency").get(pk=officer.pk)
    if not can_manage_officer(actor, officer):
        raise PermissionDenied(_("Only IPO staff and the officer's coordinator invite an officer."))
    if officer.user_id:
        raise ValidationError(_("%(name)s already has a login.") % {"name": officer.full_name})
    email = (officer.email or "").strip().lower()
    if not email:
        raise ValidationError(_("Add the officer's email address first: the invitation goes there."))
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("Another login already uses %(email)s.") % {"email": email})
    user = User(
        email=email, first_name=officer.first_name, last_name=officer.last_name, role=Role.OFFICER,
        agency=officer.agency, preferred_language=officer.writing_language,
    )
    user.set_unusable_password()
    user.save()
    officer.user, officer.preferred_language = user, user.preferred_language
    officer.save(update_fields=["user", "preferred_language", "updated_at"])
    mail_queue(
        recipients=[recipient_for_user(user)],
        template="invitation",
        context={"user": user, "officer": officer, "agency": officer.agency, "inviter": actor},
        topic=f"user:{user.pk}:invitation",
        secret_link="set_password",
    )
    audit_security(event="account.invited", user=user, actor=actor, request=request)
    return user


def password_reset_request(*, email: str, request=None) -> None:
    """Record the request and queue the same work whether or not a login has this address: the
    page answers the same way and in the same time either way. The worker looks the address up."""
    from .tasks import password_reset_send

    email = (email or "").strip()[:254]

    def enqueue():
        try:
            password_reset_send.delay(email)
        except Exception:  # broker down: the person can ask again; nothing else depends on it
            logger.warning("Could not queue a password reset", exc_info=True)

    with transaction.atomic():
        audit_security(event="password.reset_asked", email=email, request=request)
        transaction.on_commit(enqueue)


@transaction.atomic
def password_reset_send(*, email: str) -> int:
    """Queue a reset link to the active login with this address, if any (run by the worker)."""
    users = list(User.objects.filter(email__iexact=(email or "").strip(), is_active=True))
    for user in users:
        mail_queue(
            recipients=[recipient_for_user(user)],
            template="password_reset",
            context={"user": user},
            topic=f"user:{user.pk}:password-reset",
            secret_link="set_password",
        )
    return len(users)


# --- changes to another login ---------------------------------------------------------------------

ACCESS_FIELDS = ("role", "agency_id", "is_active", "is_staff", "is_superuser")


def access_snapshot(user: User) -> dict:
    snap = {f: getattr(user, f) for f in ACCESS_FIELDS}
    snap["permissions"] = sorted(user.user_permissions.values_list("codename", flat=True)) if user.pk else []
    snap["groups"] = sorted(user.groups.values_list("name", flat=True)) if user.pk else []
    return snap


def _notify(user: User, *, event: str, changes: list[str] | None = None) -> None:
    mail_queue(
        recipients=[recipient_for_user(user)],
        template="security_notice",
        context={"user": user, "what": event_label(event), "changes": changes or []},
        topic=f"user:{user.pk}:security",
        kind=f"security:{event}",
    )


def _describe(field: str, value) -> str:
    if field == "role":
        return str(Role(value).label) if value in Role.values else str(value)
    if field == "agency_id":
        from agencies.models import Agency

        agency = Agency.objects.filter(pk=value).first() if value else None
        return agency.name if agency else "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(value) or "—"
    return str(value)


FIELD_LABELS = {
    "role": _("Role"), "agency_id": _("Agency"), "is_active": _("Active"), "is_staff": _("Administration access"),
    "is_superuser": _("Superuser"), "permissions": _("Permissions"), "groups": _("Groups"),
}


@transaction.atomic
def account_access_changed(*, actor, user: User, before: dict, request=None) -> dict:
    """After the admin saved a login: record what changed in its role, agency or access, and
    tell the person. Refuses (and so rolls the save back) a change the actor may not make."""
    after = access_snapshot(user)
    changes = {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}
    if not changes:
        return {}
    touches_superuser = before.get("is_superuser") or user.is_superuser
    if not (actor.is_superuser or (not touches_superuser and can_manage_accounts(actor))):
        raise PermissionDenied(_("You may not change this login."))
    audit_security(event="account.access_changed", user=user, actor=actor, request=request,
                   detail={"changes": {k: [str(v[0]), str(v[1])] for k, v in changes.items()}})
    lines = [label_value(FIELD_LABELS.get(k, k), f"{_describe(k, old)} → {_describe(k, new)}")
             for k, (old, new) in changes.items()]
    _notify(user, event="account.access_changed", changes=lines)
    return changes


@transaction.atomic
def password_set_by_admin(*, actor, user: User, request=None) -> None:
    if not can_change_account(actor, user):
        raise PermissionDenied(_("You may not change this login."))
    audit_security(event="password.set_by_admin", user=user, actor=actor, request=request)
    _notify(user, event="password.set_by_admin")


# --- two-step verification (django-otp: TOTP plus single-use backup codes) --------------------------

def mfa_devices(user: User) -> dict:
    return {
        "totp": TOTPDevice.objects.filter(user=user, confirmed=True).first(),
        "backup_left": StaticToken.objects.filter(device__user=user, device__confirmed=True).count(),
    }


def mfa_is_enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def mfa_setup_start(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for this login (a fresh secret each time setup starts)."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=str(_("Authenticator app")), confirmed=False)


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=str(_("Backup codes")), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def mfa_setup_confirm(*, user: User, device_id: int, token: str, request=None) -> list[str]:
    """Confirm the authenticator with a code it shows; replaces any earlier one and returns new
    backup codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        raise ValidationError({"token": _("This setup has expired. Start again.")})
    if not device.verify_token((token or "").replace(" ", "")):
        device.save()
        raise ValidationError({"token": _("That code is not right. Enter the 6 digits your app shows now.")})
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    codes = _new_backup_codes(user)
    audit_security(event="mfa.enrolled", user=user, request=request)
    _notify(user, event="mfa.enrolled")
    return codes


@transaction.atomic
def mfa_backup_codes_renew(*, user: User, request=None) -> list[str]:
    if not mfa_is_enrolled(user):
        raise ValidationError(_("Set up two-step verification first."))
    codes = _new_backup_codes(user)
    audit_security(event="mfa.backup_codes", user=user, request=request)
    return codes


def mfa_verify(*, user: User, token: str, request=None):
    """The device that accepts this code (the authenticator's 6 digits or a backup code), or
    None. django-otp throttles each device after failures; every attempt is audited."""
    token = (token or "").strip().replace(" ", "").replace("-", "")
    device = None
    if token:
        with transaction.atomic():
            for candidate in list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)) + list(
                StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            ):
                if candidate.verify_is_allowed()[0] and candidate.verify_token(token):
                    device = candidate
                    break
    if device is None:
        audit_security(event="mfa.failed", user=user, request=request)
    elif isinstance(device, StaticDevice):
        audit_security(event="mfa.backup_code_used", user=user, request=request)
        _notify(user, event="mfa.backup_code_used")
    else:
        audit_security(event="mfa.verified", user=user, request=request)
    return device


@transaction.atomic
def mfa_reset(*, actor, user: User, request=None) -> None:
    """An administrator removes a login's authenticator and backup codes (lost device); the
    person sets it up again at their next sign-in."""
    if not can_change_account(actor, user):
        raise PermissionDenied(_("You may not change this login."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_security(event="mfa.reset", user=user, actor=actor, request=request)
    _notify(user, event="mfa.reset")


# --- lockouts (django-axes) -----------------------------------------------------------------------

def locked_logins():
    """Sign-in attempts now over the failure limit, newest first."""
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT).order_by(
        "-attempt_time"
    )


@transaction.atomic
def login_unlock(*, actor, attempt_id: int, request=None) -> int:
    from axes.models import AccessAttempt

    if not (can_manage_accounts(actor) or is_ipo_staff(actor)):
        raise PermissionDenied(_("Only IPO staff lift a sign-in lock."))
    attempt = AccessAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        return 0
    user = User.objects.filter(email__iexact=attempt.username or "").first()
    audit_security(event="login.unlocked", user=user, actor=actor, email=attempt.username or "", request=request,
                   detail={"ip_address": attempt.ip_address})
    attempt.delete()
    return 1


# --- API tokens (the api app authenticates with them) ----------------------------------------------

API_TOKEN_TAG = "rst"
# Expiry choices offered when a token is made, in days; the longest is the most a token may live.
API_TOKEN_DAYS = (7, 30, 90, 180, 365)
# A login keeps at most this many tokens that are neither revoked nor expired.
API_TOKENS_PER_USER = 20
# `last_used_at` is written at most this often, so a busy client does not write on every request.
API_TOKEN_TOUCH_SECONDS = 60


def api_token_hash(raw: str) -> str:
    """The stored form of a token: its SHA-256 (a token carries 256 random bits, so no slow hash is needed)."""
    import hashlib

    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def api_token_prefix_of(raw: str) -> str | None:
    """The prefix of a token as a client sends it ("rst_<prefix>_<secret>"), or None if it is not one."""
    parts = (raw or "").split("_", 2)
    if len(parts) != 3 or parts[0] != API_TOKEN_TAG or not parts[2]:
        return None
    prefix = parts[1]
    if len(prefix) != 8 or any(c not in "0123456789abcdef" for c in prefix):
        return None
    return prefix


@transaction.atomic
def api_token_create(*, user: User, name: str, scope: str, days: int, request=None):
    """Make a token for `user`; returns (token row, the whole token). The whole token is shown
    once: only its hash is stored. Recorded in the audit trail."""
    import secrets
    from datetime import timedelta

    from django.utils import timezone

    from .models import ApiToken

    errors: dict = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the token a name that says where it is used.")]
    elif len(name) > 100:
        errors["name"] = [_("Keep the name to 100 characters.")]
    if scope not in ApiToken.Scope.values:
        errors["scope"] = [_("Choose read only, or read and write.")]
    if days not in API_TOKEN_DAYS:
        errors["days"] = [_("Choose one of the expiry periods offered.")]
    now = timezone.now()
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).count()
    if live >= API_TOKENS_PER_USER:
        errors.setdefault("__all__", []).append(
            _("You have %(n)d tokens in use, the most allowed: revoke one first.") % {"n": live})
    if errors:
        raise ValidationError(errors)
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    raw = f"{API_TOKEN_TAG}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, secret_hash=api_token_hash(raw), scope=scope,
        expires_at=now + timedelta(days=days),
    )
    audit_security(event="api_token.created", user=user, request=request,
                   detail={"name": name, "prefix": prefix, "scope": scope, "expires_at": token.expires_at.isoformat()})
    return token, raw


@transaction.atomic
def api_token_revoke(*, token, actor, request=None):
    """Revoke a token: its owner, or someone who may change the owner's login. Revoking twice keeps
    the first time. Recorded in the audit trail."""
    from django.utils import timezone

    from .models import ApiToken

    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.user_id != getattr(actor, "pk", None) and not can_change_account(actor, token.user):
        raise PermissionDenied(_("You may not revoke this token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_security(event="api_token.revoked", user=token.user, actor=actor, request=request,
                       detail={"name": token.name, "prefix": token.prefix})
    return token


def api_token_touch(*, token, now=None) -> bool:
    """Record that the token was used, at most once a minute (one conditional UPDATE, none
    when it was written less than a minute ago)."""
    from datetime import timedelta

    from django.db.models import Q
    from django.utils import timezone

    from .models import ApiToken

    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < timedelta(seconds=API_TOKEN_TOUCH_SECONDS):
        return False
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(seconds=API_TOKEN_TOUCH_SECONDS))
    token.last_used_at = now
    return ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now) == 1
