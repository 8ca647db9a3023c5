"""The roster dashboard and mission timelines. Strength is the whole program's for everyone
(with a coordinator's agency's share apart); the other figures are a coordinator's agency's.

The dashboard's rows are built here, once per page: their links, names, dates and state texts,
each label translated once (a per-row {% url %}, {% blocktranslate %} or date filter costs more
than the whole page's queries)."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.access import get_visible_or_404, role_required
from agencies.models import Clearance
from agencies.templatetags.ui import percent as format_percent
from config.pagination import url_for_each
from missions.selectors import mission_visible_to

from ..dashboard import bulletins_for_export, dashboard_summary, mission_timeline
from ..freshness import cached_figures
from ..home_hooks import dashboard_panels, render_panels


def short_date(value) -> str:
    """As the template's |date:"SHORT_DATE_FORMAT" writes a date, in the active language."""
    return dateformat.format(value, get_format("SHORT_DATE_FORMAT"))


def short_datetime(value) -> str:
    """As the template's |date:"SHORT_DATETIME_FORMAT" writes an aware moment: in the local time."""
    return dateformat.format(timezone.localtime(value), get_format("SHORT_DATETIME_FORMAT"))


def html_message(message: str, **values) -> SafeString:
    """A translated message that holds markup (as its {% blocktranslate %} did), its values escaped."""
    return mark_safe(message % {key: conditional_escape(value) for key, value in values.items()})


def dashboard_figures(user, today) -> dict:
    """The dashboard's figures, charts and table rows for `user` (what the template shows, less the
    panels and the export form's dates)."""
    context = dashboard_summary(user, today=today)
    context["bulletins"] = bulletins_for_export(user)
    context.update(_charts(context))
    context.update(_drawn(context))
    context.update(_rows(context))
    return context


def _drawn(c: dict) -> dict:
    """The charts drawn (roster.templatetags.charts' templates), once with the figures they are kept with,
    so that a kept view draws nothing."""
    from django.template.loader import render_to_string

    from ..templatetags.charts import bar_chart, share_chart

    def bars(*args, **kwargs) -> str:
        return render_to_string("roster/partials/chart_bars.html", bar_chart(*args, **kwargs))

    l_in, l_planned = _("In mission"), _("Planned")
    return {
        "missions_chart": bars(
            c["mission_bars"], "chart-missions",
            _("Officers in mission and planned, per mission, against the authorised strength"),
            primary_label=l_in, secondary_label=l_planned, target_label=_("Authorised strength")),
        "ceiling_chart": bars(
            c["ceiling_bars"], "chart-ceiling", _("Officers in mission and planned against the program ceiling"),
            primary_label=l_in, secondary_label=l_planned, target_label=_("Program ceiling")),
        "origin_chart": render_to_string("roster/partials/chart_stacked.html", share_chart(
            c["origin_segments"], "chart-origin", _("Officers in mission from partner agencies and from the RCMP"))),
        "women_chart": bars(
            c["women_bars"], "chart-women",
            _("Share of women among officers in mission and among nominees, against the UN targets"),
            max_value=100, primary_label=_("Share of women"), target_label=_("UN target")),
    }


@role_required("ipo_staff", "coordinator")
def dashboard(request):
    today = timezone.localdate()
    # worked out once per change of the data (roster.freshness): the figures over the whole history
    # cost far more than the page
    context = dict(cached_figures("dashboard", request.user, today, lambda: dashboard_figures(request.user, today)))
    # the deployments export form starts with this year so far
    context["range_start"] = request.GET.get("start") or date(today.year, 1, 1).isoformat()
    context["range_end"] = request.GET.get("end") or today.isoformat()
    context["panels_html"] = render_panels(request, dashboard_panels(request.user, today=today))
    return render(request, "roster/dashboard.html", context)


@login_required
def mission_timeline_view(request, mission_pk):
    mission = get_visible_or_404(mission_visible_to(request.user), pk=mission_pk)
    context = mission_timeline(request.user, mission, today=timezone.localdate())
    context["mission"] = mission
    return render(request, "roster/mission_timeline.html", context)


def percent(value) -> str:
    return format_percent(value, 1)


# The rows of the dashboard's two long tables (up to LIST_LIMIT each), written here as HTML fragments,
# every value escaped by format_html: as template rows, their hundreds of variables cost more than
# the rest of the page.
ENDING_ROW = ('<tr><th scope="row"><a href="{}">{}</a></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
              '<td class="text-end">{}</td></tr>')
CLEARANCE_ROW = '<tr><th scope="row"><a href="{}">{}</a></th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>'


def _rows(c: dict) -> dict:
    """The rows of the dashboard's tables, as the template writes them."""
    timeline = url_for_each("roster:mission-timeline")
    for row in c["missions"]:
        row.pct_text = percent(row.strength.pct_filled)
        row.timeline_url = timeline(row.mission.pk)
        row.timeline_text = html_message(
            _('<span class="visually-hidden">%(code)s </span>timeline'), code=row.mission.code
        )

    deployment = url_for_each("roster:deployment-detail")
    ending_rows = format_html_join("\n", ENDING_ROW, (
        (deployment(d.pk), d.officer.full_name, d.officer.agency.name, d.mission.code, d.role,
         short_date(d.planned_end_date), d.days_left)
        for d in c["ending_soon"]
    ))

    officer = url_for_each("agencies:officer-detail")
    kinds = dict(Clearance.Kind.choices)
    expired = format_html('<span class="badge text-bg-danger">{}</span>', _("Expired"))
    states: dict[int, str] = {}
    for clearance in c["clearances"]:
        days = clearance.days_left
        if days not in states:
            states[days] = expired if days < 0 else ngettext(
                "%(days)s day left", "%(days)s days left", days) % {"days": days}
    clearance_rows = format_html_join("\n", CLEARANCE_ROW, (
        (officer(cl.officer_id), cl.officer.full_name, cl.officer.agency.name, kinds.get(cl.kind, cl.kind),
         short_date(cl.valid_until), states[cl.days_left])
        for cl in c["clearances"]
    ))

    detail = url_for_each("missions:bulletin-detail")
    csv, xlsx = url_for_each("roster:export-applicants", "csv"), url_for_each("roster:export-applicants", "xlsx")
    csv_text = _('<span class="visually-hidden">%(ref)s applicants, </span>CSV')
    xlsx_text = _('<span class="visually-hidden">%(ref)s applicants, </span>Excel')
    export_rows = [
        {
            "url": detail(b.pk), "reference": b.reference, "mission": b.mission.code,
            "csv_url": csv(b.pk), "xlsx_url": xlsx(b.pk),
            "csv_text": html_message(csv_text, ref=b.reference),
            "xlsx_text": html_message(xlsx_text, ref=b.reference),
        }
        for b in c["bulletins"]
    ]
    return {"ending_rows": ending_rows, "clearance_rows": clearance_rows, "export_rows": export_rows}


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
