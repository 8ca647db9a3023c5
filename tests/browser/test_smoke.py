"""A real Chromium logs in as each demo role and sees that role's home page, under the
Content Security Policy, with no console error."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_demo_role_sees_its_home_page(live_server, page):
    call_command("seed_demo", verbosity=0)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    base = live_server.url
    expectations = {
        "ipo@demo.example": "International Peace Operations",
        "coordinator@demo.example": "Ottawa Police Service",
        "officer@demo.example": "My applications",
    }
    for email, heading in expectations.items():
        login(page, base, email)
        assert page.get_by_role("heading", level=1).inner_text().strip() == heading
        # the skip link is the first thing a keyboard reaches
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
        # Bootstrap's script runs under the policy: the account menu opens
        page.locator("#user-menu-toggle").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        page.context.clear_cookies()
    assert errors == []


def test_the_language_switcher_works_in_the_browser(live_server, page):
    from tests import factories as f

    f.IpoStaffFactory(email="hq@example.test")
    login(page, live_server.url, "hq@example.test", "pw-roster-test")
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="English")).to_be_visible()


def test_the_menu_collapses_and_opens_on_a_phone(live_server, browser):
    from tests import factories as f

    f.UserFactory(email="phone@example.test", agency=f.AgencyFactory())
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-CA")
    page = context.new_page()
    login(page, live_server.url, "phone@example.test", "pw-roster-test")
    link = page.locator("#nav-main").get_by_role("link", name="Bulletins", exact=True)
    assert not link.is_visible()
    page.get_by_role("button", name="Toggle navigation").click()
    link.wait_for(state="visible")
    context.close()


def test_an_officer_on_a_phone_reads_the_lists_as_cards_without_scrolling_sideways(live_server, browser):
    from tests import factories as f

    agency = f.AgencyFactory()
    user = f.UserFactory(email="phone@example.test", agency=agency)
    officer = f.OfficerFactory(user=user, agency=agency)
    mission = f.MissionFactory(code="MONUSCO")
    for i in range(3):
        f.BulletinFactory(mission=mission, status="published", title_en=f"Investigations mentor {i}")
    f.ApplicationFactory(officer=officer, bulletin=f.BulletinFactory(mission=mission, status="published"))
    f.DeploymentFactory(officer=officer, mission=mission, role="Community policing adviser")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-CA")
    page = context.new_page()
    login(page, live_server.url, "phone@example.test", "pw-roster-test")
    for path in ("/", "/bulletins/"):
        page.goto(live_server.url + path)
        tables = page.locator(".table-responsive")
        assert tables.count() >= 1
        for i in range(tables.count()):
            overflow = tables.nth(i).evaluate("el => el.scrollWidth - el.clientWidth")
            assert overflow <= 1, f"{path}: table {i} scrolls sideways by {overflow}px"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        # each cell says which column it is, the header row is out of sight, and it is still a table
        expect(page.locator("table thead").first).not_to_be_in_viewport()
        assert page.get_by_role("table").count() == tables.count()
        assert page.get_by_role("cell", name="Status").count() == 0  # the label is not read twice
    # the filters fold away behind one button, which opens them
    page.goto(live_server.url + "/bulletins/")
    search = page.get_by_label("Search")
    expect(search).to_be_hidden()
    page.get_by_role("button", name="Search and filters").click()
    expect(search).to_be_visible()
    # the officer's own deployment is linked by its mission, not by their own name
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="MONUSCO")).to_be_visible()
    context.close()
