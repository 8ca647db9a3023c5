"""Tasks load by id and call a service; retries live here, the final failure in the service.

Every task here runs with `acks_late` and `reject_on_worker_lost`: a worker child killed
mid-task gives its message back to the broker, and the redelivered task (same task id) takes
back the rows its first run left `sending` (see notifications.services)."""

from celery import shared_task

from . import services


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_mail_batch(self, mail_ids: list[int]):
    """Send a batch of outbox rows over one mail connection."""
    eager = bool(self.request.is_eager)
    result = services.mail_deliver_many(
        mail_ids=mail_ids, claimed_by=self.request.id or "", time_budget=None if eager else services.task_time_budget()
    )
    if not eager:
        # The rows are back to queued with next_attempt_at: these tasks (or the sweeper) send them.
        if result.leftover:
            services.enqueue_delivery(result.leftover, countdown=result.leftover_in)
        for delay, ids in result.retry_groups():
            services.enqueue_delivery(ids, countdown=delay)
    return len(result.sent)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None, ignore_result=True)
def deliver_mail(self, mail_id: int):
    """One outbox row (the messages queued before deliveries went in batches)."""
    result = services.mail_deliver(mail_id=mail_id, claimed_by=self.request.id or "")
    if result.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=result.retry_in)
    return result.sent


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def fan_out_mail_batch(self, batch_id: int):
    """Turn a batch (`notifications.models.MailBatch`) into outbox rows and hand them to delivery."""
    eager = bool(self.request.is_eager)
    return services.mail_batch_fan_out(batch_id=batch_id, time_budget=None if eager else services.task_time_budget())


@shared_task(ignore_result=True)
def outbox_sweep():
    return services.outbox_sweep()
