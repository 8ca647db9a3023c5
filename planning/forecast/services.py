"""Writes of the forecast area: the weekly alert email to IPO staff (beat task
planning.forecast.tasks.forecast_alerts_send, CELERY_BEAT_SCHEDULE "forecast-alerts", Monday morning)."""

from __future__ import annotations

from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from notifications.models import OutgoingMail
from notifications.services import mail_queue, staff_recipients

from . import selectors

TOPIC_PREFIX = "forecast-alerts"


def week_topic(today: date) -> str:
    """The outbox topic of the alert email of `today`'s ISO week ("forecast-alerts:2027-W02"): the
    outbox itself records that the week's email went, so no model is needed to send it once a week."""
    year, week, _ = today.isocalendar()
    return f"{TOPIC_PREFIX}:{year}-W{week:02d}"


def forecast_alerts_send(*, today: date | None = None) -> dict:
    """Email every active IPO staff login the missions forecast to fall below the set share of their
    authorised strength within the horizon with no open bulletin to cover them, with the day to post a
    rotation bulletin by. At most once per ISO week: a second run in the same week (beat running twice,
    a retry, a manual run) finds the week's messages in the outbox and sends nothing; a short cache lock
    keeps two simultaneous runs from both passing that check. No alert: no email."""
    today = today or timezone.localdate()
    topic = week_topic(today)
    if OutgoingMail.objects.filter(topic=topic).exists():
        return {"sent": 0, "alerts": None, "reason": "already sent this week"}
    lock = f"{topic}:lock"
    if not cache.add(lock, "1", timeout=300):
        return {"sent": 0, "alerts": None, "reason": "running elsewhere"}
    try:
        fc = selectors.forecast(today=today)
        alerts = selectors.alerts(selectors.rotation_advice(fc))
        if not alerts:
            return {"sent": 0, "alerts": 0, "reason": "no alert"}
        selectors.pool_supply(alerts, today=today)
        rules = selectors.rules()
        with transaction.atomic():
            if OutgoingMail.objects.filter(topic=topic).exists():
                return {"sent": 0, "alerts": len(alerts), "reason": "already sent this week"}
            rows = mail_queue(
                recipients=staff_recipients(), template="forecast_alerts", topic=topic, kind="forecast_alerts",
                context={"alerts": alerts, "share": rules["share"], "horizon": rules["horizon"], "today": today},
            )
        return {"sent": len(rows), "alerts": len(alerts), "reason": ""}
    finally:
        cache.delete(lock)
