"""The lists that grow without bound are read by an index that matches their filter and order (issue 10).

Each test requests a page as a user would, takes the SQL the view ran for the list, and asks
PostgreSQL for its plan (EXPLAIN, after ANALYZE, with sequential scans, bitmap scans and sorts, full
or incremental, priced out, so the plan is what the indexes allow on a table of any size): the table
is read by the expected index, never scanned whole, and no Sort orders rows that no LIMIT bounds.
The first page and a later one (the keyset cursor) are both checked. PostgreSQL only (the `postgres`
marker: deselected on SQLite, run by the CI).
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Officer
from audit.models import AuditEntry
from missions.models import Bulletin
from notifications.models import OutgoingMail
from roster.models import Application
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

OUTBOX = "notifications_outgoingmail"
SCANS = ("Seq Scan", "Index Scan", "Index Only Scan", "Bitmap Heap Scan")
# Priced out for the plans checked here, so that only an index in the list's order can avoid them.
SWITCHED_OFF = ("enable_seqscan", "enable_bitmapscan", "enable_sort", "enable_incremental_sort")


# --- reading plans ---------------------------------------------------------------------------------

def nodes(plan, in_subplan=False):
    """Every node of a plan, with whether it is computed per row of another (SubPlan, InitPlan)."""
    yield plan, in_subplan
    for child in plan.get("Plans", []):
        yield from nodes(child, in_subplan or child.get("Parent Relationship") in ("SubPlan", "InitPlan"))


def unbounded_scan_below(node, bounded=False) -> bool:
    """Whether a table scan below `node` feeds it rows that no Limit bounds (SubPlans aside)."""
    for child in node.get("Plans", []):
        if child.get("Parent Relationship") in ("SubPlan", "InitPlan"):
            continue
        child_bounded = bounded or child["Node Type"] == "Limit"
        if child["Node Type"] in SCANS and not child_bounded:
            return True
        if unbounded_scan_below(child, child_bounded):
            return True
    return False


def explain(sql: str) -> dict:
    with connection.cursor() as cursor:
        for setting in SWITCHED_OFF:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        (plan,) = cursor.fetchone()[0]
        for setting in SWITCHED_OFF:
            cursor.execute(f"RESET {setting}")
    return plan["Plan"]


def list_query(client, url, params, table: str, limit: int) -> str:
    """The SQL of the list's page: the query on `table` that fetches `limit` rows (a page and one)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    found = [q["sql"] for q in queries.captured_queries
             if f'FROM "{table}"' in q["sql"] and re.search(rf"LIMIT {limit}\b", q["sql"])]
    assert found, f"no page query on {table}"
    return found[-1], response


def assert_paged_by(plan, table: str, *indexes: str):
    """`table` is read only through `indexes` (each of them), outside per-row subplans, and no
    Sort orders rows that no Limit bounds (a sort of the whole list)."""
    scans = [n for n, sub in nodes(plan) if not sub and n.get("Relation Name") == table]
    used = {n.get("Index Name") for n in scans}
    assert scans and all(n["Node Type"] in ("Index Scan", "Index Only Scan") for n in scans), scans
    assert set(indexes) == used, used
    sorts = [n for n, _ in nodes(plan) if n["Node Type"] in ("Sort", "Incremental Sort")]
    assert not [s for s in sorts if unbounded_scan_below(s)], sorts


def walk(client, url, params, table, limit):
    """The plans of the first page and of the next one (through the cursor)."""
    sql, response = list_query(client, url, params, table, limit)
    page = response.context.get("page")
    cursor = page.next_cursor if page is not None else response.context["next_cursor"]
    assert cursor, "the data set must give a second page"
    sql_next, _ = list_query(client, url, {**params, "after": cursor}, table, limit)
    assert sql_next != sql
    return explain(sql), explain(sql_next)


def analyze(*tables):
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'ANALYZE "{table}"')


# --- data --------------------------------------------------------------------------------------------

