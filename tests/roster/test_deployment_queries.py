"""Pinned query counts: the roster does not grow with the deployments it lists, nor the deployment
page with its history and rotations."""

import datetime as dt

import pytest
from django.urls import reverse

from agencies.models import Officer
from roster.models import Deployment, DeploymentEvent
from tests import factories as f
from tests.clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pin_today")]

# session + user, count, the page of deployments (officer, agency, mission, role joined; only what the rows show),
# mission choices and agency choices of the filters
ROSTER_QUERIES_IPO = 6
# the same without the agency filter, plus the coordinator's agency named in the heading
ROSTER_QUERIES_COORDINATOR = 6
# session + user, deployment (officer, agency, mission, application, bulletin joined),
# the audit entry of the read, the deployments it replaces or that replace it (visible ones),
# events (actor joined)
DEPLOYMENT_PAGE_QUERIES = 6


def bulk_deployments(world, n):
    """n current deployments, each with its own officer, over two agencies and two missions."""
    agencies = [world.agency_a, world.agency_b]
    missions = [world.mission, f.MissionFactory(code="UKR")]
    officers = Officer.objects.bulk_create(
        Officer(agency=agencies[i % 2], badge_number=f"BULK{i:05d}", first_name="Bulk", last_name=f"Officer{i:05d}")
        for i in range(n)
    )
    Deployment.objects.bulk_create(
        Deployment(
            officer=officer,
            mission=missions[i % 2],
            role="Police adviser",
            start_date=TODAY - dt.timedelta(days=i % 200),
            planned_end_date=TODAY + dt.timedelta(days=1 + i % 300),
            status=Deployment.Status.IN_MISSION if i % 3 else Deployment.Status.PLANNED,
        )
        for i, officer in enumerate(officers)
    )


@pytest.mark.parametrize("persona,expected", [("ipo", ROSTER_QUERIES_IPO), ("coord_a", ROSTER_QUERIES_COORDINATOR)])
@pytest.mark.parametrize("n", [10, 1000])
def test_the_roster_takes_a_constant_number_of_queries(clients, world, django_assert_num_queries, persona,
                                                       expected, n):
    bulk_deployments(world, n)
    client = getattr(clients, persona)
    with django_assert_num_queries(expected):
        response = client.get(reverse("roster:roster"))
    page = response.context["page"]
    total = n + 2 if persona == "ipo" else n // 2 + 1
    assert page.paginator.count == total and len(page.object_list) == min(total, 50)


@pytest.mark.parametrize("n", [10, 1000])
def test_the_filtered_roster_takes_a_constant_number_of_queries(clients, world, django_assert_num_queries, n):
    bulk_deployments(world, n)
    params = {"mission": world.mission.pk, "status": "in_mission", "agency": world.agency_a.pk,
              "ending_soon": "on", "sort": "-end", "page": 1}
    # + the chosen mission and agency, read to validate the filters
    with django_assert_num_queries(ROSTER_QUERIES_IPO + 2):
        response = clients.ipo.get(reverse("roster:roster"), params)
    rows = response.context["page"].object_list
    assert rows and all(d.mission_id == world.mission.pk and d.status == "in_mission" for d in rows)


def test_the_roster_reads_only_what_its_rows_show(clients, world):
    """The rows' query reads the officers' names, not their other columns (their personal data), and
    each row still says its officer, agency, mission and role (a catalogue's or one written out)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roster.models import DeploymentRole

    world.dep_x.role = DeploymentRole.objects.create(name_en="Police adviser", name_fr="Conseiller de police")
    world.dep_x.save()
    with CaptureQueriesContext(connection) as queries:
        html = clients.ipo.get(reverse("roster:roster")).content.decode()
    rows = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "roster_deployment"."id"')]
    assert len(rows) == 1
    for column in ("date_of_birth", "email", "phone", "badge_number", "gender"):
        assert f'"agencies_officer"."{column}"' not in rows[0]
    assert "Xena Xavier" in html and "Agency A Police" in html and "Police adviser" in html
    assert world.dep_y.role and world.dep_y.role in html


@pytest.mark.parametrize("n_events", [1, 15])
def test_the_deployment_page_takes_a_constant_number_of_queries(clients, world, django_assert_num_queries, n_events):
    successor = f.DeploymentFactory(mission=world.mission, replaces=world.dep_x, status="planned",
                                    officer=f.OfficerFactory(agency=world.agency_a))
    Deployment.objects.filter(pk=world.dep_x.pk).update(replaces=world.dep_y)
    DeploymentEvent.objects.bulk_create(
        DeploymentEvent(deployment=world.dep_x, action="extended", actor=world.ipo, note="Mandate",
                        data={"from": "2027-01-01", "to": "2027-04-01"})
        for _ in range(n_events)
    )
    # IPO staff see both rotations; coordinator A does not see Y's deployment that X's replaces
    for client, sees_previous in ((clients.ipo, True), (clients.coord_a, False)):
        with django_assert_num_queries(DEPLOYMENT_PAGE_QUERIES):
            response = client.get(reverse("roster:deployment-detail", kwargs={"pk": world.dep_x.pk}))
        assert len(response.context["events"]) == n_events
        assert response.context["successors"] == [successor]
        assert (response.context["previous"] == world.dep_y) is sees_previous
