"""The pipeline offers only what can happen (issue 9, item 6).

The server knows each row's moves (roster.selectors.pipeline_moves, from the transition table):
it renders them on the row's checkbox (data-moves), offers only the moves that apply to at least
one row (each option with data-rows), and static/js/pipeline-bulk.js enables, among them, the ones
that apply to a ticked row. Without JavaScript a mixed selection is still posted: the server moves
the rows it can and names each refused row with the reason (application_transition_many decides).
"""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from roster.models import Application, ApplicationStatus
from roster.selectors import pipeline_moves
from tests import factories as f
from tests.pages import page_text
from tests.privacy.test_pages_html import Checker

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def url(name, **kwargs):
    return reverse(f"roster:{name}", kwargs=kwargs)


def flashed(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def applicant(bulletin, status, last_name):
    return f.ApplicationFactory(bulletin=bulletin, status=status, officer=f.OfficerFactory(last_name=last_name))


@pytest.fixture
def mixed(world):
    """Three positions, one filled; one applicant in each state."""
    bulletin = f.BulletinFactory(mission=world.mission, positions=3)
    rows = {status: applicant(bulletin, status, f"Zz{status.title()}") for status in
            (S.SUBMITTED, S.ENDORSED, S.SHORTLISTED, S.WAITLISTED, S.SELECTED, S.WITHDRAWN)}
    return bulletin, rows


def checkbox_moves(html):
    """{application id: its data-moves} for each row's checkbox."""
    found = re.findall(r'name="applications" value="(\d+)" id="tick-\d+" data-moves="([^"]*)"', html)
    return {int(pk): moves for pk, moves in found}


def offered(html):
    """[(action, data-rows)] of the bulk action list, in order."""
    options = re.findall(r'<option value="(\w+)" data-label="[^"]*" data-rows="(\d+)"', html)
    return [(key, int(rows)) for key, rows in options]


def test_each_row_carries_the_moves_its_state_allows(clients, world, mixed):
    bulletin, rows = mixed
    html = page_text(clients.ipo.get(url("bulletin-pipeline", bulletin_pk=bulletin.pk)))
    assert checkbox_moves(html) == {
        rows[S.ENDORSED].pk: "shortlist screen_out",
        rows[S.SHORTLISTED].pk: "select waitlist not_select",
        rows[S.WAITLISTED].pk: "select not_select",
    }  # submitted (the agency's turn), selected and withdrawn: no move for IPO staff, no checkbox
    # each move once, with the number of rows of the page it applies to
    assert offered(html) == [("shortlist", 1), ("screen_out", 1), ("select", 2), ("waitlist", 1),
                             ("not_select", 2)]


def test_it_offers_only_the_moves_of_the_rows_on_the_page(clients, world):
    bulletin = f.BulletinFactory(mission=world.mission)
    for name in ("Adams", "Brown"):
        applicant(bulletin, S.ENDORSED, name)
    html = page_text(clients.ipo.get(url("bulletin-pipeline", bulletin_pk=bulletin.pk)))
    assert offered(html) == [("shortlist", 2), ("screen_out", 2)]  # no Select for endorsed applicants
    assert 'value="select"' not in html


def test_select_is_not_offered_once_every_position_is_filled(clients, world):
    bulletin = f.BulletinFactory(mission=world.mission, positions=1)
    applicant(bulletin, S.SELECTED, "Adams")
    waiting = applicant(bulletin, S.WAITLISTED, "Brown")
    html = page_text(clients.ipo.get(url("bulletin-pipeline", bulletin_pk=bulletin.pk)))
    assert checkbox_moves(html) == {waiting.pk: "not_select"}
    assert offered(html) == [("not_select", 1)]
    assert pipeline_moves(world.ipo, waiting, open_positions=1) == ["select", "not_select"]


def test_the_rows_moves_follow_the_transition_table_for_ipo_staff_only(world, mixed):
    _, rows = mixed
    for application in rows.values():
        assert pipeline_moves(world.coord_a, application, open_positions=2) == []
    assert pipeline_moves(world.ipo, rows[S.SUBMITTED], open_positions=2) == []


def test_the_bulk_group_is_named_and_the_page_is_well_formed(clients, world, mixed):
    bulletin, _ = mixed
    html = page_text(clients.ipo.get(url("bulletin-pipeline", bulletin_pk=bulletin.pk)))
    # the group's name: its legend, the fieldset's first child
    assert re.search(r'<fieldset class="card mb-4" id="bulk-actions" data-testid="bulk-actions">\s*'
                     r'<legend[^>]*>Move the ticked applicants</legend>', html)
    # the texts the script fills in come from the server, in the user's language
    assert 'data-count-format="{label} ({n} of {total})"' in html
    assert 'data-many="{total} applicants ticked: each move says how many of them it applies to."' in html
    # the script is a static file (CSP: no inline script)
    assert '<script src="/static/js/pipeline-bulk.js"></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    checker = Checker()
    checker.feed(html)
    assert checker.problems == []
    assert len(checker.ids) == len(set(checker.ids))


def test_the_french_page_offers_the_same_moves_in_french(clients, world, mixed):
    bulletin, _ = mixed
    world.ipo.preferred_language = "fr"
    world.ipo.save()
    html = page_text(clients.ipo.get(url("bulletin-pipeline", bulletin_pk=bulletin.pk), HTTP_ACCEPT_LANGUAGE="fr"))
    assert [key for key, _ in offered(html)] == ["shortlist", "screen_out", "select", "waitlist", "not_select"]
    assert 'data-label="Présélectionner"' in html and "Changer le statut des candidats cochés" in html


def test_a_mixed_selection_moves_the_rows_it_can_and_names_the_others(clients, world, mixed):
    """Without JavaScript every offered move can be posted for any ticked rows."""
    bulletin, rows = mixed
    response = clients.ipo.post(
        url("bulletin-pipeline-action", bulletin_pk=bulletin.pk),
        {"action": "not_select", "applications": [rows[S.ENDORSED].pk, rows[S.SHORTLISTED].pk, rows[S.WAITLISTED].pk]},
    )
    assert response.status_code == 302
    messages = flashed(response)
    assert "2 applications moved to “Not selected”." in messages
    assert "1 application was not moved to “Not selected”:" in messages
    name = rows[S.ENDORSED].officer.full_name
    assert f"{name}: An application cannot go from “Endorsed by agency” to “Not selected”." in messages
    statuses = {s: Application.objects.get(pk=a.pk).status for s, a in rows.items()}
    assert statuses[S.ENDORSED] == S.ENDORSED
    assert statuses[S.SHORTLISTED] == statuses[S.WAITLISTED] == S.NOT_SELECTED


def test_a_row_no_move_applies_to_cannot_be_posted(clients, world, mixed):
    """A row of another state is refused with its reason; a row of another bulletin is not a choice."""
    bulletin, rows = mixed
    refused = clients.ipo.post(url("bulletin-pipeline-action", bulletin_pk=bulletin.pk),
                               {"action": "shortlist", "applications": [rows[S.SELECTED].pk]})
    assert any("cannot go from “Selected” to “Shortlisted”" in m for m in flashed(refused))
    assert Application.objects.get(pk=rows[S.SELECTED].pk).status == S.SELECTED
