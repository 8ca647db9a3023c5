"""Sign-in, password, two-step verification, session, lockout and audit pages. Views parse
input, call one service and redirect; the rules live in accounts.services and .permissions."""

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import is_ratelimited

from agencies.access import add_service_errors, flash_errors, get_visible_or_404, require, role_required
from agencies.permissions import can_manage_officer
from agencies.selectors import officer_for_user, officer_visible_to
from audit.selectors import audit_entries, reads_of_officer, seek_page
from audit.services import audit_security

from . import services, sessions
from .decorators import recent_auth_required
from .forms import AuditSearchForm, CodeForm, LoginForm, OutboxPasswordResetForm, ReauthForm, SetupForm
from .permissions import can_read_audit, mfa_required_for
from .selectors import officers_matching, users_matching


def _rate(name):
    return lambda group, request: settings.ROSTER[name]


def _safe_next(request, fallback="home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(fallback)


def _too_many(request, template="accounts/too_many.html"):
    return render(request, template, status=429)


# --- sign in, passwords ----------------------------------------------------------------------------

class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Rate-limited per address and per client; the answer is the same whether or not the address
    has a login, and so is the work done (a task is queued either way)."""

    form_class = OutboxPasswordResetForm

    def post(self, request, *args, **kwargs):
        email = (request.POST.get("email") or "").strip().lower()
        limited = is_ratelimited(request, group="password-reset-ip", key="ip", rate=_rate("RESET_RATE_PER_IP"),
                                 method="POST", increment=True)
        limited |= is_ratelimited(request, group="password-reset-email", key=lambda g, r: email,
                                  rate=_rate("RESET_RATE_PER_EMAIL"), method="POST", increment=True)
        if limited:
            return _too_many(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        form.save(request=self.request)
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        from axes.utils import reset as axes_reset

        response = super().form_valid(form)
        axes_reset(username=form.user.email)
        audit_security(event="password.reset_used", user=form.user, request=self.request)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        audit_security(event="password.changed", user=form.user, request=self.request)
        return response


# --- re-authentication for sensitive actions -----------------------------------------------------

@login_required
def reauth(request):
    form = ReauthForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if is_ratelimited(request, group="reauth", key="user", rate=_rate("MFA_RATE"), method="POST", increment=True):
            return _too_many(request)
        if form.is_valid():
            sessions.mark_reauthenticated(request)
            audit_security(event="reauth.succeeded", user=request.user, request=request)
            return redirect(_safe_next(request))
        audit_security(event="reauth.failed", user=request.user, request=request)
    return render(request, "accounts/reauth.html", {"form": form, "next": _safe_next(request)})


# --- session --------------------------------------------------------------------------------------

def session_status(request):
    """GET: seconds left before the idle sign-out (does not count as activity). POST: stay signed in."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False, "remaining": 0}, status=401)
    if request.method == "POST":
        sessions.extend(request)
        if not request.headers.get("Accept", "").startswith("application/json"):
            messages.success(request, _("You are still signed in."))
            return redirect(_safe_next(request))
    return JsonResponse({"signed_in": True, "remaining": sessions.idle_remaining(request)})


# --- two-step verification ---------------------------------------------------------------------------

@login_required
def mfa_overview(request):
    return render(request, "accounts/mfa_overview.html", {
        **services.mfa_devices(request.user),
        "required": mfa_required_for(request.user),
    })


def _qr_svg(uri: str) -> str:
    qr = segno.make(uri, error="m")
    return mark_safe(qr.svg_inline(scale=5, title=_("QR code to add the roster to your authenticator app")))


@login_required
def mfa_setup(request):
    """Guided setup: scan the code (drawn on the server), enter the 6 digits, keep the backup codes.
    Replacing an authenticator already set up needs the password again."""
    enrolled = services.mfa_is_enrolled(request.user)
    if enrolled and not (request.user.is_verified() and sessions.recently_authenticated(request)):
        if not request.user.is_verified():
            return redirect_to_login(request.get_full_path(), login_url="accounts:mfa-verify")
        return redirect_to_login(request.get_full_path(), login_url="accounts:reauth")
    form = SetupForm(request.POST or None)
    device = None
    if request.method == "POST":
        if is_ratelimited(request, group="mfa", key="user", rate=_rate("MFA_RATE"), method="POST", increment=True):
            return _too_many(request)
        device_id = request.session.get("_mfa_setup_device")
        if form.is_valid():
            try:
                codes = services.mfa_setup_confirm(user=request.user, device_id=device_id or 0,
                                                   token=form.cleaned_data["token"], request=request)
            except ValidationError as exc:
                form.add_error("token", exc.message_dict.get("token", exc.messages))
            else:
                otp_login(request, TOTPDevice.objects.get(pk=device_id))
                sessions.mark_verified(request)
                request.session.pop("_mfa_setup_device", None)
                return render(request, "accounts/mfa_codes.html", {"codes": codes, "next": _safe_next(request)})
        device = TOTPDevice.objects.filter(pk=device_id or 0, user=request.user, confirmed=False).first()
    if device is None:
        device = services.mfa_setup_start(user=request.user)
        request.session["_mfa_setup_device"] = device.pk
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/mfa_setup.html", {
        "form": form,
        "qr": _qr_svg(device.config_url),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "required": mfa_required_for(request.user),
        "next": _safe_next(request),
    })


