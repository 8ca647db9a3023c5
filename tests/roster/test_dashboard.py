"""The roster dashboard: figures checked against a small program counted by hand; the mission timeline."""

import datetime as dt
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from agencies.models import Agency, Clearance, Officer
from missions.models import Mission
from roster.dashboard import Handover, dashboard_summary, mission_timeline
from roster.models import Application, Deployment
from tests import factories as f
from tests.conftest import client_for
from tests.pages import page_text

pytestmark = pytest.mark.django_db

W, M = Officer.Gender.WOMAN, Officer.Gender.MAN
S = Deployment.Status


class TableParser(HTMLParser):
    """The text of each cell of the table with `data-testid="<testid>"`, row by row."""

    def __init__(self, testid):
        super().__init__()
        self.testid, self.depth, self.rows, self.cell = testid, 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("data-testid", self.testid) in attrs:
            self.depth = 1
        elif tag == "table" and self.depth:
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(html: str, testid: str) -> list[list[str]]:
    parser = TableParser(testid)
    parser.feed(html)
    assert parser.rows, f"no table {testid}"
    return parser.rows


@pytest.fixture
def program(db):
    """Two missions, five officers in mission (2 women; 3 from partner agencies, 2 RCMP), one planned tour,
    one finished tour, nominees and clearances, with every figure known in advance."""
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    rcmp = f.AgencyFactory(slug="rcmp", name_en="RCMP", kind=Agency.Kind.RCMP)
    p1 = f.AgencyFactory(slug="p1", name_en="Partner One", kind=Agency.Kind.MUNICIPAL)
    p2 = f.AgencyFactory(slug="p2", name_en="Partner Two", kind=Agency.Kind.PROVINCIAL)
    haiti = f.MissionFactory(code="HAITI", authorized_strength=48, kind=Mission.Kind.UN)
    ukr = f.MissionFactory(code="UKR", authorized_strength=45, kind=Mission.Kind.BILATERAL)
    f.MissionFactory(code="OLD", authorized_strength=10, status=Mission.Status.CLOSED)

    def deploy(mission, agency, gender, *, status=S.IN_MISSION, start=-100, end=200, name="", **kw):
        officer = f.OfficerFactory(agency=agency, gender=gender, last_name=name or f"{agency.slug}-{gender}")
        return f.DeploymentFactory(
            officer=officer, mission=mission, status=status,
            start_date=today + start * day, planned_end_date=today + end * day, **kw,
        )

    d1 = deploy(haiti, p1, W, end=90, name="Ada")  # ends on the 90th day: ending soon
    d2 = deploy(haiti, p1, M, end=30, name="Bob")  # ending soon
    d3 = deploy(haiti, rcmp, M, end=91, name="Cal")  # one day too late to be "soon"
    d4 = deploy(ukr, p2, W, name="Dee")
    d5 = deploy(ukr, rcmp, M, end=40, name="Eve")  # ends soon but is replaced by d6
    d6 = deploy(ukr, p1, W, status=S.PLANNED, start=20, end=380, name="Fay", replaces=d5)
    old = deploy(haiti, p2, M, status=S.COMPLETED, start=-600, end=-300, name="Gus")

    bulletin = f.BulletinFactory(mission=haiti)
    A = Application.Status
    nominee_states = [(A.ENDORSED, W), (A.SHORTLISTED, M), (A.SELECTED, M), (A.DEPLOYED, M)]
    others = [(A.SUBMITTED, W), (A.WITHDRAWN, W), (A.AGENCY_DECLINED, W)]
    apps = [
        f.ApplicationFactory(bulletin=bulletin, officer=f.OfficerFactory(agency=p1, gender=g), status=s)
        for s, g in nominee_states + others
    ]
    stale = f.ApplicationFactory(bulletin=bulletin, officer=f.OfficerFactory(agency=p1, gender=W), status=A.ENDORSED)
    Application.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(days=400))

    K = Clearance.Kind
    f.ClearanceFactory(officer=d1.officer, kind=K.MEDICAL, valid_until=today + 10 * day)  # counted
    f.ClearanceFactory(officer=d4.officer, kind=K.PASSPORT, valid_until=today - 5 * day)  # expired: counted
    f.ClearanceFactory(officer=apps[2].officer, kind=K.SECURITY, valid_until=today + 60 * day)  # selected: counted
    f.ClearanceFactory(officer=d2.officer, kind=K.PASSPORT, valid_until=today + 61 * day)  # too far
    f.ClearanceFactory(officer=old.officer, kind=K.MEDICAL, valid_until=today + 10 * day)  # not deployed now

    ipo = f.IpoStaffFactory()
    coord_p1 = f.CoordinatorFactory(agency=p1)
    return SimpleNamespace(**locals())


def figures(strength):
    """authorised, in mission, planned, filled, vacant, over strength"""
    s = strength
    return (s.authorised, s.in_mission, s.planned, s.filled, s.vacant, s.over)


