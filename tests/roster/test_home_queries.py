"""Each role's home page runs a constant number of queries, whatever the number of rows."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import OutgoingMail
from tests import factories as f

pytestmark = pytest.mark.django_db


def grow(world, n):
    """Every list of every home page gets n more rows, the staff worklist's included."""
    now, today = timezone.now(), timezone.localdate()
    for i in range(n):
        officer = f.OfficerFactory(agency=world.agency_a)
        bulletin = f.BulletinFactory(mission=world.mission, closes_at=now + dt.timedelta(days=3))
        f.ApplicationFactory(bulletin=bulletin, officer=officer, status="endorsed")
        f.ApplicationFactory(bulletin=bulletin, officer=f.OfficerFactory(agency=world.agency_b), status="selected")
        f.DeploymentFactory(officer=officer, mission=world.mission, start_date=today - dt.timedelta(days=300),
                            planned_end_date=today + dt.timedelta(days=20))
        f.BulletinNoticeFactory(bulletin=bulletin, agency=world.agency_a)
        f.ApplicationFactory(bulletin=bulletin, officer=world.officer_x, status="submitted")
        OutgoingMail.objects.create(to=f"x{i}@example.test", subject="s", body_text="b", message_id=f"<g{i}@t>",
                                    status=OutgoingMail.Status.FAILED)


def test_the_growth_reaches_every_list_of_the_worklists(world):
    from roster.dashboard import home_summary, staff_worklist

    grow(world, 2)
    w = staff_worklist(world.ipo)
    assert all(len(w[key]) >= 2 for key in ("to_decide", "to_deploy", "unacknowledged", "ending_soon"))
    assert w["failed_mail_count"] == 2
    assert len(home_summary(world.coord_a)["to_endorse"]) >= 2


# IPO staff: the three counts and the latest applications (6), then the worklist (9)
# coordinator: counts, notices, current deployments and statuses (9), then the applications to endorse (2)
HOME_QUERIES = {"ipo": 15, "coord_a": 11, "officer_x": 5}


@pytest.mark.parametrize("persona", sorted(HOME_QUERIES))
@pytest.mark.parametrize("rows", [1, 15])
def test_the_home_page_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, persona, rows):
    grow(world, rows)
    client = getattr(clients, persona)
    with django_assert_num_queries(HOME_QUERIES[persona]):
        assert client.get("/").status_code == 200
