"""The panels the ledger adds to the dashboard and the home pages (roster.home_hooks): the fiscal
year's cost-recovery totals, partner agencies over time, and what awaits IPO staff. Each is kept until a
change is recorded (roster.freshness): the counts below are a first view's (the change stamp, then the
panel's own queries) and a kept view's (the stamp alone)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from agencies.models import Agency, PartnerRequest
from ledger import selectors
from roster.home_hooks import _DASHBOARD_PROVIDERS, _PROVIDERS
from tests import factories as f

from .conftest import Q1, Q2, Q3, file_claim, move

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 11, 15)  # fiscal year 2024-2025


@pytest.fixture
def claims(tours):
    w = tours
    w.paid = move(move(file_claim(w.tour_x, w.coord_a, period_start=Q2), "approved", w.ipo), "paid", w.ipo)
    w.pending = file_claim(w.tour_x, w.coord_a, period_start=Q3)
    w.old = file_claim(w.tour_x, w.coord_a, period_start=Q1)  # fiscal year 2023-2024
    w.b_pending = file_claim(w.tour_y, w.coord_b, period_start=Q2)
    return w


def test_the_ledger_registers_its_panels():
    assert _DASHBOARD_PROVIDERS["ledger"] is selectors.dashboard_panel
    assert _DASHBOARD_PROVIDERS["partners"] is selectors.partners_panel
    assert _PROVIDERS["ledger"] is selectors.home_panel


def test_the_dashboard_shows_the_fiscal_years_totals_of_what_the_user_may_see(claims, django_assert_num_queries):
    each = Decimal("27734.75")
    with django_assert_num_queries(2):
        program = selectors.dashboard_panel(claims.ipo, today=TODAY)
    with django_assert_num_queries(1):
        assert selectors.dashboard_panel(claims.ipo, today=TODAY) == program
    balance = program["context"]["ledger_balance"]
    assert (balance.claimed, balance.paid, balance.pending, balance.pending_count) == (3 * each, each, 2 * each, 2)
    agency_b = selectors.dashboard_panel(claims.coord_b, today=TODAY)["context"]["ledger_balance"]
    assert (agency_b.claimed, agency_b.paid) == (each, 0)
    html = render_to_string(program["template"], program["context"])
    assert "Cost recovery, fiscal year 2024\u20132025" in html and "$83,204.25" in html
    assert selectors.dashboard_panel(claims.user_x, today=TODAY) is None


def test_partners_over_time_counts_the_partners_by_the_year_they_joined(db, django_assert_num_queries):
    for year, n in ((1995, 2), (2001, 1), (2019, 3)):
        for i in range(n):
            f.AgencyFactory(slug=f"p-{year}-{i}", partner_since=dt.date(year, 6, 1))
    f.AgencyFactory(slug="rcmp", kind=Agency.Kind.RCMP, partner_since=dt.date(1989, 1, 1))
    f.AgencyFactory(slug="gone", is_partner=False, partner_since=dt.date(2001, 1, 1))
    ipo = f.IpoStaffFactory()
    with django_assert_num_queries(2):
        panel = selectors.partners_panel(ipo, today=TODAY)
    with django_assert_num_queries(1):
        assert selectors.partners_panel(ipo, today=TODAY) == panel
    assert panel["context"]["partner_years"] == [
        {"year": 1995, "joined": 2, "total": 2}, {"year": 2001, "joined": 1, "total": 3},
        {"year": 2019, "joined": 3, "total": 6}]
    with translation.override("fr"):
        html = render_to_string(panel["template"], panel["context"])
    assert 'id="chart-partners-title"' in html and "<th scope=\"row\">2019</th>" in html
    assert selectors.partners_panel(f.UserFactory(), today=TODAY) is None


def test_the_home_panel_counts_what_awaits_ipo_staff(claims, django_assert_num_queries):
    PartnerRequest.objects.create(name="Lakeview Police", kind="regional", province="ON", contact_name="S W",
                                  contact_email="sw@example.test", officers_interested=3)
    with django_assert_num_queries(3):
        panel = selectors.home_panel(claims.ipo, today=TODAY)
    with django_assert_num_queries(1):
        assert selectors.home_panel(claims.ipo, today=TODAY) == panel
    assert panel["attention"] == 4  # three claims to review, one request to join
    html = render_to_string(panel["template"], panel["context"])
    assert "3 claims await review" in html and "1 request to join the program awaits a decision" in html
    coordinator = selectors.home_panel(claims.coord_a, today=TODAY)
    assert coordinator["attention"] == 0 and "partner_requests_pending" not in coordinator["context"]
    assert selectors.home_panel(claims.user_x, today=TODAY) is None


def test_a_kept_panel_shows_a_recorded_change_on_the_next_view(claims):
    """Claims, requests to join and agencies are in the audit trail: each change gives a new stamp."""
    home = selectors.home_panel(claims.ipo, today=TODAY)
    dashboard = selectors.dashboard_panel(claims.ipo, today=TODAY)
    assert (home["attention"], dashboard["context"]["ledger_balance"].pending_count) == (3, 2)
    move(claims.pending, "approved", claims.ipo)
    assert selectors.home_panel(claims.ipo, today=TODAY)["attention"] == 2
    assert selectors.dashboard_panel(claims.ipo, today=TODAY)["context"]["ledger_balance"].pending_count == 1
    PartnerRequest.objects.create(name="Lakeview Police", kind="regional", province="ON", contact_name="S W",
                                  contact_email="sw@example.test", officers_interested=3)
    assert selectors.home_panel(claims.ipo, today=TODAY)["attention"] == 3


def test_a_new_partner_shows_in_the_kept_partners_panel(db):
    ipo = f.IpoStaffFactory()
    f.AgencyFactory(slug="p-1", partner_since=dt.date(2001, 6, 1))
    assert selectors.partners_panel(ipo, today=TODAY)["context"]["partner_total"] == 1
    f.AgencyFactory(slug="p-2", partner_since=dt.date(2019, 6, 1))
    assert selectors.partners_panel(ipo, today=TODAY)["context"]["partner_total"] == 2


def test_a_kept_panel_is_never_another_agencys_or_the_programs(claims):
    """Kept per scope: each coordinator sees their own agency's claims, whatever was kept before."""
    each = Decimal("27734.75")
    program = selectors.dashboard_panel(claims.ipo, today=TODAY)["context"]["ledger_balance"]
    agency_a = selectors.dashboard_panel(claims.coord_a, today=TODAY)["context"]["ledger_balance"]
    agency_b = selectors.dashboard_panel(claims.coord_b, today=TODAY)["context"]["ledger_balance"]
    assert (program.claimed, agency_a.claimed, agency_b.claimed) == (3 * each, 2 * each, each)
    assert selectors.home_panel(claims.coord_b, today=TODAY)["context"]["ledger_balance"].pending_count == 1
    # the home panel counts every year's: agency A's pending claim and the one of the year before
    assert selectors.home_panel(claims.coord_a, today=TODAY)["context"]["ledger_balance"].pending_count == 2
    assert "partner_requests_pending" not in selectors.home_panel(claims.coord_a, today=TODAY)["context"]


def test_with_the_cache_off_no_stamp_is_read(claims, settings, django_assert_num_queries):
    settings.ROSTER = {**settings.ROSTER, "FIGURES_CACHE_SECONDS": 0}
    for _ in range(2):
        with django_assert_num_queries(1):
            selectors.dashboard_panel(claims.ipo, today=TODAY)
