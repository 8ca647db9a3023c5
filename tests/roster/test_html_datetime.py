"""A `<time datetime>` is valid HTML: a moment to the second with its offset, never microseconds
(HTML allows at most three decimals of a second; the Nu HTML checker rejects six)."""

import datetime as dt
import re

from django.urls import reverse

from roster.templatetags.roster_tags import html_datetime
from tests import factories as f

MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")


def test_a_moment_is_written_to_the_second_in_ottawa_time():
    moment = dt.datetime(2026, 11, 28, 22, 34, 47, 529718, tzinfo=dt.UTC)
    assert html_datetime(moment) == "2026-11-28T17:34:47-05:00"
    assert html_datetime(None) == ""


def test_the_timelines_moments_are_valid_html(clients, world):
    f.ApplicationEventFactory(application=world.app_x)  # created now: microseconds in the database
    for url in (reverse("roster:my-applications"), reverse("roster:application-detail", args=[world.app_x.pk])):
        html = clients.officer_x.get(url).content.decode()
        moments = [v for v in re.findall(r'<time datetime="([^"]*)"', html) if "T" in v]
        assert moments, url
        assert all(MOMENT.fullmatch(v) for v in moments), (url, moments)
