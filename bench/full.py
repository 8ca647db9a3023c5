"""`manage.py bench_pages --full` (`make bench`): the benchmark side by side with its floor.

Two processes. The first (whatever settings `manage.py` runs with) checks that the target database
is a scratch one (its name contains "bench"), drops and recreates it, starts an SMTP sink
(aiosmtpd) and runs the second: `manage.py bench_pages --full --inner` under `bench.settings`
(production's, on plain HTTP) with DATABASE_URL pointing at the scratch database. The second:

1. migrates, loads the demo data (`seed_demo`), collects the static files, and adds the scale
   data set (`bench.generate`, seeded), then VACUUM ANALYZE and a CHECKPOINT;
2. serves the app with gunicorn (2 sync workers) and the floor (`bench.floor`, a bare WSGI app
   running one raw SQL query for 25 rows) with gunicorn too, same worker count;
3. signs in through the login form as each demo role and loads every main page of that role with
   `wrk -t1 -c8 -d<N>s` (or a threaded Python client when wrk is missing); the floor is measured
   before and after the pages; SQL queries per page come from one instrumented request in-process
   (the test client under CaptureQueriesContext);
4. times publishing a bulletin (the service) to the 34 demo partner agencies, then to 3,000,
   with Redis as the broker if REDIS_URL is set (the one fan-out task queued, not run) or eager (the
   fan-out and the delivery run in the call, over SMTP to the sink);
5. delivers outbox rows as the worker does (`notifications.services.mail_deliver_many`, a batch per
   task over one SMTP connection), one at a time as before, and the same messages through raw
   smtplib loops, to the same sink;
6. times the CSV and Excel exports over the whole history and their peak Python memory (tracemalloc);
7. prints the tables.
"""

from __future__ import annotations

import os
import platform
import secrets
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import timedelta
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone

from . import candidates, generate, load, report

BASE_DIR = Path(__file__).resolve().parent.parent
WORK_DIR = BASE_DIR / "var" / "bench"
# The ceiling rows, measured beside the floor: what Django, its middleware, a session and the site's
# layout cost before a page does anything. No page of the app can be faster than the last of them.
# The first is the floor's own page served through Django alone (bench/django_floor.py); the others are
# the app's: (label, url, demo login's name in _demo_data or None for someone not signed in)
DJANGO_FLOOR = "Django alone: the floor's page (no middleware)"
CEILINGS = (
    ("not signed in: /healthz (middleware, SELECT 1)", "/healthz", None),
    ("signed in: /healthz (+ session, user)", "/healthz", "IPO_EMAIL"),
    ("signed in: /terms/ (+ layout, static text)", "/terms/", "IPO_EMAIL"),
)
HOST = "127.0.0.1"
WORKERS = 2
ENV_URL = "BENCH_DATABASE_URL"
INNER_FLAG = "ROSTER_BENCH_INNER"
POSTGRES_ENGINES = {"django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"}


# --- the first process: a scratch database, an SMTP sink, the second process ----------------------


def scratch_config(url: str | None) -> dict:
    """The database settings of `url`, if it is a PostgreSQL database whose name says it is a
    benchmark's scratch database; else a CommandError saying why."""
    import environ

    if not url:
        raise CommandError(
            f"--full drops and recreates its database: give it with --database-url or {ENV_URL}, e.g. "
            f"{ENV_URL}=postgres://postgres@127.0.0.1:5432/roster_bench (the name must contain 'bench')."
        )
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # an unknown scheme
        raise CommandError(f"Not a database URL: {url!r} ({exc})")
    if config["ENGINE"] not in POSTGRES_ENGINES:
        raise CommandError(f"--full needs PostgreSQL, not {config['ENGINE']}.")
    name = config.get("NAME") or ""
    if "bench" not in name.lower():
        raise CommandError(f"Refusing to drop database {name!r}: a scratch database's name must contain 'bench'.")
    return config


