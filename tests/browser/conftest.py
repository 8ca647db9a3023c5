"""Playwright drives Debian's Chromium (/usr/bin/chromium), headless, against the live server."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-CA")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


def login(page, base_url, email, password="demo-roster-2026"):
    page.goto(f"{base_url}/accounts/login/")
    # by id, so the same helper works whatever language the page is in
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("form:has(#id_password) [type=submit]").click()
    page.wait_for_url(f"{base_url}/")
