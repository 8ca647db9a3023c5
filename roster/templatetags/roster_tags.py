"""Template tags of the roster pages. They only read, through roster.selectors."""

from django import template

from .. import selectors

register = template.Library()


class ApplicationFlags:
    """An application's status badge and its flags (requirements not met when filed, nominated by the
    agency), each label translated once for all the applications a page shows: `flags = ApplicationFlags()`,
    then `flags(application)` for each."""

    def __init__(self):
        from django.utils.html import format_html
        from django.utils.translation import gettext

        from agencies.templatetags.ui import status_badges

        from ..models import ApplicationStatus

        self.statuses = status_badges(ApplicationStatus.choices)
        self.ineligible = format_html(' <span class="badge text-bg-warning" data-testid="ineligible">{}</span>',
                                      gettext("Requirements not met"))
        self.nominated = format_html(' <span class="badge text-bg-info" data-testid="nominated">{}</span>',
                                     gettext("Nominated"))

    def __call__(self, application):
        from django.utils.html import format_html

        from agencies.templatetags.ui import badge_class

        label, badge = self.statuses.get(application.status, (application.status, badge_class(application.status)))
        return format_html('<span class="badge {}" data-testid="status">{}</span>{}{}', badge, label,
                           self.ineligible if application.ineligible else "",
                           self.nominated if application.nominated_by_id else "")


@register.simple_tag
def application_flags(application):
    """`{% application_flags application %}`: its status badge and flags (`ApplicationFlags`)."""
    return ApplicationFlags()(application)


@register.simple_tag
def bulletin_apply_panel(bulletin, user):
    """The bulletin page's application panel for `user`: an officer's eligibility and apply
    button (or their application), a coordinator's nominate link and count, IPO staff's
    pipeline link and positions counter. An officer's is kept for them alone until a change is
    recorded (roster.freshness: their record, clearances, applications and deployments, and the
    bulletin, are all in the audit trail), with the day and whether the bulletin is open in the key."""
    from django.template.loader import render_to_string
    from django.utils import timezone

    from agencies.permissions import is_officer

    from ..freshness import cached_figures

    def render():
        return render_to_string("roster/partials/bulletin_panel.html", selectors.bulletin_panel(user, bulletin))

    if not is_officer(user):
        return render()
    name = f"bulletin-panel:{bulletin.pk}:{'open' if bulletin.is_open else 'closed'}"
    return cached_figures(name, user, timezone.localdate(), render, per_user=True)


@register.simple_tag(takes_context=True)
def officer_fit_cells(context, bulletins) -> str:
    """`{% officer_fit_cells page %}`, once before the rows: for an officer, each bulletin's "For you"
    cell (`fit_cell`): their application and its status, or whether they meet the bulletin's
    requirements. Worked out once for the page (the officer's data in four queries, each label
    translated once, each address reversed once) and kept for this officer alone until a change is
    recorded (roster.freshness: their record, clearances, applications and deployments, and the
    bulletins, are all in the audit trail; the day is in the key, as eligibility counts from today)."""
    import hashlib

    from django.utils import timezone

    from ..freshness import cached_figures

    rows = list(bulletins)
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not rows:
        cells = {}
    else:
        ids = ",".join(str(b.pk) for b in rows)
        name = f"officer-fit:{hashlib.blake2b(ids.encode(), digest_size=8).hexdigest()}"
        cells = cached_figures(name, user, timezone.localdate(), lambda: _fit_cells(user, rows), per_user=True)
    for b in rows:
        b.fit_cell = cells.get(b.pk, "")
    return ""


def _fit_cells(user, bulletins) -> dict:
    """{bulletin id: its "For you" cell} for the officer `user` (nothing for anyone else)."""
    from django.utils.html import format_html
    from django.utils.translation import gettext, ngettext

    from agencies.templatetags.ui import badge_class, status_badges
    from config.pagination import url_for_each

    from ..models import ApplicationStatus

    fit_context = selectors.officer_fit_context(user)
    if fit_context is None:
        return {}
    application_url = url_for_each("roster:application-detail")
    you_applied, colon = gettext("You applied"), gettext(":")
    missing = format_html('<span class="badge text-bg-secondary">{}</span>', gettext("Some data missing"))
    meets = format_html('<span class="badge text-bg-success">{}</span>', gettext("You meet every requirement"))
    statuses, cells = status_badges(ApplicationStatus.choices), {}
    for b in bulletins:
        fit = selectors.officer_fit(fit_context, b)
        application, result = fit["application"], fit["eligibility"]
        if application is not None:
            label, badge = statuses.get(application.status, (application.status, badge_class(application.status)))
            cells[b.pk] = format_html('<a href="{}">{}</a>{}\n        <span class="badge {}">{}</span>',
                                      application_url(application.pk), you_applied, colon, badge, label)
        elif result.failures:
            n = len(result.failures)
            cells[b.pk] = format_html(
                '<span class="badge text-bg-warning">{}</span>',
                ngettext("%(n)s requirement not met", "%(n)s requirements not met", n) % {"n": n})
        elif result.unknowns:
            cells[b.pk] = missing
        else:
            cells[b.pk] = meets
    return cells


@register.inclusion_tag("roster/partials/handover_table.html")
def mission_handovers(mission, user):
    """The mission page's rotation handovers (overlap or gap, in days) among the
    deployments `user` may see."""
    from ..dashboard import mission_timeline

    return {"handovers": mission_timeline(user, mission)["handovers"]}


@register.inclusion_tag("roster/partials/clearance_conflicts.html")
def clearance_conflicts(officer, clearances=None):
    """On an officer's page: which open bulletins their clearances would not cover."""
    return {"conflicts": selectors.clearance_conflicts(officer, clearances), "officer": officer}


@register.filter
def repatriation_reason_for(deployment, user):
    """`{{ deployment|repatriation_reason_for:user }}`: the reason, or "Repatriated early" where
    `user` has no need to know it (roster.permissions.can_read_repatriation_reason)."""
    return selectors.repatriation_reason_for(user, deployment)


@register.filter
def repatriation_note_for(deployment, user):
    """`{{ deployment|repatriation_note_for:user }}`: the repatriation note, or "" where `user` may not read it."""
    return selectors.repatriation_note_for(user, deployment)


@register.filter
def cancellation_reason_for(deployment, user):
    """`{{ deployment|cancellation_reason_for:user }}`: why the tour was cancelled, or "Cancelled before
    departure" where `user` has no need to know it (roster.permissions.can_read_cancellation_reason)."""
    return selectors.cancellation_reason_for(user, deployment)


@register.filter
def html_datetime(value) -> str:
    """A moment as a `<time datetime>` value: ISO 8601 in Ottawa time to the second, with its offset
    (2026-11-28T17:49:20-05:00). HTML allows at most three decimals of a second, so no microseconds."""
    if not value:
        return ""
    from django.utils import timezone

    return timezone.localtime(value).isoformat(timespec="seconds")
