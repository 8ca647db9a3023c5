from celery import shared_task


@shared_task(ignore_result=True)
def password_reset_send(email: str):
    from .services import password_reset_send as send

    return send(email=email)
