"""Logging: structlog (through django-structlog) over the standard library, one line per event.

Every line, from our code (`structlog.get_logger(__name__)`) or from a library's stdlib logger
(Django, Celery; gunicorn's error log through `gunicorn_logconfig_dict`), goes through the same
processors and one handler on stderr:

- LOG_FORMAT=json (production's default): one JSON object per line, with `event`, `level`,
  `timestamp` (UTC, ISO 8601), `logger`, and the context bound for the request or the task:
  `request_id` and `user_id` in a request (django-structlog's RequestMiddleware), `task_id`,
  `task` and the `request_id` of the request that enqueued it in a Celery task.
- LOG_FORMAT=console (`make run`'s default): structlog's ConsoleRenderer, `timestamp [level] event
  key=value ...`, coloured only on a terminal.

LOG_LEVEL (default INFO) is the root level. Tracebacks are rendered as plain text, never with the
values of local variables (which may hold personal data).

What is logged, and that it carries ids only (never names, emails, phone numbers or free text):
README.md, "Operations", "Logs".
"""

import logging
import os
import re
import sys
import time

import django_structlog.middlewares
import structlog
from django_structlog import signals as request_signals
from gunicorn.glogging import Logger as GunicornGlogger

FORMATS = ("json", "console")

# Run on every event: ours before they reach the stdlib logger, a library's (`foreign`) in the
# formatter. Kept short: each costs a little on every request.
_SHARED = (
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
)


def formatter(fmt: str = "json") -> structlog.stdlib.ProcessorFormatter:
    """The handler's formatter (LOGGING's formatters use it through "()")."""
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "json":
        render = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        render = [structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback, pad_event_to=24,
        )]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=list(_SHARED),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *render],
    )


