"""/readyz (issue 15, health): 200 when the database, the cache (when shared), the broker, a worker
and the private storage all answer; 503 naming the one that does not; text or JSON; no secret."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import OperationalError, connections
from django.test import Client, override_settings

from tests import factories as f

from .conftest import closed_port

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent


def ready(client=None, **extra):
    response = (client or Client()).get("/readyz", {"format": "json"}, **extra)
    return response, json.loads(response.content)


def failing(body) -> dict:
    return {name: c["error"] for name, c in body["checks"].items() if c["status"] != "ok"}


def test_it_is_ready_when_everything_answers(broker_and_worker_up):
    response, body = ready()
    assert response.status_code == 200
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "broker", "worker", "storage"}
    assert all(c["status"] == "ok" for c in body["checks"].values())
    assert broker_and_worker_up.pings == [{"timeout": 1.0, "limit": 1}]  # a short ping, first answer wins
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_in_plain_text_by_default(broker_and_worker_up):
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode().splitlines() == [
        "ready", "database: ok", "broker: ok", "worker: ok", "storage: ok"]


def test_it_answers_json_to_an_accept_header(broker_and_worker_up):
    response = Client().get("/readyz", HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["status"] == "ready"


class FailingConnection:
    """The default connection, except that opening one fails as a refused PostgreSQL login would."""

    def __init__(self, real):
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    def temporary_connection(self):
        raise OperationalError('connection to server at "10.9.8.7", port 5432 failed: FATAL: password '
                               'authentication failed for user "roster_secret_user"')


def test_a_database_down_is_not_ready_and_named_without_its_details(broker_and_worker_up, monkeypatch):
    import health_check.checks

    class Connections:
        def __getitem__(self, alias):
            return FailingConnection(connections[alias])

    monkeypatch.setattr(health_check.checks, "connections", Connections())
    response, body = ready()
    assert response.status_code == 503
    assert body["status"] == "not ready"
    assert failing(body) == {"database": "Database unavailable."}
    text = response.content.decode()
    assert "10.9.8.7" not in text and "roster_secret_user" not in text and "Traceback" not in text


def test_a_broker_down_is_not_ready_and_named(celery_conf):
    celery_conf(task_always_eager=False, broker_url=f"redis://:s3cret-pw@127.0.0.1:{closed_port()}/0")
    started = time.monotonic()
    response, body = ready()
    assert response.status_code == 503
    assert failing(body) == {"broker": "Broker unreachable.",
                             "worker": "No worker can answer: the broker is unreachable."}
    assert "s3cret-pw" not in response.content.decode() and "127.0.0.1" not in response.content.decode()
    assert time.monotonic() - started < 5


def test_no_worker_is_not_ready_and_named(broker_and_worker_up):
    broker_and_worker_up.replies = []
    response, body = ready()
    assert response.status_code == 503
    assert failing(body) == {"worker": "Celery workers unavailable"}


def test_a_worker_that_does_not_consume_the_default_queue_is_not_ready(broker_and_worker_up):
    broker_and_worker_up.queues = {"w1@host": [{"name": "other"}]}
    response, body = ready()
    assert response.status_code == 503
    assert failing(body) == {"worker": "No worker consumes the task queue 'celery'."}


def test_without_a_broker_the_worker_is_not_ready_at_once():
    """The test settings: tasks run in-process (eager, memory broker). Nothing to wait for."""
    started = time.monotonic()
    response, body = ready()
    assert time.monotonic() - started < 1.0
    assert response.status_code == 503
    assert failing(body) == {"broker": "No broker configured: tasks run in-process.",
                             "worker": "No worker: tasks run in-process."}


def test_the_folder_broker_is_checked_by_its_folders(broker_and_worker_up, celery_conf, tmp_path):
    celery_conf(broker_url="rosterfs://localhost/", broker_transport_options={
        "data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path), "control_folder": str(tmp_path / "gone")})
    response, body = ready()
    assert response.status_code == 503
    assert failing(body) == {"broker": "Folder broker: its control folder is missing or not writable."}
    (tmp_path / "gone").mkdir()
    assert ready()[0].status_code == 200


@pytest.mark.parametrize("problem", ["missing", "a file"])
def test_private_storage_not_writable_is_not_ready(broker_and_worker_up, tmp_path, problem):
    root = tmp_path / "private"
    if problem == "a file":
        root.write_text("not a folder")
    with override_settings(PRIVATE_MEDIA_ROOT=str(root)):
        response, body = ready()
    assert response.status_code == 503
    assert failing(body) == {"storage": "Private storage is not writable."}
    assert str(tmp_path) not in response.content.decode()


def test_the_storage_probe_leaves_nothing_behind(broker_and_worker_up, tmp_path):
    with override_settings(PRIVATE_MEDIA_ROOT=str(tmp_path)):
        assert ready()[0].status_code == 200
    assert list(tmp_path.iterdir()) == []


def test_a_shared_cache_is_checked(broker_and_worker_up):
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                         "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"}}
    with override_settings(CACHES=cache):
        response, body = ready()
    assert response.status_code == 503
    assert failing(body) == {"cache": "Cache unavailable."}


def test_a_hanging_check_times_out_rather_than_hold_the_answer(broker_and_worker_up, monkeypatch):
    import datetime

    from ops import health

    monkeypatch.setattr(health.PrivateStorage, "timeout", datetime.timedelta(seconds=0.2))
    monkeypatch.setattr(health, "storage_probe", lambda root: time.sleep(3))
    started = time.monotonic()
    response, body = ready()
    assert time.monotonic() - started < 2.5
    assert response.status_code == 503
    assert failing(body) == {"storage": "Timed out after 0.2 seconds"}


@override_settings(ROSTER={**__import__("django.conf").conf.settings.ROSTER, "MFA_REQUIRED": True})
def test_it_is_not_behind_two_step_verification(broker_and_worker_up):
    client = Client()
    client.force_login(f.IpoStaffFactory())  # MFA required and not set up: every page sends to its setup
    assert client.get("/").status_code == 302
    assert client.get("/readyz").status_code == 200


def test_production_does_not_redirect_probes_to_https(broker_and_worker_up):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", "SECRET_KEY": "x" * 50,
                "ALLOWED_HOSTS": "roster.example"})
    code = ("import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.SECURE_REDIRECT_EXEMPT))")
    exempt = json.loads(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                                       text=True, check=True).stdout.strip().splitlines()[-1])
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=exempt):
        assert Client().get("/readyz").status_code == 200
        assert Client().get("/healthz").status_code == 200
        assert Client().get("/metrics").status_code == 200
        assert Client().get("/").status_code == 301


def test_a_worker_on_the_folder_broker_gets_longer_to_answer(celery_conf):
    """`make run`'s folder broker is polled once a second: a ping takes about that long."""
    from ops.health import Worker, readiness_checks

    def ping_seconds():
        (worker,) = [c for c in readiness_checks() if isinstance(c, Worker)]
        return worker.timeout.total_seconds()

    celery_conf(task_always_eager=False, broker_url="redis://127.0.0.1:6379/0")
    assert ping_seconds() == 1
    celery_conf(broker_url="rosterfs://localhost/")
    assert ping_seconds() == 3


@pytest.mark.parametrize("extra", [
    {"REMOTE_ADDR": "203.0.113.7"},  # from outside
    {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.7"},  # through the proxy
])
def test_only_the_probes_and_the_scraper_may_ask(broker_and_worker_up, extra):
    """It costs a broker connection and a ping to the workers: the public gets the 404 of a missing page."""
    assert Client().get("/readyz", **extra).status_code == 404


def test_the_metrics_token_opens_it_from_anywhere(broker_and_worker_up, settings):
    settings.ROSTER_METRICS_TOKEN = "s3cret-token-for-the-scraper"
    response = Client().get("/readyz", REMOTE_ADDR="203.0.113.7",
                            HTTP_AUTHORIZATION="Bearer s3cret-token-for-the-scraper")
    assert response.status_code == 200
