from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: readiness (/readyz), metrics (/metrics), error reporting and the operators'
    management commands. It may import the other apps' selectors and services; none imports it."""

    name = "ops"
    verbose_name = _("Operations")

    def ready(self):
        if getattr(settings, "ROSTER_METRICS_ENABLED", False):
            from . import metrics

            metrics.install()  # database query counts, Celery task durations
