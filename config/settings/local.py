"""The embedded default used by `make run`: SQLite, tasks in-process, mail to var/mail.

DEBUG stays off unless asked for (DEBUG=true), so users see friendly error pages, never a
traceback; WhiteNoise serves static files straight from the source folders.
"""

from .base import *  # noqa: F403
from .base import ROSTER, env

DEBUG = env.bool("DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The demo logins must work with a password alone: two-step verification is offered to every
# role but required of none here. Production requires it of IPO staff and coordinators.
ROSTER = {**ROSTER, "MFA_REQUIRED": env.bool("ROSTER_MFA_REQUIRED", default=False)}