@pytest.fixture
def outbox(world):
    """3,000 messages, as a program's outbox is: nearly all sent, a few failed or queued (the tabs
    worth reading), a few dozen of them officer X's (by login, by address, or both)."""
    start = timezone.now() - dt.timedelta(days=30)
    rows = []
    for i in range(3000):
        status = "failed" if i % 50 == 0 else "queued" if i % 50 == 1 else "sent"
        to = f"r{i}@example.test"
        if i % 40 == 0:
            to = world.user_x.email.upper()
        elif i % 40 == 20:
            to = world.user_x.email
        rows.append(OutgoingMail(
            to=to, user=world.user_x if i % 40 in (10, 20) else None, subject=f"Subject {i}", body_text="…",
            message_id=f"<explain-{i}@test>", status=status, kind="bulletin_published",
        ))
    OutgoingMail.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:  # a message every minute, two at a time (ties on created_at)
        cursor.execute(f'UPDATE "{OUTBOX}" SET created_at = %s + (id / 2) * interval \'1 minute\'', [start])
    analyze(OUTBOX)


@pytest.fixture
def bulletins(world):
    """600 bulletins of 12 missions, a few drafts among them."""
    missions = [world.mission] + [f.MissionFactory(code=f"M{i:02d}") for i in range(11)]
    now = timezone.now()
    Bulletin.objects.bulk_create([
        Bulletin(reference=f"JPB-X-{i:04d}", mission=missions[i % 12], title_en="Adviser",
                 title_fr="Conseiller", description_en="…", description_fr="…", positions=2, duration_months=12,
                 deployment_start=now.date() + dt.timedelta(days=90), closes_at=now + dt.timedelta(hours=i - 300),
                 status=Bulletin.Status.DRAFT if i % 20 == 0 else (Bulletin.Status.PUBLISHED if i % 2 else
                                                                    Bulletin.Status.CLOSED))
        for i in range(600)
    ])
    analyze("missions_bulletin", "missions_mission")


@pytest.fixture
def officers(world):
    Officer.objects.bulk_create([
        Officer(agency=world.agency_a if i % 3 else world.agency_b, badge_number=f"E{i:05d}",
                first_name=f"First{i % 7}", last_name=f"Last{i % 40:02d}", email=f"e{i}@example.test")
        for i in range(400)
    ])
    analyze("agencies_officer", "agencies_agency", "agencies_clearance")


@pytest.fixture
def my_applications(world):
    bulletins = f.BulletinFactory.create_batch(30, mission=world.mission)
    Application.objects.bulk_create([Application(bulletin=b, officer=world.officer_x) for b in bulletins])
    others = Officer.objects.bulk_create([
        Officer(agency=world.agency_a, badge_number=f"M{i:05d}", first_name="M", last_name=f"M{i}") for i in range(40)
    ])
    Application.objects.bulk_create([Application(bulletin=b, officer=o) for b in bulletins for o in others])
    analyze("roster_application", "agencies_officer")


# --- the outbox ----------------------------------------------------------------------------------------

def test_the_outbox_pages_read_the_index_on_created_at(clients, outbox):
    for plan in walk(clients.ipo, reverse("notifications:outbox"), {}, OUTBOX, 51):
        assert_paged_by(plan, OUTBOX, "outbox_created_id")


@pytest.mark.parametrize("status", ["failed", "queued"])
def test_a_status_tab_reads_the_index_on_status_then_created_at(clients, outbox, status):
    for plan in walk(clients.ipo, reverse("notifications:outbox"), {"status": status}, OUTBOX, 51):
        assert_paged_by(plan, OUTBOX, "outbox_status_created_id")


def test_the_status_counts_read_at_most_a_capped_range_of_the_status_index(clients, outbox):
    with CaptureQueriesContext(connection) as queries:
        clients.ipo.get(reverse("notifications:outbox"))
    (sql,) = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    plan = explain(sql)
    scans = [n for n, _ in nodes(plan) if n.get("Relation Name") == OUTBOX]
    assert len(scans) == len(OutgoingMail.Status.values)
    assert {(n["Node Type"], n["Index Name"]) for n in scans} == {("Index Only Scan", "outbox_status_created_id")}
    limits = [n for n, _ in nodes(plan) if n["Node Type"] == "Limit"]
    assert len(limits) == len(scans)  # each count stops at the cap


# --- a person's messages --------------------------------------------------------------------------------

