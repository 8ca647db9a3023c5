from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """The project package as an app: its management commands (serve) and, once at start-up, the
    French first-of-the-month ordinal in dates (config.typography)."""

    name = "config"
    verbose_name = "Configuration"

    def ready(self):
        from . import typography

        typography.install()
