"""Template tags of the roster pages. They only read, through roster.selectors."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("roster/partials/bulletin_panel.html")
def bulletin_apply_panel(bulletin, user):
    """The bulletin page's application panel for `user`: an officer's eligibility and apply
    button (or their application), a coordinator's nominate link and count, IPO staff's
    pipeline link and positions counter."""
    return selectors.bulletin_panel(user, bulletin)


@register.simple_tag(takes_context=True)
def officer_fit(context, bulletin):
    """`{% officer_fit bulletin as fit %}`: for an officer, whether they meet the bulletin's
    requirements and their application if any (the officer's data is read once per page)."""
    request = context.get("request")
    if request is None:
        return None
    cache = getattr(request, "_roster_officer_fit", False)
    if cache is False:
        cache = selectors.officer_fit_context(request.user)
        request._roster_officer_fit = cache
    return selectors.officer_fit(cache, bulletin)


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