def test_it_counts_the_whole_program_for_ipo_staff(program):
    s = dashboard_summary(program.ipo)
    rows = {r.mission.code: figures(r.strength) for r in s["missions"]}
    # filled = in mission + planned (Fay, planned to relieve Eve, counts beside her)
    assert rows == {"HAITI": (48, 3, 0, 3, 45, 0), "UKR": (45, 2, 1, 3, 42, 0)}  # OLD is closed and empty
    assert figures(s["program"]) == (150, 5, 1, 6, 144, 0) and s["program"].pct_filled == 4.0
    assert (s["deployed"], s["planned"], s["ceiling"], s["share"]) == (5, 1, 150, None)
    assert all(r.own is None for r in s["missions"])
    assert (s["partner"], s["rcmp"], s["partner_pct"], s["rcmp_pct"]) == (3, 2, 60.0, 40.0)
    assert (s["women"], s["women_pct"], s["women_target"]) == (2, 40.0, 30)
    assert (s["nominees"], s["women_nominees"], s["women_nominees_pct"], s["women_nominee_target"]) == (4, 1, 25.0, 20)
    assert [d.pk for d in s["ending_soon"]] == [program.d2.pk, program.d1.pk] and s["ending_soon_count"] == 2
    assert [d.days_left for d in s["ending_soon"]] == [30, 90]
    assert s["clearances_count"] == 3
    assert [(c.officer_id, c.days_left) for c in s["clearances"]] == [
        (program.d4.officer_id, -5),
        (program.d1.officer_id, 10),
        (program.apps[2].officer_id, 60),
    ]


