"""Lists: paged by key (next/previous links, stable order ending with the id, no COUNT), filtered with
the pages' filter classes, `updated_since` for incremental sync, and a query count that does not
grow with the rows."""

import datetime as dt

import pytest
from django.utils import timezone

from agencies.models import Officer
from audit.models import AuditEntry
from roster.models import Application, ApplicationEvent, Deployment
from tests import factories as f
from tests.api.conftest import api_client


def grow(w, n, *, kinds=("passport", "security", "medical", "firearms")):
    """n more of everything the lists show, visible to IPO staff and coordinator A, and clearances of
    officer X of these kinds (one of each kind at most)."""
    for i in range(n):
        mission = f.MissionFactory()
        bulletin = f.BulletinFactory(mission=mission)
        officer = f.OfficerFactory(agency=w.agency_a)
        f.ApplicationFactory(bulletin=bulletin, officer=officer)
        f.DeploymentFactory(officer=officer, mission=mission)
        w.bulletin.notices.get_or_create(agency=f.AgencyFactory() if i else w.agency_a)
        ApplicationEvent.objects.create(application=w.app_x, to_status="submitted", note=f"note {i}",
                                        note_shared=bool(i % 2))
    for kind in kinds:
        f.ClearanceFactory(officer=w.officer_x, kind=kind)


LISTS = {
    "missions": lambda w: "/api/v1/missions/",
    "bulletins": lambda w: "/api/v1/bulletins/",
    "notices": lambda w: "/api/v1/notices/",
    "officers": lambda w: "/api/v1/officers/",
    "officers since": lambda w: "/api/v1/officers/?updated_since=2000-01-01T00:00:00Z",
    "clearances": lambda w: f"/api/v1/officers/{w.officer_x.pk}/clearances/",
    "applications": lambda w: "/api/v1/applications/",
    "applications since": lambda w: "/api/v1/applications/?updated_since=2000-01-01T00:00:00Z&status=submitted",
    "application events": lambda w: f"/api/v1/applications/{w.app_x.pk}/events/",
    "deployments": lambda w: "/api/v1/deployments/",
    "deployments since": lambda w: "/api/v1/deployments/?updated_since=2000-01-01T00:00:00Z",
}
# Queries per page, as IPO staff with a token already used this minute: the token with its login's state,
# the rows (and, for the officer's clearances, the officer first), the audit entry of a list of personal data.
QUERIES = {
    "missions": 2, "bulletins": 2, "notices": 2, "officers": 3, "officers since": 3, "clearances": 3,
    "applications": 3, "applications since": 3, "application events": 3, "deployments": 3,
    "deployments since": 3,
}


@pytest.mark.parametrize("name", sorted(LISTS))
def test_a_page_costs_the_same_queries_at_one_row_and_at_many(world, name, django_assert_num_queries):
    grow(world, 1, kinds=("passport",))
    client = api_client(world.ipo)
    client.get("/api/v1/me/")  # the token's first use is recorded once; not part of the count
    url = LISTS[name](world)
    with django_assert_num_queries(QUERIES[name]):
        few = client.get(url)
    assert few.status_code == 200 and few.data["results"]
    grow(world, 60, kinds=("security", "medical", "firearms", "psychological"))
    with django_assert_num_queries(QUERIES[name]):
        many = client.get(url)
    assert many.status_code == 200
    assert len(many.data["results"]) > len(few.data["results"]) or many.data["next"]


def test_pages_follow_each_other_without_repeat_or_gap(world):
    grow(world, 12)
    client = api_client(world.ipo)
    seen, url = [], "/api/v1/officers/?page_size=5"
    while url:
        page = client.get(url).data
        assert len(page["results"]) <= 5
        seen += [o["id"] for o in page["results"]]
        url = page["next"]
    expected = list(Officer.objects.order_by("last_name", "first_name", "id").values_list("pk", flat=True))
    assert seen == expected


def test_previous_walks_back_over_the_same_rows(world):
    grow(world, 9)
    client = api_client(world.ipo)
    first = client.get("/api/v1/applications/?page_size=4").data
    second = client.get(first["next"]).data
    back = client.get(second["previous"]).data
    assert [a["id"] for a in back["results"]] == [a["id"] for a in first["results"]]
    assert back["previous"] is None


def test_updated_since_gives_the_changes_oldest_first(world):
    long_ago = timezone.now() - dt.timedelta(days=30)
    Application.objects.update(updated_at=long_ago)
    Deployment.objects.update(updated_at=long_ago)
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    client = api_client(world.ipo)
    assert client.get("/api/v1/applications/", {"updated_since": since}).data["results"] == []
    later = f.ApplicationFactory(bulletin=f.BulletinFactory(mission=world.mission), officer=world.officer_y)
    world.app_x.statement = "Changed"
    world.app_x.save()
    changed = client.get("/api/v1/applications/", {"updated_since": since}).data["results"]
    assert [a["id"] for a in changed] == [later.pk, world.app_x.pk]
    assert changed[0]["updated_at"] <= changed[1]["updated_at"]
    assert client.get("/api/v1/deployments/", {"updated_since": since}).data["results"] == []


def test_updated_since_follows_the_services(world):
    """A move through the service bumps updated_at, so the sync sees it."""
    since = timezone.now().isoformat()
    client = api_client(world.coord_a)
    assert client.post(f"/api/v1/applications/{world.app_x.pk}/endorse/", {"release_confirmed": True},
                       format="json").status_code == 200
    changed = client.get("/api/v1/applications/", {"updated_since": since}).data["results"]
    assert [a["id"] for a in changed] == [world.app_x.pk]


def test_lists_use_the_pages_filters_and_the_visibility_rule(world):
    client = api_client(world.coord_a)
    officers = client.get("/api/v1/officers/", {"q": "Xavier"}).data["results"]
    assert [o["id"] for o in officers] == [world.officer_x.pk]
    assert client.get("/api/v1/officers/", {"q": "Young"}).data["results"] == []  # agency B's
    assert [a["id"] for a in client.get("/api/v1/applications/").data["results"]] == [world.app_x.pk]
    draft = f.BulletinFactory(mission=world.mission, status="draft")
    assert draft.pk not in [b["id"] for b in client.get("/api/v1/bulletins/").data["results"]]
    staff = api_client(world.ipo)
    drafts = staff.get("/api/v1/bulletins/", {"status": "draft"}).data["results"]
    assert [b["id"] for b in drafts] == [draft.pk]


def test_a_list_of_personal_data_is_in_the_audit_trail_with_its_rows(world):
    api_client(world.coord_a).get("/api/v1/officers/")
    entry = AuditEntry.objects.get(event="read.export")
    assert entry.actor_id == world.coord_a.pk and entry.rows == 1
    assert entry.additional_data["via"] == "api"
    api_client(world.user_x).get("/api/v1/applications/")  # an officer reading their own: not recorded
    assert AuditEntry.objects.filter(event="read.export").count() == 1
