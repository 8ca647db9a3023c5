"""PostgreSQL plans a query the app runs again and again once per connection (issue 10): the
settings turn on server-side parameters and psycopg's automatic prepared statements
(config.settings.base), and DATABASE_PREPARED_STATEMENTS=false turns them off."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from agencies.models import Agency

ROOT = Path(__file__).resolve().parents[1]


def database_options(**env_vars) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DATABASE_URL", "DATABASE_PREPARED_STATEMENTS"))}
    env.update(SECRET_KEY="settings-only", ALLOWED_HOSTS="localhost", **env_vars)
    code = "import json, config.settings.production as s; print(json.dumps(s.DATABASES['default']['OPTIONS']))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_postgresql_connections_prepare_what_they_run_again_unless_told_not_to():
    url = "postgres://roster@db.example:5432/roster"  # only read: nothing connects to it here
    on = database_options(DATABASE_URL=url)
    assert on["server_side_binding"] is True and on["prepare_threshold"] == 5
    off = database_options(DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="false")
    assert "server_side_binding" not in off and "prepare_threshold" not in off
    assert "server_side_binding" not in database_options(DATABASE_URL="sqlite:///:memory:")


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_query_run_again_on_a_connection_is_prepared_and_answers_the_same():
    Agency.objects.create(slug="prepared-a", name_en="Prepared A", name_fr="Préparée A")
    query = Agency.objects.filter(slug__startswith="prepared-").order_by("slug")

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
                           ["%agencies_agency%LIKE%"])
            return cursor.fetchone()[0]

    before = prepared()
    answers = [list(query.values_list("slug", flat=True)) for _ in range(7)]
    assert answers == [["prepared-a"]] * 7
    assert prepared() == before + 1
    Agency.objects.create(slug="prepared-b", name_en="Prepared B", name_fr="Préparée B")
    assert list(query.values_list("slug", flat=True)) == ["prepared-a", "prepared-b"]  # new rows, same plan
