"""System notes (issue 14): what the roster writes on a timeline by itself is stored as a code with
parameters (roster.notes) and read in the reader's language, on pages, in the API and in emails; what
a person typed stays as typed."""

import datetime as dt
import re

import pytest
from django.utils import translation

from notifications.models import OutgoingMail
from roster import services
from roster.models import ApplicationEvent, DeploymentEvent
from roster.notes import NOTES, EventNote, SystemNote, render_issue, render_note
from roster.selectors import application_event_note_for, application_events_for, shared_note
from tests import factories as f
from tests.api.conftest import api_client
from tests.clock import TODAY
from tests.conftest import client_for
from tests.pages import page_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pin_today")]

SAMPLE_PARAMS = {
    "application.deployed": {"mission": "BINUH"},
    "application.deployment_cancelled": {"mission": "BINUH"},
    "clearance.missing": {"kind": "medical"},
    "clearance.expires": {"kind": "passport", "date": "2027-06-01"},
    "strength.mission": {"mission": "BINUH", "n": 5, "now": 5},
    "strength.ceiling": {"n": 200, "now": 200},
}


@pytest.fixture
def deployed(world):
    """Officer X's application to a new BINUH bulletin, selected, then deployed by IPO staff."""
    bulletin = f.BulletinFactory(mission=world.mission, duration_months=12, required_clearances=[],
                                 deployment_start=TODAY + dt.timedelta(days=30))
    world.dep_x.delete()
    application = f.ApplicationFactory(bulletin=bulletin, officer=world.officer_x, status="selected")
    deployment = services.deployment_create(application=application, actor=world.ipo, role="Police adviser",
                                            start_date=bulletin.deployment_start)
    return application, deployment


# --- the registry --------------------------------------------------------------------------------------

def test_every_code_reads_in_english_and_in_french():
    assert set(SAMPLE_PARAMS) == set(NOTES), "give each new code sample parameters here"
    for code, params in SAMPLE_PARAMS.items():
        with translation.override("en"):
            english = render_note(code, params)
        with translation.override("fr"):
            french = render_note(code, params)
        assert english and french and english != french, code
        assert not re.search(r"%\(\w+\)", english + french), code


def test_the_french_reads_with_the_french_words_and_dates():
    with translation.override("fr"):
        assert render_note("application.deployed", {"mission": "BINUH"}) == "Déployé à BINUH"
        expires = render_note("clearance.expires", {"kind": "passport", "date": "2027-06-01"})
        assert "Passeport" in expires and "1er juin 2027" in expires
    with translation.override("en"):
        assert render_note("clearance.missing", {"kind": "medical"}) == "Medical is missing."


def test_an_unknown_code_or_missing_parameters_read_as_nothing():
    assert render_note("no.such.code", {}) == ""
    assert render_note("application.deployed", {}) == ""
    assert not SystemNote("no.such.code") and SystemNote("application.deployed", {"mission": "X"})
    assert render_issue("A sentence of an earlier version.") == "A sentence of an earlier version."


# --- written as codes ------------------------------------------------------------------------------------

def test_deploying_and_cancelling_write_codes_not_sentences(world, deployed):
    application, deployment = deployed
    event = application.events.get(to_status="deployed")
    assert (event.note, event.note_code, event.note_params, event.note_shared) == (
        "", "application.deployed", {"mission": "BINUH"}, True)
    services.deployment_cancel(deployment=deployment, actor=world.ipo, reason="Visa refused")
    event = application.events.filter(to_status="selected").last()
    assert (event.note, event.note_code) == ("", "application.deployment_cancelled")


def test_a_person_s_note_stays_as_typed(world):
    app = f.ApplicationFactory(bulletin=f.BulletinFactory(mission=world.mission), officer=world.officer_x,
                               status="endorsed")
    services.application_transition(application=app, to="shortlisted", actor=world.ipo, note="Deployed to BINUH?",
                                    share_note=True)
    event = app.events.get(to_status="shortlisted")
    assert (event.note, event.note_code) == ("Deployed to BINUH?", "")


