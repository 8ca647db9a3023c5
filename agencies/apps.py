from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Agencies and officers")

    def ready(self):
        from audit.services import track

        from .models import Agency, Clearance, Officer, PartnerRequest

        track(Officer, mask_fields=["date_of_birth"])
        track(Clearance)
        track(Agency)
        track(PartnerRequest)