@login_required
def mfa_verify(request):
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if is_ratelimited(request, group="mfa", key="user", rate=_rate("MFA_RATE"), method="POST", increment=True):
            return _too_many(request)
        if form.is_valid():
            device = services.mfa_verify(user=request.user, token=form.cleaned_data["token"], request=request)
            if device is not None:
                otp_login(request, device)
                sessions.mark_verified(request)
                return redirect(_safe_next(request))
            form.add_error("token", _("That code is not right, or it was already used. Try the code your app "
                                      "shows now, or a backup code."))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
@require_POST
@recent_auth_required
def mfa_backup_codes(request):
    try:
        codes = services.mfa_backup_codes_renew(user=request.user, request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("accounts:mfa")
    return render(request, "accounts/mfa_codes.html", {"codes": codes, "next": reverse("accounts:mfa")})


# --- officer invitations ---------------------------------------------------------------------------

@login_required
def officer_invite(request, officer_pk):
    """GET says what the invitation does and asks for confirmation; POST sends it."""
    officer = get_visible_or_404(officer_visible_to(request.user), pk=officer_pk)
    if request.method != "POST":
        if not can_manage_officer(request.user, officer):
            raise PermissionDenied
        if officer.user_id:
            messages.info(request, _("%(name)s already has a login.") % {"name": officer.full_name})
            return redirect("agencies:officer-detail", pk=officer.pk)
        return render(request, "accounts/officer_invite_confirm.html", {"officer": officer})
    try:
        user = services.officer_invite(officer=officer, actor=request.user, request=request)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("%(name)s is invited: an email to %(email)s lets them choose a password.")
                         % {"name": officer.full_name, "email": user.email})
    return redirect("agencies:officer-detail", pk=officer.pk)


# --- lockouts -------------------------------------------------------------------------------------

@role_required("ipo_staff")
def lockouts(request):
    return render(request, "accounts/lockouts.html", {"attempts": services.locked_logins()[:200]})


@role_required("ipo_staff")
@require_POST
def lockout_unlock(request, pk):
    if services.login_unlock(actor=request.user, attempt_id=pk, request=request):
        messages.success(request, _("The sign-in lock is lifted."))
    else:
        messages.info(request, _("That lock had already ended."))
    return redirect("accounts:lockouts")


# --- the audit trail --------------------------------------------------------------------------------

AUDIT_PER_PAGE = 50


@login_required
def audit_search(request):
    require(can_read_audit, request.user)
    form = AuditSearchForm(request.GET or None)
    rows, next_cursor = [], ""
    if form.is_valid() or not request.GET:
        data = form.cleaned_data if form.is_bound else {}
        officer_ids = None
        if data.get("officer"):
            officer_ids = officers_matching(request.user, data["officer"]).values_list("pk", flat=True)
        actor_ids = None
        if data.get("user"):
            actor_ids = users_matching(data["user"]).values_list("pk", flat=True)
        qs = audit_entries(kind=data.get("kind", ""), officer_ids=officer_ids, actor_ids=actor_ids,
                           since=data.get("since"), until=data.get("until"))
        rows, next_cursor = seek_page(qs.select_related("content_type"), cursor=request.GET.get("after", ""),
                                      size=AUDIT_PER_PAGE)
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "accounts/audit_search.html", {
        "form": form, "rows": rows, "next_cursor": next_cursor, "query": query.urlencode(),
        "first_page": not request.GET.get("after"),
    })


@login_required
def my_record_reads(request):
    """For an officer: who has read their record (their own reads left out)."""
    officer = officer_for_user(request.user)
    if officer is None:
        return render(request, "accounts/my_record_reads.html", {"officer": None, "rows": []})
    rows, next_cursor = seek_page(
        reads_of_officer(officer_id=officer.pk, exclude_actor_id=request.user.pk).select_related("actor__agency"),
        cursor=request.GET.get("after", ""), size=AUDIT_PER_PAGE,
    )
    return render(request, "accounts/my_record_reads.html", {
        "officer": officer, "rows": rows, "next_cursor": next_cursor, "first_page": not request.GET.get("after"),
    })



# --- API tokens ------------------------------------------------------------------------------------

API_TOKENS_SHOWN = 100


@login_required
def api_tokens(request):
    """The person's API tokens, newest first: name, prefix, scope, expiry and last use."""
    from django.utils import timezone

    from .models import ApiToken

    tokens = list(ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")[:API_TOKENS_SHOWN])
    now = timezone.now()
    for token in tokens:
        token.state = "revoked" if token.is_revoked else ("expired" if token.is_expired(now) else "active")
    return render(request, "accounts/api_tokens.html", {"tokens": tokens})


@login_required
@recent_auth_required
def api_token_create(request):
    """GET: the form. POST: make the token and show it, once (never stored, never in a redirect)."""
    from .forms import ApiTokenForm

    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.api_token_create(user=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "accounts/api_token_created.html", {"token": token, "raw": raw})
    return render(request, "accounts/api_token_form.html", {"form": form})


@login_required
@require_POST
def api_token_revoke(request, pk):
    from django.shortcuts import get_object_or_404

    from .models import ApiToken

    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(token=token, actor=request.user, request=request)
    messages.success(request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name})
    return redirect("accounts:api-tokens")
