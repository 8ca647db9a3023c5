"""Keyboard-only journeys in a real Chromium: signing in, applying, a pipeline bulk action, the
language toggle and two-step verification, with Tab, Shift+Tab, Enter, Space and typing only (no
clicks). At every stop the focused element shows a focus indicator (an outline or a box shadow)."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from roster.models import Application
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-roster-test"
MAX_TABS = 120

# The focused element, described, and whether it shows a focus indicator. An element focused by a
# script or a skip link (tabindex="-1": the main region, an error summary) is not a Tab stop.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow !== "none" && s.boxShadow !== "";
  const name = (el.getAttribute("aria-label") || el.textContent || el.name || el.id || "").trim().slice(0, 40);
  return {what: `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${name}"`,
          visible: outline || shadow, scripted: el.getAttribute("tabindex") === "-1"};
}"""


def focus_shown(page) -> None:
    """The focused element (if any, and reached with the keyboard) has a visible focus indicator."""
    try:
        state = page.evaluate(FOCUS)
    except PlaywrightError as exc:  # the key followed a link or sent a form: check the new page
        if "context was destroyed" not in str(exc):
            raise
        page.wait_for_load_state()
        state = page.evaluate(FOCUS)
    if state and not state["scripted"]:
        assert state["visible"], f"{page.url}: no visible focus indicator on {state['what']}"


def is_focused(locator) -> bool:
    return locator.count() == 1 and locator.evaluate("el => el === document.activeElement")


def press(page, key: str) -> None:
    page.keyboard.press(key)
    focus_shown(page)


