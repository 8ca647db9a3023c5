"""Server-rendered SVG charts (no JavaScript). Python computes the geometry; the partials in
templates/roster/partials/chart_*.html draw it. Every chart is `role="img"` with a <title> and a
<desc>, and the page shows the same numbers in a table.

Coordinates are formatted here as plain strings, so a French locale never turns 12.5 into 12,5
inside an SVG attribute.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from agencies.templatetags.ui import percent
from config.typography import label_value

register = template.Library()

STATUS_COLOURS = {
    # dark enough for 3:1 against white (WCAG non-text contrast)
    "planned": "#0a58ca",
    "in_mission": "#146c43",
    "completed": "#6c757d",
    "repatriated": "#a04000",
}
PRIMARY = "#1f3a5f"
SECONDARY = "#5b8ac7"
TARGET = "#212529"


def n(value: float) -> str:
    """An SVG number: a dot for decimals, at most one decimal place."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


# --- horizontal bars -------------------------------------------------------------------------


@register.inclusion_tag("roster/partials/chart_bars.html")
def bar_chart(bars, chart_id, title, desc="", max_value=None, unit="", primary_label="", secondary_label="",
              target_label=""):
    """Horizontal bars. `bars`: dicts with `label`, `value`, optional `secondary` (stacked after the
    value, lighter), optional `target` (a dashed marker) and `text` (written at the end of the row)."""
    label_w, chart_w, text_w, row_h, top = 110, 400, 300, 30, 8
    bars = list(bars)
    scale_max = max_value or max(
        [1] + [max(b.get("value", 0) + b.get("secondary", 0), b.get("target") or 0) for b in bars]
    )
    rows = []
    for i, bar in enumerate(bars):
        y = top + i * row_h
        value = bar.get("value", 0) or 0
        secondary = bar.get("secondary", 0) or 0
        target = bar.get("target")
        w_value = chart_w * min(value, scale_max) / scale_max
        w_secondary = chart_w * min(secondary, max(0, scale_max - value)) / scale_max
        row = {
            "label": bar["label"],
            "text": bar.get("text", ""),
            "y": n(y + 4),
            "h": n(row_h - 10),
            "text_y": n(y + row_h / 2 + 1),
            "x0": n(label_w),
            "w_value": n(w_value),
            "x_secondary": n(label_w + w_value),
            "w_secondary": n(w_secondary),
            "has_secondary": secondary > 0,
            "has_target": target is not None,
            "target_x": n(label_w + chart_w * min(target or 0, scale_max) / scale_max),
            "target_y1": n(y + 1),
            "target_y2": n(y + row_h - 3),
        }
        rows.append(row)
    if not desc:
        desc = "; ".join(label_value(b["label"], b.get("text", b.get("value", 0))) for b in bars)
    height = top + row_h * len(bars) + 26
    legend_y = top + row_h * len(bars) + 10
    return {
        "chart_id": chart_id,
        "title": title,
        "desc": desc,
        "rows": rows,
        "width": label_w + chart_w + text_w,
        "height": n(height),
        "text_x": n(label_w + chart_w + 8),
        "label_x": n(label_w - 8),
        "axis_x": n(label_w),
        "axis_y2": n(top + row_h * len(bars)),
        "legend_y": n(legend_y),
        "legend_text_y": n(legend_y + 10),
        "primary_label": primary_label,
        "secondary_label": secondary_label,
        "target_label": target_label,
        "primary": PRIMARY,
        "secondary": SECONDARY,
        "target": TARGET,
        "unit": unit,
    }


# --- one bar split in shares -----------------------------------------------------------------


