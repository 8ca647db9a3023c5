"""CSV and Excel exports hold exactly the rows their user may see."""

import csv
import datetime as dt
import gc
import io
import tracemalloc

import pytest
from django.contrib.messages import get_messages
from django.core.signals import request_finished
from django.db import close_old_connections, connection
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agencies.models import Agency, Officer
from audit.models import AuditEntry
from roster import exports
from roster.exports import labels, safe_cell
from roster.models import Application, Deployment
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

S = Deployment.Status


def read_csv(response) -> list[list[str]]:
    text = response.getvalue().decode("utf-8")
    assert text.startswith("\ufeff")  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.getvalue()), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def url(name, fmt, **kwargs):
    return reverse(f"roster:{name}", kwargs={"fmt": fmt, **kwargs})


@pytest.fixture
def more(world):
    """A second officer of agency A in mission, one of agency B, and finished tours of each."""
    a2 = f.OfficerFactory(agency=world.agency_a, first_name="Abe", last_name="Aaron")
    b2 = f.OfficerFactory(agency=world.agency_b, first_name="Bea", last_name="Boyd")
    f.DeploymentFactory(officer=a2, mission=world.mission)
    f.DeploymentFactory(officer=b2, mission=world.mission, status=S.PLANNED)
    old_a = f.DeploymentFactory(
        officer=a2, mission=world.mission, status=S.COMPLETED,
        start_date=dt.date(2020, 1, 1), planned_end_date=dt.date(2020, 6, 1), actual_end_date=dt.date(2020, 5, 1),
    )
    old_b = f.DeploymentFactory(
        officer=b2, mission=world.mission, status=S.REPATRIATED, repatriation_reason="medical",
        start_date=dt.date(2020, 4, 1), planned_end_date=dt.date(2021, 4, 1), actual_end_date=dt.date(2020, 7, 1),
    )
    return old_a, old_b


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_roster_export_holds_the_current_tours_the_user_may_see(world, clients, more, fmt):
    reader = read_csv if fmt == "csv" else read_xlsx
    ipo = reader(clients.ipo.get(url("export-roster", fmt)))
    assert ipo[0][:3] == ["Last name", "First name", "Badge number"]
    assert sorted(r[0] for r in ipo[1:]) == ["Aaron", "Boyd", "Xavier", "Young"]  # not the finished tours
    coord_a = reader(clients.coord_a.get(url("export-roster", fmt)))
    assert sorted(r[0] for r in coord_a[1:]) == ["Aaron", "Xavier"]
    assert {r[5] for r in coord_a[1:]} == {"Agency A Police"}
    assert sorted(r[0] for r in reader(clients.coord_b.get(url("export-roster", fmt)))[1:]) == ["Boyd", "Young"]


