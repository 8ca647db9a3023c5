import datetime as dt

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def release_date_check(app_configs, **kwargs):
    """ROSTER_RELEASE_DATE must be an ISO date; without it (and without git) pages show no "Date modified"."""
    from .release import _from_git

    value = str(getattr(settings, "ROSTER_RELEASE_DATE", "") or "")
    if value:
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return [Error("ROSTER_RELEASE_DATE must be a date like 2026-11-28.", id="site_pages.E001")]
        return []
    if _from_git() is None:
        return [Warning('ROSTER_RELEASE_DATE is not set and git cannot tell the date of the last commit: pages '
                        'show no "Date modified".', hint="Set ROSTER_RELEASE_DATE=YYYY-MM-DD at build time.",
                        id="site_pages.W001")]
    return []
