"""The date shown as "Date modified" at the bottom of every page (the GC pattern): the date of the release
the server runs, not of each page's data.

It comes from the ROSTER_RELEASE_DATE setting (an ISO date, set by the build or the deployment), or else
from the date of the last commit of the checkout the server runs from (`git log -1`, read once per
process). Where neither is available (an image built without the setting and without git), no date is
shown and `manage.py check` says so (site_pages.checks)."""

import datetime as dt
import functools
import subprocess

from django.conf import settings


def _from_git() -> dt.date | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(settings.BASE_DIR), "log", "-1", "--format=%cs"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
        return dt.date.fromisoformat(out)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


@functools.cache
def _cached(setting: str) -> dt.date | None:
    if setting:
        return dt.date.fromisoformat(setting)
    return _from_git()


def release_date() -> dt.date | None:
    """The release date, or None when it cannot be known."""
    return _cached(str(getattr(settings, "ROSTER_RELEASE_DATE", "") or ""))
