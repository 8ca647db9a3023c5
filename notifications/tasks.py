"""Tasks load by id and call a service; retries live here, the final failure in the service."""

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None, ignore_result=True)
def deliver_mail(self, mail_id: int):
    result = services.mail_deliver(mail_id=mail_id)
    if result.retry_in is not None and not self.request.is_eager:
        # The row is back to queued with next_attempt_at; this retry (or the sweeper) sends it.
        raise self.retry(countdown=result.retry_in)
    return result.sent


@shared_task(ignore_result=True)
def outbox_sweep():
    return services.outbox_sweep()
