"""Every page an officer reaches by following links from "/", in English and in French: no link answers
an error, each page is in the chosen language, axe finds no violation of any impact, the Nu HTML
checker finds no error, and following links changes no data (rules: tests/crawl.py)."""

import pytest

from tests.crawl import check, run_crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Kinds of page the crawl must reach (see tests.crawl.check), and a floor on the number of pages
# (about four fifths of what it finds with the demo data).
MUST_REACH = {
    "/my/applications/",
    "/applications/<int:pk>/",
    "/bulletins/<int:pk>/",
    "/officers/me/",
    "/officers/me/edit/",
    "/deployments/<int:pk>/",
    "/welfare/check-in/",
    "/planning/sessions/mine/",
    "/accounts/my-record/reads/",
}
AT_LEAST = 34


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_an_officer_reaches(live_server, browser, language):
    report = run_crawl(browser, live_server.url, "officer@demo.example", language)
    check(report, must_reach=MUST_REACH, at_least=AT_LEAST)
