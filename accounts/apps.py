from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and security")

    def ready(self):
        from audit.services import track
        from notifications.services import register_secret_link

        from . import receivers  # noqa: F401  (security events from Django's and axes' signals)
        from .models import User
        from .services import set_password_link

        register_secret_link("set_password", set_password_link)
        track(User, exclude_fields=["date_joined"])