def test_a_persons_messages_read_one_page_of_each_index(clients, outbox):
    """By login (user_id) and by address (UPPER(to)): each part reads one page of its own index; the
    union of those few rows is what is sorted."""
    for plan in walk(clients.officer_x, reverse("notifications:my-messages"), {}, OUTBOX, 26):
        assert_paged_by(plan, OUTBOX, "outbox_user_created_id", "outbox_to_upper_created_id")
        assert sum(1 for n, _ in nodes(plan) if n["Node Type"] == "Limit") >= 3  # each part, and the page


# --- bulletins ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["ipo", "coord_a", "officer_x"])
def test_the_bulletin_list_reads_the_index_on_closes_at(clients, bulletins, persona):
    for plan in walk(getattr(clients, persona), reverse("missions:bulletin-list"), {}, "missions_bulletin", 26):
        assert_paged_by(plan, "missions_bulletin", "bulletin_closes_id")


def test_the_bulletin_list_by_status_reads_the_index_on_status(clients, bulletins):
    url = reverse("missions:bulletin-list")
    for plan in walk(clients.ipo, url, {"status": "draft"}, "missions_bulletin", 26):
        assert_paged_by(plan, "missions_bulletin", "bulletin_status_closes_id")


def test_the_bulletin_list_of_a_mission_reads_the_index_on_mission(clients, world, bulletins):
    url = reverse("missions:bulletin-list")
    for plan in walk(clients.ipo, url, {"mission": world.mission.pk}, "missions_bulletin", 26):
        assert_paged_by(plan, "missions_bulletin", "bulletin_mission_closes_id")


# --- officers -----------------------------------------------------------------------------------------------

def test_the_officer_list_reads_the_index_on_names(clients, officers):
    for plan in walk(clients.ipo, reverse("agencies:officer-list"), {}, "agencies_officer", 26):
        assert_paged_by(plan, "agencies_officer", "officer_name_id")


def test_an_agencys_officers_read_the_index_on_agency_then_names(clients, world, officers):
    for plan in walk(clients.coord_a, reverse("agencies:officer-list"), {}, "agencies_officer", 26):
        assert_paged_by(plan, "agencies_officer", "officer_agency_name_id")
    url = reverse("agencies:officer-list")
    for plan in walk(clients.ipo, url, {"agency": world.agency_b.pk}, "agencies_officer", 26):
        assert_paged_by(plan, "agencies_officer", "officer_agency_name_id")


# --- an officer's applications --------------------------------------------------------------------------------

def test_my_applications_read_the_index_on_officer_then_created_at(clients, my_applications):
    url = reverse("roster:my-applications")
    for plan in walk(clients.officer_x, url, {}, "roster_application", 11):
        assert_paged_by(plan, "roster_application", "application_officer_created_id")


# --- the audit trail (its pages go through the same paginator) --------------------------------------------------

def test_the_audit_trail_reads_its_time_indexes(clients, world):
    from django.contrib.contenttypes.models import ContentType

    officer_type = ContentType.objects.get_for_model(Officer)
    start = timezone.now() - dt.timedelta(days=10)
    AuditEntry.objects.bulk_create([
        AuditEntry(timestamp=start + dt.timedelta(minutes=i // 2),
                   kind=AuditEntry.Kind.SECURITY if i % 20 == 0 else AuditEntry.Kind.READ,
                   action=AuditEntry.Action.ACCESS, event="read.officer", content_type=officer_type,
                   object_pk=str(world.officer_x.pk), object_repr="X", actor=world.ipo, officer_id=world.officer_x.pk)
        for i in range(2000)
    ])
    analyze("audit_auditentry")
    url = reverse("accounts:audit")
    for plan in walk(clients.ipo, url, {}, "audit_auditentry", 51):
        assert_paged_by(plan, "audit_auditentry", "audit_time")
    for plan in walk(clients.ipo, url, {"kind": "security"}, "audit_auditentry", 51):
        assert_paged_by(plan, "audit_auditentry", "audit_kind_time")


def test_the_check_fails_for_a_list_that_no_index_orders(outbox):
    """The plan checks above can fail: a list ordered by a column no index holds is sorted whole."""
    sql, params = OutgoingMail.objects.order_by("-subject", "-id")[:51].query.sql_with_params()
    assert not params
    plan = explain(sql)
    with pytest.raises(AssertionError):
        assert_paged_by(plan, OUTBOX, "outbox_created_id")
    assert any(n["Node Type"] == "Sort" and unbounded_scan_below(n) for n, _ in nodes(plan))
