"""A real Chromium: an officer in mission checks in "urgent" from a phone-size screen (390 px wide); the IPO
duty desk and the coordinator are emailed; IPO staff find it on top of the welfare board, read it and record
the follow-up, after which it leaves the top. axe-core finds no serious violation on the pages on the way."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import OutgoingMail
from tests import factories as f
from tests.browser.conftest import login
from welfare.models import CheckIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NOTE = "Shots fired near the team site last night. I am safe but shaken."
CONTACT = "+509 555 0142 (WhatsApp)"


def serious(page):
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in found
            if v["impact"] in ("serious", "critical")]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_officer_checks_in_urgently_from_a_phone_and_ipo_staff_follow_it_up(live_server, browser, settings):
    settings.ROSTER = {**settings.ROSTER, "IPO_DUTY_EMAIL": "duty@ipo.example"}
    today = timezone.localdate()
    f.IpoStaffFactory(email="hq@example.test", first_name="Claire", last_name="Lambert")
    agency = f.AgencyFactory(name_en="Ottawa Police Service")
    f.CoordinatorFactory(email="coord@example.test", agency=agency)
    mission = f.MissionFactory(code="BINUH", authorized_strength=48)
    user = f.UserFactory(email="nadia@example.test", agency=agency)
    officer = f.OfficerFactory(agency=agency, user=user, first_name="Nadia", last_name="Roy")
    deployment = f.DeploymentFactory(officer=officer, mission=mission, start_date=today - dt.timedelta(days=10))
    # another officer, long overdue: the urgent check-in must still come first
    late = f.DeploymentFactory(officer=f.OfficerFactory(agency=agency, last_name="Abbott"), mission=mission,
                               start_date=today - dt.timedelta(days=90))
    base = live_server.url

    phone = browser.new_context(locale="en-CA", viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = phone.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, base, "nadia@example.test", "pw-roster-test")
        page.goto(f"{base}/welfare/check-in/")
        assert page.get_by_role("heading", level=1).inner_text() == "Check in"
        assert fits_the_screen(page)
        assert serious(page) == []
        page.get_by_text("Urgent", exact=True).tap()
        assert page.get_by_role("radio", name="Urgent").is_checked()
        page.get_by_label("Short note").fill(NOTE)
        page.get_by_label("How to reach you").fill(CONTACT)
        page.get_by_label("Share my note and how to reach me with my agency's coordinator").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Send my check-in").tap()
        assert "the IPO duty desk and your coordinator have been told" in page.get_by_role("status").inner_text()
        assert "Urgent" in page.get_by_test_id("my-checkins").inner_text()
        assert fits_the_screen(page)
        assert serious(page) == []
    finally:
        phone.close()

    checkin = CheckIn.objects.get()
    assert (checkin.deployment_id, checkin.status, checkin.shared) == (deployment.pk, "urgent", True)
    assert sorted(OutgoingMail.objects.filter(kind="welfare_urgent").values_list("to", flat=True)) == \
        ["coord@example.test", "duty@ipo.example"]

    desk = browser.new_context(locale="en-CA", bypass_csp=True)
    page = desk.new_page()
    page.set_default_timeout(15000)
    try:
        login(page, base, "hq@example.test", "pw-roster-test")
        page.goto(f"{base}/welfare/")
        rows = page.get_by_test_id("board-row")
        assert rows.first.get_attribute("data-deployment") == str(deployment.pk)
        assert rows.first.get_attribute("data-state") == "urgent"
        assert rows.nth(1).get_attribute("data-deployment") == str(late.pk)
        assert "Urgent, not followed up yet" in rows.first.inner_text()
        assert serious(page) == []

        rows.first.get_by_role("link", name="Follow up Roy, Nadia").click()
        page.wait_for_url(f"{base}/welfare/check-ins/{checkin.pk}/follow-up/")
        assert page.get_by_test_id("note").inner_text() == NOTE
        assert page.get_by_test_id("contact").inner_text() == CONTACT
        assert serious(page) == []
        # an empty follow-up is refused next to the field (the browser's own check set aside)
        page.locator("form:has(#id_note)").evaluate("form => form.noValidate = true")
        page.get_by_role("button", name="Record the follow-up").click()
        assert "Say how you followed up" in page.locator("#div_id_note").inner_text()
        page.get_by_label("Follow-up").fill("Called on WhatsApp; mission counsellor booked for today.")
        page.get_by_role("button", name="Record the follow-up").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == f"{base}/welfare/"
        assert "Follow-up recorded for Nadia Roy." in page.get_by_role("status").inner_text()
        first = page.get_by_test_id("board-row").first
        assert first.get_attribute("data-deployment") == str(late.pk)  # the urgent one has left the top
        assert serious(page) == []

        page.goto(f"{base}/welfare/deployments/{deployment.pk}/")
        history = page.get_by_test_id("checkin-history").inner_text()
        assert "Followed up" in history and "Claire Lambert" in history and "counsellor booked" in history
        assert serious(page) == []
    finally:
        desk.close()
    checkin.refresh_from_db()
    assert checkin.followed_up_by.email == "hq@example.test"
