"""The embedded default used by `make run`: SQLite, tasks in-process, mail to var/mail.

DEBUG stays off unless asked for (DEBUG=true), so users see friendly error pages, never a
traceback; WhiteNoise serves static files straight from the source folders.
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
