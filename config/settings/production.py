"""Production: refuses to start without SECRET_KEY; passes `manage.py check --deploy`."""

from .base import *  # noqa: F403
from .base import ROSTER, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")  # no default: a missing key stops the start
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# probes and the metrics scraper speak plain HTTP inside the network
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Two-step verification is required of IPO staff and coordinators; only an explicit
# ROSTER_MFA_REQUIRED=false turns it off.
ROSTER = {**ROSTER, "MFA_REQUIRED": env.bool("ROSTER_MFA_REQUIRED", default=True)}
