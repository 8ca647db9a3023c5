from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissionsConfig(AppConfig):
    name = "missions"
    verbose_name = _("Missions and bulletins")

    def ready(self):
        from audit.services import track

        from .models import Bulletin, Mission

        track(Mission)
        track(Bulletin)
