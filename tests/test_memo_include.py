"""The menus and footer on every page are rendered once per role, page and language, then reused."""

from unittest import mock

import pytest
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

from agencies.templatetags import ui
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def nav(html: str) -> str:
    return html[html.index('id="nav-main"'):html.index("</nav>")]


def test_each_role_gets_its_own_menu(client):
    ipo = UserFactory(role="ipo_staff")
    officer = UserFactory(role="officer")
    client.force_login(ipo)
    ipo_nav = nav(client.get(reverse("home")).content.decode())
    client.force_login(officer)
    officer_nav = nav(client.get(reverse("home")).content.decode())
    assert reverse("notifications:outbox") in ipo_nav
    assert reverse("notifications:outbox") not in officer_nav
    assert reverse("roster:my-applications") in officer_nav
    assert officer.email in officer_nav and ipo.email not in officer_nav


def test_the_current_page_is_marked_in_its_own_menu(client):
    client.force_login(UserFactory(role="ipo_staff"))
    home = nav(client.get(reverse("home")).content.decode())
    bulletins = nav(client.get(reverse("missions:bulletin-list")).content.decode())
    assert f'active" aria-current="page" href="{reverse("home")}"' in home
    assert f'active" aria-current="page" href="{reverse("missions:bulletin-list")}"' in bulletins
    assert f'active" aria-current="page" href="{reverse("home")}"' not in bulletins


def test_the_menu_follows_the_language(client):
    user = UserFactory(role="ipo_staff", preferred_language="en")
    client.force_login(user)
    english = client.get(reverse("home")).content.decode()
    assert ">Bulletins<" in nav(english) and ">Home<" in nav(english) and "Privacy notice" in english
    user.preferred_language = "fr"
    user.save()
    french = client.get(reverse("home")).content.decode()
    assert ">Avis de poste<" in nav(french) and ">Accueil<" in nav(french) and "Avis de confidentialité" in french


def user_menu(html: str) -> str:
    start = html.index('id="user-menu"')
    return html[start:html.index("</ul>", start)]


def test_each_person_gets_their_own_user_menu(client, world):
    """Two coordinators: same role, other agencies. Each menu has its own address and its own
    agency's history, never the one rendered first."""
    client.force_login(world.coord_a)
    first = user_menu(client.get(reverse("home")).content.decode())
    client.force_login(world.coord_b)
    second = user_menu(client.get(reverse("home")).content.decode())
    history_a = reverse("roster:agency-history", args=[world.agency_a.pk])
    history_b = reverse("roster:agency-history", args=[world.coord_b.agency_id])
    assert world.coord_a.email in first and history_a in first and history_b not in first
    assert world.coord_b.email in second and history_b in second
    assert world.coord_a.email not in second and history_a not in second


def test_a_fragment_sees_its_key_and_nothing_else_of_the_page():
    """What a memoised fragment shows can only vary with its key: the page's user is out of its reach."""
    request = RequestFactory().get("/")
    request.user = UserFactory(role="ipo_staff", email="staff@example.test")
    page = engines["django"].from_string(
        '{% load ui %}{% memo_include "partials/nav_items.html" role="officer" url_name="home" %}'
        '|{% memo_include "partials/user_menu.html" role="officer" %}'
    )
    nav_html, menu_html = page.render({"user": request.user}, request).split("|")
    assert reverse("roster:my-applications") in nav_html and reverse("notifications:outbox") not in nav_html
    assert "staff@example.test" not in menu_html and reverse("accounts:audit") not in menu_html


def test_a_fragment_is_rendered_once_then_reused():
    request = RequestFactory().get("/")
    request.user = UserFactory(role="officer")
    page = engines["django"].from_string('{% load ui %}{% memo_include "partials/footer.html" %}')
    first = page.render({}, request)
    with mock.patch("django.template.engine.Engine.get_template", side_effect=AssertionError("rendered again")):
        assert page.render({}, request) == first


def test_the_memo_keeps_only_the_newest_fragments(monkeypatch):
    monkeypatch.setattr(ui, "MEMO_SIZE", 2)
    request = RequestFactory().get("/")
    request.user = UserFactory(role="officer")
    page = engines["django"].from_string('{% load ui %}{% memo_include "partials/footer.html" n=n %}')
    for n in range(5):
        page.render({"n": n}, request)
    assert len(ui._memo) == 2
