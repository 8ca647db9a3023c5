"""Each role's home page. The figures come from roster.dashboard.home_summary; the rows of the IPO
staff's worklist and of a coordinator's lists are written here, once per page: links, dates and
texts (a per-row {% url %}, {% blocktranslate %} or date filter costs more than the page's queries)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import Role
from agencies.templatetags.ui import badge_class
from config.pagination import url_for_each
from missions.templatetags.bulletin_tags import closing

from ..dashboard import failed_mail_count, home_summary, worklist_clock
from ..freshness import cached_figures
from ..home_hooks import attention, home_panels, render_panels
from .dashboard import short_date, short_datetime


@login_required
def home(request):
    if request.user.role == Role.IPO_STAFF:
        context = _staff_home(request.user)
    elif request.user.role == Role.COORDINATOR:
        context = _coordinator_home(request.user)
    else:
        context = home_summary(request.user)
        context["application_rows"] = application_rows(context["applications"], show_officer=False)
    panels = home_panels(request.user, today=timezone.localdate())
    context["panels_html"] = render_panels(request, panels)
    context["panels_attention"] = attention(panels)
    return render(request, f"roster/home_{request.user.role}.html", context)


def _staff_home(user) -> dict:
    """IPO staff's home: its figures, worklist and latest applications, with their rows, kept until a
    change is recorded or the clock moves a bulletin (roster.freshness); the failed emails, which the
    audit trail does not see, are counted on every view."""
    today, now = timezone.localdate(), timezone.now()

    def build() -> dict:
        context = home_summary(user)
        context["worklist"].update(_worklist_rows(context["worklist"]))
        # kept as the rows' HTML: a kept view neither reads the applications back nor writes their rows
        context["recent_rows"] = application_rows(context.pop("recent_applications"), show_agency=True)
        return context

    context = dict(cached_figures("staff-home", user, today, build, clock=worklist_clock(now)))
    context["worklist"] = {**context["worklist"], "failed_mail_count": failed_mail_count(user)}
    return context


def _coordinator_home(user) -> dict:
    """A coordinator's home: their agency's figures and lists, with their rows, kept like IPO staff's
    until a change is recorded or a bulletin closes by the clock (it leaves the open ones and the
    notices to acknowledge: the clock's next closing moment is in the key)."""
    def build() -> dict:
        context = home_summary(user)
        context.update(_coordinator_rows(context))
        return context

    return dict(cached_figures("coordinator-home", user, timezone.localdate(), build,
                               clock=worklist_clock(timezone.now())))


# A row of "roster/partials/application_table.html": the bulletin with the link, the officer and their agency
# when shown, the status with its flags, the day it was filed. Every value escaped by format_html.
APPLICATION_ROW = ('<tr>\n      <td data-label="{}"><a href="{}">{}</a> — {}</td>{}\n'
                   '      <td data-label="{}">{}</td>\n      <td data-label="{}">{}</td>\n    </tr>')


def application_rows(applications, *, show_officer: bool = True, show_agency: bool = False) -> SafeString:
    """The rows of the applications table (the home pages'), written once per page: each label
    translated once, each address reversed once, each day formatted once (a per-row {% url %},
    {% include %} of the flags and date filter cost more than the page's query)."""
    from config.pagination import set_row_datetimes

    from ..templatetags.roster_tags import ApplicationFlags

    rows = list(applications)
    if not rows:
        return SafeString("")
    url = url_for_each("roster:application-detail")
    l_bulletin, l_officer, l_agency = _("Bulletin"), _("Officer"), _("Agency")
    l_status, l_submitted = _("Status"), _("Submitted")
    flags = ApplicationFlags()
    set_row_datetimes(rows, "SHORT_DATE_FORMAT", created_text="created_at")

    def officer_cells(a) -> SafeString:
        cells = SafeString("")
        if show_officer:
            cells += format_html('\n      <td data-label="{}">{}</td>', l_officer, a.officer.full_name)
        if show_agency:
            cells += format_html('\n      <td data-label="{}">{}</td>', l_agency, a.officer.agency.name)
        return cells

    return format_html_join("\n    ", APPLICATION_ROW, (
        (l_bulletin, url(a.pk), a.bulletin.reference, a.bulletin.title, officer_cells(a),
         l_status, flags(a), l_submitted, a.created_text)
        for a in rows
    ))


def _worklist_rows(w: dict) -> dict:
    pipeline = url_for_each("roster:bulletin-pipeline")
    deploy = url_for_each("roster:deployment-create")
    bulletin = url_for_each("missions:bulletin-detail")
    deployment = url_for_each("roster:deployment-detail")
    return {
        "to_decide_rows": [
            {
                "url": pipeline(b.pk), "reference": b.reference, "title": b.title,
                "awaiting": ngettext("%(count)s to decide", "%(count)s to decide", b.applications_awaiting)
                % {"count": b.applications_awaiting},
                "filled": _("%(filled)s of %(positions)s positions filled")
                % {"filled": b.positions_filled, "positions": b.positions},
            }
            for b in w["to_decide"]
        ],
        "to_deploy_rows": [
            {
                "url": deploy(a.pk), "deploy": _("Deploy %(name)s") % {"name": a.officer.full_name},
                "agency": a.officer.agency.name, "reference": a.bulletin.reference, "mission": a.bulletin.mission.code,
                "start": _("from %(date)s") % {"date": short_date(a.bulletin.deployment_start)},
            }
            for a in w["to_deploy"]
        ],
        "unacknowledged_rows": [
            {
                "url": bulletin(b.pk), "reference": b.reference, "title": b.title,
                "acknowledged": _("%(acknowledged)s of %(total)s agencies acknowledged")
                % {"acknowledged": b.notices_acknowledged, "total": b.notices_total},
                "closes": _("closes %(date)s") % {"date": short_datetime(b.closes_at)},
            }
            for b in w["unacknowledged"]
        ],
        "ending_rows": [
            {
                "url": deployment(d.pk), "name": d.officer.full_name, "mission": d.mission.code,
                "ends": ngettext("ends %(date)s (in %(days)s day)", "ends %(date)s (in %(days)s days)", d.days_left)
                % {"date": short_date(d.planned_end_date), "days": d.days_left},
            }
            for d in w["ending_soon"]
        ],
    }


def _coordinator_rows(c: dict) -> dict:
    application, endorse = url_for_each("roster:application-detail"), url_for_each("roster:application-endorse")
    bulletin, acknowledge = url_for_each("missions:bulletin-detail"), url_for_each("missions:bulletin-acknowledge")
    by_status = reverse("roster:agency-applications") + "?status="
    return {
        "to_endorse_rows": [
            {
                "name": a.officer.full_name, "url": application(a.pk), "reference": a.bulletin.reference,
                "title": a.bulletin.title, "ineligible": a.ineligible, "closing": closing(a.bulletin),
                "endorse_url": endorse(a.pk),
            }
            for a in c["to_endorse"]
        ],
        "notice_rows": [
            {
                "url": bulletin(n.bulletin_id), "reference": n.bulletin.reference, "title": n.bulletin.title,
                "closing": closing(n.bulletin), "acknowledge_url": acknowledge(n.bulletin_id),
            }
            for n in c["notices_to_acknowledge"]
        ],
        "status_rows": [
            {**row, "url": by_status + row["status"], "badge": badge_class(row["status"])}
            for row in c["status_counts"]
        ],
    }
