"""The log format (config/logging.py): one JSON object per line in production, readable key=value
lines under `make run`; every request's lines carry a request id; no query string or reset token."""

import json
import logging
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import structlog
from django.test import Client
from django.urls import reverse

from config.logging import formatter, logging_config

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def lines(stream) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line.strip()]


def json_lines(stream) -> list[dict]:
    return [json.loads(line) for line in lines(stream)]


def test_a_request_writes_one_json_line_with_its_request_id(rendered):
    stream = rendered("json")

    response = Client().get(reverse("login"))

    assert response.status_code == 200
    (finished,) = [e for e in json_lines(stream) if e["event"] == "request_finished"]
    assert finished["level"] == "info"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", finished["timestamp"])  # UTC, ISO 8601
    assert str(uuid.UUID(finished["request_id"])) == finished["request_id"]
    assert finished["code"] == 200
    assert finished["request"] == "GET /accounts/login/"
    assert finished["duration_ms"] >= 0
    assert finished["logger"] == "django_structlog.middlewares.request"
    # one line per request: request_started is at DEBUG
    assert not [e for e in json_lines(stream) if e["event"] == "request_started"]


def test_each_request_gets_its_own_id_and_the_context_does_not_leak(rendered):
    stream = rendered("json")
    client = Client()
    client.get(reverse("login"))
    client.get(reverse("login"))
    structlog.get_logger("tests").info("after the requests")

    finished = [e for e in json_lines(stream) if e["event"] == "request_finished"]
    assert len({e["request_id"] for e in finished}) == 2
    (after,) = [e for e in json_lines(stream) if e["event"] == "after the requests"]
    assert "request_id" not in after


def test_the_signed_in_user_is_named_by_id_only(rendered, world):
    stream = rendered("json")
    client = Client()
    client.force_login(world.ipo)

    client.get(reverse("home"))

    (finished,) = [e for e in json_lines(stream) if e["event"] == "request_finished"]
    assert finished["user_id"] == world.ipo.pk
    assert world.ipo.email not in stream.getvalue()


def test_query_strings_and_reset_tokens_are_never_written(rendered, world):
    stream = rendered("json")
    client = Client()
    client.get(reverse("login") + "?next=/officers/%3Fq%3DXavier&q=Xena")
    client.get("/accounts/password/reset/MTIz/abc123-0123456789abcdef/")

    requests = [e["request"] for e in json_lines(stream) if e["event"] == "request_finished"]
    assert requests == ["GET /accounts/login/", "GET /accounts/password/reset/…/…/"]
    text = stream.getvalue()
    assert "Xavier" not in text and "Xena" not in text
    assert "abc123" not in text and "MTIz" not in text


def test_library_loggers_write_the_same_json_with_the_request_context(rendered):
    stream = rendered("json")
    with structlog.contextvars.bound_contextvars(request_id="r-1"):
        logging.getLogger("django.security.csrf").warning("Forbidden (%s): %s", "CSRF token missing.", "/x/")
        logging.getLogger("celery.worker").error("a worker problem")

    django_line, celery_line = json_lines(stream)
    assert django_line == {**django_line, "event": "Forbidden (CSRF token missing.): /x/", "level": "warning",
                           "logger": "django.security.csrf", "request_id": "r-1"}
    assert celery_line["logger"] == "celery.worker" and celery_line["level"] == "error"


def test_a_traceback_is_one_json_field_without_local_values(rendered):
    stream = rendered("json")
    secret = "xena.xavier@example.test"  # noqa: F841  (a local that must not be printed)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        structlog.get_logger("tests").exception("it_failed")

    (line,) = json_lines(stream)
    assert line["event"] == "it_failed" and line["level"] == "error"
    assert "RuntimeError: boom" in line["exception"]
    assert "xena.xavier" not in stream.getvalue()


def test_the_console_format_is_readable_key_value_without_colours(rendered):
    stream = rendered("console")
    with structlog.contextvars.bound_contextvars(request_id="r-2"):
        structlog.get_logger("tests").info("mail_delivery", mail_id=7, outcome="sent")

    (line,) = lines(stream)
    assert re.match(r"\d{4}-\d\d-\d\dT[\d:.]+Z \[info\s*\] mail_delivery\s+\[tests\]", line), line
    assert "mail_id=7" in line and "outcome=sent" in line and "request_id=r-2" in line
    assert "\x1b[" not in line  # not a terminal: no colour codes
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        formatter("xml")


def test_the_level_applies_to_every_logger_and_library_chatter_stays_quiet():
    config = logging_config(fmt="json", level="info", cache=False)
    assert config["root"] == {"handlers": ["stderr"], "level": "INFO"}
    assert config["formatters"]["structured"] == {"()": "config.logging.formatter", "fmt": "json"}
    assert config["loggers"]["django"]["level"] == "INFO"
    assert config["loggers"]["celery.app.trace"]["level"] == "WARNING"
    # what request_finished already says, with its request id: not said twice
    assert config["loggers"]["django.request"]["level"] == "ERROR"
    assert config["loggers"]["django.server"]["level"] == config["loggers"]["axes"]["level"] == "WARNING"
    assert logging_config(fmt="json", level="ERROR", cache=False)["loggers"]["celery.app.trace"]["level"] == "ERROR"


def test_production_defaults_to_json_at_info_and_make_run_to_console():
    """The settings' defaults, read in a fresh interpreter (settings are read once per process)."""
    code = (
        "import importlib, json\n"
        "out = {}\n"
        "for name in ('production', 'local', 'test'):\n"
        "    s = importlib.import_module('config.settings.' + name)\n"
        "    out[name] = [s.LOGGING['formatters']['structured']['fmt'], s.LOGGING['root']['level'],\n"
        "                 s.DJANGO_STRUCTLOG_CELERY_ENABLED,\n"
        "                 'config.logging.RequestMiddleware' in s.MIDDLEWARE]\n"
        "print(json.dumps(out))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("LOG_FORMAT", "LOG_LEVEL")}
    env.update(SECRET_KEY="x" * 50, ALLOWED_HOSTS="roster.example")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["production"] == ["json", "INFO", True, True]
    assert result["local"] == ["console", "INFO", True, True]
    assert result["test"] == ["console", "WARNING", True, True]

    env["LOG_FORMAT"], env["LOG_LEVEL"] = "json", "debug"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert json.loads(done.stdout.strip().splitlines()[-1])["local"] == ["json", "DEBUG", True, True]


def test_gunicorn_writes_its_own_lines_in_the_same_format():
    """deploy/gunicorn.conf.py's logconfig_dict: the master's lines (boot, worker timeouts) as JSON too."""
    code = (
        "import logging, logging.config\n"
        "from config.logging import gunicorn_logconfig_dict\n"
        "logging.config.dictConfig(gunicorn_logconfig_dict())\n"
        "logging.getLogger('gunicorn.error').critical('WORKER TIMEOUT (pid:%s)', 42)\n"
    )
    env = {**os.environ, "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stderr.strip().splitlines()[-1])
    assert line == {**line, "event": "WORKER TIMEOUT (pid:42)", "level": "critical", "logger": "gunicorn.error"}
