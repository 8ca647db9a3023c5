"""The strength forecast pages: the program and every mission (IPO staff; coordinators see the program's
figures and the women shares, without a mission's plan; officers 403), and one mission's forecast day
by day (IPO staff). Constant queries, whatever the number of deployments."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from agencies.access import require
from missions.models import Mission

from . import selectors
from .charts import chart
from .permissions import can_see_forecast, can_see_mission_forecasts


def _long(day) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def month_rows(series, share_threshold: int | None = None) -> list[dict]:
    rows = []
    for p in series.months():
        rows.append({
            "month": formats.date_format(p.month, "YEAR_MONTH_FORMAT"),
            "first_day": _long(p.first.day),
            "sure": p.first.sure, "expected": p.first.expected, "total": p.first.total,
            "low": p.low.total, "low_sure": p.low.sure, "low_day": _long(p.low.day),
            "below": share_threshold is not None and p.low.total < share_threshold,
        })
    return rows


def section(series, *, key: str, title: str, authorised_label: str, share: int | None, threshold: int | None):
    return {
        "key": key,
        "title": title,
        "chart": chart(series, share=share),
        "aria": _("%(title)s: the lowest forecast strength in each month, sure and expected, against "
                  "%(label)s of %(n)s. The figures are in the table that follows.")
        % {"title": title, "label": authorised_label, "n": series.authorised},
        "rows": month_rows(series, threshold),
        "authorised": series.authorised,
        "authorised_label": authorised_label,
        "today": series.on(series.today),
    }


def _threshold(share: int, authorised: int) -> int:
    return -(-share * authorised // 100)


@login_required
def forecast_page(request):
    require(can_see_forecast, request.user)
    today = timezone.localdate()
    rules = selectors.rules()
    staff = can_see_mission_forecasts(request.user)
    fc = selectors.forecast(today=today)
    context = {
        "staff": staff, "today": today, "rules": rules, "end": fc.end,
        "shares": selectors.women_shares(today=today),
        "program": section(fc.program, key="program", title=_("The program"), authorised_label=_("the ceiling"),
                           share=None, threshold=None),
    }
    if staff:
        lead = selectors.lead_time(today=today)
        advice = selectors.rotation_advice(fc, lead=lead)
        selectors.pool_supply(advice, today=today)
        women = selectors.women_deployed_by_mission()
        missions = []
        for mf in fc.missions:
            if mf.mission.status == Mission.Status.CLOSED and not mf.series.peak():
                continue
            sec = section(mf.series, key=f"m{mf.mission.pk}", title=f"{mf.mission.code} · {mf.mission.name}",
                          authorised_label=_("the authorised strength"), share=rules["share"],
                          threshold=_threshold(rules["share"], mf.authorised))
            sec.update({"mission": mf.mission, "open_bulletins": mf.open_bulletins,
                        "women": women.get(mf.mission.pk),
                        "url": reverse("planning:forecast-mission", args=[mf.mission.pk])})
            missions.append(sec)
        context.update({
            "lead": lead, "advice": advice, "alerts": selectors.alerts(advice), "missions": missions,
            "pool": selectors.pool_by_language(by=today),
        })
    return render(request, "planning/forecast/forecast.html", context)


@login_required
def forecast_mission(request, pk: int):
    mission = get_object_or_404(Mission, pk=pk)
    require(can_see_mission_forecasts, request.user)
    today = timezone.localdate()
    rules = selectors.rules()
    fc = selectors.forecast(today=today)
    mf = fc.mission(mission.pk)
    lead = selectors.lead_time(today=today)
    advice = [a for a in selectors.rotation_advice(fc, lead=lead) if a.mission.pk == mission.pk]
    selectors.pool_supply(advice, today=today)
    threshold = _threshold(rules["share"], mf.authorised)
    changes = [
        {"day": _long(c.day), "sure": c.sure, "expected": c.expected, "total": c.total,
         "below": bool(mf.authorised) and c.total < threshold}
        for c in mf.series.changes()
    ]
    return render(request, "planning/forecast/mission.html", {
        "mission": mission, "rules": rules, "today": today, "end": fc.end, "lead": lead,
        "advice": advice[0] if advice else None, "threshold": threshold, "changes": changes,
        "open_bulletins": mf.open_bulletins,
        "sec": section(mf.series, key="mission", title=f"{mission.code} · {mission.name}",
                       authorised_label=_("the authorised strength"), share=rules["share"], threshold=threshold),
    })
