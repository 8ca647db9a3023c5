"""Fast, isolated settings for the test suite (the database comes from DATABASE_URL)."""

import tempfile

from config.logging import logging_config

from .base import *  # noqa: F403
from .base import ROSTER

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="roster-test-private-")
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests run tasks in-process; integration tests start real workers with their own settings.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
# Enforcement is off by default so the personas sign in with force_login; tests/accounts turn it on.
ROSTER = {**ROSTER, "MFA_REQUIRED": False}
# Rate-limit counters stay in each test process, never in the shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions in the database whatever REDIS_URL says, so each pinned query count reads "session + user +
# the page's own" on SQLite and in CI alike; tests/accounts/test_session_cache.py checks the cached
# engine production uses with Redis.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Quiet logs (warnings and errors, readable), and structlog loggers left uncached, so that
# structlog.testing.capture_logs sees every event whatever the level (tests/logs).
LOG_FORMAT = "console"
LOG_LEVEL = "WARNING"
LOGGING = logging_config(fmt=LOG_FORMAT, level=LOG_LEVEL, cache=False)
