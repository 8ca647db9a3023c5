"""The GC look in a real Chromium: the error summary takes the focus and its links lead to the fields; axe
finds nothing wrong in the header, the footer and the error summary; every focus indicator stands out at
least 3:1 from what surrounds it (on the white page and on the navy bands); links on coloured alerts read
at least 4.5:1; and nothing scrolls sideways on a 320 px screen."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-roster-test"

# WCAG's relative luminance and contrast ratio, in the page: colours as the browser computed them.
CONTRAST_JS = """
(() => {
  const parse = c => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const background = el => { for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0.5) return c; }
    return {r: 255, g: 255, b: 255, a: 1}; };
  window.gcContrast = {parse, ratio, background};
})();
"""

# The focus ring of the focused element against what is around it: the outline's colour, or the white ring
# of the box shadow between the element and the outline, whichever stands out more.
FOCUS_JS = """
el => {
  const {parse, ratio, background} = window.gcContrast;
  const s = getComputedStyle(el);
  const around = background(el.parentElement);
  const outline = parse(s.outlineColor);
  const shadow = s.boxShadow && s.boxShadow !== 'none' ? parse(s.boxShadow) : null;
  const width = parseFloat(s.outlineWidth) || 0;
  const best = Math.max(outline && s.outlineStyle !== 'none' && width >= 2 ? ratio(outline, around) : 1,
                        shadow ? ratio(shadow, around) : 1);
  return {focusVisible: el.matches(':focus-visible') || el.matches(':focus'), width, style: s.outlineStyle,
          ratio: Math.round(best * 100) / 100, outline: s.outlineColor,
          around: `rgb(${around.r},${around.g},${around.b})`};
}
"""


def submit_empty(page, form="main form[method=post]"):
    page.evaluate("document.querySelectorAll('form').forEach(f => f.noValidate = true)")
    page.locator(form).last.locator("[type=submit]").last.click()
    page.wait_for_load_state()


def test_the_error_summary_takes_the_focus_and_its_links_lead_to_the_fields(live_server, page):
    page.goto(live_server.url + "/report-a-problem/")
    submit_empty(page)
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: Report a problem")
    summary.get_by_role("link", name="What went wrong?: This field is required.").click()
    expect(page.locator("#id_description")).to_be_focused()
    # the keyboard does the same
    page.locator("#error-summary a").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#id_description")).to_be_focused()


def test_the_header_footer_and_error_summary_pass_axe_in_both_languages(live_server, browser):
    from axe_playwright_python.sync_playwright import Axe

    f.IpoStaffFactory(email="hq@example.test")
    context = browser.new_context(bypass_csp=True, locale="en-CA")
    page = context.new_page()
    axe = Axe()
    found = {}
    for language in ("en", "fr"):
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + "/report-a-problem/")
            if page.locator("html").get_attribute("lang") != language:
                page.locator(".gc-lang-toggle button").click()
                expect(page.locator("html")).to_have_attribute("lang", language)
            submit_empty(page)
            results = axe.run(page, context={"include": [["header"], ["footer"], ["#error-summary"]]})
            violations = [f"{v['id']}: {v['nodes'][0]['target']}" for v in results.response["violations"]]
            if violations:
                found[f"{language} {width}"] = violations
    context.close()
    assert found == {}


def _focus_ring(page, selector):
    element = page.locator(selector).first
    element.scroll_into_view_if_needed()
    element.focus()
    return element.evaluate(FOCUS_JS)


def test_every_focus_indicator_stands_out_at_least_3_to_1(live_server, page):
    staff = f.IpoStaffFactory(email="hq@example.test")
    f.BulletinFactory(mission=f.MissionFactory(code="BINUH"), status="published")
    login(page, live_server.url, staff.email, PASSWORD)
    page.goto(live_server.url + "/bulletins/")
    page.keyboard.press("Tab")  # the keyboard is in use: focus rings show (:focus-visible)
    page.evaluate(CONTRAST_JS)
    selectors = {
        "skip link": ".gc-skip-link",
        "language toggle (white band)": ".gc-lang-toggle button",
        "app name (navy bar)": ".gc-nav .navbar-brand",
        "menu link (navy bar)": "#nav-main .nav-link",
        "account menu (navy bar)": "#user-menu-toggle",
        "breadcrumb link": ".gc-breadcrumbs a",
        "link in the page": "main table a",
        "text input": "main input[type=search], main input[type=text]",
        "select": "main select",
        "button": "main .btn",
        "footer link (navy band)": ".gc-footer-main a",
        "footer link (grey band)": ".gc-footer-links a",
    }
    weak, rings = {}, {}
    for name, selector in selectors.items():
        ring = rings[name] = _focus_ring(page, selector)
        if not ring["focusVisible"] or ring["ratio"] < 3 or ring["width"] < 2:
            weak[name] = ring
    assert weak == {}, rings


def test_links_on_coloured_alerts_read_at_least_4_5_to_1(live_server, page):
    page.goto(live_server.url + "/accounts/login/")
    page.evaluate(CONTRAST_JS)
    ratios = page.evaluate("""() => {
      const {parse, ratio} = window.gcContrast;
      const out = {};
      for (const kind of ['info', 'success', 'warning', 'danger', 'secondary']) {
        const alert = document.createElement('div');
        alert.className = 'alert alert-' + kind;
        alert.innerHTML = 'Text <a href="#">a link</a>';
        document.querySelector('main').prepend(alert);
        const bg = parse(getComputedStyle(alert).backgroundColor);
        const link = alert.querySelector('a');
        out[kind] = [ratio(parse(getComputedStyle(alert).color), bg), ratio(parse(getComputedStyle(link).color), bg)];
      }
      return out;
    }""")
    low = {kind: r for kind, r in ratios.items() if min(r) < 4.5}
    assert low == {}


def test_nothing_scrolls_sideways_on_a_320_px_screen(live_server, browser):
    """The pages that used to: a long email address on an officer's page, the medals table of an officer's
    history, the partner request page's wide gutters; and the pages of the new footer."""
    agency = f.AgencyFactory(name_en="Regional Municipality of Example-upon-the-Lake Police Service")
    staff = f.IpoStaffFactory(email="hq@example.test")
    officer = f.OfficerFactory(
        agency=agency, email="alexandra.longname-whitfield.constable@example-upon-the-lake-police.example")
    start = dt.date.today() - dt.timedelta(days=500)
    f.DeploymentFactory(officer=officer, mission=f.MissionFactory(code="MONUSCO"), status="completed",
                        start_date=start, planned_end_date=start + dt.timedelta(days=365),
                        actual_end_date=start + dt.timedelta(days=365))
    context = browser.new_context(viewport={"width": 320, "height": 800}, locale="en-CA")
    page = context.new_page()
    login(page, live_server.url, staff.email, PASSWORD)
    wide = {}
    for language in ("en", "fr"):
        if language == "fr":
            page.locator(".gc-lang-toggle button").click()
            expect(page.locator("html")).to_have_attribute("lang", "fr")
        for path in (f"/officers/{officer.pk}/", f"/officers/{officer.pk}/history/", "/partners/join/",
                     "/report-a-problem/", "/terms/", "/contact/", "/privacy/", "/bulletins/", "/"):
            page.goto(live_server.url + path)
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            if overflow > 0:
                wide[f"{language} {path}"] = overflow
    context.close()
    assert wide == {}


