"""`manage.py bench_pages`: time the main pages for each demo role (a benchmark, not a test).

For each demo login (IPO staff, coordinator, officer) it requests the pages that role uses with
`django.test.Client`, and prints each page's status, number of SQL queries (counted on one
extra request) and the median and 95th percentile response time. It exits non-zero if a page
answers anything but 200.

`--grow N` first adds N synthetic officers ("Bench Officer 00001", badge BENCH-00001, ...) to the
demo agencies, with clearances, deployments and applications, so one can check that the pages
stay fast, and their query counts flat, with thousands of officers. It writes to the configured
database and refuses to run unless the demo data (`manage.py seed_demo`) is there.

`--full` (`make bench`) is the real benchmark: it drops and recreates a scratch PostgreSQL
database (`--database-url` or BENCH_DATABASE_URL; its name must contain "bench"), builds the scale
data set with a seeded generator, serves the app with gunicorn under production settings and
measures every main page per role with wrk beside a raw-SQL floor page, then publishing, email
delivery and the exports (see `bench/full.py` and README.md, "Benchmark").
"""

import argparse
import statistics
import time
from datetime import timedelta
from random import Random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Clearance, Officer, Role, User
from bench.report import percentile  # nearest-rank, shared with the full benchmark
from missions.models import Bulletin, Mission
from roster import eligibility
from roster.models import Application, ApplicationEvent, ApplicationStatus, Deployment, DeploymentEvent

from . import _demo_data as data

S = ApplicationStatus
D = Deployment.Status
BADGE_PREFIX = "BENCH-"
SEED = 2026


