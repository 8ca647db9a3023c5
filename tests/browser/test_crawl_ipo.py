"""Every page IPO staff reach by following links from "/", in English and in French: no link answers
an error, each page is in the chosen language, axe finds no violation of any impact, the Nu HTML
checker finds no error, and following links changes no data (rules: tests/crawl.py)."""

import pytest

from tests.crawl import check, run_crawl

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Kinds of page the crawl must reach (see tests.crawl.check), and a floor on the number of pages
# (about four fifths of what it finds with the demo data).
MUST_REACH = {
    "/dashboard/",
    "/bulletins/<int:bulletin_pk>/pipeline/",
    "/applications/<int:pk>/",
    "/deployments/<int:pk>/",
    "/officers/<int:pk>/",
    "/outbox/<int:pk>/",
    "/ledger/claims/<int:pk>/",
    "/welfare/returns/<int:pk>/",
    "/planning/forecast/",
    "/accounts/audit/",
    "/bulletins/new/",
    "/privacy/retention/",
}
AT_LEAST = 110


# In English here and in French in test_crawl_ipo_fr.py: two files, so that `make test` (a file per
# process at a time) runs the two languages side by side.
def test_every_page_ipo_staff_reach(live_server, browser, language="en"):
    report = run_crawl(browser, live_server.url, "ipo@demo.example", language)
    check(report, must_reach=MUST_REACH, at_least=AT_LEAST)
