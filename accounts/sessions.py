"""Session bookkeeping: when the person signed in, when they were last active, when they last
gave their password (or a code) again, and where they stand with two-step verification.

Everything lives in the session itself, so the checks on each request cost no query."""

import time

from django.conf import settings

AUTH_AT = "_auth_at"          # sign-in time (absolute lifetime)
LAST_SEEN = "_last_seen"      # last activity (idle timeout)
REAUTH_AT = "_reauth_at"      # last time the password or a code was given
MFA_STATE = "_mfa_state"      # "off" (not enrolled, not required), "setup" (must enrol), "pending" (must verify), "ok"

# The activity time is written at most this often, so a busy page does not rewrite the session on
# every request; the idle limit is exact to within this many seconds.
TOUCH_EVERY_SECONDS = 30


def limits() -> dict:
    rules = settings.ROSTER
    return {
        "idle": rules["SESSION_IDLE_SECONDS"],
        "absolute": rules["SESSION_ABSOLUTE_SECONDS"],
        "warning": rules["SESSION_WARNING_SECONDS"],
        "reauth": rules["REAUTH_SECONDS"],
    }


def start(request, user) -> None:
    now = time.time()
    request.session[AUTH_AT] = now
    request.session[LAST_SEEN] = now
    request.session[REAUTH_AT] = now
    start_mfa_state(request, user)


def start_mfa_state(request, user) -> None:
    from .permissions import mfa_required_for
    from .services import mfa_is_enrolled

    if mfa_is_enrolled(user):
        request.session[MFA_STATE] = "pending"
    else:
        request.session[MFA_STATE] = "setup" if mfa_required_for(user) else "off"


def touch(request, now: float | None = None) -> None:
    now = now or time.time()
    if now - request.session.get(LAST_SEEN, 0) >= TOUCH_EVERY_SECONDS:
        request.session[LAST_SEEN] = now


def extend(request) -> None:
    """The person chose to stay signed in."""
    request.session[LAST_SEEN] = time.time()


def expired(request, now: float | None = None) -> str:
    """"idle", "absolute" or "" (still valid)."""
    now = now or time.time()
    lim = limits()
    started = request.session.get(AUTH_AT)
    if started is None:
        request.session[AUTH_AT] = now
        request.session[LAST_SEEN] = now
        return ""
    if now - started > lim["absolute"]:
        return "absolute"
    if now - request.session.get(LAST_SEEN, now) > lim["idle"]:
        return "idle"
    return ""


def idle_remaining(request, now: float | None = None) -> int:
    now = now or time.time()
    lim = limits()
    idle_left = lim["idle"] - (now - request.session.get(LAST_SEEN, now))
    absolute_left = lim["absolute"] - (now - request.session.get(AUTH_AT, now))
    return max(0, int(min(idle_left, absolute_left)))


def recently_authenticated(request, now: float | None = None) -> bool:
    now = now or time.time()
    return now - request.session.get(REAUTH_AT, 0) <= limits()["reauth"]


def mark_reauthenticated(request) -> None:
    request.session.cycle_key()
    request.session[REAUTH_AT] = time.time()


def mark_verified(request) -> None:
    """Two-step verification passed: a privilege change, so the session key changes."""
    request.session.cycle_key()
    request.session[MFA_STATE] = "ok"
    request.session[REAUTH_AT] = time.time()
