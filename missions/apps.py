from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MissionsConfig(AppConfig):
    name = "missions"
    verbose_name = _("Missions and bulletins")

    def ready(self):
        from audit.services import track
        from notifications.services import register_mail_audience, register_mail_context

        from .models import Bulletin, BulletinNotice, Mission
        from .services import BULLETIN_AGENCIES, BULLETIN_MAIL, bulletin_agencies, bulletin_mail_context

        track(Mission)
        track(Bulletin)
        # an agency's acknowledgement and circulation, who and when (the notices a publication makes
        # come in one INSERT ... SELECT, outside the trail; reminders are one UPDATE)
        track(BulletinNotice)
        register_mail_context(BULLETIN_MAIL, bulletin_mail_context)
        register_mail_audience(BULLETIN_AGENCIES, bulletin_agencies)
