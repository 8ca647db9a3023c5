"""CSV and Excel exports hold exactly the rows their user may see."""

import csv
import datetime as dt
import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from roster.exports import safe_cell
from roster.models import Application, Deployment
from tests import factories as f

pytestmark = pytest.mark.django_db

S = Deployment.Status


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
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
