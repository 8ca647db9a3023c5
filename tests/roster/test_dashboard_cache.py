"""The dashboard's figures are worked out once per change of the data (roster.freshness): a second view
reads them from the cache, and any change recorded in between, the day, the language and the reader's
scope each give figures worked out anew."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.services import untracked
from roster.freshness import change_stamp
from roster.services.deployments import deployment_complete
from tests.conftest import client_for
from tests.roster import test_dashboard
from tests.roster.test_dashboard import table

pytestmark = pytest.mark.django_db

program = test_dashboard.program  # the fixture: a small program counted by hand

URL = reverse("roster:dashboard")


def view(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return response, len(queries)


def test_a_second_view_reads_the_figures_from_the_cache(program):
    client = client_for(program.ipo)
    first, first_queries = view(client)
    second, second_queries = view(client)
    # dashboard_summary's five queries and the export list's are not run again; the stamp is one query
    assert second_queries <= first_queries - 6
    assert second.context["deployed"] == first.context["deployed"] == 5
    assert table(second.content.decode(), "missions-table") == table(first.content.decode(), "missions-table")


def test_a_change_through_a_service_shows_on_the_next_view(program):
    client = client_for(program.ipo)
    assert view(client)[0].context["deployed"] == 5
    deployment_complete(deployment=program.d3, actor=program.ipo)
    response, _ = view(client)
    assert response.context["deployed"] == 4
    assert table(response.content.decode(), "origin-table")[2][:2] == ["RCMP", "1"]


def test_a_saved_or_deleted_record_shows_on_the_next_view(program):
    client = client_for(program.ipo)
    assert view(client)[0].context["clearances_count"] == 3
    program.d4.officer.clearances.get().delete()
    assert view(client)[0].context["clearances_count"] == 2
    officer = program.d1.officer
    officer.gender = "man"
    officer.save()
    assert view(client)[0].context["women"] == 1


def test_an_untracked_save_of_an_officer_changes_the_stamp(program):
    """Anonymisation saves the officer outside the audit trail; its updated_at still moves the stamp."""
    before = change_stamp()
    with untracked():
        program.d1.officer.save()
    assert change_stamp() != before


def test_each_scope_and_language_gets_its_own_figures(program):
    ipo, coordinator = client_for(program.ipo), client_for(program.coord_p1)
    assert view(ipo)[0].context["share"] is None
    response, _ = view(coordinator)
    assert (response.context["deployed"], response.context["share"].filled) == (2, 3)
    assert "Partner One" in response.content.decode() and "Eve" not in response.content.decode()
    assert view(ipo)[0].context["deployed"] == 5
    ipo.cookies.load({"django_language": "fr"})
    program.ipo.preferred_language = "fr"
    program.ipo.save()
    french = view(ipo)[0].content.decode()
    assert 'lang="fr"' in french and "Plafond du programme" in french


def test_the_next_day_counts_the_days_again(program):
    client = client_for(program.ipo)
    assert [d.days_left for d in view(client)[0].context["ending_soon"]] == [30, 90]
    tomorrow = timezone.now() + dt.timedelta(days=1)
    # Cal's tour, one day too late to be "soon" today, is soon tomorrow (signed in again: a session lasts
    # less than a day)
    with time_machine.travel(tomorrow, tick=False):
        assert [d.days_left for d in view(client_for(program.ipo))[0].context["ending_soon"]] == [29, 89, 90]


@pytest.mark.parametrize("seconds, builds", [(0, 3), (300, 1)])
def test_no_cache_when_the_setting_is_zero(program, settings, monkeypatch, seconds, builds):
    """0 works the figures out on every view; the default, once for the three views."""
    from roster.views import dashboard as views

    settings.ROSTER = {**settings.ROSTER, "FIGURES_CACHE_SECONDS": seconds}
    made = []
    build = views.dashboard_figures
    monkeypatch.setattr(views, "dashboard_figures", lambda *args: made.append(1) or build(*args))
    client = client_for(program.ipo)
    for _ in range(3):
        view(client)
    assert len(made) == builds


def test_a_kept_view_draws_no_chart_and_renders_no_kept_panel(program):
    """The charts are drawn with the figures they are kept with, and the ledger's and welfare's panels are
    kept rendered (roster.home_hooks.rendered): a kept view renders none of their templates, and reads the
    same page."""
    client = client_for(program.ipo)
    first, _ = view(client)
    kept_templates = {"roster/partials/chart_bars.html", "roster/partials/chart_stacked.html",
                      "ledger/_dashboard_panel.html", "ledger/_partners_panel.html", "welfare/_dashboard_panel.html"}
    assert kept_templates <= {t.name for t in first.templates}
    second, _ = view(client)
    assert not kept_templates & {t.name for t in second.templates}

    def page(response):  # each render masks the CSRF token anew
        import re

        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())

    assert page(second) == page(first)


def test_the_charts_and_panels_are_drawn_in_the_readers_language(program):
    from accounts.models import User

    client = client_for(program.ipo)
    english = view(client)[0].content.decode()
    User.objects.filter(pk=program.ipo.pk).update(preferred_language="fr")
    french = view(client)[0].content.decode()
    assert "Officers in mission and planned, per mission" in english and "Partner agencies over time" in english
    assert "Officers in mission and planned, per mission" not in french
    assert "Partner agencies over time" not in french
    # and in French, not left out: the chart's title and the partners panel's heading
    assert "Policiers en mission et planifiés, par mission" in french
    assert "Agences partenaires au fil du temps" in french
