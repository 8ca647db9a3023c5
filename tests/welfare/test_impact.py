"""The impact report: aggregates only, a figure only when at least k (5) answers back it, a coordinator's
agency's answers only, comments for IPO staff only and only those the officers agreed to share."""

import datetime as dt
import re

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


def test_the_threshold_is_a_setting_that_may_raise_it_but_never_below_five(world, settings):
    settings.ROSTER = {**settings.ROSTER, "IMPACT_MIN_ANSWERS": 7}
    answers_from(world.agency_a, 6)
    assert not impact_report(world.ipo)["total"].shown
    answers_from(world.agency_a, 1)
    assert impact_report(world.ipo)["total"].shown
    # the questionnaire promises the officers at least four others' answers beside theirs
    settings.ROSTER = {**settings.ROSTER, "IMPACT_MIN_ANSWERS": 3}
    assert impact_report(world.ipo)["k"] == 5
    assert not impact_report(world.ipo, agency_id=world.agency_b.pk)["total"].shown
    answers_from(world.agency_b, 4)
    assert not impact_report(world.ipo, agency_id=world.agency_b.pk)["total"].shown


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


def test_an_agency_is_withheld_when_the_program_minus_the_agencies_shown_would_give_a_small_one_away(world, clients):
    agency_c = f.AgencyFactory()
    answers_from(world.agency_a, 6, leadership=1)
    answers_from(world.agency_b, 5, leadership=5)
    answers_from(agency_c, 2, leadership=3)
    # the program (13) minus A (6) minus B (5) would be C's two answers: B, the smaller, is withheld too
    assert impact_report(world.ipo)["total"].shown
    assert impact_report(world.ipo, agency_id=world.agency_a.pk)["total"].shown
    withheld = impact_report(world.ipo, agency_id=world.agency_b.pk)
    assert withheld["total"].shown is False and withheld["total"].withheld and withheld["total"].skills == []
    assert withheld["comments"] == [] and withheld["years"] == []
    assert impact_report(world.ipo, agency_id=agency_c.pk)["total"].shown is False
    page = clients.ipo.get(f"/welfare/impact/?agency={world.agency_b.pk}").content.decode()
    assert 'data-testid="impact-suppressed"' in page and "chart-skills" not in page
    assert "5 answers." not in page and 'data-testid="impact-count"' not in page  # not even the count
    # the coordinators of B see their own agency: nobody there can subtract it from the program
    assert impact_report(world.coord_b)["total"].shown


def test_ipo_staff_get_no_years_for_one_agency(world, clients):
    answers_from(world.agency_a, 5, ended_on=dt.date(2024, 6, 1))
    answers_from(world.agency_a, 5, ended_on=dt.date(2023, 6, 1))
    answers_from(world.agency_b, 3, ended_on=dt.date(2024, 6, 1))
    answers_from(f.AgencyFactory(), 6, ended_on=dt.date(2023, 6, 1))  # withheld beside B: A is shown
    # the program's 2024 (8) minus A's 2024 (5) would be B's three answers of that year
    assert impact_report(world.ipo, agency_id=world.agency_a.pk)["total"].shown
    assert impact_report(world.ipo, agency_id=world.agency_a.pk)["years"] == []
    assert [y.shown for y in impact_report(world.ipo)["years"]] == [True, True]
    page = clients.ipo.get(f"/welfare/impact/?agency={world.agency_a.pk}").content.decode()
    assert "chart-skills" in page and 'data-testid="years-table"' not in page
    assert 'data-testid="impact-no-years"' in page
    assert len(impact_report(world.coord_a)["years"]) == 2  # a coordinator's own agency, by year


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
    assert years[2024].withheld and years[2024].go_again == {} and not years[2022].withheld


def test_a_withheld_year_shows_not_even_its_count(world, clients):
    answers_from(world.agency_a, 6, ended_on=dt.date(2024, 6, 1))
    answers_from(world.agency_a, 7, ended_on=dt.date(2023, 6, 1))
    answers_from(world.agency_a, 2, ended_on=dt.date(2022, 6, 1))
    page = clients.ipo.get("/welfare/impact/").content.decode()
    cells = dict(re.findall(r'<th scope="row">(\d{4}–\d{2})</th><td class="text-end">([^<]*)</td>', page))
    # the total (15) minus 2023's 7 minus 2024's 6 would give 2022's count away
    assert cells == {"2022–23": "fewer than 5", "2023–24": "7", "2024–25": "—"}
    assert "cannot be worked out from the total" in page


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


# session + user, the agencies of the filter, the figures by fiscal year, the comments (IPO staff); for one
# agency: the agency asked for and the answers per agency too
@pytest.mark.parametrize("persona,query,queries", [("ipo", "", 5), ("coord_a", "", 4), ("ipo", "agency", 7)])
@pytest.mark.parametrize("rows", [5, 30])
def test_the_report_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, persona, query,
                                                      queries, rows):
    answers_from(world.agency_b, 5)
    for i in range(rows):
        answered(f.OfficerFactory(agency=world.agency_a), ended_on=dt.date(2020 + i % 5, 6, 1), comments="c",
                 comments_shareable=True)
    url = f"/welfare/impact/?agency={world.agency_a.pk}" if query else "/welfare/impact/"
    with django_assert_num_queries(queries):
        assert getattr(clients, persona).get(url).status_code == 200
