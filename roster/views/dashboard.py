"""The roster dashboard and mission timelines. Strength is the whole program's for everyone
(with a coordinator's agency's share apart); the other figures are a coordinator's agency's."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import get_visible_or_404, role_required
from agencies.templatetags.ui import percent as format_percent
from missions.selectors import mission_visible_to

from ..dashboard import bulletins_for_export, dashboard_summary, mission_timeline


@role_required("ipo_staff", "coordinator")
def dashboard(request):
    context = dashboard_summary(request.user)
    today = context["today"]
    context["bulletins"] = bulletins_for_export(request.user)
    context.update(_charts(context))
    # the deployments export form starts with this year so far
    context["range_start"] = request.GET.get("start") or date(today.year, 1, 1).isoformat()
    context["range_end"] = request.GET.get("end") or today.isoformat()
    return render(request, "roster/dashboard.html", context)


@login_required
def mission_timeline_view(request, mission_pk):
    mission = get_visible_or_404(mission_visible_to(request.user), pk=mission_pk)
    context = mission_timeline(request.user, mission, today=timezone.localdate())
    context["mission"] = mission
    return render(request, "roster/mission_timeline.html", context)


def percent(value) -> str:
    return format_percent(value, 1)


def _charts(c: dict) -> dict:
    """The charts' bars and their texts; the template draws them with roster.templatetags.charts."""
    program = c["program"]
    mission_bars = [
        {
            "label": row.mission.code,
            "value": row.strength.in_mission,
            "secondary": row.strength.planned,
            "target": row.strength.authorised,
            "text": _("%(deployed)s in mission, %(planned)s planned, of %(strength)s")
            % {"deployed": row.strength.in_mission, "planned": row.strength.planned,
               "strength": row.strength.authorised},
        }
        for row in c["missions"]
    ]
    ceiling_bars = [
        {
            "label": _("Program"),
            "value": program.in_mission,
            "secondary": program.planned,
            "target": program.authorised,
            "text": _("%(deployed)s in mission, %(planned)s planned, of %(ceiling)s")
            % {"deployed": program.in_mission, "planned": program.planned, "ceiling": program.authorised},
        }
    ]
    women_bars = [
        {
            "label": _("Deployed"),
            "value": c["women_pct"] or 0,
            "target": c["women_target"],
            "text": _("%(share)s (target %(target)s%%)")
            % {"share": percent(c["women_pct"]), "target": c["women_target"]},
        },
        {
            "label": _("Nominees"),
            "value": c["women_nominees_pct"] or 0,
            "target": c["women_nominee_target"],
            "text": _("%(share)s (target %(target)s%%)")
            % {"share": percent(c["women_nominees_pct"]), "target": c["women_nominee_target"]},
        },
    ]
    return {
        "mission_bars": mission_bars,
        "ceiling_bars": ceiling_bars,
        "women_bars": women_bars,
        "origin_segments": [(_("Partner agencies"), c["partner"]), (_("RCMP"), c["rcmp"])],
        "women_pct_text": percent(c["women_pct"]),
        "women_nominees_pct_text": percent(c["women_nominees_pct"]),
        "partner_pct_text": percent(c["partner_pct"]),
        "rcmp_pct_text": percent(c["rcmp_pct"]),
        "ceiling_pct_text": percent(program.pct_filled),
    }
