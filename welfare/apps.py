from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WelfareConfig(AppConfig):
    name = "welfare"
    verbose_name = _("Welfare and return")

    def ready(self):
        from audit.services import track
        from privacy.hooks import register_archive_section, register_officer_eraser
        from roster.demo_hooks import register_demo_seeder
        from roster.home_hooks import register_dashboard_panel, register_home_panel
        from roster.tour_hooks import register_tour_ended

        from . import archive, demo, panels, services
        from .models import MissionWelfare, ReturnStep

        track(MissionWelfare)
        track(ReturnStep)
        register_home_panel("welfare", panels.home_panel)
        register_dashboard_panel("welfare", panels.dashboard_panel)
        register_demo_seeder("welfare", demo.seed)
        register_officer_eraser("welfare", services.officer_welfare_erase)
        register_archive_section("welfare", archive.section)
        register_tour_ended("welfare", services.return_plan_start_for)
