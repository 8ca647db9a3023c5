"""Personas shared by every test: IPO staff, coordinators of agencies A and B, officers X and Y.

Officer X belongs to agency A, officer Y to agency B (as in the role-access table).
"""

from types import SimpleNamespace

import pytest
from django.test import Client

from tests import factories as f


@pytest.fixture
def world(db):
    agency_a = f.AgencyFactory(slug="agency-a", name_en="Agency A Police", name_fr="Police A")
    agency_b = f.AgencyFactory(slug="agency-b", name_en="Agency B Police", name_fr="Police B")
    ipo = f.IpoStaffFactory(email="ipo@example.test")
    coord_a = f.CoordinatorFactory(email="coord-a@example.test", agency=agency_a)
    coord_b = f.CoordinatorFactory(email="coord-b@example.test", agency=agency_b)
    user_x = f.UserFactory(email="officer-x@example.test", agency=agency_a)
    user_y = f.UserFactory(email="officer-y@example.test", agency=agency_b)
    officer_x = f.OfficerFactory(agency=agency_a, user=user_x, first_name="Xena", last_name="Xavier")
    officer_y = f.OfficerFactory(agency=agency_b, user=user_y, first_name="Yves", last_name="Young")
    mission = f.MissionFactory(code="BINUH", authorized_strength=48)
    bulletin = f.BulletinFactory(mission=mission)
    app_x = f.ApplicationFactory(bulletin=bulletin, officer=officer_x)
    app_y = f.ApplicationFactory(bulletin=bulletin, officer=officer_y)
    dep_x = f.DeploymentFactory(officer=officer_x, mission=mission)
    dep_y = f.DeploymentFactory(officer=officer_y, mission=mission)
    return SimpleNamespace(**locals())


def client_for(user):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def clients(world):
    return SimpleNamespace(
        anonymous=client_for(None),
        ipo=client_for(world.ipo),
        coord_a=client_for(world.coord_a),
        coord_b=client_for(world.coord_b),
        officer_x=client_for(world.user_x),
        officer_y=client_for(world.user_y),
    )


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` (races against PostgreSQL row locks and constraints) run where
    the database is PostgreSQL, as in `.ci/run`; on the default SQLite they are deselected."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    deselected = [i for i in items if i.get_closest_marker("postgres")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [i for i in items if not i.get_closest_marker("postgres")]


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English, whatever language an earlier request left active."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def pin_today():
    """Noon of tests.clock.TODAY, Ottawa time, ticking: see tests/clock.py."""
    import time_machine

    from tests.clock import TODAY, noon_of

    with time_machine.travel(noon_of(TODAY), tick=True):
        yield


@pytest.fixture(autouse=True)
def _content_types_cached(request):
    """Pinned query counts do not depend on test order: reading a page writes an audit entry, and
    the first entry of a process looks its content type up once (Django then caches it)."""
    if "django_assert_num_queries" not in request.fixturenames:
        return
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("db")
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(*apps.get_models())


# --- the browser: one Chromium for the whole session (Playwright's sync API allows one per process),
# shared by tests/browser/ and the browser journey under `make run`'s setup in tests/embedded/.
import os  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium (/usr/bin/chromium), headless, driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()




@pytest.fixture(autouse=True)
def _memoised_fragments_forgotten():
    """Menus memoised by one test (agencies.templatetags.ui.memo_include) never leak into the next."""
    from agencies.templatetags.ui import memo_clear

    memo_clear()
    yield


@pytest.fixture(autouse=True)
def _cache_forgotten():
    """What one test left in the cache (a panel's figures, a rate limit's counters) never leaks into
    the next: the test settings' cache is each process's own memory."""
    from django.core.cache import cache

    cache.clear()
    yield
