"""The medal ceremony list: officers returning in a period and the medals each is eligible for on the
day they return (roster.medals rules), for IPO staff and for each agency's coordinator (their own
officers only), exportable as CSV or Excel."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEntry
from missions.models import Mission
from roster.medals import medal_ceremony
from roster.models import Deployment, MedalAward
from roster.selectors import deployment_visible_to
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/reports/medal-ceremony/"


def days(n):
    return timezone.localdate() + dt.timedelta(days=n)


def tour(officer, mission, start, end, status="completed", **kwargs):
    ended = {"actual_end_date": end} if status in ("completed", "repatriated") else {}
    planned_end = kwargs.pop("planned_end_date", end)
    return f.DeploymentFactory(officer=officer, mission=mission, start_date=start, planned_end_date=planned_end,
                               status=status, **ended, **kwargs)


@pytest.fixture
def returns(world):
    """Officers of A and B returning around today, on the UN mission BINUH or a bilateral one."""
    w = world
    bilateral = f.MissionFactory(code="UKR-CPM", kind=Mission.Kind.BILATERAL)
    w.bilateral = bilateral
    w.a1 = f.OfficerFactory(agency=w.agency_a, last_name="Able")  # 190 days on BINUH: both medals
    tour(w.a1, w.mission, days(-200), days(-10))
    w.a2 = f.OfficerFactory(agency=w.agency_a, last_name="Brief")  # 20 days: no medal yet
    tour(w.a2, w.mission, days(-25), days(-5))
    w.a3 = f.OfficerFactory(agency=w.agency_a, last_name="Current")  # in mission until day 20: CPSM, projected
    tour(w.a3, bilateral, days(-60), days(20), status="in_mission")
    w.a4 = f.OfficerFactory(agency=w.agency_a, last_name="Double")  # two back-to-back 50-day tours on BINUH
    tour(w.a4, w.mission, days(-101), days(-51))
    tour(w.a4, w.mission, days(-51), days(-1))
    w.b1 = f.OfficerFactory(agency=w.agency_b, last_name="Bravo")  # both medals, the CPSM already awarded
    tour(w.b1, w.mission, days(-103), days(-3))
    MedalAward.objects.create(officer=w.b1, medal="cpsm", awarded_on=days(-1))
    w.early = f.OfficerFactory(agency=w.agency_a, last_name="Early")  # came back long ago: not in the period
    tour(w.early, w.mission, days(-400), days(-100))
    w.cancelled = f.OfficerFactory(agency=w.agency_a, last_name="Never")
    f.DeploymentFactory(officer=w.cancelled, mission=w.mission, status="cancelled", start_date=days(-5),
                        planned_end_date=days(5), cancelled_at=timezone.now(), cancellation_reason="Mandate")
    return w


def rows(ceremony):
    return {(r.officer.last_name, r.medal, r.mission.code if r.mission else None) for r in ceremony.rows}


def period(user, start=-30, end=30, **kwargs):
    return medal_ceremony(deployment_visible_to(user), days(start), days(end), **kwargs)


def test_the_returning_officers_and_the_medals_each_is_eligible_for(returns):
    ceremony = period(returns.ipo)
    assert rows(ceremony) == {
        ("Able", "cpsm", None), ("Able", "un_mission", "BINUH"),
        ("Current", "cpsm", None),
        ("Double", "cpsm", None), ("Double", "un_mission", "BINUH"),  # the two tours form one 100-day run
        ("Bravo", "cpsm", None), ("Bravo", "un_mission", "BINUH"),
    }
    assert (ceremony.returning, ceremony.not_eligible) == (5, 1)  # Brief has served 20 days


def test_a_tour_under_way_is_counted_to_its_planned_end_and_marked_so(returns):
    current = next(r for r in period(returns.ipo).rows if r.officer == returns.a3)
    assert current.projected and current.days == 80 and current.return_date == days(20)
    able = next(r for r in period(returns.ipo).rows if r.officer == returns.a1)
    assert not able.projected


def test_an_award_already_recorded_is_shown(returns):
    bravo = {r.medal: r.awarded_on for r in period(returns.ipo).rows if r.officer == returns.b1}
    assert bravo == {"cpsm": days(-1), "un_mission": None}


def test_each_coordinator_sees_only_their_agencys_officers(returns):
    assert {r.officer.agency_id for r in period(returns.coord_a).rows} == {returns.agency_a.pk}
    assert rows(period(returns.coord_b)) == {("Bravo", "cpsm", None), ("Bravo", "un_mission", "BINUH")}


def test_the_page_for_ipo_staff_and_coordinators_only(returns, clients):
    query = {"start": days(-30).isoformat(), "end": days(30).isoformat()}
    response = clients.ipo.get(URL, query)
    assert response.status_code == 200 and len(response.context["page"].object_list) == 7
    assert "Able, " in response.content.decode()
    assert {r.officer.pk for r in clients.coord_b.get(URL, query).context["page"]} == {returns.b1.pk}
    assert clients.officer_x.get(URL).status_code == 403
    assert clients.anonymous.get(URL).status_code == 302


def test_the_mission_filter(returns, clients):
    response = clients.ipo.get(URL, {"start": days(-30).isoformat(), "end": days(30).isoformat(),
                                     "mission": returns.bilateral.pk})
    assert {r.officer.pk for r in response.context["page"]} == {returns.a3.pk}


@pytest.mark.parametrize(("query", "error"), [
    ({"start": "2025-05-01", "end": "2025-04-01"}, "on or after its start"),
    ({"start": "2020-01-01", "end": "2025-01-01"}, "at most 366 days"),
    ({"start": "yesterday", "end": "2025-01-01"}, "Enter a valid date"),
    ({"start": "0001-01-01", "end": "0001-02-01"}, "between 1900"),
])
def test_a_period_that_does_not_fit_says_why_and_shows_the_next_90_days(returns, clients, query, error):
    response = clients.ipo.get(URL, query)
    assert response.status_code == 200
    assert error in str(response.context["form"].errors)
    assert (response.context["start"], response.context["end"]) == (days(0), days(90))


def test_bad_input_never_fails(returns, clients):
    for query in ({"mission": "abc"}, {"mission": "99999999999999999999"}, {"page": "x"}, {"start": "\x00"}):
        assert clients.ipo.get(URL, query).status_code == 200


@pytest.mark.parametrize("n", [1, 25])
def test_the_list_runs_a_fixed_number_of_queries(world, n, django_assert_num_queries):
    for i in range(n):
        officer = f.OfficerFactory(agency=world.agency_a)
        tour(officer, world.mission, days(-120), days(-(i % 20) - 1))
        MedalAward.objects.create(officer=officer, medal="cpsm", awarded_on=days(-1))
    ipo, coord = client_for(world.ipo), client_for(world.coord_a)
    query = {"start": days(-30).isoformat(), "end": days(30).isoformat()}
    ipo.get(URL, query)
    # session, user, the returning tours, every tour of those officers, their awards, and the mission
    # choices the form shows
    with django_assert_num_queries(6):
        response = ipo.get(URL, query)
    assert len(response.context["page"].object_list) == 2 * n
    with django_assert_num_queries(6):
        coord.get(URL, query)


def _csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_export_holds_the_rows_the_user_may_see(returns, clients):
    query = {"start": days(-30).isoformat(), "end": days(30).isoformat()}
    rows_b = _csv(clients.coord_b.get(reverse("roster:medal-ceremony-export", args=["csv"]), query))
    assert [r[2] for r in rows_b[1:]] == ["Bravo", "Bravo"]
    assert rows_b[0][:3] == ["Medal", "Medal mission", "Last name"]
    assert rows_b[1][-1] == days(-1).isoformat()  # already awarded on
    response = clients.ipo.get(reverse("roster:medal-ceremony-export", args=["xlsx"]), query)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    assert len(list(sheet.iter_rows(values_only=True))) == 8
    entry = AuditEntry.objects.filter(event="read.export").latest("pk")
    assert entry.rows == 7 and entry.content_type.model_class() is Deployment
    assert clients.officer_x.get(reverse("roster:medal-ceremony-export", args=["csv"])).status_code == 403
