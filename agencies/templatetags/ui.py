"""Presentation-only helpers shared by every template."""

from django import template

register = template.Library()

BADGES = {
    # applications
    "submitted": "text-bg-secondary",
    "endorsed": "text-bg-info",
    "agency_declined": "text-bg-dark",
    "withdrawn": "text-bg-light border",
    "shortlisted": "text-bg-primary",
    "screened_out": "text-bg-dark",
    "selected": "text-bg-success",
    "waitlisted": "text-bg-warning",
    "not_selected": "text-bg-dark",
    "deployed": "text-bg-success",
    # bulletins
    "draft": "text-bg-secondary",
    "published": "text-bg-success",
    "closed": "text-bg-dark",
    "cancelled": "text-bg-danger",
    # deployments
    "planned": "text-bg-info",
    "in_mission": "text-bg-success",
    "completed": "text-bg-secondary",
    "repatriated": "text-bg-warning",
    # delivery
    "queued": "text-bg-secondary",
    "sending": "text-bg-info",
    "sent": "text-bg-success",
    "failed": "text-bg-danger",
    "acknowledged": "text-bg-primary",
}


@register.filter
def badge_class(status):
    return BADGES.get(str(status), "text-bg-secondary")


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs):
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def percent(value, decimals=1):
    """A percentage as each language writes it ("30%", « 30 % »), or a dash when unknown."""
    from django.template.defaultfilters import floatformat
    from django.utils.translation import gettext

    if value is None or value == "":
        return "—"
    return gettext("%(value)s%%") % {"value": floatformat(value, decimals)}


@register.filter
def is_ipo_staff(user) -> bool:
    """`{% if user|is_ipo_staff %}`: the permissions module's predicate, for staff-only buttons."""
    from agencies.permissions import is_ipo_staff as predicate

    return predicate(user)


@register.filter
def active_filters(form) -> int:
    """How many fields of a (GET) filter form the query string sets: `page` and empty values don't count."""
    data = form.data
    getlist = getattr(data, "getlist", None)
    if getlist is None:
        return 0
    return sum(1 for name in form.fields if any(str(v).strip() for v in getlist(name)))
