"""Per-request account rules: session limits, two-step verification, and no caching of pages
that show personal data. None of them queries the database on an ordinary request."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from audit.services import audit_security

from . import sessions

# Pages a signed-in person may reach before finishing two-step verification.
MFA_EXEMPT = {
    "logout", "set_language", "healthz", "readyz", "metrics", "favicon", "accounts:mfa-verify", "accounts:mfa-setup",
    "accounts:session", "privacy:notice", "partners:join", "partners:join-thanks",
    "site_pages:terms", "site_pages:contact", "site_pages:report-problem", "site_pages:report-problem-thanks",
}


def _url_name(request) -> str:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return ""
    return f"{match.namespace}:{match.url_name}" if match.namespace else (match.url_name or "")


class SessionLimitsMiddleware:
    """Sign out after the idle timeout or the absolute lifetime (both settings)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            why = sessions.expired(request)
            if why:
                audit_security(event="session.expired", user=user, request=request, detail={"why": why})
                logout(request)
                if request.headers.get("Accept", "").startswith("application/json"):
                    return JsonResponse({"signed_in": False, "remaining": 0}, status=401)
                if why == "idle":
                    messages.info(request, _("You were signed out after a period without activity. Sign in again."))
                else:
                    messages.info(request, _("Your session reached its maximum length. Sign in again."))
                return redirect_to_login(request.get_full_path() if request.method == "GET" else "/")
            if _url_name(request) != "accounts:session" or request.method == "POST":
                sessions.touch(request)
        return self.get_response(request)


class MfaMiddleware:
    """Send a signed-in person to two-step verification (enrolled) or to its setup (required for
    their role where the setting enforces it) before anything else. Runs after django-otp's
    OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            target = self._needed(request, user)
            if target and _url_name(request) not in MFA_EXEMPT:
                if request.headers.get("Accept", "").startswith("application/json"):
                    return JsonResponse({"mfa": target}, status=403)
                return redirect_to_login(request.get_full_path(), login_url=f"accounts:mfa-{target}")
        return self.get_response(request)

    @staticmethod
    def _needed(request, user) -> str:
        from .permissions import mfa_required_for

        state = request.session.get(sessions.MFA_STATE)
        if state is None or (state == "ok" and not user.is_verified()):
            sessions.start_mfa_state(request, user)
            state = request.session[sessions.MFA_STATE]
        if state == "pending":
            return "verify"
        if state == "setup":
            if mfa_required_for(user):
                return "setup"
            request.session[sessions.MFA_STATE] = "off"
        elif state == "off" and mfa_required_for(user):
            request.session[sessions.MFA_STATE] = "setup"
            return "setup"
        return ""


class NoStoreMiddleware:
    """Nothing shown to a signed-in person is kept by a browser or proxy cache: every page and
    file they get may carry personal data."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated or getattr(response, "personal_data", False):
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
            response.headers.pop("Expires", None)
        return response
