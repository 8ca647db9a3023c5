"""Error reporting to Sentry (sentry-sdk, with its Django and Celery integrations).

`init_sentry` is called at the end of the base settings and does nothing without a DSN (SENTRY_DSN),
so the embedded default, `make run` and the tests never report anything.

No personal data leaves: `send_default_pii=False` (no user, cookies or client address from the SDK),
no local variables in stack frames (`include_local_variables=False`), no request bodies
(`max_request_body_size="never"`), and `scrub_event` (before_send, and before_send_transaction for
traces) removes what is left: the request's body, cookies, query string and every header but a
few harmless ones; the user but for their id; the Celery task's arguments; the data of
breadcrumbs; every frame's variables; and email addresses anywhere in a message, an exception's
text or extra data.

This module is imported by the settings: it imports nothing from Django or the apps.
"""

import re

from config.logging import hide_secrets

# Request headers kept in a report (all others, such as Authorization, Cookie, X-Forwarded-For,
# Referer, X-Api-Key or X-CSRFToken, are removed).
SAFE_HEADERS = {"accept", "accept-language", "content-type", "content-length", "host", "user-agent",
                "x-forwarded-proto", "x-request-id"}
# The environment variables of the request Sentry may copy: none of the client's.
SAFE_ENV = {"SERVER_NAME", "SERVER_PORT"}
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
FILTERED = "[Filtered]"
EMAIL_FILTERED = "[email]"


def _redact(value, depth: int = 0):
    """`value` with every email address replaced, in strings nested in lists and dicts."""
    if depth > 20:
        return FILTERED
    if isinstance(value, str):
        return EMAIL.sub(EMAIL_FILTERED, value)
    if isinstance(value, dict):
        return {k: _redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v, depth + 1) for v in value]
    return value


def _scrub_request(request: dict) -> dict:
    url = request.get("url")
    if isinstance(url, str):
        url = hide_secrets(url.split("?", 1)[0].split("#", 1)[0])
    headers = request.get("headers") or {}
    env = request.get("env") or {}
    scrubbed = {
        "url": url,
        "method": request.get("method"),
        "headers": {k: v for k, v in headers.items() if str(k).lower() in SAFE_HEADERS} if isinstance(
            headers, dict) else {},
        "env": {k: v for k, v in env.items() if k in SAFE_ENV} if isinstance(env, dict) else {},
    }
    return {k: v for k, v in scrubbed.items() if v not in (None, {})}


def _scrub_frames(stacktrace):
    if isinstance(stacktrace, dict):
        for frame in stacktrace.get("frames") or ():
            if isinstance(frame, dict):
                frame.pop("vars", None)
                for key in ("pre_context", "context_line", "post_context"):  # source lines
                    if key in frame:
                        frame[key] = _redact(frame[key])


def scrub_event(event: dict, hint=None) -> dict:
    """Sentry's before_send: the event without personal data (see the module's docstring)."""
    if not isinstance(event, dict):
        return event
    if isinstance(event.get("request"), dict):
        event["request"] = _scrub_request(event["request"])
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if user.get("id") not in (None, "") else {}
    for values in (event.get("exception"), event.get("threads")):
        for item in (values or {}).get("values") or ():
            if isinstance(item, dict):
                _scrub_frames(item.get("stacktrace"))
                if isinstance(item.get("value"), str):
                    item["value"] = _redact(item["value"])
    _scrub_frames(event.get("stacktrace"))
    breadcrumbs = event.get("breadcrumbs")
    crumbs = breadcrumbs.get("values") if isinstance(breadcrumbs, dict) else breadcrumbs
    for crumb in crumbs or ():
        if isinstance(crumb, dict):
            crumb.pop("data", None)
            if isinstance(crumb.get("message"), str):
                crumb["message"] = _redact(crumb["message"])
    if isinstance(event.get("message"), str):
        event["message"] = _redact(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        for key in ("message", "formatted"):
            if isinstance(logentry.get(key), str):
                logentry[key] = _redact(logentry[key])
        if logentry.get("params"):
            logentry["params"] = [FILTERED for _ in logentry["params"]]
    extra = event.get("extra")
    if isinstance(extra, dict):
        job = extra.get("celery-job")
        if isinstance(job, dict):
            job.update({k: FILTERED for k in ("args", "kwargs") if k in job})
        event["extra"] = _redact(extra)
    if isinstance(event.get("contexts"), dict):
        event["contexts"] = _redact(event["contexts"])
    return event


def sentry_options(*, dsn: str, environment: str = "", traces_sample_rate: float = 0.0, release: str = "") -> dict:
    """The options `sentry_sdk.init` gets (without the integrations)."""
    options = {
        "dsn": dsn,
        "environment": environment or None,
        "release": release or None,
        "traces_sample_rate": traces_sample_rate,
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "before_send": scrub_event,
        "before_send_transaction": scrub_event,
    }
    return {k: v for k, v in options.items() if v is not None}


def init_sentry(*, dsn: str, environment: str = "", traces_sample_rate: float = 0.0, release: str = "") -> bool:
    """Start reporting errors to Sentry when `dsn` is set; True if it did."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        integrations=[DjangoIntegration(), CeleryIntegration()],
        **sentry_options(dsn=dsn, environment=environment, traces_sample_rate=traces_sample_rate, release=release),
    )
    return True
