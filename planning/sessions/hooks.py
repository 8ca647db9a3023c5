"""What this area registers with the apps below (roster.home_hooks, roster.demo_hooks, privacy.hooks...),
called once from planning.apps.PlanningConfig.ready()."""


def register() -> None:
    from audit.services import track
    from privacy.hooks import register_archive_section, register_officer_eraser
    from roster.demo_hooks import register_demo_seeder

    from . import archive, demo, services
    from .models import AssessmentResult, AssessmentSession, Registration

    track(AssessmentSession)
    track(Registration)
    track(AssessmentResult)
    register_officer_eraser("planning_sessions", services.officer_sessions_erase)
    # one section for the officer's assessment sessions and talent pool entry
    register_archive_section("planning", archive.section)
    register_demo_seeder("planning_sessions", demo.seed)
