from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = _("Planning")

    def ready(self):
        # Each area registers its hooks (panels, demo data, tour and archive hooks...) itself.
        from .candidates import hooks as candidates_hooks
        from .forecast import hooks as forecast_hooks
        from .pool import hooks as pool_hooks
        from .sessions import hooks as sessions_hooks

        for area in (candidates_hooks, forecast_hooks, sessions_hooks, pool_hooks):
            area.register()