def test_the_session_warning_gives_the_focus_back_where_it_was(live_server, page, settings):
    settings.ROSTER = {**settings.ROSTER, "SESSION_IDLE_SECONDS": 12, "SESSION_WARNING_SECONDS": 9}
    f.CoordinatorFactory(email="coord@example.test")
    login(page, live_server.url, "coord@example.test", PASSWORD)
    footer_link = page.locator(".gc-footer-links a").first
    footer_link.focus()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=10000)
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(footer_link).to_be_focused()


def test_a_table_that_scrolls_inside_its_frame_on_a_phone_is_reachable_by_keyboard(live_server, browser):
    """A data table too wide for a phone scrolls inside its frame (WCAG 1.4.10 allows it for data tables);
    the frame then takes the keyboard focus, named by the table's caption, so its hidden columns can be
    scrolled into view without a mouse (static/js/scroll-regions.js)."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 320, "height": 800}, locale="en-CA", bypass_csp=True)
    page = context.new_page()
    page.goto(live_server.url + "/terms/")
    page.evaluate("""() => {
      const frame = document.createElement('div');
      frame.className = 'table-responsive';
      frame.innerHTML = '<table class="table"><caption>Claims by agency</caption><tr>' +
        Array.from({length: 8}, (_, i) => `<td class="text-nowrap">Column ${i}</td>`).join('') + '</tr></table>';
      document.querySelector('main').prepend(frame);
      window.dispatchEvent(new Event('resize'));
    }""")
    frame = page.locator(".table-responsive")
    expect(frame).to_have_attribute("tabindex", "0")
    expect(frame).to_have_attribute("role", "region")
    assert frame.evaluate("e => document.getElementById(e.getAttribute('aria-labelledby')).textContent") == \
        "Claims by agency"
    frame.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.table-responsive').scrollLeft > 0")
    results = Axe().run(page, options={"runOnly": ["scrollable-region-focusable"]})
    assert results.response["violations"] == []
    # wide enough again, the frame no longer scrolls and leaves the tab order
    page.set_viewport_size({"width": 1900, "height": 800})
    expect(frame).not_to_have_attribute("tabindex", "0")
    context.close()
