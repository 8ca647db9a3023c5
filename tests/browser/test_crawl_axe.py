"""axe, as the page crawl runs it (tests/crawl.py), in Chromium: on a page of its own, served under a
Content Security Policy like the app's."""

import pytest

from tests.crawl import PAGE_FACTS, axe_violations, new_context

pytestmark = pytest.mark.browser

AXE_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Fixture</title></head><body>
<main><h1>Fixture</h1>
<p><a href="/officers/3/?b=2&amp;a=1">An officer</a> <a href="/file" download>A file</a> <a>No link</a></p>
<p id="pale" style="color: #bbb; background: #fff">Pale text on white</p>
<table><tr><th></th><td>A header cell with no text: a minor violation</td></tr></table>
</main></body></html>"""


def test_axe_is_in_every_page_under_the_csp_and_reports_violations_of_any_impact(browser):
    """In Chromium, on a page served with a Content Security Policy like the app's: axe is there
    without being sent, finds the minor violation as well as the serious one, and leaves the
    contrast out only when told to; the page's language and links are read as written."""
    context = new_context(browser)
    try:
        page = context.new_page()
        page.route("http://crawl.test/**", lambda route: route.fulfill(
            body=AXE_PAGE, content_type="text/html",
            headers={"Content-Security-Policy": "default-src 'self'; script-src 'self'"}))
        page.goto("http://crawl.test/")
        found = axe_violations(page)
        assert [v.split(" ")[0] for v in found] == ["color-contrast", "empty-table-header"], found
        assert found[0].startswith("color-contrast (serious, 1 element(s)), first ['#pale']: ")
        assert found[1].startswith("empty-table-header (minor, ")
        assert page.evaluate(PAGE_FACTS) == {
            "lang": "en", "links": [["/officers/3/?b=2&a=1", False], ["/file", True]]}
        page.goto("http://crawl.test/again")
        assert [v.split(" ")[0] for v in axe_violations(page, contrast=False)] == ["empty-table-header"]
    finally:
        context.close()