def recreate_database(config: dict) -> None:
    import psycopg
    from psycopg import sql

    params = {"host": config.get("HOST") or HOST, "port": config.get("PORT") or 5432,
              "user": config.get("USER") or None, "password": config.get("PASSWORD") or None, "dbname": "postgres"}
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True) as conn:
        name = sql.Identifier(config["NAME"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0, process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise CommandError(f"The process for port {port} exited with {process.returncode}.")
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.1)
    raise CommandError(f"Nothing listens on {HOST}:{port} after {timeout:.0f} s.")


def stop(process: subprocess.Popen | None, timeout: float = 15.0) -> None:
    """Stop a process this benchmark started (by its PID), politely first."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def bench_env(url: str, smtp_port: int) -> dict:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "false",
        "ROSTER_MFA_REQUIRED": "false",
        "EMAIL_URL": f"smtp://{HOST}:{smtp_port}",
        "SITE_URL": f"http://{HOST}",
        "STATIC_ROOT": str(WORK_DIR / "static"),
        "PRIVATE_MEDIA_ROOT": str(WORK_DIR / "private"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "ERROR"),
        INNER_FLAG: "1",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def run_outer(command, options) -> None:
    url = options["database_url"] or os.environ.get(ENV_URL)
    config = scratch_config(url)
    try:
        import aiosmtpd  # noqa: F401
        import gunicorn  # noqa: F401
    except ImportError as exc:
        raise CommandError(f"{exc.name} is missing: `make install-test` installs it.")
    if not load.have_wrk() and not options["no_wrk"]:
        command.stderr.write("wrk is not installed (apt-get install wrk): using the threaded Python client.")
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    command.stderr.write(f"Dropping and recreating database {config['NAME']!r} on {config.get('HOST') or HOST}.")
    recreate_database(config)
    smtp_port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"{HOST}:{smtp_port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL, stderr=open(WORK_DIR / "smtp-sink.log", "w"),  # noqa: SIM115
    )
    try:
        wait_for_port(smtp_port, process=sink)
        argv = [sys.executable, str(BASE_DIR / "manage.py"), "bench_pages", "--full", "--inner",
                *inner_arguments(options)]
        inner = subprocess.Popen(argv, env=bench_env(url, smtp_port), cwd=BASE_DIR, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        try:
            for line in inner.stdout:
                command.stdout.write(line, ending="")
                command.stdout.flush()
            inner.wait()
        finally:
            stop(inner)
        if inner.returncode:
            raise CommandError(f"The benchmark failed (exit status {inner.returncode}).")
    finally:
        stop(sink)


FORWARDED = ["seconds", "seed", "officers", "applications", "bulletins", "outbox", "partners", "mails",
             "publish_samples", "publish_samples_large"]


def inner_arguments(options) -> list[str]:
    args = []
    for name in FORWARDED:
        args += [f"--{name.replace('_', '-')}", str(options[name])]
    if options["no_wrk"]:
        args.append("--no-wrk")
    if options.get("build_only"):
        args.append("--build-only")
    return args


# --- the second process: build, serve, measure ----------------------------------------------------


class Run:
    def __init__(self, command, options):
        self.command, self.options = command, options
        self.started = time.monotonic()
        self.phases: list[tuple[str, float]] = []
        self.use_wrk = load.have_wrk() and not options["no_wrk"]
        self.servers: list[subprocess.Popen] = []
        self.load_at_start = os.getloadavg()[0]

    def log(self, message: str) -> None:
        self.command.stdout.write(f"[{time.monotonic() - self.started:6.1f} s] {message}")
        self.command.stdout.flush()

    def phase(self, name: str, started: float) -> None:
        self.phases.append((name, time.monotonic() - started))

    # -- 1. the data set -------------------------------------------------------------------------

    def build(self):
        from django.core.management import call_command
        from django.db import connection

        t = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
        call_command("collectstatic", verbosity=0, interactive=False)
        self.phase("migrate, seed_demo, collectstatic", t)
        self.log("Demo data loaded; generating the data set.")
        t = time.monotonic()
        o = self.options
        self.sizes = generate.Sizes(officers=o["officers"], applications=o["applications"],
                                    bulletins=o["bulletins"], outbox=o["outbox"])
        self.ctx = generate.context_from_db()
        tables = generate.plan(self.ctx, self.sizes, seed=o["seed"])
        self.data_summary = generate.summary(tables)
        self.phase(f"generate (seed {o['seed']})", t)
        t = time.monotonic()
        generate.write(tables, progress=lambda label, n: self.log(f"  {label}: {n:,} rows"))
        del tables
        self.phase("write (COPY)", t)
        t = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            # The load's dirty pages written out now, not by a checkpoint during the pages: a checkpoint's
            # sync holds up every commit for a moment (hundreds of ms on a VM's disk), and the one page
            # that writes (an export commits its audit entry) would carry the load's cost in its p99.
            cursor.execute("CHECKPOINT")
        self.phase("VACUUM ANALYZE, CHECKPOINT", t)

    # -- 2. the servers --------------------------------------------------------------------------

    def serve(self, app: str, name: str, extra_env: dict | None = None) -> int:
        port = free_port()
        log = open(WORK_DIR / f"{name}.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", app, "--workers", str(WORKERS), "--worker-class", "sync",
             "--bind", f"{HOST}:{port}", "--timeout", "120", "--chdir", str(BASE_DIR), "--log-level", "warning"],
            env={**os.environ, **(extra_env or {})}, cwd=BASE_DIR, stdout=log, stderr=log,
        )
        self.servers.append(process)
        load.wait_until_up(HOST, port, "/healthz" if name == "app" else "/", process=process)
        return port

    def stop_servers(self):
        for process in self.servers:
            stop(process)
        self.servers = []

    # -- 3. the pages ----------------------------------------------------------------------------

    def pages(self):
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from agencies.models import User
        from roster.management.commands import _demo_data as data
        from roster.management.commands.bench_pages import fetch, pages_for

        plan = []
        ceilings = []  # what Django costs before any page: the most a page could reach here
        for label, url, email in CEILINGS:
            client = Client(HTTP_HOST=HOST)
            if email:
                client.force_login(User.objects.get(email=getattr(data, email)))
            fetch(client, url)
            with CaptureQueriesContext(connection) as queries:
                status, size = fetch(client, url)
            ceilings.append(dict(role="ceiling", page=label, url=url, email=email and getattr(data, email),
                                 queries=len(queries), status=status, bytes=size))
        for email in (data.IPO_EMAIL, data.COORDINATOR_EMAIL, data.OFFICER_EMAIL):
            user = User.objects.get(email=email)
            client = Client(HTTP_HOST=HOST)
            client.force_login(user)
            for url in pages_for(user.role):
                fetch(client, url)
                with CaptureQueriesContext(connection) as queries:
                    status, size = fetch(client, url)
                plan.append(dict(role=email.split("@")[0], email=email, page=url, queries=len(queries),
                                 status=status, bytes=size))
        connection.close()  # the servers get the database to themselves

        t = time.monotonic()
        floor_port = self.serve("bench.floor:app", "floor", {"BENCH_FLOOR_DSN": settings_dsn()})
        django_floor_port = self.serve("bench.django_floor:app", "django-floor", {"BENCH_FLOOR_DSN": settings_dsn()})
        app_port = self.serve("config.wsgi:application", "app")
        self.log(f"Serving the app on :{app_port} and the floor on :{floor_port} (gunicorn, {WORKERS} sync "
                 f"workers each); {'wrk' if self.use_wrk else 'Python client'}, {self.options['seconds']} s a page.")
        seconds = self.options["seconds"]
        results = []
        floors = [self.load_page(floor_port, "/", None, seconds)]
        self.log(f"  floor: {floors[0].rate:,.0f} req/s")
        cookies_for = {}
        status, _headers, body = load.request(HOST, django_floor_port, "GET", "/")
        result = self.load_page(django_floor_port, "/", None, seconds)
        ceiling_results = [dict(role="ceiling", page=DJANGO_FLOOR, url="/", email=None, queries=1, status=status,
                                bytes=len(body), rate=result.rate, p50=result.p50_ms, p99=result.p99_ms,
                                errors=result.errors)]
        self.log(f"  ceiling, {DJANGO_FLOOR}: {result.rate:,.1f} req/s")
        for item in ceilings:
            email = item["email"]
            if email and email not in cookies_for:
                cookies_for[email] = load.login(HOST, app_port, email, data.PASSWORD)
            cookies = cookies_for[email] if email else None
            status = self.status(app_port, item["url"], cookies)
            result = self.load_page(app_port, item["url"], cookies, seconds)
            ceiling_results.append(dict(item, status=status, rate=result.rate, p50=result.p50_ms, p99=result.p99_ms,
                                        errors=result.errors))
            self.log(f"  ceiling, {item['page']}: {result.rate:,.1f} req/s")
        for item in plan:
            email = item["email"]
            if email not in cookies_for:
                cookies_for[email] = load.login(HOST, app_port, email, data.PASSWORD)
            status = self.status(app_port, item["page"], cookies_for[email])
            if status != 200:  # signed out (idle, reauthentication): sign in again
                cookies_for[email] = load.login(HOST, app_port, email, data.PASSWORD)
                status = self.status(app_port, item["page"], cookies_for[email])
            result = self.load_page(app_port, item["page"], cookies_for[email], seconds)
            after = self.status(app_port, item["page"], cookies_for[email])
            results.append(dict(item, status=status if status != 200 else after, rate=result.rate, p50=result.p50_ms,
                                p99=result.p99_ms, errors=result.errors))
            self.log(f"  {item['role']} {item['page']}: {result.rate:,.1f} req/s, p50 {result.p50_ms:.1f} ms")
        floors.append(self.load_page(floor_port, "/", None, seconds))
        self.log(f"  floor again: {floors[1].rate:,.0f} req/s")
        fresh = self.load_page(floor_port, "/?connect=1", None, seconds)
        self.log(f"  floor, a connection per request: {fresh.rate:,.0f} req/s")
        self.stop_servers()
        self.phase("pages (gunicorn + load)", t)
        self.floors = floors
        self.floor_rate = statistics.mean(f.rate for f in floors)
        floor_row = dict(role="floor", page="raw SQL, 25 rows", status=200, rate=self.floor_rate,
                         p50=statistics.mean(f.p50_ms for f in floors), p99=max(f.p99_ms for f in floors),
                         queries=1, bytes=None, is_floor=True, errors=sum(f.errors for f in floors))
        fresh_row = dict(role="floor", page="same, new connection each", status=200, rate=fresh.rate,
                         p50=fresh.p50_ms, p99=fresh.p99_ms, queries=1, bytes=None, errors=fresh.errors)
        self.page_results = [floor_row, fresh_row, *ceiling_results, *results]

    def status(self, port, path, cookies) -> int:
        status, _h, _b = load.request(HOST, port, "GET", path, cookies=cookies)
        return status

    def load_page(self, port, path, cookies, seconds):
        for _ in range(5):  # warm up: templates, caches, connections
            load.request(HOST, port, "GET", path, cookies=cookies)
        return load.measure(HOST, port, path, seconds=seconds, cookies=cookies, use_wrk=self.use_wrk)

    # -- 4. publishing -----------------------------------------------------------------------------

    def publish(self):
        from agencies.models import Agency

        t = time.monotonic()
        eager = settings.CELERY_TASK_ALWAYS_EAGER
        self.publish_mode = ("eager: the fan-out and each message's delivery run in the call, over SMTP to the sink"
                             if eager else "Redis broker: one fan-out task queued per publication, none run")
        rows = [self.publish_samples(self.options["publish_samples"])]
        self.log(f"  publish to {rows[0]['agencies']} agencies: p50 {rows[0]['p50']:.0f} ms")
        partners = generate.plan_partner_agencies(generate.context_from_db(), self.options["partners"],
                                                  seed=self.options["seed"])
        generate.write(partners)
        # Analysed as the data set was before the pages: otherwise this connection keeps the plans it
        # made for 34 agencies (a sequential scan of one page), and each of the 3,000 notices' foreign
        # key checks at COMMIT scans every agency (about 200 ms more per publication).
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        rows.append(self.publish_samples(self.options["publish_samples_large"]))
        self.log(f"  publish to {rows[1]['agencies']} agencies: p50 {rows[1]['p50']:.0f} ms")
        if not eager:
            from config.celery import app

            self.purged = app.control.purge()
        self.publish_rows = rows
        self.partner_count = Agency.objects.filter(is_partner=True).count()
        self.phase("publish", t)

    def publish_samples(self, n: int) -> dict:
        from agencies.models import Agency, User
        from missions.models import Bulletin, BulletinNotice
        from missions.services import bulletin_agencies, bulletin_publish
        from notifications import services as outbox
        from notifications.models import MailBatch
        from roster.management.commands import _demo_data as data

        ipo = User.objects.get(email=data.IPO_EMAIL)
        model = (Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED, mission__status="active")
                 .order_by("pk").last())
        agencies = Agency.objects.filter(is_partner=True).count()
        times, first_batch = [], (MailBatch.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
        drafts = []
        for i in range(n):
            draft = Bulletin.objects.get(pk=model.pk)
            draft.pk = draft.id = None
            draft.reference = f"JPB-BENCH-{agencies}-{i + 1:03d}"
            draft.status, draft.published_at, draft.closed_at = Bulletin.Status.DRAFT, None, None
            draft.closes_at = timezone.now() + timedelta(days=20)
            draft.created_by = ipo
            draft.save()
            drafts.append(draft)
        for draft in drafts:
            started = time.perf_counter()
            bulletin_publish(bulletin=draft, actor=ipo)
            times.append((time.perf_counter() - started) * 1000)
        # the messages each publication queued: one batch, whose recipients the worker looks up (asked
        # here the same way when no worker has yet)
        mails = sum(
            b.total if b.total is not None else len(outbox._recipient_rows(bulletin_agencies(b.context)))
            for b in MailBatch.objects.filter(pk__gt=first_batch, template="bulletin_published")
        )
        notices = BulletinNotice.objects.filter(bulletin__in=drafts).count()
        return dict(agencies=agencies, samples=n, p50=report.percentile(times, 50), p95=report.percentile(times, 95),
                    notices=notices // max(n, 1), mails=mails // max(n, 1))

    # -- 5. email ----------------------------------------------------------------------------------

    def email(self):
        from notifications.models import OutgoingMail
        from notifications.services import DELIVERY_BATCH, build_message, mail_deliver, mail_deliver_many

        t = time.monotonic()
        n = self.options["mails"]
        ids = list(OutgoingMail.objects.filter(status=OutgoingMail.Status.SENT, kind="application_status")
                   .order_by("-pk").values_list("pk", flat=True)[:n])

        def requeue():
            OutgoingMail.objects.filter(pk__in=ids).update(
                status=OutgoingMail.Status.QUEUED, attempts=0, claimed_at=None, claimed_by="", sent_at=None,
                next_attempt_at=None)

        def measured(deliver):
            requeue()
            started = time.perf_counter()
            deliver()
            elapsed = time.perf_counter() - started
            sent = OutgoingMail.objects.filter(pk__in=ids, status=OutgoingMail.Status.SENT).count()
            return len(ids) / elapsed, sent

        def as_the_worker():
            # deliver_mail_batch: a task per DELIVERY_BATCH ids, each over one SMTP connection
            for start in range(0, len(ids), DELIVERY_BATCH):
                mail_deliver_many(mail_ids=ids[start:start + DELIVERY_BATCH], claimed_by=f"bench-{start}")

        def one_at_a_time():
            for mail_id in ids:
                mail_deliver(mail_id=mail_id)

        messages = [(m.from_email, m.recipients(), m.message().as_bytes(linesep="\r\n"))
                    for m in (build_message(mail) for mail in OutgoingMail.objects.filter(pk__in=ids).order_by("-pk"))]

        def raw(shared: bool):
            host, port = settings.EMAIL_HOST, settings.EMAIL_PORT
            started = time.perf_counter()
            server = smtplib.SMTP(host, port) if shared else None
            for sender, recipients, body in messages:
                if server is None:
                    with smtplib.SMTP(host, port) as one:
                        one.sendmail(sender, recipients, body)
                else:
                    server.sendmail(sender, recipients, body)
            if server is not None:
                server.quit()
            return len(messages) / (time.perf_counter() - started), len(messages)

        rows = []
        for label, run in (
            (f"mail_deliver_many, {DELIVERY_BATCH} a task over one connection (as the worker runs it)",
             lambda: measured(as_the_worker)),
            ("mail_deliver, a connection per message (one task a message, as before)", lambda: measured(one_at_a_time)),
            ("raw smtplib loop, a connection per message", lambda: raw(False)),
            ("raw smtplib loop, one connection", lambda: raw(True)),
        ):
            rate, sent = run()
            rows.append((label, rate, sent))
            self.log(f"  {label}: {rate:,.0f} msgs/s")
        self.email_rows, self.email_count = rows, len(ids)
        self.phase("email", t)

    # -- 6. exports --------------------------------------------------------------------------------

    def exports(self):
        from django.db.models import Count, Max, Min
        from django.test import Client
        from django.urls import reverse

        from agencies.models import User
        from missions.models import Bulletin
        from roster.management.commands import _demo_data as data
        from roster.management.commands.bench_pages import fetch
        from roster.models import Deployment

        t = time.monotonic()
        client = Client(HTTP_HOST=HOST)
        client.force_login(User.objects.get(email=data.IPO_EMAIL))
        span = Deployment.objects.aggregate(start=Min("start_date"), end=Max("planned_end_date"))
        history = f"?start={span['start']:%Y-%m-%d}&end={span['end']:%Y-%m-%d}"
        busiest = Bulletin.objects.annotate(n=Count("applications")).order_by("-n", "-pk").first()
        exports = []
        for fmt in ("csv", "xlsx"):
            exports += [
                (f"roster.{fmt} (current tours)", reverse("roster:export-roster", kwargs={"fmt": fmt})),
                (f"deployments.{fmt} (whole history)",
                 reverse("roster:export-deployments", kwargs={"fmt": fmt}) + history),
                (f"applicants.{fmt} ({busiest.reference})",
                 reverse("roster:export-applicants", kwargs={"bulletin_pk": busiest.pk, "fmt": fmt})),
            ]
        rows = []
        for label, url in exports:
            fetch(client, url)  # warm-up (imports, caches); the reauthentication window is open
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            lines = body.count(b"\n") - 1 if label.split(" ")[0].endswith("csv") else None
            times = []
            for _ in range(3):
                started = time.perf_counter()
                fetch(client, url)
                times.append((time.perf_counter() - started) * 1000)
            tracemalloc.start()
            fetch(client, url)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            rows.append(dict(label=label, status=response.status_code, rows=lines, bytes=len(body),
                             ms=statistics.median(times), peak=peak))
            self.log(f"  {label}: {statistics.median(times):,.0f} ms, peak {peak / 2**20:.1f} MiB")
        self.export_rows = rows
        self.phase("exports", t)

    # -- 7. the report -----------------------------------------------------------------------------

    def print_report(self):
        out = self.command.stdout.write
        out("")
        out("=" * 100)
        out(machine_line())
        o = self.options
        counts = self.data_summary
        out(f"Data: demo data + {counts.get('agencies.Officer', 0):,} officers, "
            f"{counts.get('missions.Bulletin', 0):,} bulletins, {counts.get('roster.Application', 0):,} "
            f"applications ({counts.get('roster.ApplicationEvent', 0):,} events), "
            f"{counts.get('roster.Deployment', 0):,} deployments, {counts.get('notifications.OutgoingMail', 0):,} "
            f"outbox rows, {counts.get('missions.BulletinNotice', 0):,} notices; seed {o['seed']}.")
        out(f"Served by gunicorn, {WORKERS} sync workers, settings bench.settings (production's, plain HTTP), "
            f"CONN_MAX_AGE={settings.DATABASES['default'].get('CONN_MAX_AGE')}; load: "
            + (f"wrk -t1 -c8 -d{o['seconds']}s" if self.use_wrk else
               f"Python client, 8 threads, {o['seconds']} s")
            + f"; floor {self.floors[0].rate:,.0f} and {self.floors[1].rate:,.0f} req/s (before and after the "
            f"pages); load average {self.load_at_start:.1f} when the run started (other work skews the figures).")
        out("")
        for line in report.page_table(self.page_results, self.floor_rate):
            out(line)
        out("")
        out(f"Publishing a bulletin (missions.services.bulletin_publish, timed in-process; {self.publish_mode}):")
        for line in report.table(
            ("partner agencies", "notices", "messages", "samples", "p50 ms", "p95 ms"),
            [(f"{r['agencies']:,}", f"{r['notices']:,}", f"{r['mails']:,}", r["samples"], report.number(r["p50"]),
              report.number(r["p95"])) for r in self.publish_rows],
            right=(0, 1, 2, 3, 4, 5),
        ):
            out("  " + line)
        out("")
        raw = next(rate for label, rate, _ in self.email_rows if label == "raw smtplib loop, one connection")
        out(f"Email delivery, {self.email_count:,} outbox rows to a local aiosmtpd sink:")
        for line in report.table(
            ("path", "msgs/s", "% of raw", "sent"),
            [(label, report.number(rate), report.percent_of(rate, raw), f"{sent:,}")
             for label, rate, sent in self.email_rows],
            right=(1, 2, 3),
        ):
            out("  " + line)
        out("")
        out("Exports (IPO staff, in-process; median of 3; peak = tracemalloc's peak of Python allocations):")
        for line in report.table(
            ("export", "status", "rows", "KiB", "ms", "peak MiB"),
            [(r["label"], r["status"], report.number(r["rows"]), report.number(r["bytes"] / 1024),
              report.number(r["ms"]), report.number(r["peak"] / 2**20, 1)) for r in self.export_rows],
            right=(1, 2, 3, 4, 5),
        ):
            out("  " + line)
        out("")
        for line in candidates.report_lines(getattr(self, "candidate_rows", [])):
            out(line)
        out("")
        out("Time: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self.phases)
            + f"; total {time.monotonic() - self.started:.0f} s.")
        bad = [r for r in self.page_results if r["status"] != 200 or r.get("errors")]
        if bad:
            out("WARNING: " + ", ".join(f"{r['role']} {r['page']} ({r['status']}, {r.get('errors', 0)} errors)"
                                        for r in bad))


def settings_dsn() -> str:
    return os.environ["DATABASE_URL"]


def machine_line() -> str:
    from django.db import connection

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0].split()[0]
    import django
    import gunicorn

    return (f"Run {time.strftime('%Y-%m-%d %H:%M %Z')} on {platform.node() or 'this machine'}: {os.cpu_count()} cores "
            f"({cpu}), Python {platform.python_version()}, Django {django.get_version()}, PostgreSQL {pg}, "
            f"gunicorn {gunicorn.__version__}.")


def run_inner(command, options) -> None:
    name = settings.DATABASES["default"].get("NAME") or ""
    if os.environ.get(INNER_FLAG) != "1" or "bench" not in str(name).lower():
        raise CommandError("--inner is run by `bench_pages --full` itself, on its scratch database.")
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    run = Run(command, options)
    try:
        run.log(f"Building the data set in {name!r}.")
        run.build()
        if options.get("build_only"):
            run.log("Data set built (--build-only).")
            return
        run.log("Measuring the pages.")
        run.pages()
        run.log("Exports.")
        run.exports()
        run.log("Email delivery.")
        run.email()
        run.log('"Who could go?"')
        run.candidate_rows = candidates.measure()
        run.log("Publishing.")
        run.publish()
    finally:
        run.stop_servers()
    run.print_report()
