"""What this area registers with the apps below (roster.home_hooks, roster.demo_hooks, privacy.hooks...),
called once from planning.apps.PlanningConfig.ready()."""


def register() -> None:
    from roster.demo_hooks import register_demo_seeder
    from roster.home_hooks import register_dashboard_panel, register_home_panel

    from . import demo, panels, tasks  # noqa: F401 -- tasks: Celery's autodiscovery finds planning.tasks only

    register_home_panel("planning-forecast", panels.home_panel)
    register_dashboard_panel("planning-forecast", panels.dashboard_panel)
    register_demo_seeder("planning-forecast", demo.seed)
