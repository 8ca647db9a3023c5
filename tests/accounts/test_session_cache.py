"""Production's sessions with Redis (config.settings.base): read from the shared cache and written
through to the database, so a signed-in request reads no session row; without Redis, in the database
alone. Ending a session (sign-out, a privilege change) works the same with either."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .conftest import sign_in

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    cache.clear()
    yield
    cache.clear()


def home(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    return response, [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"]]


def test_a_signed_in_request_reads_no_session_row_and_the_row_is_kept(world, client, cached_sessions):
    sign_in(client, world.coord_a.email)
    response, session_reads = home(client)
    assert response.status_code == 200 and response.wsgi_request.user == world.coord_a
    assert session_reads == []
    assert Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()  # written through


def test_a_session_missing_from_the_cache_is_read_from_the_database(world, client, cached_sessions):
    sign_in(client, world.coord_a.email)
    cache.clear()  # Redis restarted or the entry evicted
    response, session_reads = home(client)
    assert response.status_code == 200 and response.wsgi_request.user == world.coord_a
    assert len(session_reads) == 1
    response, session_reads = home(client)
    assert response.status_code == 200 and session_reads == []  # back in the cache


def test_signing_out_ends_the_session_in_the_cache_and_the_database(world, client, cached_sessions):
    sign_in(client, world.coord_a.email)
    key = client.cookies["sessionid"].value
    assert home(client)[0].status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies["sessionid"] = key
    response, _reads = home(replay)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_privilege_change_still_ends_a_cached_session(world, client, cached_sessions):
    sign_in(client, world.coord_a.email)
    assert home(client)[0].status_code == 200
    world.coord_a.set_password("A new passphrase, long enough 2026")
    world.coord_a.save()
    response, _reads = home(client)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("redis_url, engine", [
    ("redis://127.0.0.1:6379/0", "django.contrib.sessions.backends.cached_db"),
    ("", "django.contrib.sessions.backends.db"),
])
def test_production_reads_sessions_from_the_cache_only_when_every_process_shares_it(redis_url, engine):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(SECRET_KEY="settings-only", ALLOWED_HOSTS="localhost", DATABASE_URL="sqlite:///:memory:")
    if redis_url:
        env["REDIS_URL"] = redis_url  # only read: nothing connects to it here
    result = subprocess.run([sys.executable, "-c", "import config.settings.production as s; print(s.SESSION_ENGINE)"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == engine
