"""The nightly retention run (CELERY_BEAT_SCHEDULE "privacy-retention"): it loads nothing by id,
it calls the service, which anonymises each due officer in a transaction of their own."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def retention_run():
    report = services.retention_run(dry_run=False)
    return {"due": len(report.due), "anonymised": len(report.anonymised), "failed": len(report.failed)}
