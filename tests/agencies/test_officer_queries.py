"""Pinned query counts: the officer list costs the same with 3 or 30 officers (no N+1).

Coordinator: session, user, page (keyset: no COUNT). IPO staff: the same plus the agency filter's
choices. The next page costs the same.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f

pytestmark = pytest.mark.django_db

COORDINATOR_QUERIES = 3
IPO_STAFF_QUERIES = 4


def add_officers(world, n):
    today = timezone.localdate()
    for i in range(n):
        agency = world.agency_a if i % 2 == 0 else world.agency_b
        officer = f.OfficerFactory(agency=agency)
        f.ClearanceFactory(officer=officer, kind="medical", valid_until=today - dt.timedelta(days=1))
        f.ClearanceFactory(officer=officer, kind="passport", valid_until=today + dt.timedelta(days=10))


@pytest.mark.parametrize("n", [1, 60])
@pytest.mark.parametrize(
    "persona,expected,params",
    [
        ("coord_a", COORDINATOR_QUERIES, {}),
        ("ipo", IPO_STAFF_QUERIES, {}),
        ("coord_a", COORDINATOR_QUERIES, {"q": "officer", "rank": "cst", "english_level": "2", "active": "yes"}),
        ("ipo", IPO_STAFF_QUERIES + 1, {"q": "officer", "agency": "AGENCY_A"}),  # + the chosen agency's lookup
    ],
)
def test_the_officer_list_has_a_constant_query_count(
    clients, world, django_assert_num_queries, n, persona, expected, params
):
    add_officers(world, n)
    params = {k: (world.agency_a.pk if v == "AGENCY_A" else v) for k, v in params.items()}
    client = getattr(clients, persona)
    with django_assert_num_queries(expected):
        response = client.get(reverse("agencies:officer-list"), params)
    assert response.status_code == 200
    page = response.context["page"]
    rows = list(page)
    assert len(rows) >= min(n // 2, 3)
    assert all(r.clearances_expired == 1 and r.clearances_expiring == 1 for r in rows if r.last_name != "Xavier"
               and r.last_name != "Young")
    assert page.has_next == (n > 50)  # 60 officers: 30 in each agency, more than a page in both
    if page.has_next:
        with django_assert_num_queries(expected):
            response = client.get(reverse("agencies:officer-list"), {**params, "after": page.next_cursor})
        assert response.status_code == 200 and len(response.context["page"].object_list) >= 5
        assert {o.pk for o in rows}.isdisjoint(o.pk for o in response.context["page"])


def test_the_officer_detail_has_a_constant_query_count(clients, world, django_assert_num_queries):
    for kind in ("medical", "passport", "security", "firearms"):
        f.ClearanceFactory(officer=world.officer_x, kind=kind)
    with django_assert_num_queries(6):  # session, user, officer with its agency, its audit entry, clearances,
        # open bulletins
        response = clients.coord_a.get(reverse("agencies:officer-detail", args=[world.officer_x.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("<tr") >= 5  # header + the four clearances