def configure_structlog(*, cache: bool = True) -> None:
    """structlog's own loggers hand their events to the stdlib logger of the same name, whose
    handler renders them (so the level and the format are LOGGING's). `cache`: off in the tests,
    whose `structlog.testing.capture_logs` must reach loggers already used."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,  # first: a disabled level costs next to nothing
            *_SHARED,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=cache,
    )


def _at_least(floor: str, level: str) -> str:
    return floor if logging.getLevelName(level) < logging.getLevelName(floor) else level


def logging_config(*, fmt: str = "json", level: str = "INFO", cache: bool = True) -> dict:
    """Configure structlog and return the LOGGING dict for the settings."""
    configure_structlog(cache=cache)
    level = level.upper()
    quiet = _at_least("WARNING", level)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": "config.logging.formatter", "fmt": fmt}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # Django's own handlers (its console, mail_admins) give way to ours.
            "django": {"handlers": [], "level": level, "propagate": True},
            # runserver's access lines, and "Not Found: ..." for each 4xx, repeat request_finished (which
            # has the request id); their errors stay.
            "django.server": {"handlers": [], "level": quiet, "propagate": True},
            "django.request": {"handlers": [], "level": _at_least("ERROR", level), "propagate": True},
            # django-axes' bookkeeping on every sign-in; its lockout warnings stay (security_event has them).
            "axes": {"handlers": [], "level": quiet, "propagate": True},
            # Celery's "Task ... received / succeeded" repeat django-structlog's task_started and
            # task_succeeded, which carry the request id; its errors stay.
            "celery.app.trace": {"handlers": [], "level": quiet, "propagate": True},
            "celery.worker.strategy": {"handlers": [], "level": quiet, "propagate": True},
        },
    }


def gunicorn_logconfig_dict(*, fmt: str | None = None, level: str | None = None) -> dict:
    """gunicorn's `logconfig_dict` (deploy/gunicorn.conf.py): its error log (start-up, worker exits and
    timeouts, from the master too, before Django is loaded) in the same format as everything else, on
    stderr. Its access log is left as gunicorn.conf.py sets it. LOG_FORMAT and LOG_LEVEL as for Django."""
    fmt = fmt or os.environ.get("LOG_FORMAT", "json")
    level = (level or os.environ.get("LOG_LEVEL", "INFO")).upper()
    configure_structlog()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": "config.logging.formatter", "fmt": fmt}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "structured",
                                "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {"gunicorn.error": {"handlers": ["stderr"], "level": level, "propagate": False}},
    }


# --- django-structlog's settings, and its request lines ------------------------------------------------

# Every one of its settings is given (base settings: vars().update(DJANGO_STRUCTLOG)): it reads them per
# request, and a setting left out costs a failed lookup in django.conf.settings each time.
DJANGO_STRUCTLOG = {
    "DJANGO_STRUCTLOG_CELERY_ENABLED": True,  # the request's context travels in its tasks' headers
    "DJANGO_STRUCTLOG_IP_LOGGING_ENABLED": False,  # no address on every line (security events carry theirs)
    "DJANGO_STRUCTLOG_USER_ID_FIELD": "pk",
    "DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID": False,  # a client's X-Request-ID could be anything
    "DJANGO_STRUCTLOG_TRUST_UPSTREAM_CORRELATION_ID": False,
    "DJANGO_STRUCTLOG_STATUS_DEFAULT_LOG_LEVEL": logging.INFO,
    "DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL": logging.DEBUG,  # one line per request: request_finished
    "DJANGO_STRUCTLOG_STATUS_2XX_LOG_LEVEL": logging.INFO,
    "DJANGO_STRUCTLOG_STATUS_4XX_LOG_LEVEL": logging.WARNING,
    "DJANGO_STRUCTLOG_STATUS_5XX_LOG_LEVEL": logging.ERROR,
    "DJANGO_STRUCTLOG_REQUEST_CANCELLED_LOG_LEVEL": logging.WARNING,
    "DJANGO_STRUCTLOG_CELERY_DEFAULT_LOG_LEVEL": logging.INFO,
    "DJANGO_STRUCTLOG_CELERY_TASK_START_LOG_LEVEL": logging.INFO,
    "DJANGO_STRUCTLOG_CELERY_TASK_SUCCESS_LOG_LEVEL": logging.INFO,
    "DJANGO_STRUCTLOG_CELERY_TASK_RETRY_LOG_LEVEL": logging.WARNING,
    "DJANGO_STRUCTLOG_CELERY_TASK_FAILURE_LOG_LEVEL": logging.INFO,  # an expected failure (in `throws`)
    "DJANGO_STRUCTLOG_CELERY_TASK_ERROR_LOG_LEVEL": logging.ERROR,
    "DJANGO_STRUCTLOG_COMMAND_LOGGING_ENABLED": False,
    "DJANGO_STRUCTLOG_DJANGO_TASKS_ENABLED": False,
}

# A password reset link's path holds the account's id and a secret token: never written down.
_SECRET_PATHS = re.compile(r"(/password/reset/)[^/]+/[^/]+/")
_HIDDEN = r"\1…/…/"


def hide_secrets(path: str) -> str:
    """`path` with the secret parts of a password-reset link cut out (its account id and token)."""
    return _SECRET_PATHS.sub(_HIDDEN, path)


def request_line(request) -> str:
    """The method and path, without the query string (search terms may be names) or secrets."""
    return f"{request.method} {hide_secrets(request.path)}"


class GunicornLogger(GunicornGlogger):
    """gunicorn's logger (deploy/gunicorn.conf.py's logger_class) with the request's path and first
    line rid of secrets before its access log writes them: a password-reset link's token is in its
    path, and the access log is kept and read by operators."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            if isinstance(atoms.get(key), str):
                atoms[key] = hide_secrets(atoms[key])
        return atoms


class RequestMiddleware(django_structlog.middlewares.RequestMiddleware):
    """django-structlog's: a request id bound for every line of the request (and carried into the tasks
    it enqueues), and one request_finished line, here with the request's duration and without its
    query string. Placed after WhiteNoise, so static files are not logged one by one."""

    format_request = staticmethod(request_line)

    def prepare(self, request):
        request._log_started = time.perf_counter()
        super().prepare(request)


def _duration(sender, request, logger, log_kwargs, **kwargs):
    started = getattr(request, "_log_started", None)
    if started is not None:
        log_kwargs["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)


request_signals.bind_extra_request_finished_metadata.connect(_duration, dispatch_uid="config.logging.finished")
request_signals.bind_extra_request_failed_metadata.connect(_duration, dispatch_uid="config.logging.failed")
