"""The forecast chart's geometry (server-rendered SVG, no JavaScript): one column per month, the month's
lowest strength, its sure part dark and its expected part light above, with a line at the authorised
strength (the ceiling for the program) and a dashed line at the alert share. The page shows the same
figures in the table right after the chart. Coordinates are plain strings (a French locale never
writes 12,5 into an SVG attribute)."""

from __future__ import annotations

from django.utils import formats

from roster.templatetags.charts import PRIMARY, SECONDARY, TARGET, n

from .selectors import Series

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 720, 240, 44, 12, 14, 44


def chart(series: Series, *, share: int | None = None) -> dict:
    points = series.months()
    top_value = max([series.authorised, series.peak(), 1] + [p.first.total for p in points])
    scale = top_value * 1.1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    slot = plot_w / max(1, len(points))

    def y(value: float) -> float:
        return base - plot_h * value / scale

    columns = []
    for i, p in enumerate(points):
        x = LEFT + i * slot + slot * 0.15
        w = slot * 0.7
        y_sure, y_total = y(p.low.sure), y(p.low.total)
        columns.append({
            "x": n(x), "w": n(w),
            "sure_y": n(y_sure), "sure_h": n(base - y_sure),
            "exp_y": n(y_total), "exp_h": n(y_sure - y_total), "has_expected": p.low.expected > 0,
            "label": formats.date_format(p.month, "M"), "label_x": n(x + w / 2), "label_y": n(base + 16),
            "year": p.month.year if (i == 0 or p.month.month == 1) else "", "year_y": n(base + 30),
            "value_y": n(y_total - 4), "value": p.low.total,
        })
    ticks = []
    step = max(1, round(scale / 5))
    for v in range(0, int(scale) + 1, step):
        ticks.append({"y": n(y(v)), "label": v, "text_y": n(y(v) + 4)})
    lines = {
        "authorised_y": n(y(series.authorised)) if series.authorised else "",
        "share_y": n(y(series.authorised * share / 100)) if share and series.authorised else "",
    }
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right_x": WIDTH - RIGHT, "base_y": n(base),
        "columns": columns, "ticks": ticks, "tick_label_x": LEFT - 6, **lines,
        "primary": PRIMARY, "secondary": SECONDARY, "target": TARGET,
    }
