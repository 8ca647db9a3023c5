"""Beat task of the forecast area (CELERY_BEAT_SCHEDULE "forecast-alerts", Monday morning, Ottawa time):
it loads nothing by id and calls the service, which sends at most once per week."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def forecast_alerts_send():
    return services.forecast_alerts_send()
