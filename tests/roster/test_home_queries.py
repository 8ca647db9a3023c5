"""Each role's home page, the dashboard and the missions list run a constant number of queries, whatever
the number of rows."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutgoingMail
from tests import factories as f

pytestmark = pytest.mark.django_db


def grow(world, n):
    """Every list of every home page gets n more rows, the staff worklist's included; the dashboard's
    lists and the missions list too."""
    now, today = timezone.now(), timezone.localdate()
    for i in range(n):
        officer = f.OfficerFactory(agency=world.agency_a)
        bulletin = f.BulletinFactory(mission=f.MissionFactory(), closes_at=now + dt.timedelta(days=3))
        f.ApplicationFactory(bulletin=bulletin, officer=officer, status="endorsed")
        f.ApplicationFactory(bulletin=bulletin, officer=f.OfficerFactory(agency=world.agency_b), status="selected")
        f.DeploymentFactory(officer=officer, mission=world.mission, start_date=today - dt.timedelta(days=300),
                            planned_end_date=today + dt.timedelta(days=20))
        f.ClearanceFactory(officer=officer, valid_until=today + dt.timedelta(days=10))
        f.BulletinNoticeFactory(bulletin=bulletin, agency=world.agency_a)
        f.ApplicationFactory(bulletin=bulletin, officer=world.officer_x, status="submitted")
        OutgoingMail.objects.create(to=f"x{i}@example.test", subject="s", body_text="b", message_id=f"<g{i}@t>",
                                    status=OutgoingMail.Status.FAILED)


def test_the_growth_reaches_every_list_of_the_worklists(world):
    from roster.dashboard import dashboard_summary, home_summary, staff_worklist

    grow(world, 2)
    w = staff_worklist(world.ipo)
    assert all(len(w[key]) >= 2 for key in ("to_decide", "to_deploy", "unacknowledged", "ending_soon"))
    assert w["failed_mail_count"] == 2
    coordinator = home_summary(world.coord_a)
    assert all(len(coordinator[key]) >= 2 for key in ("to_endorse", "current_deployments", "status_counts"))
    assert len(home_summary(world.officer_x.user)["applications"]) >= 2
    for user in (world.ipo, world.coord_a):
        d = dashboard_summary(user)
        assert len(d["ending_soon"]) >= 2 and len(d["clearances"]) >= 2 and len(d["missions"]) >= 3


# session + user, then
# IPO staff: one counting pass over the open applications, one over the open bulletins, one over the
# current deployments, the failed emails (4); the four lists of the worklist; the latest applications
# coordinator: the agency's applications by status (which also gives the pending ones and those to
# endorse), the current deployments with their count, the agency, its active officers, the notices to
# acknowledge, the applications to endorse, the open bulletins
# officer: their applications, their deployments, the open bulletins
# the page's own, plus the panels of the apps above roster (roster.home_hooks: welfare, ledger)
# + IPO's forecast alerts (planning) when they are not in the cache: the first view; then they are
FORECAST_ALERT_QUERIES = 5
# + IPO's: the change stamp and the worklist's clock (roster.freshness; tests/roster/test_home_cache.py),
# and the failed emails counted again after the kept figures; on the next view, with nothing changed,
# the worklist's eight queries (its failed emails included) and the latest applications are not run (9)
STAFF_HOME_KEEPING = 3
STAFF_HOME_KEPT = 9
# + the welfare panel's own stamp (welfare.panels.welfare_stamp), with which it is kept for IPO staff and the
# coordinators; on the next view its queries (IPO staff's three) are not run
WELFARE_KEEPING = 1
WELFARE_KEPT = 3
# + a coordinator's: the change stamp and the clock with which their lists are kept; on the next view, the
# page's own seven (tests/roster/test_home_cache.py) and the welfare panel's two are not run
COORDINATOR_HOME_KEEPING = 2
COORDINATOR_HOME_KEPT = 7 + 2
# + the ledger panel's change stamp (ledger.selectors.home_panel, kept like the figures); on the next view
# its own queries are not run: IPO staff's balance and requests to join, a coordinator's balance
LEDGER_KEEPING = 1
LEDGER_KEPT = {"ipo": 2, "coord_a": 1}
HOME_QUERIES = {"ipo": 11 + 5 + FORECAST_ALERT_QUERIES + STAFF_HOME_KEEPING + WELFARE_KEEPING + LEDGER_KEEPING,
                "coord_a": 9 + 3 + WELFARE_KEEPING + COORDINATOR_HOME_KEEPING + LEDGER_KEEPING,
                "officer_x": 5 + 5 + WELFARE_KEEPING}
# + an officer's welfare panel, kept for them alone: on the next view its five queries are not run
KEPT_ON_THE_NEXT_VIEW = {"ipo": FORECAST_ALERT_QUERIES + STAFF_HOME_KEPT + WELFARE_KEPT + LEDGER_KEPT["ipo"],
                         "coord_a": COORDINATOR_HOME_KEPT + LEDGER_KEPT["coord_a"], "officer_x": 5}


@pytest.mark.parametrize("persona", sorted(HOME_QUERIES))
@pytest.mark.parametrize("rows", [1, 15])
def test_the_home_page_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, persona, rows):
    grow(world, rows)
    client = getattr(clients, persona)
    with django_assert_num_queries(HOME_QUERIES[persona]):
        assert client.get("/").status_code == 200
    if persona in KEPT_ON_THE_NEXT_VIEW:
        with django_assert_num_queries(HOME_QUERIES[persona] - KEPT_ON_THE_NEXT_VIEW[persona]):
            client.get("/")


# session + user, then roster.dashboard.dashboard_summary (every mission with its strength; the current
# deployments per mission; the nominees; the tours ending soon; the clearances expiring with their
# count), then the bulletins of the export links; + the agency's name for a coordinator
# + the panels: welfare, ledger, partners; planning's women shares (2), and for IPO "women eligible but not
# applying" (4, the first view: its figures are then in the cache)
# + the change stamp with which the figures are kept (roster.freshness; tests/roster/test_dashboard_cache.py),
# the welfare panel's (welfare.panels.welfare_stamp), and the ledger's and partners' panels' (2)
DASHBOARD_QUERIES = {"ipo": 8 + 6 + 2 + 4 + 1 + 1 + 2, "coord_a": 9 + 5 + 2 + 1 + 1 + 2}
# session + user, every mission with its strength
MISSION_LIST_QUERIES = 3


@pytest.mark.parametrize("persona", sorted(DASHBOARD_QUERIES))
@pytest.mark.parametrize("rows", [1, 15])
def test_the_dashboard_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, persona, rows):
    grow(world, rows)
    with django_assert_num_queries(DASHBOARD_QUERIES[persona]):
        response = getattr(clients, persona).get(reverse("roster:dashboard"))
    assert response.status_code == 200 and len(response.context["ending_soon"]) >= rows


@pytest.mark.parametrize("persona", ["ipo", "coord_a", "officer_x"])
@pytest.mark.parametrize("rows", [1, 15])
def test_the_missions_list_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, persona,
                                                              rows):
    grow(world, rows)
    with django_assert_num_queries(MISSION_LIST_QUERIES):
        response = getattr(clients, persona).get(reverse("missions:mission-list"))
    assert response.status_code == 200 and len(response.context["missions"]) == rows + 1


def test_the_home_and_the_dashboard_show_the_panels_of_the_apps_above_roster(world, clients):
    home = clients.ipo.get(reverse("home")).content.decode()
    dashboard = clients.ipo.get(reverse("roster:dashboard")).content.decode()
    assert 'data-testid="welfare-panel"' in home
    assert 'data-testid="ledger-panel"' in dashboard
