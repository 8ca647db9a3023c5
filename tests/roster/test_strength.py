"""One definition per figure (issue 9, item 3): authorised, filled, vacant and over strength, per
mission and against the program ceiling, come from missions.selectors.Strength, and every page
that shows them agrees on the same hand-made data: the mission list, the mission page, the
dashboard (IPO staff and a coordinator) and the roster export (the filled deployments themselves).

Filled = deployments planned or in mission. Selected applications not yet deployed, finished and
repatriated tours are not counted."""

import csv
import datetime as dt
import io
import re
from collections import Counter
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from missions.models import Mission
from missions.selectors import FILLED_STATES, mission_strength, program_strength
from roster.dashboard import dashboard_summary
from roster.models import Application, Deployment
from roster.selectors import deployments_current
from tests import factories as f
from tests.conftest import client_for
from tests.roster.test_dashboard import table

pytestmark = pytest.mark.django_db

S = Deployment.Status
A = Application.Status

# code: (authorised, in mission, planned, filled, vacant, over strength), counted by hand
EXPECTED = {
    "UNFICYP": (1, 0, 2, 2, 0, 1),  # planned-only, and over strength
    "BINUH": (10, 3, 1, 4, 6, 0),  # + 2 selected, 1 shortlisted, a finished and a repatriated tour
    "MINUSCA": (2, 3, 0, 3, 0, 1),  # over strength
    "EUPOL": (4, 1, 0, 1, 3, 0),  # suspended: still counted, and listed on the dashboard
    "OLDMIS": (0, 0, 0, 0, 0, 0),  # closed, with a finished tour only: no vacancy, off the dashboard
}
FILLED = sum(e[3] for e in EXPECTED.values())  # 10


@pytest.fixture
def data(db, settings, request):
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    agency_a = f.AgencyFactory(slug="strength-a", name_en="Strength A Police")
    agency_b = f.AgencyFactory(slug="strength-b", name_en="Strength B Police")
    unficyp = f.MissionFactory(code="UNFICYP", authorized_strength=1)
    binuh = f.MissionFactory(code="BINUH", authorized_strength=10)
    minusca = f.MissionFactory(code="MINUSCA", authorized_strength=2)
    eupol = f.MissionFactory(code="EUPOL", authorized_strength=4, status=Mission.Status.SUSPENDED)
    old = f.MissionFactory(code="OLDMIS", authorized_strength=5, status=Mission.Status.CLOSED)

    def deploy(mission, agency, status, **kw):
        start = today + 30 * day if status == S.PLANNED else today - 100 * day
        fields = {"start_date": start, "planned_end_date": start + 365 * day, **kw}
        return f.DeploymentFactory(officer=f.OfficerFactory(agency=agency), mission=mission, status=status, **fields)

    deploy(unficyp, agency_a, S.PLANNED)
    deploy(unficyp, agency_b, S.PLANNED)
    for agency in (agency_a, agency_a, agency_b):
        deploy(binuh, agency, S.IN_MISSION)
    deploy(binuh, agency_b, S.PLANNED)
    finished = {"start_date": today - 700 * day, "planned_end_date": today - 335 * day,
                "actual_end_date": today - 335 * day}
    deploy(binuh, agency_a, S.COMPLETED, **finished)
    deploy(binuh, agency_b, S.REPATRIATED, repatriation_reason="medical", **finished)
    bulletin = f.BulletinFactory(mission=binuh)
    for status in (A.SELECTED, A.SELECTED, A.SHORTLISTED):
        f.ApplicationFactory(bulletin=bulletin, officer=f.OfficerFactory(agency=agency_a), status=status)
    for agency in (agency_a, agency_b, agency_b):
        deploy(minusca, agency, S.IN_MISSION)
    deploy(eupol, agency_b, S.IN_MISSION)
    deploy(old, agency_a, S.COMPLETED, **finished)

    settings.ROSTER = {**settings.ROSTER, "PROGRAM_CEILING": request.param}
    ceiling = request.param
    return SimpleNamespace(
        missions={m.code: m for m in (unficyp, binuh, minusca, eupol, old)},
        ceiling=ceiling,
        program=(ceiling, 7, 3, FILLED, max(0, ceiling - FILLED), max(0, FILLED - ceiling)),
        ipo=f.IpoStaffFactory(),
        coordinator=f.CoordinatorFactory(agency=agency_a),
        officer=f.UserFactory(agency=agency_a),
        # agency A: 2 in mission in BINUH, 1 in MINUSCA; 1 planned for UNFICYP
        share={"UNFICYP": (0, 1), "BINUH": (2, 0), "MINUSCA": (1, 0), "EUPOL": (0, 0)},
    )


def figures(s):
    return (s.authorised, s.in_mission, s.planned, s.filled, s.vacant, s.over)


