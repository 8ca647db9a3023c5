"""The welfare board: every officer in mission, urgent ones not followed up on top, then the most overdue;
scoped per agency; paginated, with a query count that does not grow with the rows."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests import factories as f
from tests.welfare.conftest import make_checkin
from welfare import selectors, services

pytestmark = pytest.mark.django_db


def in_mission(agency, mission, *, started_days_ago=30, last_name=None):
    officer = f.OfficerFactory(agency=agency, **({"last_name": last_name} if last_name else {}))
    return f.DeploymentFactory(officer=officer, mission=mission,
                               start_date=timezone.localdate() - dt.timedelta(days=started_days_ago))


def board_order(client, query=""):
    html = client.get(f"/welfare/{query}").content.decode()
    return [int(pk) for pk in re.findall(r'data-testid="board-row" data-deployment="(\d+)"', html)]


def test_urgent_on_top_then_the_most_overdue_then_the_soonest_due(world, clients):
    today = timezone.localdate()
    on_time = in_mission(world.agency_a, world.mission)
    make_checkin(on_time, "well", days_ago=1)                       # due in 13 days
    soon = in_mission(world.agency_a, world.mission)
    make_checkin(soon, "well", days_ago=10)                         # due in 4 days
    a_bit_late = in_mission(world.agency_a, world.mission)
    make_checkin(a_bit_late, "well", days_ago=16)                   # 2 days overdue
    # dep_x: never checked in, arrived 30 days ago: 16 days overdue; dep_y the same
    old_urgent = in_mission(world.agency_b, world.mission)
    make_checkin(old_urgent, "urgent", days_ago=2)
    make_checkin(old_urgent, "well", days_ago=1)                    # a later check-in does not close it
    new_urgent = in_mission(world.agency_a, world.mission)
    make_checkin(new_urgent, "urgent", hours_ago=1)
    followed = in_mission(world.agency_a, world.mission)
    services.checkin_follow_up(checkin=make_checkin(followed, "urgent", days_ago=3), actor=world.ipo, note="Done")
    # followed up 3 days ago: due in 11 days
    order = board_order(clients.ipo)
    assert order[:2] == [old_urgent.pk, new_urgent.pk]
    assert set(order[2:4]) == {world.dep_x.pk, world.dep_y.pk}
    assert order[4:] == [a_bit_late.pk, soon.pk, followed.pk, on_time.pk]
    assert selectors.checkin_states_for(world.ipo, today=today)[0].state == "urgent"


def test_a_mission_interval_changes_who_is_overdue(world, clients):
    deployment = in_mission(world.agency_a, f.MissionFactory(code="UKR"))
    make_checkin(deployment, "well", days_ago=10)
    states = {s.deployment_id: s for s in selectors.checkin_states_for(world.ipo)}
    assert states[deployment.pk].state == "ok"
    services.mission_interval_set(mission=deployment.mission, checkin_days=7, actor=world.ipo)
    states = {s.deployment_id: s for s in selectors.checkin_states_for(world.ipo)}
    assert states[deployment.pk].state == "overdue" and states[deployment.pk].overdue_days == 3
    assert states[world.dep_x.pk].interval == 14  # the other mission keeps the default


def test_only_officers_in_mission_are_on_the_board(world, clients):
    planned = f.DeploymentFactory(officer=f.OfficerFactory(agency=world.agency_a), mission=world.mission,
                                  status="planned", start_date=timezone.localdate() + dt.timedelta(days=5))
    order = board_order(clients.ipo)
    assert planned.pk not in order and set(order) == {world.dep_x.pk, world.dep_y.pk}


def test_a_coordinator_sees_their_agencys_officers_only_with_statuses_and_no_notes(world, clients):
    make_checkin(world.dep_x, "urgent", note="Secret worry")
    make_checkin(world.dep_y, "urgent", note="Other agency")
    html = clients.coord_a.get("/welfare/").content.decode()
    assert board_order(clients.coord_a) == [world.dep_x.pk]
    assert "Urgent, not followed up yet" in html and "IPO staff are following it up" in html
    assert "Secret worry" not in html and "Follow up" not in html
    assert board_order(clients.coord_b) == [world.dep_y.pk]


def test_ipo_staff_see_a_follow_up_button_on_each_urgent_row(world, clients):
    urgent = make_checkin(world.dep_x, "urgent")
    assert f"/welfare/check-ins/{urgent.pk}/follow-up/" in clients.ipo.get("/welfare/").content.decode()


def test_filters_narrow_the_board_and_unknown_values_are_ignored(world, clients):
    other = in_mission(world.agency_a, f.MissionFactory(code="UKR"))
    make_checkin(other, "well")
    assert board_order(clients.ipo, f"?mission={other.mission_id}") == [other.pk]
    assert set(board_order(clients.ipo, "?state=overdue")) == {world.dep_x.pk, world.dep_y.pk}
    assert board_order(clients.ipo, "?state=ok") == [other.pk]
    assert board_order(clients.ipo, f"?agency={world.agency_b.pk}") == [world.dep_y.pk]
    everyone = board_order(clients.ipo)
    for bad in ("?state=nonsense", "?mission=abc", "?agency=%00", "?page=zz", "?page=-3", "?page=99999"):
        response = clients.ipo.get(f"/welfare/{bad}")
        assert response.status_code == 200, bad
    assert board_order(clients.ipo, "?state=nonsense&mission=abc") == everyone
    # a coordinator's agency filter is ignored: they see their own agency whatever they ask
    assert set(board_order(clients.coord_a, f"?agency={world.agency_b.pk}")) == {world.dep_x.pk, other.pk}


def test_the_board_is_paginated(world, clients):
    for _ in range(51):
        in_mission(world.agency_a, world.mission)
    assert len(board_order(clients.ipo)) == 50
    assert len(board_order(clients.ipo, "?page=2")) == 3


def grow(world, n):
    for i in range(n):
        deployment = in_mission(world.agency_a if i % 2 else world.agency_b, world.mission)
        make_checkin(deployment, ["well", "concern", "urgent"][i % 3], days_ago=i % 20, note="n")


# session + user; the officers in mission with their last check-in, the check-ins awaiting a follow-up
@pytest.mark.parametrize("persona", ["ipo", "coord_a"])
@pytest.mark.parametrize("rows", [1, 30])
def test_the_board_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, persona, rows):
    grow(world, rows)
    with django_assert_num_queries(4):
        assert getattr(clients, persona).get("/welfare/").status_code == 200


# session + user, the deployment, the count and the page of its check-ins (with who followed them up), the
# audit entry (not when the officer reads their own), the deployment's state (due date: its last check-in, its
# check-ins awaiting a follow-up)
@pytest.mark.parametrize("persona,queries", [("ipo", 8), ("coord_a", 8), ("officer_x", 7)])
@pytest.mark.parametrize("rows", [1, 30])
def test_the_check_in_history_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, persona,
                                                                 queries, rows):
    staff = [world.ipo, f.IpoStaffFactory()]
    for i in range(rows):
        followed = {"followed_up_at": timezone.now(), "followed_up_by": staff[i % 2], "follow_up_note": "f"} \
            if i % 3 == 0 else {}
        make_checkin(world.dep_x, "urgent" if i % 2 else "concern", days_ago=i, note="n", shared=bool(i % 2),
                     **followed)
    with django_assert_num_queries(queries):
        response = getattr(clients, persona).get(f"/welfare/deployments/{world.dep_x.pk}/")
    assert response.status_code == 200
    assert len(re.findall(r'data-testid="checkin-\d+"', response.content.decode())) == min(rows, 25)


# session + user; the missions with their own intervals
@pytest.mark.parametrize("rows", [1, 20])
def test_the_intervals_page_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, rows):
    for i in range(rows):
        services.mission_interval_set(mission=f.MissionFactory(code=f"M{i}"), checkin_days=7 + i % 3, actor=world.ipo)
    with django_assert_num_queries(3):
        response = clients.ipo.get("/welfare/missions/")
    assert response.status_code == 200 and response.content.decode().count("data-mission=") == rows + 1


# session + user, the officer, the deployment in mission, its state (two), the officer's last check-ins
@pytest.mark.parametrize("rows", [1, 30])
def test_the_check_in_page_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, rows):
    for i in range(rows):
        make_checkin(world.dep_x, "well", days_ago=i)
    with django_assert_num_queries(7):
        assert clients.officer_x.get("/welfare/check-in/").status_code == 200
