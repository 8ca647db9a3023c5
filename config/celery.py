"""The Celery app. Workers: `celery -A config worker -B` (see README)."""

import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

# `make run`'s folder broker, with atomic message files (see config/broker.py).
TRANSPORT_ALIASES.setdefault("rosterfs", "config.broker:Transport")

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("roster")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
