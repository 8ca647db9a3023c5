"""Presentation-only helpers shared by every template."""

import threading
from collections import OrderedDict

from django import template
from django.utils import translation
from django.utils.safestring import mark_safe

register = template.Library()

# memo_include: rendered fragments kept in this process, the oldest dropped past MEMO_SIZE.
MEMO_SIZE = 2048
_memo: OrderedDict = OrderedDict()
_memo_lock = threading.Lock()


@register.simple_tag(takes_context=True)
def memo_include(context, template_name, **key):
    """Include `template_name` rendered once per (template, language, key) in this process, then
    reused: for fragments on every page (the menus, the footer). The fragment is rendered with the
    values of `key` alone (`{% memo_include "partials/user_menu.html" role=user.role ... %}`), not
    the page's context: it cannot show anything the key does not name (another user's links), nor
    any per-request value (csrf_token, the query string). A page then spends no time on their
    dozens of URL reversals and translations."""
    memo_key = (template_name, translation.get_language(), *sorted(key.items()))
    html = _memo.get(memo_key)
    if html is None:
        fragment = context.template.engine.get_template(template_name)
        html = fragment.render(template.Context(key, autoescape=context.autoescape))
        with _memo_lock:
            _memo[memo_key] = html
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
    return mark_safe(html)


def memo_clear() -> None:
    """Forget every memoised fragment (tests; a process restarts with none)."""
    with _memo_lock:
        _memo.clear()

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


def status_badges(choices) -> dict[str, tuple[str, str]]:
    """{value: (its label, translated now in the active language; its badge class)} for a page that writes
    many rows: each label translated once per page, not once per row. A value not among the choices:
    `badges.get(value, (value, badge_class(value)))`."""
    return {value: (str(label), badge_class(value)) for value, label in choices}


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
