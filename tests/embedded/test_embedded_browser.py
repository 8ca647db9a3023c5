"""Issue 9, in a real browser: under `make run`'s setup (SQLite, a folder broker, the worker and
beat that `manage.py serve` starts), a coordinator watches a bulletin close on schedule. Every
wait is bounded."""

import subprocess
import sys
import time

import pytest

from .conftest import ROOT, wait_until
from .test_embedded_worker import free_port, healthz

pytestmark = [pytest.mark.integration, pytest.mark.browser]

DATA = """
from datetime import timedelta
from django.utils import timezone
from missions.models import Mission
from tests import factories as f

agency = f.AgencyFactory(slug="embedded-browser")
f.CoordinatorFactory(email="coord@embedded-browser.test", agency=agency)
mission = f.MissionFactory(code="EMBRW", status=Mission.Status.ACTIVE)
b = f.BulletinFactory(mission=mission, reference="JPB-EMBRW-1", closes_at=timezone.now() + timedelta(seconds=8))
print(b.pk)
"""


def test_a_coordinator_sees_a_bulletin_close_on_schedule_under_make_run(serve, folder, browser):
    s = serve(ROSTER_CLOSE_DUE_SECONDS=1)
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=s.env,
                             capture_output=True, text=True)
    assert migrate.returncode == 0, migrate.stderr
    port = free_port()
    s.start(f"127.0.0.1:{port}")
    s.wait_ready()
    wait_until(lambda: healthz(port) == "ok", timeout=30, message=lambda: s.logs())
    made = subprocess.run([sys.executable, "manage.py", "shell", "-c", DATA], cwd=ROOT, env=s.env,
                          capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    pk = int(made.stdout.strip().splitlines()[-1])
    base = f"http://127.0.0.1:{port}"
    context = browser.new_context(locale="en-CA")
    try:
        page = context.new_page()
        page.goto(f"{base}/accounts/login/")
        page.locator("#id_username").fill("coord@embedded-browser.test")
        page.locator("#id_password").fill("pw-roster-test")
        page.locator("form:has(#id_password) [type=submit]").click()
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/bulletins/{pk}/")
        assert "Closes " in page.inner_text("main")
        deadline = time.monotonic() + 45
        while "Closed on" not in page.inner_text("main") and time.monotonic() < deadline:
            time.sleep(1)
            page.reload()
        text = page.inner_text("main")
    finally:
        context.close()
    assert "Closed on" in text, s.logs()
