"""Database connections (issue 10): PostgreSQL connections are kept a minute and checked before
reuse, and run without JIT compilation; SQLite (the embedded default, the tests) keeps none."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = "postgres://roster:secret@db.example:5432/roster"


def database_settings(module: str, **env) -> dict:
    """settings.DATABASES["default"] as `module` builds it from `env` (in a fresh interpreter;
    nothing connects to the database)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CONN_MAX_AGE")}
    environment.update({"DJANGO_SETTINGS_MODULE": module, "SECRET_KEY": "x" * 50,
                        "ALLOWED_HOSTS": "roster.example", **env})
    code = ("import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.DATABASES['default'], default=str))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_production_keeps_postgresql_connections_a_minute_checked_and_without_jit():
    db = database_settings("config.settings.production", DATABASE_URL=POSTGRES_URL)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["CONN_MAX_AGE"] == 60
    assert db["CONN_HEALTH_CHECKS"] is True
    assert db["OPTIONS"]["options"] == "-c jit=off"


def test_the_connection_lifetime_comes_from_the_environment():
    db = database_settings("config.settings.production", DATABASE_URL=POSTGRES_URL, CONN_MAX_AGE="0")
    assert db["CONN_MAX_AGE"] == 0 and db["CONN_HEALTH_CHECKS"] is True
    assert database_settings("config.settings.base", DATABASE_URL=POSTGRES_URL, CONN_MAX_AGE="300")[
        "CONN_MAX_AGE"] == 300


def test_server_options_given_in_the_database_url_are_kept():
    url = f"{POSTGRES_URL}?options=-c%20statement_timeout%3D5000"
    db = database_settings("config.settings.production", DATABASE_URL=url)
    assert db["OPTIONS"]["options"] == "-c statement_timeout=5000 -c jit=off"
    # one who asks for JIT in the URL gets it
    on = database_settings("config.settings.production", DATABASE_URL=f"{POSTGRES_URL}?options=-c%20jit%3Don")
    assert on["OPTIONS"]["options"] == "-c jit=on"


@pytest.mark.parametrize("module", ["config.settings.test", "config.settings.local", "config.settings.production"])
def test_sqlite_opens_a_connection_per_request(module, tmp_path):
    db = database_settings(module, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["CONN_MAX_AGE"] == 0
    assert "options" not in db["OPTIONS"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_apps_postgresql_connections_run_without_jit():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
