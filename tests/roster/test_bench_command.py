"""`manage.py bench_pages`: grows the demo data with synthetic officers, then times the main pages; and the
pieces of the full benchmark (`--full`, bench/) that run without servers: the seeded generator, the
tables, reading wrk's output, the scratch-database guard."""

import re
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from agencies.models import Officer
from bench import generate, load, report
from bench.full import scratch_config
from roster.models import Application, ApplicationEvent, ApplicationStatus, Deployment

pytestmark = pytest.mark.django_db

EXPECTED = {
    "ipo": {"/", "/bulletins/", "/missions/", "/officers/", "/roster/", "/dashboard/", "/outbox/",
            "/exports/roster.csv"},
    "coordinator": {"/", "/bulletins/", "/missions/", "/officers/", "/roster/", "/dashboard/",
                    "/agency/applications/"},
    "officer": {"/", "/bulletins/", "/missions/", "/my/applications/"},
}
ROW = re.compile(r"^(ipo|coordinator|officer)\s+(\S+)\s+(\d{3})\s+(\d+)\s+[\d.]+\s+[\d.]+\s+\d+$")


def bench(*args):
    out = StringIO()
    call_command("bench_pages", *args, "--requests", "2", "--warmup", "0", stdout=out, stderr=StringIO())
    return out.getvalue()


def table(output):
    """{role: {url: (status, queries)}} from the printed table."""
    pages = defaultdict(dict)
    for line in output.splitlines():
        if m := ROW.match(line.strip()):
            pages[m[1]][m[2]] = (int(m[3]), int(m[4]))
    return pages


def assert_no_overlapping_deployments():
    spans = defaultdict(list)
    for officer_id, start, planned, actual in Deployment.objects.values_list(
        "officer_id", "start_date", "planned_end_date", "actual_end_date"
    ):
        spans[officer_id].append((start, actual or planned))
    for officer_id, ranges in spans.items():
        ranges.sort()
        for (_s1, e1), (s2, _e2) in zip(ranges, ranges[1:], strict=False):
            assert e1 <= s2, f"officer {officer_id} has overlapping deployments: {ranges}"


def test_it_refuses_to_grow_without_the_demo_data():
    with pytest.raises(CommandError, match="seed_demo"):
        bench("--grow", "5")
    assert not Officer.objects.exists()


def test_it_grows_the_demo_data_and_every_page_answers_200():
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    before = Officer.objects.count()

    output = bench("--grow", "50")

    assert Officer.objects.count() == before + 50
    bench_officers = Officer.objects.filter(badge_number__startswith="BENCH-")
    assert bench_officers.count() == 50
    assert bench_officers.filter(first_name="Bench", last_name="Officer 00001", badge_number="BENCH-00001").exists()
    assert set(bench_officers.annotate(n=Count("clearances")).values_list("n", flat=True)) == {2}
    deployed = Deployment.objects.filter(officer__in=bench_officers)
    assert 20 <= deployed.count() <= 30
    assert deployed.filter(status="completed").exists()
    assert_no_overlapping_deployments()
    apps = Application.objects.filter(officer__in=bench_officers)
    assert 12 <= apps.count() <= 20
    assert set(apps.values_list("status", flat=True)) <= {ApplicationStatus.SUBMITTED, ApplicationStatus.ENDORSED}
    assert set(apps.values_list("bulletin__status", flat=True)) <= {"published", "closed"}
    assert ApplicationEvent.objects.filter(application__in=apps).count() == apps.count()

    pages = table(output)
    for role, urls in EXPECTED.items():
        assert urls <= set(pages[role]), (role, output)
        assert all(status == 200 for status, _queries in pages[role].values()), output
    assert any(url.endswith("/pipeline/") for url in pages["ipo"])
    assert all(queries > 0 for role in pages.values() for _status, queries in role.values())
    assert "Warning" not in output  # the warning goes to stderr

    bench("--grow", "50")

    assert Officer.objects.count() == before + 100
    badges = list(Officer.objects.filter(badge_number__startswith="BENCH-").values_list("badge_number", flat=True))
    assert len(badges) == len(set(badges)) == 100
    assert "BENCH-00100" in badges
    assert_no_overlapping_deployments()


