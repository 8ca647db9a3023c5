"""Scheduled operations (CELERY_BEAT_SCHEDULE): each calls a service."""

from celery import shared_task

from notifications import services as outbox


@shared_task(ignore_result=True)
def outbox_purge_bodies():
    """Nightly: delete the content of delivered messages past ROSTER["OUTBOX_BODY_RETENTION_DAYS"]."""
    report = outbox.outbox_purge_bodies()
    return {"purged": report.purged, "days": report.days}