def tab_to(page, locator, *, backwards: bool = False) -> None:
    """Tab (or Shift+Tab) until `locator` has the focus, checking the focus indicator at each stop."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        if is_focused(locator):
            return
        press(page, key)
    raise AssertionError(f"{page.url}: {MAX_TABS} presses of {key} never reached {locator}")


def toggle(page, name: str):
    """The language toggle (a button or a link) labelled `name`."""
    return page.get_by_role("button", name=name, exact=True).or_(page.get_by_role("link", name=name, exact=True))


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    tab_to(page, page.locator("#id_username"))
    page.keyboard.type(email)
    press(page, "Tab")
    assert is_focused(page.locator("#id_password"))
    page.keyboard.type(PASSWORD)
    press(page, "Enter")


@pytest.fixture
def kb_page(browser):
    context = browser.new_context(locale="en-CA")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_signing_in(live_server, kb_page):
    f.UserFactory(email="kim@example.test", agency=f.AgencyFactory())
    page, base = kb_page, live_server.url
    page.goto(f"{base}/accounts/login/")
    tab_to(page, page.locator("#id_username"))
    page.keyboard.type("kim@example.test")
    press(page, "Tab")
    page.keyboard.type(PASSWORD)
    # back to the email address and forward again: what was typed is still there
    press(page, "Shift+Tab")
    assert is_focused(page.locator("#id_username"))
    expect(page.locator("#id_username")).to_have_value("kim@example.test")
    press(page, "Tab")
    tab_to(page, page.locator("main [type=submit]"))
    press(page, "Enter")
    page.wait_for_url(f"{base}/")  # the home page, which sends anyone not signed in to the sign-in page


def test_applying_to_an_open_bulletin(live_server, kb_page):
    agency = f.AgencyFactory(language="en")
    user = f.UserFactory(email="ana@example.test", agency=agency, first_name="Ana", last_name="Silva")
    officer = f.OfficerFactory(agency=agency, user=user, first_name="Ana", last_name="Silva", email=user.email,
                               english_level=4, french_level=3, service_start=dt.date(2008, 3, 1),
                               date_of_birth=dt.date(1984, 6, 2))
    for kind in ("medical", "passport", "security"):
        f.ClearanceFactory(officer=officer, kind=kind)
    bulletin = f.BulletinFactory(mission=f.MissionFactory(code="UNMISS", language="en", armed=False),
                                 required_language="en", min_language_level=3,
                                 closes_at=timezone.now() + dt.timedelta(days=15))
    page, base = kb_page, live_server.url
    sign_in(page, base, "ana@example.test")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/bulletins/{bulletin.pk}/")
    tab_to(page, page.get_by_test_id("bulletin-apply-panel").get_by_role("link", name="Apply", exact=True))
    press(page, "Enter")
    page.wait_for_url(re.compile(r"/apply/$"))
    tab_to(page, page.get_by_label("Statement of interest"))
    page.keyboard.type("Ten years of community policing; I speak Arabic.")
    confirm = page.get_by_label(re.compile("apply anyway"))
    if confirm.count():  # a requirement not met: the confirmation is ticked with Space
        tab_to(page, confirm)
        press(page, "Space")
        expect(confirm).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Submit my application"))
    press(page, "Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Application of Ana Silva")
    application = Application.objects.get(bulletin=bulletin, officer=officer)
    assert application.statement == "Ten years of community policing; I speak Arabic."


def test_a_pipeline_bulk_action(live_server, kb_page):
    f.IpoStaffFactory(email="hq@example.test")
    agency = f.AgencyFactory()
    bulletin = f.BulletinFactory(mission=f.MissionFactory(code="BINUH"), positions=3)
    endorsed = [
        f.ApplicationFactory(bulletin=bulletin, status="endorsed",
                             officer=f.OfficerFactory(agency=agency, first_name=first, last_name=last))
        for first, last in (("Ann", "Adams"), ("Bob", "Brown"))
    ]
    page, base = kb_page, live_server.url
    sign_in(page, base, "hq@example.test")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/bulletins/{bulletin.pk}/pipeline/")
    # the bulk-action group is named, for a screen reader announcing it
    expect(page.get_by_role("group", name="Move the ticked applicants")).to_be_visible()
    tab_to(page, page.get_by_label("Tick Ann Adams"))
    press(page, "Space")
    tab_to(page, page.get_by_label("Tick Bob Brown"))
    press(page, "Space")
    expect(page.get_by_test_id("bulk-status")).to_have_text(
        "2 applicants ticked: each move says how many of them it applies to.")
    # back up to the action list (it comes before the rows), choose by typing, then on to Apply
    action = page.get_by_test_id("bulk-action")
    tab_to(page, action, backwards=True)
    page.keyboard.type("Sh")
    focus_shown(page)
    expect(action).to_have_value("shortlist")
    tab_to(page, page.get_by_role("button", name="Apply", exact=True))
    press(page, "Enter")
    expect(page.get_by_role("status").first).to_contain_text("2 applications moved to “Shortlisted”.")
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in endorsed])} == {"shortlisted"}


def test_the_language_toggle(live_server, kb_page):
    page, base = kb_page, live_server.url
    page.goto(f"{base}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # the toggle comes before the form in the page: back from the email address field
    tab_to(page, toggle(page, "Français"), backwards=True)
    press(page, "Enter")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion au registre des déploiements")
    tab_to(page, toggle(page, "English"))
    press(page, "Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the deployment roster")


def test_the_bulk_action_group_is_named_in_french_too(live_server, kb_page):
    f.IpoStaffFactory(email="hq@example.test", preferred_language="fr")
    bulletin = f.BulletinFactory(mission=f.MissionFactory(code="BINUH"))
    f.ApplicationFactory(bulletin=bulletin, status="endorsed", officer=f.OfficerFactory())
    page, base = kb_page, live_server.url
    sign_in(page, base, "hq@example.test")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/bulletins/{bulletin.pk}/pipeline/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("group", name="Changer le statut des candidats cochés")).to_be_visible()


def test_two_step_verification(live_server, kb_page):
    user = f.CoordinatorFactory(email="lea@example.test", agency=f.AgencyFactory())
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page, base = kb_page, live_server.url
    sign_in(page, base, "lea@example.test")
    page.wait_for_url(re.compile(r"/accounts/two-step/verify/"))
    tab_to(page, page.locator("#id_token"))
    page.keyboard.type(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    tab_to(page, page.get_by_role("button", name="Verify"))
    press(page, "Enter")
    page.wait_for_url(f"{base}/")
    device.refresh_from_db()
    assert device.last_t > 0  # the code was checked and used


def test_a_focused_element_without_an_indicator_is_caught(live_server, browser):
    """The check above is real: with focus styles removed, the first Tab fails it."""
    context = browser.new_context(locale="en-CA", bypass_csp=True)  # to add the style below
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.add_style_tag(content="*:focus { outline: none !important; box-shadow: none !important; }")
        with pytest.raises(AssertionError, match="no visible focus indicator"):
            press(page, "Tab")
    finally:
        context.close()
