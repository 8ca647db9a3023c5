"""The privacy pages and the archive's report are well-formed HTML: every element closed in order,
ids unique, every aria-labelledby pointing at an id of the page, a lang attribute, no nested forms."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests.clock import TODAY
from tests.conftest import client_for
from tests.pages import page_text
from tests.privacy.conftest import open_zip, report_html
from tests.privacy.test_retention import officer_created_on, years_before

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.labelledby, self.problems, self.lang = [], [], [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "form" and "form" in self.stack:
            self.problems.append("nested form")
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if attrs.get("aria-labelledby"):
            self.labelledby.append(attrs["aria-labelledby"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()


def check(html: str):
    checker = Checker()
    checker.feed(html)
    assert not checker.problems, checker.problems
    assert not checker.stack, f"unclosed: {checker.stack}"
    assert len(checker.ids) == len(set(checker.ids)), "ids are unique"
    assert set(checker.labelledby) <= set(checker.ids), "aria-labelledby points at an id"
    assert checker.lang in ("en", "fr")


def test_the_notice_page_is_well_formed(world, clients):
    check(page_text(clients.anonymous.get(reverse("privacy:notice"))))


def test_the_retention_pages_are_well_formed(pin_today, world, clients):
    officer = officer_created_on(years_before(TODAY, 3))
    check(page_text(clients.ipo.get(reverse("privacy:retention"))))
    check(page_text(clients.ipo.get(reverse("privacy:retention-anonymise", args=[officer.pk]))))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_archive_report_is_well_formed(record, clients, language):
    record.user_x.preferred_language = language
    record.user_x.save()
    html = report_html(open_zip(client_for(record.user_x).get(reverse("privacy:my-record"))))
    check(html)
    assert f'<html lang="{language}">' in html
