"""The forecast's panels (roster.home_hooks), a constant number of queries each:

- IPO staff's home: each mission forecast to fall below the alert share within the horizon with no
  open bulletin covering it, with the day to post a rotation bulletin by; each counts in "needs your
  attention". Worked out at most every ROSTER["PLANNING_PANEL_CACHE_SECONDS"] (kept in the cache: the
  home page does not read every tour on each view); the forecast page is always current.
- the dashboard (IPO staff, coordinators): the share of women among deployed officers and nominees,
  against the targets, with a link to the forecast (the program's figures, cached as the alerts).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from agencies.permissions import is_ipo_staff

from . import selectors
from .permissions import can_see_forecast

HOME_CACHE_KEY = "planning:forecast:home:{day}"
SHARES_CACHE_KEY = "planning:forecast:shares:{day}"  # the program's figures: the same for every reader


def home_panel(user, *, today=None):
    if not is_ipo_staff(user):
        return None
    today = today or timezone.localdate()
    alerts = cache.get_or_set(
        HOME_CACHE_KEY.format(day=today.isoformat()),
        lambda: selectors.alerts(selectors.rotation_advice(selectors.forecast(today=today))),
        int(settings.ROSTER["PLANNING_PANEL_CACHE_SECONDS"]))
    return {
        "template": "planning/forecast/_home_panel.html",
        "context": {"forecast_alerts": alerts, "forecast_rules": selectors.rules(),
                    "forecast_url": reverse("planning:forecast")},
        "attention": len(alerts),
    }


def dashboard_panel(user, *, today=None):
    if not can_see_forecast(user):
        return None
    today = today or timezone.localdate()
    shares = cache.get_or_set(SHARES_CACHE_KEY.format(day=today.isoformat()),
                              lambda: selectors.women_shares(today=today),
                              int(settings.ROSTER["PLANNING_PANEL_CACHE_SECONDS"]))
    return {
        "template": "planning/forecast/_dashboard_panel.html",
        "context": {"shares": shares, "rules": selectors.rules(),
                    "forecast_url": reverse("planning:forecast")},
    }
