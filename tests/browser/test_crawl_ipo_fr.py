"""The crawl of test_crawl_ipo.py, in French (a file of its own, so it runs beside the English one)."""

import pytest

from tests.browser import test_crawl_ipo as english

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_page_ipo_staff_reach_in_french(live_server, browser):
    english.test_every_page_ipo_staff_reach(live_server, browser, language="fr")
