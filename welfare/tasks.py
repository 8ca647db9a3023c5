"""Beat tasks of the welfare app (CELERY_BEAT_SCHEDULE "welfare-reminders", "welfare-return-plans"):
they load nothing by id, they call the services, which are idempotent (each reminder once per overdue
period, each plan and invitation once)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def checkin_reminders_send():
    return services.checkin_reminders_send()


@shared_task(ignore_result=True)
def return_plans_start():
    return {"started": len(services.return_plans_start())}
