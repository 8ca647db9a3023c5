"""The Celery app. Workers: `celery -A config worker -B` (see README)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("roster")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