def words(html: str) -> str:
    """The page's text, tags removed and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def ints(values):
    return tuple(int(v) for v in values)


CEILINGS = pytest.mark.parametrize("data", [15, 8], ids=["under-the-ceiling", "over-the-ceiling"], indirect=True)


@CEILINGS
def test_the_selectors_count_each_figure_as_defined(data, django_assert_num_queries):
    with django_assert_num_queries(1):  # every mission at once, never a query per mission
        per_mission = mission_strength()
    by_code = {code: per_mission[m.pk] for code, m in data.missions.items()}
    assert {code: figures(s) for code, s in by_code.items()} == EXPECTED
    assert by_code["BINUH"].selected == 2  # shown beside the figures, never filled
    with django_assert_num_queries(1):
        program = program_strength()
    assert figures(program) == data.program
    assert figures(program_strength(per_mission.values())) == data.program
    # the same in one query, for the missions asked for
    few = Mission.objects.filter(code__in=["UNFICYP", "MINUSCA"])
    assert {data.missions["UNFICYP"].pk, data.missions["MINUSCA"].pk} == set(mission_strength(few))
    # the roster is exactly the filled deployments
    assert set(FILLED_STATES) == {S.PLANNED, S.IN_MISSION}
    assert deployments_current(Deployment.objects.all()).count() == FILLED


@CEILINGS
def test_every_page_shows_the_same_figures(data):
    staff = client_for(data.ipo)

    # the mission list, for every role
    for user in (data.ipo, data.coordinator, data.officer):
        html = client_for(user).get(reverse("missions:mission-list")).content.decode()
        listed = {}
        for code in EXPECTED:
            m = re.search(rf'<tr data-mission="{code}">.*?data-testid="strength" data-authorised="(\d+)" '
                          r'data-filled="(\d+)" data-vacant="(\d+)" data-over="(\d+)"', html, flags=re.S)
            listed[code] = ints(m.groups())
        assert listed == {code: (e[0], e[3], e[4], e[5]) for code, e in EXPECTED.items()}
        text = words(html)
        assert "2 filled of 1 authorised · 1 over strength 0 in mission, 2 planned" in text
        assert "4 filled of 10 authorised · 6 vacant 3 in mission, 1 planned · 2 selected, not yet deployed" in text

    # each mission's page
    for code, expected in EXPECTED.items():
        html = staff.get(reverse("missions:mission-detail", kwargs={"pk": data.missions[code].pk})).content.decode()
        shown = dict(re.findall(r'data-testid="(authorised|in-mission|planned|filled|vacant|over)">(\d+)<', html))
        assert ints(shown[k] for k in ("authorised", "in-mission", "planned", "filled", "vacant", "over")) == expected

    # the dashboard: IPO staff and a coordinator see the same strength, the program's
    for user in (data.ipo, data.coordinator):
        html = client_for(user).get(reverse("roster:dashboard")).content.decode()
        rows = table(html, "missions-table")
        body = {r[0].split()[0]: ints(r[1:7]) for r in rows[1:-1]}
        assert body == {code: e for code, e in EXPECTED.items() if code != "OLDMIS"}
        assert rows[-1][0] == "Program ceiling" and ints(rows[-1][1:7]) == data.program
        assert f'data-testid="filled">{FILLED}<' in html
        assert f'data-testid="vacant">{data.program[4]}<' in html
        assert ('data-testid="over"' in html) == bool(data.program[5])
        assert 'data-testid="strength-definition"' in html
    summary = dashboard_summary(data.coordinator)
    assert figures(summary["program"]) == data.program
    assert {r.mission.code: figures(r.strength) for r in summary["missions"]} == {
        code: e for code, e in EXPECTED.items() if code != "OLDMIS"
    }

    # the roster export holds the filled deployments: per mission, as many rows as filled
    text = staff.get(reverse("roster:export-roster", kwargs={"fmt": "csv"})).getvalue().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    mission_column = rows[0].index("Mission")
    exported = Counter(r[mission_column] for r in rows[1:])
    assert {code: exported.get(code, 0) for code in EXPECTED} == {code: e[3] for code, e in EXPECTED.items()}


@CEILINGS
def test_a_coordinator_sees_the_programs_vacancies_and_their_agencys_share_apart(data):
    mine = dashboard_summary(data.coordinator)
    assert figures(mine["program"]) == figures(dashboard_summary(data.ipo)["program"]) == data.program
    assert {r.mission.code: (r.own.in_mission, r.own.planned) for r in mine["missions"]} == data.share
    assert (mine["share"].in_mission, mine["share"].planned) == (3, 1)

    client = client_for(data.coordinator)
    html = client.get(reverse("roster:dashboard")).content.decode()
    assert "Your agency: 3 in mission, 1 planned." in html
    rows = table(html, "missions-table")
    assert rows[0][8] == "Your agency"
    assert {r[0].split()[0]: int(r[8]) for r in rows[1:-1]} == {c: sum(s) for c, s in data.share.items()}
    assert rows[-1][8] == "4"
    # the agency's share is the agency's rows of the roster export
    text = client.get(reverse("roster:export-roster", kwargs={"fmt": "csv"})).getvalue().decode("utf-8")
    exported = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    column = exported[0].index("Mission")
    assert Counter(r[column] for r in exported[1:]) == Counter(
        {c: sum(s) for c, s in data.share.items() if sum(s)}
    )


@CEILINGS
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_mission_list_and_the_mission_page_draw_a_missions_strength_alike(data, lang):
    """One drawing (missions.templatetags.strength_tags) for the list's rows and the mission page."""
    staff = client_for(data.ipo)
    listing = staff.get(reverse("missions:mission-list"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    for code in ("UNFICYP", "BINUH"):  # over strength; vacancies and selections
        page = staff.get(reverse("missions:mission-detail", kwargs={"pk": data.missions[code].pk}),
                         HTTP_ACCEPT_LANGUAGE=lang).content.decode()
        drawn = re.search(r'<div class="progress-stacked.*?data-testid="strength".*?</span></div>', page, flags=re.S)
        row = re.search(rf'<tr data-mission="{code}">.*?</tr>', listing, flags=re.S).group(0)
        assert drawn and drawn.group(0) in row
