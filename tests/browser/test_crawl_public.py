"""Every page someone not signed in reaches by following links from "/", in English and in French: no link answers
an error, each page is in the chosen language, axe finds no violation of any impact, the Nu HTML
checker finds no error, and following links changes no data (rules: tests/crawl.py)."""

import pytest

from tests.crawl import check, run_crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Kinds of page the crawl must reach (see tests.crawl.check), and a floor on the number of pages
# (about four fifths of what it finds with the demo data).
MUST_REACH = {
    "/accounts/login/",
    "/accounts/password/reset/",
    "/partners/join/",
    "/terms/",
    "/contact/",
    "/privacy/",
    "/report-a-problem/",
}
AT_LEAST = 7


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_page_someone_not_signed_in_reaches(live_server, browser, language):
    report = run_crawl(browser, live_server.url, None, language)
    check(report, must_reach=MUST_REACH, at_least=AT_LEAST)
