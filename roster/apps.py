from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RosterConfig(AppConfig):
    name = "roster"
    verbose_name = _("Applications and deployments")

    def ready(self):
        from audit.services import track

        from .models import Application, Deployment, DeploymentRole

        track(Application)
        track(Deployment)
        track(DeploymentRole)
