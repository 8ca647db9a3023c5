"""The dashboard panel (roster.home_hooks): IPO staff see the open bulletins where women are eligible but
not applying (selectors.gender_balance: one load of every officer for every open bulletin).

That load grows with the officers (a few hundred milliseconds at 5,000), so the dashboard does not pay it
on each view: the panel's figures are kept in the cache for ROSTER["PLANNING_PANEL_CACHE_SECONDS"] and
say when they were worked out; the overview page (planning:candidates-overview) is always current."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from agencies.permissions import is_ipo_staff

from . import selectors

CACHE_KEY = "planning:candidates:dashboard:{day}"


def _figures(today) -> dict:
    balance = selectors.gender_balance(today=today)
    return {"flagged": [b for b in balance if b.flagged], "open": len(balance), "at": timezone.now()}


def dashboard_panel(user, *, today=None):
    if not is_ipo_staff(user):
        return None
    today = today or timezone.localdate()
    timeout = int(settings.ROSTER["PLANNING_PANEL_CACHE_SECONDS"])
    figures = cache.get_or_set(CACHE_KEY.format(day=today.isoformat()), lambda: _figures(today), timeout)
    if not figures["open"]:
        return None
    return {
        "template": "planning/candidates/_dashboard_panel.html",
        "context": {"candidates_flagged": figures["flagged"], "candidates_open": figures["open"],
                    "candidates_at": figures["at"], "candidates_url": reverse("planning:candidates-overview")},
    }
