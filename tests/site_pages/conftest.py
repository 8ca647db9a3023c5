import pytest


@pytest.fixture(autouse=True)
def release_date(settings):
    """A known release date: "Date modified" reads it (site_pages.release)."""
    settings.ROSTER_RELEASE_DATE = "2026-11-28"

