"""A real Chromium: IPO staff cancel a planned deployment from its page (mouse to open the
confirmation, keyboard to confirm), see it cancelled with its reason, and find the application back to
Selected, its timeline showing the return. axe-core finds no serious violation on the pages on the way."""

import datetime as dt

import pytest

from roster import services
from tests import factories as f
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "The agency withdrew the officer's release: staffing shortage"


def serious(page):
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in found
            if v["impact"] in ("serious", "critical")]


def test_ipo_staff_cancel_a_planned_deployment(live_server, browser):
    ipo = f.IpoStaffFactory(email="hq@example.test")
    officer = f.OfficerFactory(agency=f.AgencyFactory(name_en="Ottawa Police Service"), first_name="Nadia",
                               last_name="Roy")
    bulletin = f.BulletinFactory(mission=f.MissionFactory(code="BINUH", authorized_strength=48), duration_months=9,
                                 deployment_start=dt.date(2027, 10, 15))
    application = f.ApplicationFactory(bulletin=bulletin, officer=officer, status="selected")
    deployment = services.deployment_create(application=application, actor=ipo, role="Police adviser",
                                            start_date=dt.date(2027, 10, 15))
    base = live_server.url
    context = browser.new_context(locale="en-CA", bypass_csp=True)  # axe is injected as a script
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, base, "hq@example.test", "pw-roster-test")
        page.goto(f"{base}/deployments/{deployment.pk}/")
        assert page.get_by_test_id("deployment-status").inner_text() == "Planned"
        assert page.get_by_role("link", name="Repatriate").count() == 0  # a planned tour is cancelled instead

        page.get_by_role("link", name="Cancel the deployment").click()
        page.wait_for_url(f"{base}/deployments/{deployment.pk}/cancel/")
        consequences = page.get_by_test_id("cancel-consequences").inner_text()
        assert "The officer's application returns to Selected; the officer and their coordinator are emailed." \
            in consequences
        assert serious(page) == []
        # an empty reason is refused next to the field (the browser's own check set aside)
        page.locator("form:has(#id_reason)").evaluate("form => form.noValidate = true")
        page.get_by_role("button", name="Confirm the cancellation").click()
        assert "Give the reason for the cancellation." in page.locator("#div_id_reason").inner_text()

        page.get_by_label("Reason for the cancellation").fill(REASON)
        page.get_by_role("button", name="Confirm the cancellation").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == f"{base}/deployments/{deployment.pk}/"
        assert page.get_by_test_id("deployment-status").inner_text() == "Cancelled"
        assert "application is back to Selected" in page.get_by_role("status").inner_text()
        assert page.get_by_test_id("cancellation-reason").inner_text() == REASON
        assert page.get_by_role("heading", name="Actions").count() == 0
        steps = page.get_by_test_id("event-log").locator("tbody th[scope=row]").all_inner_texts()
        assert steps == ["Deployment created", "Cancelled before departure"]
        assert serious(page) == []

        page.get_by_role("link", name=bulletin.reference).click()
        page.wait_for_url(f"{base}/applications/{application.pk}/")
        assert page.get_by_role("link", name="Create deployment").is_visible()  # it may be deployed again
        timeline = page.get_by_test_id("timeline").inner_text()
        assert "Deployed → Selected" in timeline
        assert "Deployment to BINUH cancelled before departure." in timeline
    finally:
        context.close()
