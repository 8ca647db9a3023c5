"""The checks of `manage.py check_deployment`: is this configuration fit for production?

Each check returns Findings (a name, OK or not, and a line saying why). Network checks (mail,
broker) give up after a short timeout. No finding ever shows a secret: passwords in URLs are
masked, and any text that could carry one goes through `_safe`.
"""

import io
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .health import broker_connect, broker_transport, celery_app, storage_probe

EMBEDDED_SECRET_KEY = "insecure-embedded-default-do-not-use-in-production"
# Mail backends that deliver nothing to anyone.
NOWHERE_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "prints mail on the console",
    "django.core.mail.backends.locmem.EmailBackend": "keeps mail in memory",
    "django.core.mail.backends.dummy.EmailBackend": "drops mail",
    "django.core.mail.backends.filebased.EmailBackend": "writes mail to files",
}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1", "testserver"}
MIN_SECRET_KEY_LENGTH = 50


@dataclass
class Finding:
    name: str
    ok: bool
    detail: str


def _safe(text: str) -> str:
    """`text` with any configured secret and any password in a URL masked."""
    text = re.sub(r"(://[^:/@\s]*:)[^@\s]+@", r"\1***@", str(text))
    for secret in (settings.SECRET_KEY, getattr(settings, "EMAIL_HOST_PASSWORD", ""),
                   getattr(settings, "ROSTER_METRICS_TOKEN", "")):
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text[:300]


def _error(exc: Exception) -> str:
    return _safe(f"{type(exc).__name__}: {exc}".strip().rstrip(":"))


# --- the checks ---------------------------------------------------------------------------------


def check_secrets() -> list[Finding]:
    key = settings.SECRET_KEY or ""
    if key == EMBEDDED_SECRET_KEY or key.startswith("django-insecure"):
        secret = Finding("secret key", False, "SECRET_KEY is the embedded default: set a random one.")
    elif len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        secret = Finding("secret key", False, f"SECRET_KEY is too short or too plain (fewer than "
                                              f"{MIN_SECRET_KEY_LENGTH} characters, or fewer than 5 different).")
    else:
        secret = Finding("secret key", True, f"SECRET_KEY is set ({len(key)} characters).")
    debug = Finding("debug", not settings.DEBUG, "DEBUG is off." if not settings.DEBUG else "DEBUG is on: turn it off.")
    return [secret, debug]


def check_site() -> list[Finding]:
    site = settings.SITE_URL
    https = Finding("site url", site.startswith("https://"),
                    f"SITE_URL is {site}." if site.startswith("https://")
                    else f"SITE_URL must start with https:// (links in emails): it is {site or 'empty'}.")
    hosts = list(settings.ALLOWED_HOSTS)
    if not hosts:
        allowed = Finding("allowed hosts", False, "ALLOWED_HOSTS is empty.")
    elif "*" in hosts:
        allowed = Finding("allowed hosts", False, "ALLOWED_HOSTS allows any host (*).")
    elif set(hosts) <= LOCAL_HOSTS:
        allowed = Finding("allowed hosts", False, "ALLOWED_HOSTS names only this machine: add the site's name.")
    else:
        allowed = Finding("allowed hosts", True, f"ALLOWED_HOSTS: {', '.join(hosts)}.")
    return [https, allowed]


def check_mail(*, timeout: float = 5.0) -> list[Finding]:
    from django.core.mail import get_connection
    from django.core.mail.backends.smtp import EmailBackend as SMTPBackend

    backend_path = settings.EMAIL_BACKEND
    if backend_path in NOWHERE_BACKENDS:
        return [Finding("mail", False, f"EMAIL_BACKEND {NOWHERE_BACKENDS[backend_path]}: set EMAIL_URL to an "
                                       "SMTP server (smtp://, submission:// or smtps://).")]
    backend = get_connection(fail_silently=False, timeout=timeout)
    if not isinstance(backend, SMTPBackend):
        return [Finding("mail", True, f"EMAIL_BACKEND is {backend_path} (not SMTP: not contacted).")]
    where = f"{backend.host}:{backend.port}"
    try:
        backend.open()
        code, _message = backend.connection.noop()
    except Exception as exc:
        return [Finding("mail", False, f"SMTP server {where} unreachable: {_error(exc)}.")]
    finally:
        try:
            backend.close()
        except Exception:  # closing a connection that failed half-way
            pass
    if code != 250:
        return [Finding("mail", False, f"SMTP server {where} answered NOOP with {code}.")]
    return [Finding("mail", True, f"SMTP server {where} answered (NOOP {code}).")]


def check_broker(*, timeout: float = 5.0) -> list[Finding]:
    app = celery_app()
    transport = broker_transport(app)
    if app.conf.task_always_eager or transport == "memory":
        return [Finding("broker", False, "No broker: tasks run in-process. Set REDIS_URL (and run a worker "
                                         "and beat).")]
    if transport == "folder":
        return [Finding("broker", False, "The folder broker is for `make run` only: set REDIS_URL.")]
    with app.connection_for_write() as conn:
        where = _safe(conn.as_uri())
    try:
        broker_connect(app, timeout=timeout)
    except Exception as exc:
        return [Finding("broker", False, f"Broker {where} unreachable: {_error(exc)}.")]
    return [Finding("broker", True, f"Broker {where} answered.")]


def check_storage() -> list[Finding]:
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    try:
        storage_probe(private)
        writable = Finding("storage", True, f"PRIVATE_MEDIA_ROOT {private} is writable.")
    except OSError as exc:
        writable = Finding("storage", False, f"PRIVATE_MEDIA_ROOT {private} is missing or not writable: "
                                             f"{_error(exc)}.")
    public = [Path(settings.STATIC_ROOT).resolve(), *(Path(d).resolve() for d in settings.STATICFILES_DIRS)]
    inside = next((p for p in public if private == p or p in private.parents), None)
    if inside is not None:
        apart = Finding("storage public", False, f"PRIVATE_MEDIA_ROOT is inside the static files ({inside}): "
                                                 "documents would be public.")
    else:
        apart = Finding("storage public", True, "PRIVATE_MEDIA_ROOT is outside the static files.")
    return [writable, apart]


def check_database() -> list[Finding]:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return [Finding("database", False, f"Database unreachable: {_error(exc)}.")]
    if plan:
        return [Finding("database", False, f"{len(plan)} migrations not applied: run manage.py migrate.")]
    return [Finding("database", True, f"Database answered ({connection.vendor}); migrations applied.")]


def check_django_deploy() -> list[Finding]:
    """Django's own `check --deploy`; a warning counts as a failure."""
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    out = io.StringIO()
    try:
        call_command("check", deploy=True, fail_level="WARNING", stdout=out, stderr=out)
    except SystemCheckError as exc:
        ids = sorted(set(re.findall(r"\(([a-z_]+\.[EW]\d+)\)", str(exc))))
        return [Finding("django check --deploy", False, _safe(", ".join(ids) or str(exc).splitlines()[0]))]
    return [Finding("django check --deploy", True, "No issues.")]


CHECKS = ("check_secrets", "check_site", "check_mail", "check_broker", "check_storage", "check_database",
          "check_django_deploy")
NETWORK_CHECKS = {"check_mail", "check_broker"}


def run_checks(*, timeout: float = 5.0) -> list[Finding]:
    findings = []
    for name in CHECKS:
        check = globals()[name]
        try:
            findings += check(timeout=timeout) if name in NETWORK_CHECKS else check()
        except Exception as exc:  # a check that broke is a failure, never a crash of the rest
            findings.append(Finding(name.removeprefix("check_"), False, f"Check failed: {_error(exc)}."))
    return findings
