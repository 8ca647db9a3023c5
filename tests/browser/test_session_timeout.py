"""The idle sign-out warning in a real browser: it appears before the end, takes the focus, and
the keyboard keeps the person signed in (WCAG 2.2.1); left alone, the page goes to sign-in."""

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def short_sessions(settings):
    settings.ROSTER = {**settings.ROSTER, "SESSION_IDLE_SECONDS": 12, "SESSION_WARNING_SECONDS": 9}


def test_the_warning_takes_the_focus_and_enter_stays_signed_in(live_server, page, short_sessions):
    f.CoordinatorFactory(email="coord@example.test")
    login(page, live_server.url, "coord@example.test", "pw-roster-test")
    dialog = page.get_by_role("alertdialog", name="Your session is about to end")
    expect(dialog).to_be_visible(timeout=10000)
    stay = page.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    state = page.evaluate("fetch('/accounts/session/', {headers: {Accept: 'application/json'}}).then(r => r.json())")
    assert state["signed_in"] and state["remaining"] >= 10
    # still signed in: the home page answers, not the sign-in page
    page.goto(live_server.url + "/")
    assert "/accounts/login/" not in page.url


def test_left_alone_the_page_goes_to_sign_in(live_server, page, short_sessions):
    f.CoordinatorFactory(email="coord@example.test")
    login(page, live_server.url, "coord@example.test", "pw-roster-test")
    page.wait_for_url("**/accounts/login/**", timeout=30000)
