"""The dashboard, the roster export and the mission timeline run a constant number of queries:
pinned at the same count with 10 and with 1,000 deployments."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Clearance, Officer
from roster.models import Application, Deployment
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# session + user, then the page's own (roster.dashboard.dashboard_summary: every mission with its
# strength; one pass over the current deployments per mission, for the totals, the agency's share
# and the count of tours ending soon; the nominees; the tours ending soon; the clearances expiring,
# each row with their count), then the bulletins of the export links
# + the panels of the apps above roster: welfare, ledger, partners 6; planning's women shares 2 and "women
# eligible but not applying" 4 when their figures are not in the cache (the first view: they are then)
# + the change stamp (roster.freshness), with which the figures are kept: a second view with no change in
# between reads them from the cache (the summary's 5 queries and the export links' 1)
# + the welfare panel's stamp (welfare.panels.welfare_stamp): on a second view, its four queries are not run
# + the ledger's and partners' panels' change stamps (ledger.selectors): on a second view, their one query
# each is not run
DASHBOARD_QUERIES = 8 + 6 + 2 + 4 + 1 + 1 + 2
PLANNING_PANEL_QUERIES = 2 + 4
FIGURES_QUERIES = 5 + 1
WELFARE_PANEL_QUERIES = 4
LEDGER_PANEL_QUERIES = 2
# + the coordinator's agency name in the heading
COORDINATOR_DASHBOARD_QUERIES = 9 + 5 + 2 + 1 + 1 + 2
# session + user, the audit entry with the row count, the rows (read 2,000 at a time); a CSV's rows
# are counted by a query first (they are read as the response is sent), an XLSX's as it is written
ROSTER_EXPORT_QUERIES = {"csv": 5, "xlsx": 4}
DEPLOYMENTS_EXPORT_QUERIES = {"csv": 5, "xlsx": 4}
APPLICANTS_EXPORT_QUERIES = {"csv": 6, "xlsx": 5}  # + the bulletin
TIMELINE_QUERIES = 4
HISTORY_QUERIES = 4


@pytest.fixture(params=[10, 1000], ids=["10", "1000"])
def big(request):
    """`n` deployments, each with its own officer (so none overlap), across two missions and two agencies;
    a third of them ending soon, some replaced, every officer with an application and a clearance due."""
    n = request.param
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    rcmp = f.AgencyFactory(slug="rcmp", kind=Agency.Kind.RCMP)
    partner = f.AgencyFactory(slug="partner")
    missions = [f.MissionFactory(code="BIG1", authorized_strength=600), f.MissionFactory(code="BIG2")]
    bulletin = f.BulletinFactory(mission=missions[0])
    officers = Officer.objects.bulk_create(
        Officer(
            agency=rcmp if i % 3 == 0 else partner,
            badge_number=f"Q{i:05d}",
            first_name="Pat",
            last_name=f"Officer{i:05d}",
            gender=Officer.Gender.WOMAN if i % 2 else Officer.Gender.MAN,
        )
        for i in range(n)
    )
    statuses = [Deployment.Status.IN_MISSION] * 3 + [Deployment.Status.PLANNED, Deployment.Status.COMPLETED]
    deployments = Deployment.objects.bulk_create(
        Deployment(
            officer=o,
            mission=missions[i % 2],
            role="Police adviser",
            status=statuses[i % len(statuses)],
            start_date=today - (100 - i % 50) * day,
            planned_end_date=today + (i % 3) * 60 * day + day,
        )
        for i, o in enumerate(officers)
    )
    for i, d in enumerate(deployments):
        if i % 4 == 2:  # the same mission as i - 2
            d.replaces = deployments[i - 2]
    Deployment.objects.bulk_update(deployments, ["replaces"])
    Application.objects.bulk_create(
        Application(bulletin=bulletin, officer=o, status=Application.Status.SELECTED if i % 2 else "endorsed")
        for i, o in enumerate(officers)
    )
    Clearance.objects.bulk_create(
        Clearance(officer=o, kind=Clearance.Kind.MEDICAL, valid_until=today + (i % 90) * day)
        for i, o in enumerate(officers)
    )
    assert Deployment.objects.count() == n
    return SimpleNamespace(
        n=n,
        missions=missions,
        officers=officers,
        partner=partner,
        ipo=f.IpoStaffFactory(),
        coordinator=f.CoordinatorFactory(agency=partner),
    )


def test_the_dashboard_runs_a_constant_number_of_queries(big, django_assert_num_queries):
    client = client_for(big.ipo)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("roster:dashboard"))
    assert response.status_code == 200
    # the panels' and the figures' from the cache
    kept = PLANNING_PANEL_QUERIES + FIGURES_QUERIES + WELFARE_PANEL_QUERIES + LEDGER_PANEL_QUERIES
    with django_assert_num_queries(DASHBOARD_QUERIES - kept):
        client.get(reverse("roster:dashboard"))
    assert response.context["deployed"] == len([i for i in range(big.n) if i % 5 < 3])


def test_the_coordinator_dashboard_runs_a_constant_number_of_queries(big, django_assert_num_queries):
    client = client_for(big.coordinator)
    with django_assert_num_queries(COORDINATOR_DASHBOARD_QUERIES):
        response = client.get(reverse("roster:dashboard"))
    assert response.status_code == 200 and response.context["rcmp"] == 0


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_roster_export_runs_a_constant_number_of_queries(big, django_assert_num_queries, fmt):
    client = client_for(big.ipo)
    with django_assert_num_queries(ROSTER_EXPORT_QUERIES[fmt]):
        response = client.get(reverse("roster:export-roster", kwargs={"fmt": fmt}))
        body = response.getvalue()
    assert response.status_code == 200
    if fmt == "csv":
        assert body.decode().count("\n") == 1 + len([i for i in range(big.n) if i % 5 < 4])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_deployments_and_applicants_exports_run_a_constant_number_of_queries(big, django_assert_num_queries,
                                                                                 fmt):
    client = client_for(big.ipo)
    today = timezone.localdate()
    with django_assert_num_queries(DEPLOYMENTS_EXPORT_QUERIES[fmt]):
        response = client.get(reverse("roster:export-deployments", kwargs={"fmt": fmt}),
                              {"start": f"{today:%Y-%m-%d}", "end": f"{today:%Y-%m-%d}"})
        body = response.getvalue()
    assert response.status_code == 200
    if fmt == "csv":  # every tour overlaps today
        assert body.decode().count("\n") == 1 + big.n
    bulletin = Application.objects.values_list("bulletin", flat=True).first()
    with django_assert_num_queries(APPLICANTS_EXPORT_QUERIES[fmt]):
        response = client.get(reverse("roster:export-applicants", kwargs={"fmt": fmt, "bulletin_pk": bulletin}))
        body = response.getvalue()
    assert response.status_code == 200
    if fmt == "csv":
        assert body.decode().count("\n") == 1 + big.n


def test_the_mission_timeline_runs_a_constant_number_of_queries(big, django_assert_num_queries):
    client = client_for(big.ipo)
    with django_assert_num_queries(TIMELINE_QUERIES):
        response = client.get(reverse("roster:mission-timeline", kwargs={"mission_pk": big.missions[0].pk}))
    assert response.status_code == 200
    assert len(response.context["deployments"]) == (big.n + 1) // 2
    assert response.context["handovers"]


def test_the_agency_history_runs_a_constant_number_of_queries(big, django_assert_num_queries):
    client = client_for(big.ipo)
    with django_assert_num_queries(HISTORY_QUERIES):
        response = client.get(reverse("roster:agency-history", kwargs={"agency_pk": big.partner.pk}))
    assert response.status_code == 200


@pytest.mark.parametrize("tours", [2, 30])
def test_the_officer_history_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, tours):
    today = timezone.localdate()
    un = f.MissionFactory(code="UNHIST", kind="un")
    Deployment.objects.bulk_create(
        Deployment(officer=world.officer_x, mission=un, role="Adviser", status=Deployment.Status.COMPLETED,
                   start_date=today - dt.timedelta(days=400 * (i + 2)),
                   planned_end_date=today - dt.timedelta(days=400 * (i + 2) - 200),
                   actual_end_date=today - dt.timedelta(days=400 * (i + 2) - 200))
        for i in range(tours)
    )
    with django_assert_num_queries(5):
        response = clients.coord_a.get(reverse("roster:officer-history", kwargs={"officer_pk": world.officer_x.pk}))
    assert response.status_code == 200
    record = response.context["record"]
    assert len(record.deployments) == tours + 1 and record.cpsm_eligible
