"""Each role's home page runs a constant number of queries, whatever the number of rows."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db


def grow(world, n):
    for _ in range(n):
        officer = f.OfficerFactory(agency=world.agency_a)
        bulletin = f.BulletinFactory(mission=world.mission)
        f.ApplicationFactory(bulletin=bulletin, officer=officer, status="endorsed")
        f.DeploymentFactory(officer=officer, mission=world.mission)
        f.BulletinNoticeFactory(bulletin=bulletin, agency=world.agency_a)
        f.ApplicationFactory(bulletin=bulletin, officer=world.officer_x, status="submitted")


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