class Command(BaseCommand):
    help = ("Time the main pages for each demo role; --grow N first adds N synthetic officers; "
            "--full runs the full benchmark (make bench).")

    def add_arguments(self, parser):
        parser.add_argument("--grow", type=int, default=0, metavar="N",
                            help="Add N synthetic officers to the demo agencies first (writes to the database).")
        parser.add_argument("--requests", type=int, default=30, metavar="R", help="Timed requests per page.")
        parser.add_argument("--warmup", type=int, default=3, metavar="W", help="Untimed requests per page first.")
        full = parser.add_argument_group("the full benchmark (--full)")
        full.add_argument("--full", action="store_true",
                          help="The full benchmark on a scratch PostgreSQL database, gunicorn and wrk (make bench).")
        full.add_argument("--database-url", default="", metavar="URL",
                          help="The scratch database, dropped and recreated; its name must contain 'bench' "
                               "(default: $BENCH_DATABASE_URL).")
        full.add_argument("--seconds", type=int, default=10, metavar="N", help="wrk -d<N>s per page (default 10).")
        full.add_argument("--seed", type=int, default=SEED, help=f"The generator's seed (default {SEED}).")
        full.add_argument("--officers", type=int, default=5000)
        full.add_argument("--applications", type=int, default=100_000)
        full.add_argument("--bulletins", type=int, default=2000)
        full.add_argument("--outbox", type=int, default=100_000,
                          help="Outbox rows (the newest messages of the history).")
        full.add_argument("--partners", type=int, default=3000, help="Partner agencies for the second publish test.")
        full.add_argument("--mails", type=int, default=2000, help="Outbox rows delivered per email test.")
        full.add_argument("--publish-samples", type=int, default=20, help="Bulletins published to the demo agencies.")
        full.add_argument("--publish-samples-large", type=int, default=5,
                          help="Bulletins published to --partners agencies.")
        full.add_argument("--no-wrk", action="store_true", help="Use the threaded Python client even if wrk is there.")
        full.add_argument("--build-only", action="store_true",
                          help="Only (re)build the data set in the scratch database, for EXPLAIN and profiling.")
        full.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["full"]:
            from bench import full

            for name in ("seconds", "officers", "applications", "bulletins", "mails", "publish_samples",
                         "publish_samples_large"):
                if options[name] < 1:
                    raise CommandError(f"--{name.replace('_', '-')} must be at least 1.")
            if options["inner"]:
                full.run_inner(self, options)
            else:
                full.run_outer(self, options)
            return
        grow, requests, warmup = options["grow"], options["requests"], options["warmup"]
        if grow < 0 or requests < 1 or warmup < 0:
            raise CommandError("--grow and --warmup must be >= 0 and --requests >= 1.")
        if not User.objects.filter(email=data.IPO_EMAIL).exists():
            raise CommandError("The demo data is missing; run `manage.py seed_demo` first.")
        if grow:
            db = connection.settings_dict
            self.stderr.write(self.style.WARNING(
                f"Warning: --grow writes {grow} synthetic officers to the configured database "
                f"({db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']})."
            ))
            started = time.perf_counter()
            first, last = grow_officers(grow)
            self.stdout.write(f"Added officers {first}..{last} in {time.perf_counter() - started:.1f} s.")

        rows = measure(requests=requests, warmup=warmup)
        self.print_table(rows, requests=requests, warmup=warmup)
        failed = [r for r in rows if r["status"] != 200]
        if failed:
            raise CommandError(f"{len(failed)} page(s) did not answer 200: "
                               + ", ".join(f"{r['role']} {r['url']} ({r['status']})" for r in failed))

    def print_table(self, rows, *, requests, warmup):
        self.stdout.write(
            f"\n{Officer.objects.count()} officers, {Deployment.objects.count()} deployments, "
            f"{Application.objects.count()} applications; {connection.vendor}, DEBUG={settings.DEBUG}; "
            f"{requests} timed request(s) per page after {warmup} warm-up."
        )
        header = ("role", "page", "status", "queries", "median ms", "p95 ms", "KiB")
        lines = [(r["role"], r["url"], str(r["status"]), str(r["queries"]), f"{r['median']:.1f}",
                  f"{r['p95']:.1f}", f"{r['bytes'] / 1024:.0f}") for r in rows]
        widths = [max(len(x[i]) for x in [header, *lines]) for i in range(len(header))]
        numeric = {2, 3, 4, 5, 6}

        def fmt(cells):
            return "  ".join(c.rjust(w) if i in numeric else c.ljust(w)
                             for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

        self.stdout.write(fmt(header))
        self.stdout.write("  ".join("-" * w for w in widths))
        for line, r in zip(lines, rows, strict=True):
            text = fmt(line)
            self.stdout.write(text if r["status"] == 200 else self.style.ERROR(text))


# -- measuring ---------------------------------------------------------------------------------------


def pages_for(role):
    """(label, url) of the main pages one role uses."""
    busiest = (Bulletin.objects.annotate(n=Count("applications")).order_by("-n", "-pk"))
    shown = busiest.filter(status__in=[Bulletin.Status.PUBLISHED, Bulletin.Status.CLOSED]).first() or busiest.first()
    pages = [
        reverse("home"),
        reverse("missions:bulletin-list"),
        reverse("missions:bulletin-detail", kwargs={"pk": shown.pk}),
        reverse("missions:mission-list"),
    ]
    if role in (Role.IPO_STAFF, Role.COORDINATOR):
        pages += [reverse("agencies:officer-list"), reverse("roster:roster"), reverse("roster:dashboard")]
    if role == Role.IPO_STAFF:
        pages += [
            reverse("notifications:outbox"),
            reverse("roster:bulletin-pipeline", kwargs={"bulletin_pk": busiest.first().pk}),
            reverse("roster:export-roster", kwargs={"fmt": "csv"}),
        ]
    if role == Role.COORDINATOR:
        pages.append(reverse("roster:agency-applications"))
    if role == Role.OFFICER:
        pages.append(reverse("roster:my-applications"))
    pages.append(reverse("notifications:my-messages"))
    return pages


def bench_host():
    hosts = [h for h in settings.ALLOWED_HOSTS if h != "*"]
    if "127.0.0.1" in hosts or not hosts or "*" in settings.ALLOWED_HOSTS:
        return "127.0.0.1"
    return hosts[0].lstrip(".")


def fetch(client, url):
    """GET `url`; the whole body is read (streaming responses too). Returns (status, bytes)."""
    response = client.get(url, secure=settings.SECURE_SSL_REDIRECT)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.status_code, len(body)


def measure(*, requests, warmup):
    host = bench_host()
    rows = []
    for email in (data.IPO_EMAIL, data.COORDINATOR_EMAIL, data.OFFICER_EMAIL):
        user = User.objects.get(email=email)
        client = Client(HTTP_HOST=host)
        client.force_login(user)
        for url in pages_for(user.role):
            for _ in range(warmup):
                fetch(client, url)
            # CaptureQueriesContext forces the debug cursor, so it counts with DEBUG off too.
            with CaptureQueriesContext(connection) as ctx:
                status, size = fetch(client, url)
            queries = len(ctx)  # now: the next request's request_started signal clears the query log
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                fetch(client, url)
                times.append((time.perf_counter() - started) * 1000)
            rows.append(dict(role=user.email.split("@")[0], url=url, status=status, queries=queries,
                             bytes=size, median=statistics.median(times), p95=percentile(times, 95)))
    return rows


# -- growing -----------------------------------------------------------------------------------------


def next_serial():
    badges = Officer.objects.filter(badge_number__startswith=BADGE_PREFIX).values_list("badge_number", flat=True)
    numbers = [int(b[len(BADGE_PREFIX):]) for b in badges if b[len(BADGE_PREFIX):].isdigit()]
    return max(numbers, default=0) + 1


@transaction.atomic
def grow_officers(count):
    """Add `count` synthetic officers, round-robin over the demo agencies; returns their first and
    last serial. Each has two clearances; about half one deployment (past, current or planned,
    on an active mission); about a third one application (submitted, or nominated and endorsed)
    to a published or closed bulletin. Every officer is new, so one officer's deployments never
    overlap and the (bulletin, officer) pair is unique."""
    agencies = list(Agency.objects.filter(is_demo=True).order_by("pk"))
    missions = list(Mission.objects.filter(status=Mission.Status.ACTIVE).order_by("code"))
    bulletins = list(Bulletin.objects.filter(status__in=[Bulletin.Status.PUBLISHED, Bulletin.Status.CLOSED])
                     .order_by("pk"))
    if not connection.features.can_return_rows_from_bulk_insert:
        raise CommandError("--grow needs a database that returns ids from bulk inserts (PostgreSQL, SQLite 3.35+).")
    if not agencies or not missions or not bulletins:
        raise CommandError("The demo agencies, active missions or published bulletins are missing.")
    coordinators = {}
    for u in User.objects.filter(role=Role.COORDINATOR, agency__in=agencies).order_by("pk"):
        coordinators.setdefault(u.agency_id, u)
    ipo = User.objects.get(email=data.IPO_EMAIL)
    first = next_serial()
    rng = Random(SEED + first)
    today, now = timezone.localdate(), timezone.now()

    officers = []
    for serial in range(first, first + count):
        agency = agencies[serial % len(agencies)]
        age, years = rng.randint(27, 58), rng.randint(3, 25)
        french = agency.language == "fr" or rng.random() < 0.25
        officers.append(Officer(
            agency=agency, badge_number=f"{BADGE_PREFIX}{serial:05d}", first_name="Bench",
            last_name=f"Officer {serial:05d}", email=f"bench.officer.{serial:05d}@{agency.slug}.demo.example",
            rank=rng.choice(["cst", "cst", "cpl", "cpl", "sgt", "ssgt", "insp"]),
            gender=rng.choices(["woman", "man", "undisclosed"], weights=[33, 65, 2])[0],
            date_of_birth=today - timedelta(days=age * 365 + rng.randint(15, 340)),
            service_start=today - timedelta(days=years * 365 + rng.randint(15, 340)),
            english_level=rng.choice([2, 3, 4, 4]) if french else 4,
            french_level=4 if french else rng.choice([0, 1, 2, 3]),
            manual_driving=rng.random() < 0.75, firearms_qualified=rng.random() < 0.85,
        ))
    Officer.objects.bulk_create(officers, batch_size=500)

    clearances = {}
    for o in officers:
        clearances[o.pk] = [
            Clearance(officer=o, kind=kind, valid_until=today + timedelta(days=rng.randint(-60, 3 * 365)),
                      reference=f"BENCH-{kind[:3].upper()}-{o.badge_number[len(BADGE_PREFIX):]}")
            for kind in (Clearance.Kind.MEDICAL, Clearance.Kind.PASSPORT)
        ]
    Clearance.objects.bulk_create([c for cs in clearances.values() for c in cs], batch_size=500)

    # Deployments: one for every other officer, over [start, end) with end = actual or planned end.
    deployments, ranges = [], {}
    for i, o in enumerate(officers):
        if i % 2:
            continue
        mission = missions[(i // 2) % len(missions)]
        kind = rng.choices(["past", "current", "planned"], weights=[60, 32, 8])[0]
        if kind == "past":
            start = today - timedelta(days=rng.randint(400, 6 * 365))
            end = start + timedelta(days=rng.choice([274, 365]))
            status, actual = D.COMPLETED, end
        elif kind == "current":
            start = today - timedelta(days=rng.randint(5, 300))
            end = max(start + timedelta(days=rng.choice([274, 365])), today + timedelta(days=14))
            status, actual = D.IN_MISSION, None
        else:
            start = today + timedelta(days=rng.randint(7, 60))
            end = start + timedelta(days=365)
            status, actual = D.PLANNED, None
        span = (start, actual or end)
        if any(span[0] < e and s < span[1] for s, e in ranges.get(o.pk, [])):
            continue  # never two overlapping tours for one officer
        ranges.setdefault(o.pk, []).append(span)
        deployments.append(Deployment(
            officer=o, mission=mission, start_date=start, planned_end_date=end, actual_end_date=actual,
            status=status, role=rng.choice(data.DEPLOYMENT_ROLES),
        ))
    Deployment.objects.bulk_create(deployments, batch_size=500)
    DeploymentEvent.objects.bulk_create(
        [DeploymentEvent(deployment=d, action="created", actor=ipo,
                         data={"start": d.start_date.isoformat(), "planned_end": d.planned_end_date.isoformat()})
         for d in deployments],
        batch_size=500,
    )

    # Applications: one for every third officer, to a random published or closed bulletin.
    deployments_of = {}
    for d in deployments:
        deployments_of.setdefault(d.officer_id, []).append(d)
    applications, events, taken = [], [], set(
        Application.objects.filter(officer__in=officers).values_list("bulletin_id", "officer_id"))
    for i, o in enumerate(officers):
        if i % 3:
            continue
        bulletin = rng.choice(bulletins)
        if (bulletin.pk, o.pk) in taken:
            continue
        taken.add((bulletin.pk, o.pk))
        nominated = rng.random() < 0.4
        status = S.ENDORSED if nominated else S.SUBMITTED
        coordinator = coordinators.get(o.agency_id)
        opened = bulletin.published_at or bulletin.created_at
        closes = min(bulletin.closes_at, now - timedelta(minutes=30))
        when = opened + (closes - opened) * rng.uniform(0.05, 0.9) if closes > opened else opened
        check = eligibility.check(o, bulletin, clearances=clearances[o.pk], commitments=eligibility.commitments_from(
            deployments=deployments_of.get(o.pk, []), applications=[]))  # new officers: no selection
        app = Application(
            bulletin=bulletin, officer=o, status=status, statement="Synthetic application for the benchmark.",
            nominated_by=coordinator if nominated else None, release_confirmed=nominated,
            ineligible=not check.eligible,
        )
        app._when = when
        applications.append(app)
        events.append(ApplicationEvent(application=app, from_status="", to_status=status,
                                       actor=coordinator if nominated else o.user, note=""))
    Application.objects.bulk_create(applications, batch_size=500)
    for app, event in zip(applications, events, strict=True):
        app.created_at = app.updated_at = app._when
        event.application = app  # now with its id
    Application.objects.bulk_update(applications, ["created_at", "updated_at"], batch_size=500)
    ApplicationEvent.objects.bulk_create(events, batch_size=500)
    for event in events:  # auto_now_add stamped them now; they happened when the application did
        event.created_at = event.application.created_at
    ApplicationEvent.objects.bulk_update(events, ["created_at"], batch_size=500)
    return first, first + count - 1
