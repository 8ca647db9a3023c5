"""What this area registers with the apps below (roster.home_hooks, roster.demo_hooks, privacy.hooks...),
called once from planning.apps.PlanningConfig.ready()."""


def register() -> None:
    pass
