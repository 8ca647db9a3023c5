"""Fiscal years and claim periods.

The federal fiscal year runs from April to March (`ROSTER["FISCAL_YEAR_START_MONTH"]`, 4): fiscal
year 2025 is 1 April 2025 to 31 March 2026, written "2025–2026". Claims are filed per period of
`ROSTER["CLAIM_PERIOD_MONTHS"]` months (3: a quarter), counted from the start of the fiscal year,
so periods never straddle two fiscal years. A deployment's periods are those that overlap its
dates, cut to them: the first starts on the arrival (or the planned start), the last ends on the
day the tour ends (or is planned to end). A period may be claimed once it has begun.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

ONE_DAY = timedelta(days=1)


def start_month() -> int:
    return settings.ROSTER["FISCAL_YEAR_START_MONTH"]


def period_months() -> int:
    months = settings.ROSTER["CLAIM_PERIOD_MONTHS"]
    if months not in (1, 2, 3, 4, 6, 12):
        raise ValueError("ROSTER['CLAIM_PERIOD_MONTHS'] must divide a year (1, 2, 3, 4, 6 or 12)")
    return months


def fiscal_year_of(day: date) -> int:
    """The year in which the fiscal year holding `day` begins."""
    return day.year if day.month >= start_month() else day.year - 1


def fiscal_year_label(year: int) -> str:
    """2025 -> "2025–2026" (the same in both languages)."""
    return f"{year}\u2013{year + 1}"


def fiscal_year_bounds(year: int) -> tuple[date, date]:
    """First and last day of fiscal year `year`."""
    first = date(year, start_month(), 1)
    return first, _add_months(first, 12).replace(day=1) - ONE_DAY


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def fiscal_year(self) -> int:
        return fiscal_year_of(self.start)

    @property
    def key(self) -> str:
        return self.start.isoformat()


def grid_period_of(day: date) -> Period:
    """The whole period (not cut to any tour) that holds `day`."""
    months = period_months()
    fy_start = date(fiscal_year_of(day), start_month(), 1)
    offset = ((day.year - fy_start.year) * 12 + day.month - fy_start.month) // months * months
    first = _add_months(fy_start, offset)
    return Period(first, _add_months(first, months) - ONE_DAY)


def deployment_periods(deployment, *, today: date) -> list[Period]:
    """The periods of a tour that may be claimed by `today`: those overlapping the tour's dates,
    cut to them, that have begun. A tour that has not begun (planned) or never did (cancelled)
    has none."""
    if deployment.status in ("planned", "cancelled"):
        return []
    first_day = deployment.effective_start_date
    last_day = deployment.actual_end_date or deployment.planned_end_date
    periods = []
    day = first_day
    while day <= last_day and day <= today:
        whole = grid_period_of(day)
        periods.append(Period(max(whole.start, first_day), min(whole.end, last_day)))
        day = whole.end + ONE_DAY
    return periods