@register.inclusion_tag("roster/partials/chart_stacked.html")
def share_chart(segments, chart_id, title, desc=""):
    """One bar split in shares. `segments`: (label, value) pairs; colours alternate dark / light."""
    width, bar_h = 600, 36
    segments = [(label, value or 0) for label, value in segments]
    total = sum(v for _, v in segments)
    colours = [PRIMARY, SECONDARY, "#8a6d00", "#6c757d"]
    parts, x = [], 0.0
    for i, (label, value) in enumerate(segments):
        w = width * value / total if total else 0
        share = round(100 * value / total, 1) if total else 0
        parts.append(
            {
                "label": label,
                "value": value,
                "share": n(share),
                "share_text": percent(share, 1),  # "57.8%", « 57,8 % »
                "legend": label_value(label, f"{formats.localize(value)} ({percent(share, 1)})"),
                "x": n(x),
                "w": n(w),
                "mid": n(x + w / 2),
                "colour": colours[i % len(colours)],
                "text_colour": "#ffffff" if i % 2 == 0 else "#000000",
                "show_text": w >= 90,
                "legend_x": n(i * 220),
            }
        )
        x += w
    if not desc:
        desc = "; ".join(p["legend"] for p in parts)
    return {
        "chart_id": chart_id,
        "title": title,
        "desc": desc,
        "parts": parts,
        "width": width,
        "bar_h": bar_h,
        "text_y": n(bar_h / 2 + 5),
        "legend_y": bar_h + 12,
        "legend_text_y": bar_h + 22,
        "height": bar_h + 30,
        "empty": total == 0,
        "empty_text": _("No officers deployed"),
    }


# --- Gantt ----------------------------------------------------------------------------------


def _year_ticks(start: date, end: date) -> list[date]:
    years = range(start.year + 1, end.year + 1)
    ticks = [date(y, 1, 1) for y in years]
    if len(ticks) <= 2:  # a short range: quarters
        ticks = [
            date(y, m, 1)
            for y in range(start.year, end.year + 1)
            for m in (1, 4, 7, 10)
            if start < date(y, m, 1) <= end
        ]
    return ticks


@register.inclusion_tag("roster/partials/chart_timeline.html")
def gantt_chart(deployments, chart_id, title, desc="", today=None):
    """One row per deployment from its start to its end, coloured by status, with a line at today."""
    label_w, chart_w, row_h, top = 190, 640, 22, 28
    deployments = [d for d in deployments if d.status != "cancelled"]  # called off: never on the ground
    today = today or timezone.localdate()
    if deployments:
        first = min(d.effective_start_date for d in deployments)
        last = max(d.end_date for d in deployments)
    else:
        first = last = today
    first = min(first, today) - timedelta(days=15)
    last = max(last, today) + timedelta(days=15)
    span = max(1, (last - first).days)

    def x_of(day: date) -> float:
        return label_w + chart_w * (day - first).days / span

    rows = []
    for i, d in enumerate(deployments):
        y = top + i * row_h
        x1, x2 = x_of(d.effective_start_date), x_of(d.end_date)
        rows.append(
            {
                "label": d.officer.full_name,
                "status": d.status,
                "status_label": d.get_status_display(),
                "start": d.effective_start_date,
                "end": d.end_date,
                "x": n(x1),
                "w": n(max(2.0, x2 - x1)),
                "y": n(y + 4),
                "h": n(row_h - 8),
                "text_y": n(y + row_h / 2 + 4),
                "colour": STATUS_COLOURS.get(d.status, PRIMARY),
                "dashed": d.status == "planned",
            }
        )
    height = top + row_h * max(1, len(deployments)) + 48
    ticks = [{"x": n(x_of(t)), "label": f"{t:%Y-%m}" if t.month != 1 else f"{t:%Y}"} for t in _year_ticks(first, last)]
    legend = [
        {"label": label, "colour": STATUS_COLOURS[key], "x": n(label_w + i * 140), "dashed": key == "planned"}
        for i, (key, label) in enumerate(
            (
                ("planned", _("Planned")),
                ("in_mission", _("In mission")),
                ("completed", _("Completed")),
                ("repatriated", _("Repatriated")),
            )
        )
    ]
    rows_bottom = top + row_h * max(1, len(deployments))
    return {
        "chart_id": chart_id,
        "title": title,
        "desc": desc,
        "rows": rows,
        "width": label_w + chart_w + 10,
        "height": n(height),
        "label_x": n(label_w - 6),
        "ticks": ticks,
        "tick_y1": n(top - 6),
        "tick_y2": n(rows_bottom),
        "today_x": n(x_of(today)),
        "today_label": _("Today"),
        "today_y1": n(top - 4),
        "today_y2": n(rows_bottom + 4),
        "today_text_y": n(rows_bottom + 16),
        "legend": legend,
        "legend_y": n(rows_bottom + 26),
        "legend_text_y": n(rows_bottom + 36),
    }
