from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("Cost recovery")

    def ready(self):
        from audit.services import track
        from privacy.hooks import register_archive_section
        from roster.demo_hooks import register_demo_seeder
        from roster.home_hooks import register_dashboard_panel, register_home_panel

        from . import archive, demo, selectors
        from .models import Claim

        track(Claim)
        register_home_panel("ledger", selectors.home_panel)
        register_dashboard_panel("ledger", selectors.dashboard_panel)
        register_dashboard_panel("partners", selectors.partners_panel)
        register_demo_seeder("ledger", demo.seed)
        register_archive_section("ledger", archive.section)
