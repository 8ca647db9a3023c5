"""The impact report: aggregates only, a figure only when at least k (5) answers back it, a coordinator's
agency's answers only, comments for IPO staff only and only those the officers agreed to share."""

import datetime as dt

import pytest

from tests import factories as f
from tests.welfare.conftest import answered
from welfare.impact import Figures, impact_report, suppress_years

pytestmark = pytest.mark.django_db


def answers_from(agency, n, *, ended_on=None, **values):
    return [answered(f.OfficerFactory(agency=agency), ended_on=ended_on, **values) for _ in range(n)]


def test_below_five_answers_no_figure_is_shown(world, clients):
    answers_from(world.agency_a, 4, leadership=5)
    report = impact_report(world.ipo)
    assert report["total"].shown is False and report["total"].skills == []
    page = clients.ipo.get("/welfare/impact/").content.decode()
    assert 'data-testid="impact-suppressed"' in page and "Fewer than 5 answers" in page
    assert "chart-skills" not in page and 'data-testid="years-table"' not in page


def test_with_five_answers_the_figures_appear(world, clients):
    answers_from(world.agency_a, 4, leadership=5, go_again="yes")
    answers_from(world.agency_a, 1, leadership=3, go_again="no")
    total = impact_report(world.ipo)["total"]
    assert total.shown and total.n == 5
    leadership = next(s for s in total.skills if s["key"] == "leadership")
    assert leadership["mean"] == 4.6 and leadership["high"] == 80.0
    assert total.go_again == {"yes": 80.0, "unsure": 0.0, "no": 20.0}
    assert total.more_share == 100.0 and total.support_mean == 4.0
    page = clients.ipo.get("/welfare/impact/").content.decode()
    assert "chart-skills" in page and "4.6" in page and "5 answers" in page


def test_the_threshold_is_a_setting(world, settings):
    settings.ROSTER = {**settings.ROSTER, "IMPACT_MIN_ANSWERS": 3}
    answers_from(world.agency_a, 3)
    assert impact_report(world.ipo)["total"].shown


def test_a_coordinator_sees_their_agencys_answers_only(world, clients):
    answers_from(world.agency_a, 5, leadership=1)
    answers_from(world.agency_b, 5, leadership=5)
    mine = impact_report(world.coord_a)["total"]
    assert mine.n == 5 and next(s for s in mine.skills if s["key"] == "leadership")["mean"] == 1.0
    assert impact_report(world.coord_b)["total"].n == 5
    assert impact_report(world.ipo)["total"].n == 10
    # asking for another agency changes nothing for a coordinator
    page = clients.coord_a.get(f"/welfare/impact/?agency={world.agency_b.pk}").content.decode()
    assert "Agency A Police" in page and "Agency B Police" not in page and "5 answers" in page


def test_a_coordinator_whose_agency_has_few_answers_sees_nothing_even_when_the_program_has_many(world, clients):
    answers_from(world.agency_a, 4)
    answers_from(world.agency_b, 9)
    assert impact_report(world.ipo)["total"].shown
    assert not impact_report(world.coord_a)["total"].shown
    assert "Fewer than 5 answers" in clients.coord_a.get("/welfare/impact/").content.decode()


def test_ipo_staff_may_look_at_one_agency_and_unknown_values_are_ignored(world, clients):
    answers_from(world.agency_a, 5)
    answers_from(world.agency_b, 2)
    assert impact_report(world.ipo, agency_id=world.agency_b.pk)["total"].shown is False
    assert "Fewer than 5 answers" in clients.ipo.get(f"/welfare/impact/?agency={world.agency_b.pk}").content.decode()
    for bad in ("?agency=abc", "?agency=999999", "?agency="):
        response = clients.ipo.get(f"/welfare/impact/{bad}")
        assert response.status_code == 200 and "7 answers" in response.content.decode()


