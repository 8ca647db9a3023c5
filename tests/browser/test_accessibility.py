"""axe-core, in Chromium, finds no serious or critical accessibility violation on the
main pages of each role, in English and in French."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = {
    "ipo@demo.example": [
        "/", "/bulletins/", "/bulletins/new/", "/missions/", "/officers/", "/roster/", "/dashboard/", "/outbox/",
    ],
    "coordinator@demo.example": ["/", "/agency/applications/", "/officers/new/", "/dashboard/"],
    "officer@demo.example": ["/", "/my/applications/", "/officers/me/edit/"],
}


@pytest.fixture
def axe_page(browser):
    context = browser.new_context(bypass_csp=True, locale="en-CA")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def serious(axe, page):
    found = axe.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_the_main_pages_have_no_serious_accessibility_violation(live_server, axe_page):
    from axe_playwright_python.sync_playwright import Axe

    call_command("seed_demo", verbosity=0)
    axe = Axe()
    problems = {}
    from roster.models import Application

    with_applicants = Application.objects.values_list("bulletin_id", flat=True).order_by("bulletin_id").last()
    pages = {**PAGES, "ipo@demo.example": [*PAGES["ipo@demo.example"], f"/bulletins/{with_applicants}/pipeline/"]}
    for email, paths in pages.items():
        login(axe_page, live_server.url, email)
        for path in paths:
            axe_page.goto(live_server.url + path)
            found = serious(axe, axe_page)
            if found:
                problems[f"{email} {path}"] = found
        axe_page.context.clear_cookies()
    # French as well: the login page and the officer's pages after switching language
    axe_page.goto(live_server.url + "/accounts/login/")
    axe_page.get_by_role("button", name="Français").click()
    expect(axe_page.locator("html")).to_have_attribute("lang", "fr")
    found = serious(axe, axe_page)
    if found:
        problems["login (fr)"] = found
    # on a phone, where the officer's tables become cards
    axe_page.set_viewport_size({"width": 390, "height": 844})
    login(axe_page, live_server.url, "officer@demo.example")
    for path in ("/", "/bulletins/"):
        axe_page.goto(live_server.url + path)
        found = serious(axe, axe_page)
        if found:
            problems[f"officer {path} (phone)"] = found
    assert problems == {}
