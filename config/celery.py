"""The Celery app. Workers: `celery -A config worker -B` (see README).

Logging (config/logging.py): Celery leaves it to Django's LOGGING, so workers and beat write the
same lines as the web. With DJANGO_STRUCTLOG_CELERY_ENABLED, a task enqueued in a request carries
that request's context (its request_id, user_id) in its message headers; in the worker,
django-structlog binds it again with the task's id and name, and logs every run: task_started,
then task_succeeded (with duration_ms), task_retrying or task_failed.
"""

import logging.config
import os

import structlog
from celery import Celery
from celery.signals import after_task_publish, before_task_publish, setup_logging
from django_structlog.celery import signals as task_signals
from django_structlog.celery.steps import DjangoStructLogInitStep
from kombu.transport import TRANSPORT_ALIASES

# `make run`'s folder broker, with atomic message files (see config/broker.py).
TRANSPORT_ALIASES.setdefault("rosterfs", "config.broker:Transport")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("roster")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class StructlogWorkerStep(DjangoStructLogInitStep):
    """django-structlog's worker receivers (task_prerun, task_success, task_failure, ...). Publishing
    is already logged by the receiver its app connects in every process (DJANGO_STRUCTLOG_CELERY_ENABLED):
    a second one here would log each task that a task enqueues twice."""

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        before_task_publish.disconnect(self.receiver.receiver_before_task_publish)
        after_task_publish.disconnect(self.receiver.receiver_after_task_publish)


app.steps["worker"].add(StructlogWorkerStep)


@setup_logging.connect
def _logging_from_django(**kwargs):
    """Celery configures no logging of its own (its --loglevel is ignored): LOGGING applies."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def _bind_task_name(sender, signal, task=None, logger=None, **kwargs):
    """Every line a task writes names the task."""
    structlog.contextvars.bind_contextvars(task=task.name)


task_signals.bind_extra_task_metadata.connect(_bind_task_name, dispatch_uid="config.celery.task_name")
