"""The API's documentation (Swagger UI from the vendored files) runs in a real Chromium under the Content
Security Policy: the operations are listed and nothing is refused or fails in the console."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

pytestmark = pytest.mark.browser


def test_the_documentation_lists_the_operations_with_no_csp_violation(live_server, browser):
    context = browser.new_context(locale="en-CA")
    page = context.new_page()
    page.set_default_timeout(20000)
    problems, outside = [], []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type in ("error", "warning")
            and "Content Security Policy" in msg.text or msg.type == "error" else None)
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:", "blob:")) else None)
    try:
        page.goto(f"{live_server.url}/api/v1/docs/")
        page.wait_for_selector(".opblock-summary-path")
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/api/v1/applications/" in p for p in paths)
        assert page.locator(".info .title").inner_text().startswith("Deployment roster API")
    finally:
        context.close()
    assert problems == []
    assert outside == []
