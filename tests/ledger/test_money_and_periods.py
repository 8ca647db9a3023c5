"""Amounts as each language writes them, and the fiscal years and claim periods."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from ledger import periods
from ledger.money import format_money
from tests import factories as f

NBSP = "\u00a0"


@pytest.mark.parametrize(("value", "en", "fr"), [
    (Decimal("1234.56"), "$1,234.56", f"1{NBSP}234,56{NBSP}$"),
    (Decimal("0"), "$0.00", f"0,00{NBSP}$"),
    (Decimal("999.5"), "$999.50", f"999,50{NBSP}$"),
    (Decimal("1234567.891"), "$1,234,567.89", f"1{NBSP}234{NBSP}567,89{NBSP}$"),
    (Decimal("-45.10"), "-$45.10", f"-45,10{NBSP}$"),
    (Decimal("0.005"), "$0.01", f"0,01{NBSP}$"),  # half a cent rounds up, exactly (no float)
    (100, "$100.00", f"100,00{NBSP}$"),
    ("2500.4", "$2,500.40", f"2{NBSP}500,40{NBSP}$"),
])
def test_an_amount_is_written_as_each_language_writes_it(value, en, fr):
    assert format_money(value, "en") == en
    assert format_money(value, "fr") == fr


def test_a_missing_amount_is_empty_and_a_float_is_not_expanded():
    assert format_money(None) == "" and format_money("") == ""
    assert format_money(0.1 + 0.2, "en") == "$0.30"


@pytest.mark.parametrize(("language", "expected"), [("en", "$1,234.56"), ("fr", f"1{NBSP}234,56{NBSP}$")])
def test_the_template_filter_follows_the_active_language(language, expected):
    template = Template("{% load money %}{{ amount|money }}")
    with translation.override(language):
        assert template.render(Context({"amount": Decimal("1234.56")})) == expected


def test_the_fiscal_year_runs_from_april_to_march():
    assert periods.fiscal_year_of(dt.date(2025, 3, 31)) == 2024
    assert periods.fiscal_year_of(dt.date(2025, 4, 1)) == 2025
    assert periods.fiscal_year_label(2025) == "2025\u20132026"
    assert periods.fiscal_year_bounds(2025) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))


def test_quarters_are_counted_from_april():
    assert periods.grid_period_of(dt.date(2025, 2, 10)) == periods.Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert periods.grid_period_of(dt.date(2025, 5, 31)) == periods.Period(dt.date(2025, 4, 1), dt.date(2025, 6, 30))


def test_the_period_length_is_a_setting(settings):
    settings.ROSTER = {**settings.ROSTER, "CLAIM_PERIOD_MONTHS": 1}
    assert periods.grid_period_of(dt.date(2025, 2, 10)) == periods.Period(dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    settings.ROSTER = {**settings.ROSTER, "CLAIM_PERIOD_MONTHS": 5}
    with pytest.raises(ValueError):
        periods.grid_period_of(dt.date(2025, 2, 10))


def _tour(**kwargs):
    return f.DeploymentFactory.build(**{"start_date": dt.date(2024, 1, 15), "planned_end_date": dt.date(2024, 12, 20),
                                        "status": "completed", **kwargs})


@pytest.mark.django_db
def test_a_tours_periods_are_the_quarters_it_overlaps_cut_to_its_dates():
    got = periods.deployment_periods(_tour(actual_end_date=dt.date(2024, 11, 5)), today=dt.date(2026, 1, 1))
    assert [(p.start, p.end) for p in got] == [
        (dt.date(2024, 1, 15), dt.date(2024, 3, 31)),
        (dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
        (dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
        (dt.date(2024, 10, 1), dt.date(2024, 11, 5)),
    ]
    assert [p.fiscal_year for p in got] == [2023, 2024, 2024, 2024]


@pytest.mark.django_db
def test_only_periods_that_have_begun_and_only_tours_that_began_are_claimable():
    tour = _tour(status="in_mission", planned_end_date=dt.date(2025, 1, 10))
    assert [p.start for p in periods.deployment_periods(tour, today=dt.date(2024, 4, 1))] == [
        dt.date(2024, 1, 15), dt.date(2024, 4, 1)]
    assert periods.deployment_periods(tour, today=dt.date(2024, 1, 14)) == []
    assert periods.deployment_periods(_tour(status="planned"), today=dt.date(2026, 1, 1)) == []
    assert periods.deployment_periods(_tour(status="cancelled"), today=dt.date(2026, 1, 1)) == []
