from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def bulletins_close_due():
    return services.bulletins_close_due()


@shared_task(ignore_result=True)
def bulletins_send_reminders():
    return services.bulletins_send_reminders()
