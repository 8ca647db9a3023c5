"""A tour cancelled before departure was never served: it is no relief for the tour it was to
replace, no handover, no line in a period export or an agency's history."""

import datetime as dt

import pytest
from django.utils import timezone

from roster.dashboard import agency_history, deployments_overlapping, mission_timeline, tours_ending_soon
from roster.models import Deployment
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def relief(world):
    today = timezone.localdate()
    world.dep_x.planned_end_date = today + dt.timedelta(days=20)
    world.dep_x.save()
    cancelled = f.DeploymentFactory(
        officer=f.OfficerFactory(agency=world.agency_a), mission=world.mission, replaces=world.dep_x,
        start_date=today + dt.timedelta(days=15), planned_end_date=today + dt.timedelta(days=380),
        status=Deployment.Status.CANCELLED, cancellation_reason="Medical hold", cancelled_at=timezone.now(),
    )
    world.cancelled = cancelled
    return world


def test_a_cancelled_relief_leaves_the_outgoing_tour_ending_with_no_relief(relief):
    today = timezone.localdate()
    ending = tours_ending_soon(Deployment.objects.all(), today=today)
    assert relief.dep_x in ending


def test_a_cancelled_relief_is_no_handover_on_the_mission_timeline(relief):
    timeline = mission_timeline(relief.ipo, relief.mission)
    assert not [h for h in timeline["handovers"] if h.deployment.pk == relief.cancelled.pk]


def test_a_cancelled_tour_is_in_no_period_export_and_no_agency_history(relief):
    today = timezone.localdate()
    rows = deployments_overlapping(Deployment.objects.all(), today, today + dt.timedelta(days=400))
    assert relief.cancelled not in rows
    history = agency_history(relief.ipo, relief.agency_a)
    officers = {t.officer.pk for t in history["totals"]}
    assert relief.cancelled.officer_id not in officers
    assert relief.cancelled not in history["past"]
