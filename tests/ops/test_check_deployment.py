"""check_deployment (issue 15): one OK/FAIL line per check of the production configuration (secrets,
DEBUG, SITE_URL, ALLOWED_HOSTS, mail, broker, storage, database, `check --deploy`), exit 1 on any
failure, and never a secret in what it prints."""

import io
import socket

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from ops import deployment

from .conftest import closed_port

pytestmark = pytest.mark.django_db
SECRET_KEY = "k3y-" + "Zq8#vR2!mW5^tY9&" * 4
SMTP_PASSWORD = "smtp-Pa55word-never-shown"


def run(*args) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("check_deployment", *args, stdout=out, no_color=True)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def lines(output) -> dict[str, str]:
    """{check name: "OK" or "FAIL"} of the command's output."""
    out = {}
    for line in output.splitlines():
        mark, _, rest = line.partition(" ")
        if mark in ("OK", "FAIL"):
            out[rest.strip().split(":")[0]] = mark
    return out


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    yield port
    controller.stop()


@pytest.fixture
def production(tmp_path, smtp_server, celery_conf, monkeypatch):
    """A configuration that passes every check (the broker's answer mocked; the SMTP server real)."""
    (tmp_path / "private").mkdir()
    # the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright in their process; Django's deploy
    # checks refuse it (async.E001), rightly: it is not part of a production configuration
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    celery_conf(task_always_eager=False, broker_url="redis://:broker-Pa55@redis.internal:6379/0")
    monkeypatch.setattr(deployment, "broker_connect", lambda app=None, timeout=5.0: None)
    overrides = override_settings(
        SECRET_KEY=SECRET_KEY, DEBUG=False, SITE_URL="https://roster.example", ALLOWED_HOSTS=["roster.example"],
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1", EMAIL_PORT=smtp_server,
        EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="", EMAIL_USE_TLS=False, EMAIL_USE_SSL=False,
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"), STATIC_ROOT=str(tmp_path / "static"),
        SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
        SECURE_HSTS_PRELOAD=True, SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True,
        SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    )
    overrides.enable()
    yield tmp_path
    overrides.disable()


def test_a_production_configuration_passes(production):
    output, error = run()
    assert error is None, output
    assert lines(output) == {
        "secret key": "OK", "debug": "OK", "site url": "OK", "allowed hosts": "OK", "mail": "OK", "broker": "OK",
        "storage": "OK", "storage public": "OK", "database": "OK", "django check --deploy": "OK"}
    assert output.strip().endswith("All 10 checks passed.")
    assert SECRET_KEY not in output and "broker-Pa55" not in output
    assert "redis://:***@redis.internal:6379/0" in output


def test_the_embedded_defaults_fail_with_the_reasons():
    """The test settings are the embedded default's: no broker, mail kept in memory, the default key."""
    with override_settings(SECRET_KEY=deployment.EMBEDDED_SECRET_KEY, SITE_URL="http://127.0.0.1:8000"):
        output, error = run()
    assert error is not None and error.returncode == 1
    result = lines(output)
    for name in ("secret key", "site url", "allowed hosts", "mail", "broker", "django check --deploy"):
        assert result[name] == "FAIL", name
    assert "FAIL secret key: SECRET_KEY is the embedded default" in output
    assert "FAIL mail: EMAIL_BACKEND keeps mail in memory" in output
    assert "FAIL broker: No broker: tasks run in-process." in output
    assert "security.W004" in output  # what Django's check --deploy found
    assert str(error).startswith("6 of 10 checks failed: secret key, site url, allowed hosts, mail, broker, django")


@pytest.mark.parametrize("change, name, reason", [
    ({"SECRET_KEY": "short-but-not-default"}, "secret key", "too short"),
    ({"SECRET_KEY": "django-insecure-" + "x" * 50}, "secret key", "embedded default"),
    ({"DEBUG": True}, "debug", "DEBUG is on"),
    ({"SITE_URL": "http://roster.example"}, "site url", "must start with https://"),
    ({"ALLOWED_HOSTS": []}, "allowed hosts", "empty"),
    ({"ALLOWED_HOSTS": ["*"]}, "allowed hosts", "any host"),
    ({"ALLOWED_HOSTS": ["localhost", "127.0.0.1"]}, "allowed hosts", "only this machine"),
    ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "mail", "prints mail on the console"),
    ({"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}, "mail", "drops mail"),
])
def test_each_setting_that_is_unfit_for_production_fails(production, change, name, reason):
    with override_settings(**change):
        output, error = run()
    assert error is not None
    failed = [line for line in output.splitlines() if line.startswith("FAIL")]
    assert any(line.startswith(f"FAIL {name}:") and reason in line for line in failed), output
    assert SECRET_KEY not in output


def test_an_smtp_server_that_does_not_answer_fails_without_showing_its_password(production):
    with override_settings(EMAIL_PORT=closed_port(), EMAIL_HOST_USER="roster", EMAIL_HOST_PASSWORD=SMTP_PASSWORD):
        output, error = run("--timeout", "2")
    assert error is not None
    assert "FAIL mail: SMTP server 127.0.0.1:" in output and "unreachable: ConnectionRefusedError" in output
    assert SMTP_PASSWORD not in output


def test_an_unreachable_broker_fails_without_showing_its_password(production, celery_conf, monkeypatch):
    from ops import health

    monkeypatch.setattr(deployment, "broker_connect", health.broker_connect)  # the real one
    celery_conf(broker_url=f"redis://:broker-Pa55@127.0.0.1:{closed_port()}/0")
    output, error = run("--timeout", "1")
    assert error is not None
    (line,) = [line for line in output.splitlines() if line.startswith("FAIL")]
    assert line.startswith("FAIL broker: Broker redis://:***@127.0.0.1:") and "unreachable" in line
    assert "broker-Pa55" not in output


def test_the_folder_broker_is_not_for_production(production, celery_conf):
    celery_conf(broker_url="rosterfs://localhost/")
    output, error = run()
    assert "FAIL broker: The folder broker is for `make run` only" in output and error is not None


@pytest.mark.parametrize("problem", ["missing", "inside the static files"])
def test_private_storage_must_be_writable_and_private(production, problem):
    private = production / ("nowhere" if problem == "missing" else "static/private")
    if problem != "missing":
        private.mkdir(parents=True)
    with override_settings(PRIVATE_MEDIA_ROOT=str(private)):
        output, error = run()
    assert error is not None
    name = "storage" if problem == "missing" else "storage public"
    assert f"FAIL {name}:" in output


def test_unapplied_migrations_fail(production, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("migration", False)] * 2)
    output, error = run()
    assert "FAIL database: 2 migrations not applied: run manage.py migrate." in output and error is not None


def test_a_check_that_breaks_is_a_failure_not_a_crash(production, monkeypatch):
    def broken():
        raise RuntimeError(f"boom {SECRET_KEY}")

    monkeypatch.setattr(deployment, "check_site", broken)
    output, error = run()
    assert "FAIL site: Check failed: RuntimeError: boom ***." in output
    assert "OK   database:" in output  # the others still ran
    assert SECRET_KEY not in output and error is not None


def test_a_timeout_must_be_positive(production):
    with pytest.raises(CommandError, match="--timeout must be more than 0"):
        call_command("check_deployment", "--timeout", "0", stdout=io.StringIO())
