"""The privacy notice: a short one beside every form that collects personal data (with the
retention period from the setting), and the full notice at /privacy/, for everyone, linked from
every page's footer."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from tests import factories as f
from tests.pages import page_text

NOTICE = reverse("privacy:notice")


class NoticeParser(HTMLParser):
    """Where the short notice sits (inside a form or not), and every id of the page."""

    def __init__(self):
        super().__init__()
        self.forms, self.notices, self.ids = 0, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms += 1
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if attrs.get("data-testid") == "privacy-notice":
            self.notices.append(self.forms)

    def handle_endtag(self, tag):
        if tag == "form":
            self.forms -= 1


def _clearance_of_x(w):
    return f.ClearanceFactory(officer=w.officer_x, kind="passport").pk


FORM_PAGES = {
    "officer-create": ("ipo", lambda w: reverse("agencies:officer-create")),
    "officer-edit": ("coord_a", lambda w: reverse("agencies:officer-edit", args=[w.officer_x.pk])),
    "clearance-create": ("coord_a", lambda w: reverse("agencies:clearance-create", args=[w.officer_x.pk])),
    "clearance-edit": ("ipo", lambda w: reverse("agencies:clearance-edit", args=[w.officer_x.pk, _clearance_of_x(w)])),
    "my-profile-edit": ("officer_x", lambda w: reverse("agencies:my-profile-edit")),
    "application-create": ("officer_x", lambda w: reverse("roster:application-create", args=[
        f.BulletinFactory(mission=w.mission).pk])),
    "application-edit": ("officer_x", lambda w: reverse("roster:application-edit", args=[w.app_x.pk])),
    "application-nominate": ("coord_a", lambda w: reverse("roster:application-nominate", args=[
        f.BulletinFactory(mission=w.mission).pk])),
    "deployment-repatriate": ("ipo", lambda w: reverse("roster:deployment-repatriate", args=[w.dep_x.pk])),
}


@pytest.mark.parametrize("page", sorted(FORM_PAGES))
def test_every_form_that_collects_personal_data_shows_the_notice(world, clients, page):
    persona, url = FORM_PAGES[page]
    response = getattr(clients, persona).get(url(world))
    assert response.status_code == 200
    html = page_text(response)
    parser = NoticeParser()
    parser.feed(html)
    assert parser.notices == [0], "one notice, outside any form"
    assert len(parser.ids) == len(set(parser.ids)), "ids are unique"
    assert f'href="{NOTICE}"' in html
    assert "kept 2 years after the officer's last tour or application, then anonymised" in html
    assert "Canadian Police Arrangement" in html and "Privacy Act" in html


def test_the_notice_says_the_retention_period_of_the_setting(world, clients, settings):
    settings.ROSTER = {**settings.ROSTER, "RETENTION_YEARS": 5}
    html = page_text(clients.ipo.get(reverse("agencies:officer-create")))
    assert "kept 5 years after" in html
    assert "kept 5 years after" in page_text(clients.anonymous.get(NOTICE))


def test_the_full_notice_is_for_everyone(world, clients):
    for persona in ("anonymous", "ipo", "coord_a", "officer_x"):
        response = getattr(clients, persona).get(NOTICE)
        assert response.status_code == 200
        html = page_text(response)
        for heading in ("Purpose", "Authority", "Use and disclosure", "Retention", "Your rights and whom to contact"):
            assert f">{heading}</h2>" in html
        assert "Royal Canadian Mounted Police Act" in html and "ipo-privacy@ipo.example" in html
        assert "kept 2 years after" in html


def test_every_page_links_the_notice_from_its_footer(world, clients):
    for client, url in ((clients.anonymous, reverse("login")), (clients.officer_x, reverse("home")),
                        (clients.ipo, reverse("missions:bulletin-list"))):
        html = page_text(client.get(url))
        footer = html[html.index("<footer"):]
        assert f'href="{NOTICE}"' in footer