def test_overridden_warnings_are_kept_as_codes_and_read_in_the_reader_s_language(world):
    bulletin = f.BulletinFactory(mission=world.mission, required_clearances=["medical"],
                                 deployment_start=TODAY + dt.timedelta(days=30))
    world.dep_x.delete()
    application = f.ApplicationFactory(bulletin=bulletin, officer=world.officer_x, status="selected")
    deployment = services.deployment_create(application=application, actor=world.ipo, role="Police adviser",
                                            start_date=bulletin.deployment_start, override_clearances=True,
                                            override_reason="Minister approved")
    data = DeploymentEvent.objects.get(deployment=deployment).data
    assert data["overrides"]["clearances"] == [{"code": "clearance.missing", "params": {"kind": "medical"}}]
    world.ipo.preferred_language = "fr"
    world.ipo.save()
    html = page_text(client_for(world.ipo).get(f"/deployments/{deployment.pk}/"))
    assert "Médical" in html and "Medical is missing." not in html


# --- read in the reader's language -------------------------------------------------------------------------

@pytest.mark.parametrize("lang, text", [("en", "Deployed to BINUH"), ("fr", "Déployé à BINUH")])
def test_the_timeline_reads_the_note_in_the_reader_s_language(world, deployed, lang, text):
    application, _deployment = deployed
    for user in (world.ipo, world.coord_a, world.user_x):
        user.preferred_language = lang
        user.save()
        html = page_text(client_for(user).get(f"/applications/{application.pk}/"))
        assert text in html, (lang, user.email)
    html = page_text(client_for(world.user_x).get("/my/applications/"))
    assert text in html


def test_the_note_follows_the_visibility_rule_of_notes(world):
    """A system note on an internal (not shared) move is for IPO staff only, as a typed note is."""
    ApplicationEvent.objects.create(application=world.app_x, to_status="submitted", note_code="application.deployed",
                                    note_params={"mission": "BINUH"}, note_shared=False)
    assert [e.note_shown for e in application_events_for(world.ipo).filter(application=world.app_x)] == [
        "Deployed to BINUH"]
    for reader in (world.coord_a, world.user_x):
        assert [e.note_shown for e in application_events_for(reader).filter(application=world.app_x)] == [""]


def test_a_system_note_and_a_typed_note_read_together(world):
    event = ApplicationEvent.objects.create(application=world.app_x, to_status="submitted", note="Booked.",
                                            note_code="application.deployed", note_params={"mission": "BINUH"},
                                            note_shared=True)
    (shown,) = application_events_for(world.user_x).filter(pk=event.pk)
    assert shown.note_shown == "Deployed to BINUH\nBooked."
    note = application_event_note_for(world.user_x, event)
    assert isinstance(note, EventNote)
    with translation.override("fr"):
        assert str(note) == "Déployé à BINUH\nBooked."
    assert shared_note(ApplicationEvent(note="x", note_shared=False)) == ""


def test_the_api_reads_the_note_in_the_request_s_language(world, deployed):
    application, _deployment = deployed
    for lang, text in (("en", "Deployed to BINUH"), ("fr", "Déployé à BINUH")):
        rows = api_client(world.user_x, language=lang).get(f"/api/v1/applications/{application.pk}/events/").json()
        assert text in [r["note"] for r in rows["results"]]


def test_the_status_email_reads_the_note_in_each_recipient_s_language(world):
    world.user_x.preferred_language = "fr"
    world.user_x.save()
    world.coord_a.preferred_language = "en"
    world.coord_a.save()
    bulletin = f.BulletinFactory(mission=world.mission, required_clearances=[],
                                 deployment_start=TODAY + dt.timedelta(days=30))
    world.dep_x.delete()
    application = f.ApplicationFactory(bulletin=bulletin, officer=world.officer_x, status="selected")
    with translation.override("en"):  # IPO staff act in English
        services.deployment_create(application=application, actor=world.ipo, role="Police adviser",
                                   start_date=bulletin.deployment_start)
    mails = OutgoingMail.objects.filter(topic=f"application:{application.pk}")
    to_officer, to_coordinator = mails.get(to=world.user_x.email), mails.get(to=world.coord_a.email)
    assert "Déployé à BINUH" in to_officer.body_text and "Deployed to" not in to_officer.body_text
    assert "Déployé à BINUH" in to_officer.body_html
    assert "Deployed to BINUH" in to_coordinator.body_text
