"""What this area registers with the apps below (roster.home_hooks, roster.demo_hooks, privacy.hooks...),
called once from planning.apps.PlanningConfig.ready(). The pool's part of the Privacy Act archive is in
the sessions area's section (planning.sessions.archive)."""


def register() -> None:
    from audit.services import track
    from privacy.hooks import register_officer_eraser
    from roster.demo_hooks import register_demo_seeder

    from . import demo, services
    from .models import PoolEntry

    track(PoolEntry)
    register_officer_eraser("planning_pool", services.officer_pool_erase)
    register_demo_seeder("planning_pool", demo.seed)