def test_it_shows_the_same_figures_in_the_page_tables(program):
    response = client_for(program.ipo).get(reverse("roster:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    missions = table(html, "missions-table")
    assert missions[0][1:8] == [
        "Authorised strength", "In mission", "Planned", "Filled", "Vacant", "Over strength", "Share of strength"
    ]
    assert missions[1][0].startswith("HAITI") and missions[1][1:8] == ["48", "3", "0", "3", "45", "0", "6.2%"]
    assert missions[2][1:8] == ["45", "2", "1", "3", "42", "0", "6.7%"]
    assert missions[-1][:8] == ["Program ceiling", "150", "5", "1", "6", "144", "0", "4.0%"]
    assert 'data-testid="strength-definition"' in html and 'data-testid="agency-share"' not in html
    assert table(html, "origin-table")[1:] == [
        ["Partner agencies", "3", "60.0%"], ["RCMP", "2", "40.0%"], ["Total", "5", ""]
    ]
    assert table(html, "women-table")[1:] == [
        ["In mission", "2", "5", "40.0%", "30%"], ["Nominees", "1", "4", "25.0%", "20%"]
    ]
    assert [r[0] for r in table(html, "ending-table")[1:]] == ["Alex Bob", "Alex Ada"]
    assert len(table(html, "clearances-table")) == 4
    # the charts: server-rendered SVG with a text alternative
    assert html.count('role="img"') == 4
    assert '<title id="chart-missions-title">' in html and "HAITI: 3 in mission, 0 planned, of 48" in html
    assert "Partner agencies: 3 (60.0%); RCMP: 2 (40.0%)" in html
    # and the exports are linked
    assert reverse("roster:export-roster", kwargs={"fmt": "xlsx"}) in html
    assert reverse("roster:export-deployments", kwargs={"fmt": "csv"}) in html


def test_it_shows_a_coordinator_the_programs_strength_and_their_agencys_share_apart(program):
    s = dashboard_summary(program.coord_p1)
    staff = dashboard_summary(program.ipo)
    # strength is the program's, the same as IPO staff see: real vacancies, not the agency's
    assert [(r.mission.code, figures(r.strength)) for r in s["missions"]] == [
        (r.mission.code, figures(r.strength)) for r in staff["missions"]
    ]
    assert figures(s["program"]) == figures(staff["program"]) == (150, 5, 1, 6, 144, 0)
    # the agency's share, apart: Ada and Bob in mission in Haiti, Fay planned for Ukraine
    assert {r.mission.code: (r.own.in_mission, r.own.planned) for r in s["missions"]} == {
        "HAITI": (2, 0), "UKR": (0, 1)
    }
    assert (s["share"].in_mission, s["share"].planned, s["share"].filled) == (2, 1, 3)
    response = client_for(program.coord_p1).get(reverse("roster:dashboard"))
    html = response.content.decode()
    assert "Your agency: 2 in mission, 1 planned." in html
    missions = table(html, "missions-table")
    assert missions[0][8] == "Your agency"
    assert missions[1][1:9] == ["48", "3", "0", "3", "45", "0", "6.2%", "2"]
    assert missions[-1][:9] == ["Program ceiling", "150", "5", "1", "6", "144", "0", "4.0%", "3"]


def test_it_limits_a_coordinator_to_their_agency(program):
    s = dashboard_summary(program.coord_p1)
    assert (s["deployed"], s["planned"], s["partner"], s["rcmp"], s["women"], s["women_pct"]) == (2, 1, 2, 0, 1, 50.0)
    assert (s["nominees"], s["women_nominees"]) == (4, 1)  # every applicant is from partner one
    assert {d.pk for d in s["ending_soon"]} == {program.d1.pk, program.d2.pk}
    assert {c.officer_id for c in s["clearances"]} == {program.d1.officer_id, program.apps[2].officer_id}
    html = page_text(client_for(program.coord_p1).get(reverse("roster:dashboard")))
    assert "Partner One" in html and "Eve" not in html and "Dee" not in html


def test_it_refuses_officers_and_asks_anonymous_users_to_sign_in(world, clients):
    url = reverse("roster:dashboard")
    assert clients.officer_x.get(url).status_code == 403
    assert "login/" in clients.anonymous.get(url)["Location"]


def test_it_shows_a_dash_rather_than_a_share_of_nobody(db):
    s = dashboard_summary(f.IpoStaffFactory())
    assert s["deployed"] == 0 and s["women_pct"] is None and s["partner_pct"] is None
    assert client_for(f.IpoStaffFactory()).get(reverse("roster:dashboard")).status_code == 200


# --- mission timeline -------------------------------------------------------------------------


def test_it_lists_handover_overlaps_and_gaps(program):
    today = program.today
    haiti = program.haiti
    # d1 ends in 90 days; its replacement arrives 10 days earlier: 10 days of overlap
    r1 = f.DeploymentFactory(
        mission=haiti, replaces=program.d1, status=S.PLANNED,
        start_date=today + dt.timedelta(days=80), planned_end_date=today + dt.timedelta(days=400),
    )
    # d2 ends in 30 days; its replacement arrives 5 days later: a 5-day gap
    r2 = f.DeploymentFactory(
        mission=haiti, replaces=program.d2, status=S.PLANNED,
        start_date=today + dt.timedelta(days=35), planned_end_date=today + dt.timedelta(days=400),
    )
    data = mission_timeline(program.ipo, haiti)
    handovers = {h.deployment.pk: (h.overlap, h.gap) for h in data["handovers"]}
    assert handovers == {r1.pk: (10, 0), r2.pk: (0, 5)}
    response = client_for(program.ipo).get(reverse("roster:mission-timeline", kwargs={"mission_pk": haiti.pk}))
    html = response.content.decode()
    rows = table(html, "handover-table")[1:]
    assert sorted((r[4], r[5]) for r in rows) == [("0", "5"), ("10", "0")]
    assert 'role="img"' in html and "chart-timeline-title" in html


def test_it_computes_a_seamless_handover_as_neither():
    prev = SimpleNamespace(end_date=dt.date(2026, 3, 1))
    h = Handover(SimpleNamespace(start_date=dt.date(2026, 3, 1), effective_start_date=dt.date(2026, 3, 1)), prev)
    assert (h.overlap, h.gap) == (0, 0)


def test_the_timeline_shows_each_user_only_the_rows_they_may_see(world, clients):
    other = f.DeploymentFactory(  # after Y's current tour: an officer's tours never overlap
        officer=world.officer_y, mission=world.mission, replaces=world.dep_x, status="planned",
        start_date=world.dep_y.planned_end_date,
        planned_end_date=world.dep_y.planned_end_date + dt.timedelta(days=365),
    )
    url = reverse("roster:mission-timeline", kwargs={"mission_pk": world.mission.pk})
    for client, names in (
        (clients.ipo, {"Xena Xavier", "Yves Young"}),
        (clients.coord_a, {"Xena Xavier"}),
        (clients.officer_y, {"Yves Young"}),
    ):
        html = client.get(url).content.decode()
        shown = {r[0] for r in table(html, "timeline-table")[1:]}
        assert shown == names
    # Y (agency B) replaces X (agency A): only IPO staff see both sides of that handover
    assert len(table(clients.ipo.get(url).content.decode(), "handover-table")) == 2
    assert "handover-table" not in clients.coord_a.get(url).content.decode()
    assert "handover-table" not in clients.coord_b.get(url).content.decode()
    assert other.replaces_id == world.dep_x.pk


def test_the_timeline_of_an_unknown_mission_is_404(world, clients):
    assert clients.ipo.get(reverse("roster:mission-timeline", kwargs={"mission_pk": 999999})).status_code == 404


def test_the_charts_keep_dot_decimals_in_french(program):
    program.ipo.preferred_language = "fr"
    program.ipo.save()
    client = client_for(program.ipo)
    client.cookies["django_language"] = "fr"
    try:
        html = client.get(reverse("roster:dashboard"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    finally:
        translation.deactivate()  # the middleware activated French for this thread
    assert 'lang="fr"' in html
    svg = "".join(re.findall(r"<svg.*?</svg>", html, flags=re.S))
    assert svg and not re.search(r'="[-\d.]*,\d', svg)
