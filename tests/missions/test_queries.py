"""Pinned query counts: list pages and the bulletin page do not grow with the rows they show."""

import pytest
from django.urls import reverse

from missions.models import Bulletin
from notifications.models import OutgoingMail
from tests import factories as f

pytestmark = pytest.mark.django_db

# session + user, then: mission choices of the filter, the page of bulletins (mission joined; keyset:
# no COUNT, the same on every page)
BULLETIN_LIST_QUERIES = 4
# session + user, bulletin (mission joined), notices (agency, acknowledged_by joined),
# outbox rows grouped by topic, failed rows' errors
BULLETIN_PAGE_QUERIES = 7  # + positions filled, in the roster panel
# session + user, missions with their four counts as subqueries
MISSION_LIST_QUERIES = 3
# session + user, counts by status (capped, one query), page (no COUNT)
OUTBOX_QUERIES = 4


def make_bulletins(world, n):
    missions = [world.mission, f.MissionFactory(code="UNMISS"), f.MissionFactory(code="MINUSCA")]
    statuses = [Bulletin.Status.PUBLISHED, Bulletin.Status.CLOSED, Bulletin.Status.DRAFT]
    for i in range(n - 1):  # the world already has one
        f.BulletinFactory(mission=missions[i % 3], status=statuses[i % 3], women_priority=bool(i % 2))


def notify(bulletin, n_agencies):
    """One notice per agency, with a mix of sent, queued and failed outbox rows."""
    states = ["sent", "failed", "queued"]
    for i in range(n_agencies):
        agency = f.AgencyFactory()
        notice = f.BulletinNoticeFactory(bulletin=bulletin, agency=agency)
        coordinator = f.CoordinatorFactory(agency=agency)
        if i % 4 == 0:
            notice.acknowledged_by = coordinator
            notice.acknowledged_at = bulletin.published_at or bulletin.created_at
            notice.save()
        OutgoingMail.objects.create(
            to=coordinator.email,
            subject="New bulletin",
            body_text="…",
            message_id=f"<{notice.pk}@test>",
            topic=notice.outbox_key,
            kind="bulletin_published",
            status=states[i % 3],
            last_error="SMTP 550" if states[i % 3] == "failed" else "",
        )


@pytest.mark.parametrize("n", [1, 60])
@pytest.mark.parametrize("persona", ["ipo", "coord_a"])
def test_it_lists_bulletins_in_a_constant_number_of_queries(clients, world, django_assert_num_queries, n, persona):
    make_bulletins(world, n)
    client = getattr(clients, persona)
    with django_assert_num_queries(BULLETIN_LIST_QUERIES):
        response = client.get(reverse("missions:bulletin-list"))
    assert response.status_code == 200
    expected = n if persona == "ipo" else Bulletin.objects.exclude(status="draft").count()
    page = response.context["page"]
    assert len(page.object_list) == min(expected, 25) and page.has_next == (expected > 25)
    if page.has_next:
        with django_assert_num_queries(BULLETIN_LIST_QUERIES):
            response = client.get(reverse("missions:bulletin-list"), {"after": page.next_cursor})
        assert len(response.context["page"].object_list) == min(expected - 25, 25)


@pytest.mark.parametrize("n_agencies", [2, 33])
def test_it_shows_the_bulletin_page_with_its_notices_in_a_constant_number_of_queries(
    clients, world, django_assert_num_queries, n_agencies
):
    notify(world.bulletin, n_agencies)
    with django_assert_num_queries(BULLETIN_PAGE_QUERIES):
        response = clients.ipo.get(reverse("missions:bulletin-detail", kwargs={"pk": world.bulletin.pk}))
    assert response.status_code == 200
    assert len(response.context["notices"]) == n_agencies
    assert response.context["delivery_summary"]["failed"] == len(range(1, n_agencies, 3))


@pytest.mark.parametrize("n", [1, 12])
def test_it_lists_missions_in_a_constant_number_of_queries(clients, world, django_assert_num_queries, n):
    for _ in range(n):
        mission = f.MissionFactory()
        f.DeploymentFactory(mission=mission)
        f.ApplicationFactory(bulletin=f.BulletinFactory(mission=mission), status="selected")
    with django_assert_num_queries(MISSION_LIST_QUERIES):
        response = clients.coord_a.get(reverse("missions:mission-list"))
    assert len(response.context["missions"]) == n + 1


@pytest.mark.parametrize("n_agencies", [2, 20])
def test_it_shows_the_outbox_in_a_constant_number_of_queries(clients, world, django_assert_num_queries, n_agencies):
    notify(world.bulletin, n_agencies)
    with django_assert_num_queries(OUTBOX_QUERIES):
        response = clients.ipo.get(reverse("notifications:outbox"))
    assert response.status_code == 200