# -- the full benchmark's pieces (never gunicorn or wrk here) ----------------------------------------

def test_the_ceiling_rows_measure_what_they_say(client, django_assert_num_queries):
    """The ceiling rows beside the floor (bench.full.CEILINGS): /healthz not signed in runs only its
    SELECT 1; signed in, it adds the session and the user; /terms/ adds the layout, still with no
    query of its own. Each answers 200 as the person its label names, never a redirect."""
    from agencies.models import User
    from bench.full import CEILINGS
    from roster.management.commands import _demo_data as data

    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    expected_queries = [1, 3, 2]  # SELECT 1 | session, user, SELECT 1 | session, user
    assert [url for _label, url, _who in CEILINGS] == ["/healthz", "/healthz", "/terms/"]
    for (label, url, who), queries in zip(CEILINGS, expected_queries, strict=True):
        client.logout()
        if who:
            client.force_login(User.objects.get(email=getattr(data, who)))
        client.get(url)
        with django_assert_num_queries(queries):
            response = client.get(url)
        assert response.status_code == 200, label
        assert response.wsgi_request.user.is_authenticated == bool(who), label


def test_the_django_floor_writes_the_floors_very_page():
    """bench/django_floor.py's ceiling row is the floor's page through Django: byte for byte the table
    bench/floor.py writes for the same rows, escaping included."""
    from bench import django_floor, floor

    records = [(7, "JPB-<7>", 'Adviser & "lead" \'A\'', "published", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
               (8, "JPB-8", None, "draft", None)]
    assert django_floor.table(records) == floor.page(records).decode()
    assert "<td>JPB-&lt;7&gt;</td>" in django_floor.table(records)


def test_the_django_floor_is_django_alone_with_the_apps_database_settings():
    """No middleware, no app, one URL; the connection kept and configured as the app's own."""
    from bench import django_floor
    from bench.floor import QUERY

    config = django_floor.settings_for("postgres://bench@db.example:5432/roster_bench")
    assert config["MIDDLEWARE"] == [] and config["INSTALLED_APPS"] == [] and config["DEBUG"] is False
    database = config["DATABASES"]["default"]
    assert (database["ENGINE"], database["NAME"], database["HOST"]) == (
        "django.db.backends.postgresql", "roster_bench", "db.example")
    assert database["CONN_MAX_AGE"] == 60 and database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"] == {"options": "-c jit=off", "server_side_binding": True, "prepare_threshold": 5}
    assert "LIMIT 25" in QUERY


def test_the_django_floor_builds_its_app_only_when_served():
    """Importing the module configures nothing (the test process's settings stand); gunicorn's `app`
    configures Django alone, in its own process: an unknown path is a 404 with no database touched."""
    import subprocess
    import sys

    from bench import django_floor

    assert "app" not in vars(django_floor)
    script = (
        "import io, sys; from bench import django_floor; app = django_floor.app; "
        "from django.conf import settings; print(settings.MIDDLEWARE, settings.INSTALLED_APPS); "
        "status = []; "
        "app({'REQUEST_METHOD': 'GET', 'PATH_INFO': '/nope', 'SERVER_NAME': '127.0.0.1', 'SERVER_PORT': '80', "
        "'wsgi.input': io.BytesIO(), 'wsgi.url_scheme': 'http'}, lambda s, h: status.append(s)); print(status[0])"
    )
    env = {"PATH": "/usr/bin:/bin", "BENCH_FLOOR_DSN": "postgres://nobody@127.0.0.1:1/none"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["[] []", "404 Not Found"]


TINY = generate.Sizes(officers=40, applications=300, bulletins=30, outbox=120, years=4, open_bulletins=3,
                      draft_bulletins=1, demo_officer_applications=2)


def tiny_context():
    today = date(2026, 11, 28)
    return generate.Context(
        today=today, now=datetime(2026, 11, 28, 15, 0, tzinfo=UTC),
        agencies=[generate.AgencyRef(1, "alpha", "municipal", "en", "ON", 10, "ipo@alpha.example"),
                  generate.AgencyRef(2, "beta", "provincial", "fr", "QC", 6),
                  generate.AgencyRef(3, "rcmp", "rcmp", "en", "CA", 12)],
        coordinators={1: generate.PersonRef(11, "c1@alpha.example"),
                      2: generate.PersonRef(12, "c2@beta.example", "fr")},
        ipo=[generate.PersonRef(10, "ipo@ipo.example")],
        missions=[generate.MissionRef(1, "BINUH", "fr", True, 5, None, 2),
                  generate.MissionRef(2, "UKR-CPM", "en", False, 4),
                  generate.MissionRef(3, "MINUSMA", "fr", False, 3, closed_on=today - timedelta(days=800))],
        program_room=6, next_ids={label: 100 for label in generate.MODELS},
        demo_officer=generate.PersonRef(5, "officer@demo.example"), demo_officer_agency=1, demo_officer_user=13,
    )


def column(rows, name):
    return [r[rows.fields.index(name)] for r in rows.rows]


def test_the_generator_is_deterministic_for_a_seed_and_differs_with_another():
    ctx = tiny_context()
    first, again, other = generate.plan(ctx, TINY, seed=7), generate.plan(ctx, TINY, seed=7), generate.plan(
        ctx, TINY, seed=8)

    assert first == again
    assert first["roster.Application"].rows != other["roster.Application"].rows
    assert len(first["agencies.Officer"].rows) == 40
    assert len(first["missions.Bulletin"].rows) == 30
    assert len(first["notifications.OutgoingMail"].rows) == 120
    assert 250 <= len(first["roster.Application"].rows) <= 302


def test_the_generated_history_keeps_the_rules():
    ctx = tiny_context()
    tables = generate.plan(ctx, TINY, seed=7)
    apps, events, deps = tables["roster.Application"], tables["roster.ApplicationEvent"], tables["roster.Deployment"]

    for rows in tables.values():  # primary keys chosen after the existing ones, never twice
        ids = column(rows, "id")
        assert len(ids) == len(set(ids)) and min(ids) >= 100
    pairs = list(zip(column(apps, "bulletin_id"), column(apps, "officer_id"), strict=True))
    assert len(pairs) == len(set(pairs))  # one application per officer and bulletin
    assert sum(1 for _b, officer in pairs if officer == 5) == 2  # the demo officer's own history

    history = defaultdict(list)  # one event per status change, ending at the application's status
    for app_id, from_status, to_status in zip(column(events, "application_id"), column(events, "from_status"),
                                              column(events, "to_status"), strict=True):
        history[app_id].append((from_status, to_status))
    for app_id, status in zip(column(apps, "id"), column(apps, "status"), strict=True):
        steps = history[app_id]
        assert steps[0][0] == "" and steps[-1][1] == status
        assert all(a[1] == b[0] for a, b in zip(steps, steps[1:], strict=False))

    spans = defaultdict(list)
    current = defaultdict(int)
    for officer, mission, start, end, actual, status in zip(
        *(column(deps, f) for f in ("officer_id", "mission_id", "start_date", "planned_end_date",
                                    "actual_end_date", "status")), strict=True):
        spans[officer].append((start, actual or end))
        current[mission] += status in ("planned", "in_mission")
    for ranges in spans.values():
        ranges.sort()
        assert all(e1 <= s2 for (_s1, e1), (s2, _e2) in zip(ranges, ranges[1:], strict=False))
    rooms = {m.id: m.strength - m.current for m in ctx.missions}
    assert all(current[m] <= rooms[m] for m in current) and sum(current.values()) <= ctx.program_room
    assert set(column(deps, "application_id")) <= set(column(apps, "id"))
    assert len(set(column(tables["notifications.OutgoingMail"], "message_id"))) == 120


def test_the_generated_rows_load_on_top_of_the_demo_data():
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    before = Application.objects.count()
    ctx = generate.context_from_db()
    tables = generate.plan(ctx, TINY, seed=3)

    written = generate.write(tables)

    assert Application.objects.count() == before + written["roster.Application"]
    assert Officer.objects.filter(email__endswith=".bench.example").count() == 40
    assert_no_overlapping_deployments()
    bulletin = Application.objects.order_by("-pk").first().bulletin
    officer = Officer.objects.filter(email__endswith=".bench.example").exclude(applications__bulletin=bulletin).first()
    Application.objects.create(bulletin=bulletin, officer=officer)  # the id sequence moved past the rows

    generate.write(generate.plan_partner_agencies(generate.context_from_db(), 50))

    from agencies.models import Agency, User

    assert Agency.objects.filter(is_partner=True).count() == 50
    assert User.objects.filter(email__startswith="coord.bench-partner-").count() == 50 - len(ctx.agencies)


def test_the_tables_line_up():
    lines = report.table(("page", "req/s"), [("/", "1,234"), ("/bulletins/", "56.7")], right=(1,))
    assert lines == [
        "page         req/s",
        "-----------  -----",
        "/            1,234",
        "/bulletins/   56.7",
    ]
    with pytest.raises(ValueError):
        report.table(("a", "b"), [("only one",)])

    rows = report.page_rows([
        dict(role="floor", page="raw SQL", status=200, rate=1500.0, p50=2.04, p99=5.0, queries=1, is_floor=True),
        dict(role="ipo", page="/", status=200, rate=150.0, p50=40.0, p99=90.0, queries=12, bytes=20480),
        dict(role="ipo", page="/slow/", status=302, rate=7.5, p50=900.0, p99=float("nan"), queries=None,
             errors=3),
    ], floor_rate=1500.0)
    assert rows[0] == ["floor", "raw SQL", "200", "1,500", "2.0", "5.0", "floor", "1", "-"]
    assert rows[1] == ["ipo", "/", "200", "150", "40.0", "90.0", "10%", "12", "20"]
    assert rows[2] == ["ipo", "/slow/", "302 (3 err)", "7.5", "900.0", "-", "0.5%", "-", "-"]
    assert report.page_table([], None)[0].split() == ["role", "page", "status", "req/s", "p50", "ms", "p99", "ms",
                                                      "%", "of", "floor", "queries", "KiB"]


WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:8000/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    13.10ms    2.50ms  40.00ms   80.00%
    Req/Sec   611.00     50.00   700.00     80.00%
  Latency Distribution
     50%   12.90ms
     75%   14.00ms
     90%   15.00ms
     99%    1.02s
  6110 requests in 10.00s, 40.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:    611.00
Transfer/sec:      4.00MB
"""


def test_it_reads_wrk_output():
    result = load.parse_wrk(WRK_OUTPUT)
    assert (result.requests, result.seconds, result.p50_ms, result.p99_ms, result.errors) == (6110, 10.0, 12.9,
                                                                                               1020.0, 8)
    assert result.rate == pytest.approx(611.0)
    with pytest.raises(ValueError):
        load.parse_wrk("wrk: connection refused")


@pytest.mark.parametrize("url, message", [
    ("", "BENCH_DATABASE_URL"),
    ("postgres://postgres@127.0.0.1:5432/roster", "must contain 'bench'"),
    ("postgres://postgres@127.0.0.1:5432/test_test", "must contain 'bench'"),
    ("sqlite:///var/bench.sqlite3", "needs PostgreSQL"),
])
def test_the_full_benchmark_refuses_a_database_that_is_not_a_scratch_one(url, message):
    with pytest.raises(CommandError, match=message):
        scratch_config(url)
    assert scratch_config("postgres://postgres@127.0.0.1:5432/roster_bench")["NAME"] == "roster_bench"