def test_an_export_is_a_download_with_dates_as_dates(world, clients):
    response = clients.ipo.get(url("export-roster", "xlsx"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"].startswith('attachment; filename="roster-')
    rows = read_xlsx(response)
    start = rows[0].index("Start date")
    assert isinstance(rows[1][start], dt.datetime)  # a real date cell
    csv_response = clients.ipo.get(url("export-roster", "csv"))
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert read_csv(csv_response)[1][start] == world.dep_x.start_date.isoformat()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_applicants_export_holds_the_bulletins_applicants_the_user_may_see(world, clients, fmt):
    reader = read_csv if fmt == "csv" else read_xlsx
    other = f.ApplicationFactory(officer=world.officer_x)  # another bulletin
    assert other.bulletin != world.bulletin
    link = url("export-applicants", fmt, bulletin_pk=world.bulletin.pk)
    ipo = reader(clients.ipo.get(link))
    assert ipo[0][:2] == ["Bulletin", "Last name"]
    assert sorted(r[1] for r in ipo[1:]) == ["Xavier", "Young"]
    assert {r[0] for r in ipo[1:]} == {world.bulletin.reference}
    assert [r[1] for r in reader(clients.coord_a.get(link))[1:]] == ["Xavier"]
    assert [r[1] for r in reader(clients.coord_b.get(link))[1:]] == ["Young"]
    assert clients.officer_x.get(link).status_code == 403


def test_coordinators_cannot_export_the_applicants_of_a_draft_bulletin(world, clients):
    draft = f.BulletinFactory(status="draft")
    f.ApplicationFactory(bulletin=draft, officer=world.officer_x)
    assert clients.coord_a.get(url("export-applicants", "csv", bulletin_pk=draft.pk)).status_code == 404
    assert clients.ipo.get(url("export-applicants", "csv", bulletin_pk=draft.pk)).status_code == 200


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_deployments_export_holds_the_tours_overlapping_the_range(world, clients, more, fmt):
    reader = read_csv if fmt == "csv" else read_xlsx
    old_a, old_b = more

    def names(client, start, end):
        response = client.get(url("export-deployments", fmt), {"start": start, "end": end})
        assert response.status_code == 200
        return sorted(r[0] for r in reader(response)[1:])

    assert names(clients.ipo, "2020-01-01", "2020-12-31") == ["Aaron", "Boyd"]
    assert names(clients.ipo, "2020-05-01", "2020-05-31") == ["Boyd"]  # A's tour ended on 1 May (not served)
    assert names(clients.ipo, "2020-04-30", "2020-04-30") == ["Aaron", "Boyd"]
    assert names(clients.ipo, "2019-01-01", "2019-12-31") == []
    assert names(clients.coord_a, "2020-01-01", "2020-12-31") == ["Aaron"]
    assert len(names(clients.ipo, "2020-01-01", "2099-12-31")) == 6
    assert names(clients.coord_b, "2020-01-01", "2099-12-31") == ["Boyd", "Boyd", "Young"]


@pytest.mark.parametrize(
    "params,message",
    [
        ({}, "Enter a start date."),
        ({"start": "2020-01-01"}, "Enter an end date."),
        ({"start": "2020-13-01", "end": "2020-12-31"}, "The start date “2020-13-01” is not a valid date"),
        ({"start": "2020-01-01", "end": "yesterday"}, "The end date “yesterday” is not a valid date"),
        ({"start": "2020-02-30", "end": "2020-03-01"}, "is not a valid date"),
        ({"start": "2021-01-01", "end": "2020-01-01"}, "The start date must be on or before the end date."),
        ({"start": "99999-01-01", "end": "2020-01-01"}, "is not a valid date"),
    ],
)
def test_a_bad_date_range_returns_to_the_dashboard_with_a_message(world, clients, params, message):
    response = clients.coord_a.get(url("export-deployments", "csv"), params)
    assert response.status_code == 302 and response["Location"] == reverse("roster:dashboard")
    assert any(message in str(m) for m in get_messages(response.wsgi_request))
    page = clients.coord_a.get(response["Location"])
    assert message.split("“")[0] in page.content.decode().replace("&#x27;", "'")


def test_an_unknown_format_is_404(world, clients):
    assert clients.ipo.get("/exports/roster.pdf").status_code == 404


def test_cells_that_would_run_as_formulas_are_quoted(world, clients):
    world.officer_x.last_name = '=HYPERLINK("http://evil.example","x")'
    world.officer_x.first_name = "+1"
    world.officer_x.save()
    world.dep_x.role = "@SUM(A1)"
    world.dep_x.save()
    rows = read_csv(clients.coord_a.get(url("export-roster", "csv")))
    assert rows[1][:2] == ['\'=HYPERLINK("http://evil.example","x")', "'+1"]
    assert "'@SUM(A1)" in rows[1]
    xlsx = read_xlsx(clients.coord_a.get(url("export-roster", "xlsx")))
    assert xlsx[1][:2] == ['\'=HYPERLINK("http://evil.example","x")', "'+1"]
    assert [safe_cell(v) for v in ("-2", "\tx", "ok", -2, None)] == ["'-2", "'\tx", "ok", -2, None]


def test_nominated_and_eligibility_columns(world, clients):
    Application.objects.filter(pk=world.app_x.pk).update(nominated_by=world.coord_a, ineligible=True)
    rows = read_csv(clients.coord_a.get(url("export-applicants", "csv", bulletin_pk=world.bulletin.pk)))
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    assert (row["Nominated by the agency"], row["Meets every requirement"]) == ("Yes", "No")
    assert row["Status"] == "Submitted"


# --- streaming (issue 10) ------------------------------------------------------------------------

def last_export(user) -> AuditEntry:
    return AuditEntry.objects.filter(event="read.export", actor=user).latest("id")


def hang_up(response) -> None:
    """What the server does when the client goes away before the end: close the response. As the
    test client does, the test's database connection is kept open through the request_finished
    signal (it would be closed, being inside the test's transaction)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("fmt,kind", [("csv", StreamingHttpResponse), ("xlsx", FileResponse)])
def test_an_export_streams_and_is_recorded_with_its_row_count_before_any_row_leaves(world, clients, more, fmt,
                                                                                   kind):
    reader = read_csv if fmt == "csv" else read_xlsx
    response = clients.ipo.get(url("export-deployments", fmt), {"start": "2000-01-01", "end": "2099-12-31"})
    assert isinstance(response, kind) and response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="deployments-2000-01-01-2099-12-31.{fmt}"'
    assert "no-store" in response["Cache-Control"]
    entry = last_export(world.ipo)  # written before the body was read
    assert entry.rows == 6 and entry.additional_data["format"] == fmt
    assert len(reader(response)) == 1 + entry.rows
    reader(clients.coord_b.get(url("export-roster", fmt)))
    assert last_export(world.coord_b).rows == 2  # Boyd (planned) and Young
    hang_up(clients.coord_a.get(url("export-roster", fmt)))  # never read: recorded all the same
    assert last_export(world.coord_a).rows == 2  # Aaron and Xavier


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_empty_export_holds_the_headers_and_is_recorded_with_no_rows(world, clients, fmt):
    reader = read_csv if fmt == "csv" else read_xlsx
    rows = reader(clients.coord_a.get(url("export-deployments", fmt), {"start": "1990-01-01", "end": "1990-12-31"}))
    assert rows == [rows[0]] and rows[0][0] == "Last name"
    assert last_export(world.coord_a).rows == 0


def test_a_client_that_goes_away_mid_download_releases_the_rows(world, more, monkeypatch):
    """The server closes the response: the rows' database cursor is closed with it (on PostgreSQL,
    a server-side cursor); an unread response never opened one."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    monkeypatch.setattr(exports, "CSV_CHUNK_CHARS", 10)
    table = exports.deployments_table(Deployment.objects.all(), dt.date(2000, 1, 1), dt.date(2099, 12, 31),
                                      user=world.ipo)
    counted = []
    response = exports.export_response(table, "csv", record=counted.append)
    assert counted == [6] and open_cursors() in (None, 0)
    pieces = iter(response.streaming_content)
    assert next(pieces).startswith("\ufeffLast name".encode())
    next(pieces)
    assert open_cursors() in (None, 1)
    hang_up(response)
    assert list(pieces) == []
    assert open_cursors() in (None, 0)
    assert Deployment.objects.count() == 6


def open_cursors() -> int | None:
    """The session's open server-side cursors on PostgreSQL (None elsewhere)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE '_django_curs_%%'")
        return cursor.fetchone()[0]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_streamed_export_is_written_in_the_language_of_the_user_who_asked(world, clients, fmt):
    """A streamed CSV is read after the view returned (and the user's language was switched back)."""
    world.coord_a.preferred_language = "fr"
    world.coord_a.save()
    reader = read_csv if fmt == "csv" else read_xlsx
    rows = reader(client_for(world.coord_a).get(url("export-roster", fmt)))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Nom de famille"] == "Xavier"
    assert (row["Agence"], row["Statut"]) == ("Police A", "En mission")


def test_labels_are_those_of_get_display_in_the_active_language():
    from django.utils import translation

    officer = Officer(rank=Officer.Rank.CONSTABLE, gender=Officer.Gender.WOMAN)
    for language in ("en", "fr"):
        with translation.override(language):
            ranks, genders = labels(Officer.Rank), labels(Officer.Gender.choices)
            assert ranks[officer.rank] == officer.get_rank_display()
            assert genders[officer.gender] == officer.get_gender_display()
            assert all(type(label) is str for label in ranks.values())
    with translation.override("fr"):
        assert labels(Deployment.Status)["in_mission"] == "En mission"
        assert set(labels(Agency.Kind)) == set(Agency.Kind.values)


def add_deployments(n: int, start: int = 0) -> None:
    """`n` more tours, each with its own officer (bulk_create: no factories, no signals)."""
    agency = Agency.objects.get(slug="agency-a")
    mission = f.MissionFactory(code=f"MEM{start}")
    today = timezone.localdate()
    officers = Officer.objects.bulk_create(
        Officer(agency=agency, badge_number=f"M{i:06d}", first_name="Pat", last_name=f"Officer{i:06d}")
        for i in range(start, start + n)
    )
    Deployment.objects.bulk_create(
        Deployment(officer=o, mission=mission, role="Police adviser", status=Deployment.Status.IN_MISSION,
                   start_date=today - dt.timedelta(days=30), planned_end_date=today + dt.timedelta(days=300))
        for o in officers
    )


def peak_memory(client, link) -> int:
    """The tracemalloc peak, in bytes, of asking for an export and reading it as a server would:
    piece by piece, never all at once."""
    gc.collect()
    tracemalloc.start()
    try:
        response = client.get(link)
        pieces = response.streaming_content if response.streaming else [response.content]
        assert sum(len(piece) for piece in pieces) > 0
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt,n", [("csv", 300), ("xlsx", 150)])  # openpyxl is slow under tracemalloc
def test_memory_stays_flat_as_the_rows_grow(world, monkeypatch, fmt, n):
    """Memory is bounded by the rows fetched at a time and the pieces written at a time, not by the
    rows exported. The bounds are lowered here so that `n` rows already fill them (in production:
    2,000 rows, 64 K characters of CSV, an XLSX file kept in memory up to 1 MB). Measured: ten times
    the rows take about 1.5 times the peak (Python's free lists fill up), where holding the rows or
    the whole file in memory (the implementation before issue 10) took 6 to 7.5 times."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 50)
    monkeypatch.setattr(exports, "CSV_CHUNK_CHARS", 4 * 1024)
    monkeypatch.setattr(exports, "XLSX_SPOOL_BYTES", 16 * 1024)
    client = client_for(world.ipo)
    link = url("export-roster", fmt)
    add_deployments(n)
    client.get(link).getvalue()  # warm up: URL resolver, translations, openpyxl's modules
    small = peak_memory(client, link)
    add_deployments(9 * n, start=n)
    assert Deployment.objects.count() == 2 + 10 * n
    large = peak_memory(client, link)
    assert large < 3 * small, f"{fmt}: {small / 1e6:.2f} MB for {n} rows, {large / 1e6:.2f} MB for {10 * n}"
