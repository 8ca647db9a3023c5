"""The embedded default used by `make run`: SQLite, mail to var/mail, and no service to install.

Tasks run in-process after each commit, unless ROSTER_EMBEDDED_WORKER is on (`make run` turns
it on): then a real Celery worker with beat runs beside the web server (`manage.py serve`),
on a broker that is a folder (kombu's filesystem transport, var/broker/), so bulletins close
on time, reminders go out and failed emails are retried.

DEBUG stays off unless asked for (DEBUG=true), so users see friendly error pages, never a
traceback; WhiteNoise serves static files straight from the source folders.
"""

from pathlib import Path

from config.logging import logging_config

from .base import *  # noqa: F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, LOG_LEVEL, ROSTER, VAR_DIR, env

DEBUG = env.bool("DEBUG", default=False)
# Readable log lines (key=value) unless LOG_FORMAT=json; the web server's in the terminal, the
# embedded worker's in var/log/worker.log.
LOG_FORMAT = env("LOG_FORMAT", default="console")
LOGGING = logging_config(fmt=LOG_FORMAT, level=LOG_LEVEL)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo logins must work with a password alone: two-step verification is offered to every
# role but required of none here. Production requires it of IPO staff and coordinators.
ROSTER = {**ROSTER, "MFA_REQUIRED": env.bool("ROSTER_MFA_REQUIRED", default=False)}

# The embedded worker: it wins over REDIS_URL and CELERY_TASK_ALWAYS_EAGER when turned on.
ROSTER_EMBEDDED_WORKER = env.bool("ROSTER_EMBEDDED_WORKER", default=False)
if ROSTER_EMBEDDED_WORKER:
    ROSTER_BROKER_DIR = Path(env("ROSTER_BROKER_DIR", default=str(VAR_DIR / "broker"))).resolve()
    # kombu needs the folders to exist; the web process and the worker share them.
    (ROSTER_BROKER_DIR / "control").mkdir(parents=True, exist_ok=True)
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_BROKER_URL = "rosterfs://localhost/"  # a host, to spare the logs a warning per connection
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        # one folder both ways: every process writes and reads the same queue files
        "data_folder_in": str(ROSTER_BROKER_DIR),
        "data_folder_out": str(ROSTER_BROKER_DIR),
        # the exchange bindings (worker control, ping replies), by default relative to the cwd
        "control_folder": str(ROSTER_BROKER_DIR / "control"),
        "processed_folder": str(ROSTER_BROKER_DIR / "processed"),
        "store_processed": False,
    }
