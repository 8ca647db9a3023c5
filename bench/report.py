"""Plain-text tables for the benchmark's output (and for pasting into the README)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values, p):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *, right: Sequence[int] = ()) -> list[str]:
    """Columns padded to their widest cell; the columns in `right` are right-aligned (numbers).
    Returns the lines: header, a rule of dashes, then one line per row."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    for row in cells:
        if len(row) != len(headers):
            raise ValueError(f"A row has {len(row)} cells, the header {len(headers)}: {row}")
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    return [line(cells[0]), "  ".join("-" * w for w in widths), *(line(r) for r in cells[1:])]


def number(value: float | None, digits: int = 0) -> str:
    """A figure for a table: thousands separated, `-` when there is none."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:,.{digits}f}"


def percent_of(value: float | None, floor: float | None) -> str:
    if not value or not floor:
        return "-"
    share = 100 * value / floor
    return f"{share:.1f}%" if share < 10 else f"{share:.0f}%"


PAGE_HEADERS = ("role", "page", "status", "req/s", "p50 ms", "p99 ms", "% of floor", "queries", "KiB")


def page_rows(results, floor_rate: float | None) -> list[list[str]]:
    """`results`: dicts with role, page, status, rate, p50, p99, queries, bytes (and errors)."""
    rows = []
    for r in results:
        status = str(r["status"]) + (f" ({r['errors']} err)" if r.get("errors") else "")
        rows.append([
            r["role"], r["page"], status, number(r["rate"], 0 if r["rate"] >= 100 else 1),
            number(r["p50"], 1), number(r["p99"], 1),
            "floor" if r.get("is_floor") else percent_of(r["rate"], floor_rate),
            "-" if r.get("queries") is None else str(r["queries"]),
            "-" if r.get("bytes") is None else number(r["bytes"] / 1024),
        ])
    return rows


def page_table(results, floor_rate: float | None) -> list[str]:
    return table(PAGE_HEADERS, page_rows(results, floor_rate), right=(3, 4, 5, 6, 7, 8))
