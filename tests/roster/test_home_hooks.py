"""The panels that apps above roster add to the home pages and the dashboard (roster.home_hooks), on
roster's side: each provider is asked with the user and the day, its template is rendered with its own
context, in registration order, a provider with nothing to show adds nothing; a home panel's items that
need the user count in IPO staff's "Needs your attention"."""

import copy

import pytest
from django.urls import reverse
from django.utils import timezone

from roster import home_hooks

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel_template(settings, tmp_path):
    (tmp_path / "test_hooks").mkdir()
    (tmp_path / "test_hooks" / "panel.html").write_text(
        '<section data-testid="test-panel-{{ name }}">{{ greeting }}</section>')
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates
    return "test_hooks/panel.html"


def providers(registry, monkeypatch, template, *, attention=0):
    """Three providers registered in `registry`: "first" (with a greeting), "none" (no panel for
    anyone), "second" (no greeting). Returns the calls they receive."""
    calls = []

    def provider(name, *, panel=True, greeting=True):
        def give(user, *, today):
            calls.append((name, user.pk, today))
            if not panel:
                return None
            context = {"name": name, **({"greeting": f"Hello {user.email}"} if greeting else {})}
            return {"template": template, "context": context, "attention": attention}
        return give

    monkeypatch.setitem(registry, "test-first", provider("first"))
    monkeypatch.setitem(registry, "test-none", provider("none", panel=False))
    monkeypatch.setitem(registry, "test-second", provider("second", greeting=False))
    return calls


def users(world):
    return {"ipo": world.ipo, "coord_a": world.coord_a, "officer_x": world.user_x}


def assert_panels_shown(html, calls, user):
    today = timezone.localdate()
    assert calls == [("first", user.pk, today), ("none", user.pk, today), ("second", user.pk, today)]
    assert f'<section data-testid="test-panel-first">Hello {user.email}</section>' in html
    # each panel has its own context: the first's greeting is not the second's
    assert '<section data-testid="test-panel-second"></section>' in html
    assert html.index('data-testid="test-panel-first"') < html.index('data-testid="test-panel-second"')
    assert 'data-testid="test-panel-none"' not in html


@pytest.mark.parametrize("persona", ["ipo", "coord_a", "officer_x"])
def test_each_home_shows_its_providers_panels_in_order(world, clients, monkeypatch, panel_template, persona):
    calls = providers(home_hooks._PROVIDERS, monkeypatch, panel_template)
    dashboard_calls = providers(home_hooks._DASHBOARD_PROVIDERS, monkeypatch, panel_template)
    user = users(world)[persona]
    html = getattr(clients, persona).get(reverse("home")).content.decode()
    assert_panels_shown(html, [c for c in calls if c[1] == user.pk], user)
    assert dashboard_calls == []  # the dashboard's panels are not the home's


@pytest.mark.parametrize("persona", ["ipo", "coord_a"])
def test_the_dashboard_shows_its_providers_panels_in_order(world, clients, monkeypatch, panel_template, persona):
    home_calls = providers(home_hooks._PROVIDERS, monkeypatch, panel_template)
    calls = providers(home_hooks._DASHBOARD_PROVIDERS, monkeypatch, panel_template)
    user = users(world)[persona]
    html = getattr(clients, persona).get(reverse("roster:dashboard")).content.decode()
    assert_panels_shown(html, calls, user)
    assert home_calls == []


@pytest.mark.parametrize("attention", [0, 2])
def test_a_home_panel_needing_attention_keeps_the_worklist_from_saying_nothing_is_waiting(
    world, clients, monkeypatch, panel_template, attention
):
    world.dep_x.delete()  # no tour ending soon: the roster itself has nothing waiting
    world.dep_y.delete()
    providers(home_hooks._PROVIDERS, monkeypatch, panel_template, attention=attention)
    response = clients.ipo.get(reverse("home"))
    html = response.content.decode()
    assert response.context["panels_attention"] == 2 * attention  # two panels
    assert ("Nothing is waiting for you." in html) is (attention == 0)
    assert 'data-testid="test-panel-first"' in html