def test_officers_have_no_report(world, clients):
    answers_from(world.agency_a, 6)
    assert clients.officer_x.get("/welfare/impact/").status_code == 403
    assert impact_report(world.user_x)["total"].n == 0


# --- over time -----------------------------------------------------------------------------------------------

def test_years_with_fewer_than_five_answers_are_hidden(world):
    answers_from(world.agency_a, 6, ended_on=dt.date(2024, 6, 1))
    answers_from(world.agency_a, 7, ended_on=dt.date(2023, 6, 1))
    answers_from(world.agency_a, 2, ended_on=dt.date(2022, 6, 1), go_again="no")
    years = {y.year: y for y in impact_report(world.ipo)["years"]}
    assert years[2022].shown is False and years[2022].go_again == {}
    # 2022's 2 answers alone would be the total minus the other years: the smallest other year goes too
    assert years[2024].shown is False and years[2023].shown is True


def test_the_second_suppression_stops_once_the_hidden_years_hold_five():
    years = [Figures(n=n, shown=n >= 5, year=year) for year, n in ((2020, 3), (2021, 6), (2022, 9), (2023, 1))]
    suppress_years(years, k=5, total_shown=True)
    assert [y.shown for y in years] == [False, False, True, False]  # hidden: 3 + 1 + 6 = 10
    years = [Figures(n=n, shown=n >= 5, year=year) for year, n in ((2020, 5), (2021, 6))]
    suppress_years(years, k=5, total_shown=True)
    assert all(y.shown for y in years)  # nothing hidden, nothing to protect


def test_the_years_table_and_chart_show_only_the_years_shown(world, clients):
    answers_from(world.agency_a, 5, ended_on=dt.date(2024, 6, 1))
    answers_from(world.agency_a, 6, ended_on=dt.date(2023, 6, 1))
    answers_from(world.agency_a, 5, ended_on=dt.date(2021, 6, 1))
    page = clients.ipo.get("/welfare/impact/").content.decode()
    assert page.count('data-shown="yes"') == 3 and "2023–24" in page


# --- comments ------------------------------------------------------------------------------------------------

def test_ipo_staff_read_only_the_comments_officers_agreed_to_share(world, clients):
    answers_from(world.agency_a, 3, comments="Shared thought", comments_shareable=True)
    answers_from(world.agency_a, 2, comments="Private thought", comments_shareable=False)
    report = impact_report(world.ipo)
    assert report["comments"] == ["Shared thought"] * 3
    page = clients.ipo.get("/welfare/impact/").content.decode()
    assert "Shared thought" in page and "Private thought" not in page


def test_coordinators_never_read_comments(world, clients):
    answers_from(world.agency_a, 6, comments="Shared thought", comments_shareable=True)
    assert impact_report(world.coord_a)["comments"] == []
    assert "Shared thought" not in clients.coord_a.get("/welfare/impact/").content.decode()


def test_no_comment_below_five_answers(world):
    answers_from(world.agency_a, 4, comments="Shared thought", comments_shareable=True)
    assert impact_report(world.ipo)["comments"] == []


def test_the_page_never_names_an_officer_nor_their_mission(world, clients):
    rows = answers_from(world.agency_a, 6, comments="Shared thought", comments_shareable=True)
    page = clients.ipo.get("/welfare/impact/").content.decode()
    for row in rows:
        assert row.officer.last_name not in page and row.officer.email not in page
    assert "BINUH" not in page


# session + user, the agencies of the filter, the figures by fiscal year, the comments (IPO staff)
@pytest.mark.parametrize("persona,queries", [("ipo", 5), ("coord_a", 4)])
@pytest.mark.parametrize("rows", [5, 30])
def test_the_report_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, persona, queries,
                                                      rows):
    for i in range(rows):
        answered(f.OfficerFactory(agency=world.agency_a), ended_on=dt.date(2020 + i % 5, 6, 1),
                 comments="c", comments_shareable=True)
    with django_assert_num_queries(queries):
        assert getattr(clients, persona).get("/welfare/impact/").status_code == 200
