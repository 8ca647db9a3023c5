"""The Privacy Act access archive: an officer downloads everything the roster holds on them, IPO
staff download it for any officer (asked for their password again when not given recently);
coordinators may not (403 for their own agency's officer, 404 for another agency's). Every download
is itself in the audit trail."""

import datetime as dt
import re
import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from accounts import sessions
from audit.models import AuditEntry
from notifications.models import OutgoingMail
from privacy.archive import officer_record
from roster.models import ApplicationEvent, DeploymentEvent
from tests import factories as f
from tests.accounts.conftest import stale_reauth
from tests.conftest import client_for
from tests.pages import page_text
from tests.privacy.conftest import (
    DEPLOYMENT_NOTE,
    EVENT_NOTE,
    MEDICAL_REFERENCE,
    MESSAGE_TEXT,
    STATEMENT,
    open_zip,
    record_json,
    report_html,
)

MY_RECORD = reverse("privacy:my-record")


def officer_url(officer) -> str:
    return reverse("privacy:officer-record", args=[officer.pk])


def archive_reads(officer=None):
    qs = AuditEntry.objects.filter(event="read.privacy_archive")
    return qs.filter(officer_id=officer.pk) if officer is not None else qs


# --- what is in it --------------------------------------------------------------------------------

def test_it_sends_a_zip_attachment_that_no_cache_keeps(record, clients):
    response = clients.officer_x.get(MY_RECORD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'roster-record-{record.officer_x.pk}-' in response["Content-Disposition"]
    assert "Xavier" not in response["Content-Disposition"]  # no name of a person in the file name
    cache = response["Cache-Control"]
    assert "no-store" in cache and "private" in cache


def test_the_json_holds_every_section_of_the_record(record, clients):
    data = record_json(open_zip(clients.officer_x.get(MY_RECORD)))
    x = record.officer_x
    assert {"profile", "login", "clearances", "applications", "deployments", "medals", "messages", "audit"} <= set(data)
    assert data["profile"]["last_name"] == "Xavier" and data["profile"]["badge_number"] == x.badge_number
    assert data["profile"]["date_of_birth"] == x.date_of_birth.isoformat()
    assert data["login"]["email"] == record.user_x.email
    # the officer reads their own medical reference (need to know: it is theirs)
    assert [(c["kind"], c["reference"]) for c in data["clearances"]] == [("medical", MEDICAL_REFERENCE)]

    (application,) = data["applications"]
    assert application["bulletin"] == record.bulletin.reference and application["statement"] == STATEMENT
    assert [(e["from"], e["to"], e["note"]) for e in application["events"]] == [
        ("", "submitted", ""), ("submitted", "endorsed", EVENT_NOTE)]
    (document,) = application["documents"]
    assert document["name"] == "My CV (2026).pdf" and document["missing"] is False

    (deployment,) = data["deployments"]
    assert deployment["mission"] == "BINUH" and deployment["status"] == "in_mission"
    assert [(e["action"], e["note"]) for e in deployment["events"]] == [("started", DEPLOYMENT_NOTE)]
    assert [m["medal"] for m in data["medals"]] == ["cpsm"]

    (message,) = data["messages"]
    assert message["subject"] == "Application endorsed" and message["text"] == MESSAGE_TEXT
    assert message["status"] == "sent" and message["created_at"]


def test_the_audit_section_holds_the_reads_and_the_changes_of_the_record(record, clients):
    data = record_json(open_zip(clients.officer_x.get(MY_RECORD)))
    events = {(e["kind"], e["event"]) for e in data["audit"]}
    assert ("read", "read.officer") in events  # coordinator A read the profile
    assert any(kind == "change" for kind, _event in events)  # the clearance and the application were written
    read = next(e for e in data["audit"] if e["event"] == "read.officer")
    assert read["by_email"] == record.coord_a.email
    changes = [(c["field"], c["old"], c["new"]) for e in data["audit"] if e["kind"] == "change" for c in e["changes"]]
    assert ("reference", None, MEDICAL_REFERENCE) in changes  # the clearance, created
    assert ("statement", "I would like to serve.", STATEMENT) in changes  # the application, changed
    assert any(e["event"] == "login.succeeded" for e in data["audit"])  # the login's security events


def test_the_documents_are_in_the_archive_as_they_were_uploaded(record, clients):
    archive = open_zip(clients.officer_x.get(MY_RECORD))
    (document,) = record_json(archive)["applications"][0]["documents"]
    assert document["file"].startswith("documents/") and document["file"].endswith(".pdf")
    assert archive.read(document["file"]) == record.pdf
    assert " " not in document["file"] and "(" not in document["file"]  # a safe path inside the ZIP


def test_a_document_missing_from_storage_is_said_so(record, clients):
    record.document.file.storage.delete(record.document.file.name)
    archive = open_zip(clients.officer_x.get(MY_RECORD))
    (document,) = record_json(archive)["applications"][0]["documents"]
    assert document["missing"] is True
    assert document["file"] not in archive.namelist()


def test_the_report_is_a_readable_self_contained_page_in_the_requesters_language(record, clients):
    html = report_html(open_zip(clients.officer_x.get(MY_RECORD)))
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en">' in html
    assert "<style>" in html and "<link" not in html and "<script" not in html and "src=" not in html
    for text in ("Xavier", MEDICAL_REFERENCE, STATEMENT, EVENT_NOTE, DEPLOYMENT_NOTE, MESSAGE_TEXT, "My CV (2026).pdf",
                 record.coord_a.get_full_name(), "Canadian Peacekeeping Service Medal"):
        assert escape(text) in html, text
    assert "For Y only" not in html
    # ids are unique
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_the_report_follows_the_requesters_language(record):
    record.user_x.preferred_language = "fr"
    record.user_x.save()
    html = report_html(open_zip(client_for(record.user_x).get(MY_RECORD)))
    assert '<html lang="fr">' in html
    assert "Endossée" in html or "Soumise" in html  # a status, in French


# --- who may download it ----------------------------------------------------------------------------

def test_ipo_staff_download_any_officers_record(record, clients):
    response = clients.ipo.get(officer_url(record.officer_y))
    assert response.status_code == 200
    data = record_json(open_zip(response))
    assert data["profile"]["last_name"] == "Young"
    # IPO staff read every detail (need to know)
    response = clients.ipo.get(officer_url(record.officer_x))
    assert record_json(open_zip(response))["clearances"][0]["reference"] == MEDICAL_REFERENCE


def test_ipo_staff_give_their_password_again_when_not_given_recently(record, clients):
    stale_reauth(clients.ipo)
    response = clients.ipo.get(officer_url(record.officer_x))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth"))
    assert not archive_reads().exists()
    session = clients.ipo.session
    session[sessions.REAUTH_AT] = time.time()
    session.save()
    assert clients.ipo.get(officer_url(record.officer_x)).status_code == 200


def test_the_officer_is_not_asked_for_their_password_again_for_their_own_record(record, clients):
    stale_reauth(clients.officer_x)
    assert clients.officer_x.get(MY_RECORD).status_code == 200
    assert clients.officer_x.get(officer_url(record.officer_x)).status_code == 200


def test_the_coordinator_of_the_officers_agency_may_not_download_it(record, clients):
    assert clients.coord_a.get(officer_url(record.officer_x)).status_code == 403
    assert not archive_reads().exists()


def test_another_agencys_coordinator_does_not_learn_the_officer_exists(record, clients):
    assert clients.coord_b.get(officer_url(record.officer_x)).status_code == 404
    assert clients.coord_b.get(reverse("privacy:officer-record", args=[999999])).status_code == 404


def test_another_officer_cannot_reach_the_record(record, clients):
    assert clients.officer_y.get(officer_url(record.officer_x)).status_code == 404
    # their own "my record" is their own
    data = record_json(open_zip(clients.officer_y.get(MY_RECORD)))
    assert data["profile"]["last_name"] == "Young"
    assert MEDICAL_REFERENCE not in str(data) and STATEMENT not in str(data)


@pytest.mark.parametrize("persona", ["ipo", "coord_a", "coord_b"])
def test_my_record_is_for_officers_only(record, clients, persona):
    assert getattr(clients, persona).get(MY_RECORD).status_code == 403


def test_an_officer_login_without_a_profile_has_no_record(db):
    user = f.UserFactory()
    assert client_for(user).get(MY_RECORD).status_code == 404


def test_anonymous_is_sent_to_sign_in(record, clients):
    for url in (MY_RECORD, officer_url(record.officer_x)):
        response = clients.anonymous.get(url)
        assert response.status_code == 302 and "login/" in response["Location"]


# --- every download is audited ------------------------------------------------------------------------

def test_each_download_is_recorded_in_the_audit_trail(record, clients):
    clients.officer_x.get(MY_RECORD)
    clients.ipo.get(officer_url(record.officer_x))
    entries = list(archive_reads(record.officer_x).order_by("id"))
    assert [(e.actor_id, e.kind) for e in entries] == [(record.user_x.pk, "read"), (record.ipo.pk, "read")]
    assert all(e.officer_id == record.officer_x.pk for e in entries)


def test_the_download_shows_in_the_next_archive(record, clients):
    clients.ipo.get(officer_url(record.officer_x))
    data = record_json(open_zip(clients.officer_x.get(MY_RECORD)))
    assert any(e["event"] == "read.privacy_archive" and e["by_email"] == record.ipo.email for e in data["audit"])


# --- links ------------------------------------------------------------------------------------------------

def test_the_officers_profile_links_to_their_record(record, clients):
    html = page_text(clients.officer_x.get(reverse("agencies:my-profile")))
    assert f'href="{MY_RECORD}"' in html and "Download my record" in html


def test_the_officer_page_links_ipo_staff_to_the_record_and_not_coordinators(record, clients):
    page = reverse("agencies:officer-detail", args=[record.officer_x.pk])
    assert f'href="{officer_url(record.officer_x)}"' in page_text(clients.ipo.get(page))
    assert officer_url(record.officer_x) not in page_text(clients.coord_a.get(page))


# --- bounded queries ------------------------------------------------------------------------------------

def _grow(world, n):
    """n more applications (two events and a document each), deployments (an event each) and messages."""
    pdf = f.minimal_pdf_bytes()
    for i in range(n):
        app = f.ApplicationFactory(bulletin=f.BulletinFactory(mission=world.mission), officer=world.officer_x,
                                   status="withdrawn")
        ApplicationEvent.objects.create(application=app, to_status="submitted", actor=world.user_x)
        ApplicationEvent.objects.create(application=app, from_status="submitted", to_status="withdrawn",
                                        actor=world.coord_a, note="n")
        app.documents.create(file=ContentFile(pdf, name="a.pdf"), original_name="a.pdf", size=len(pdf))
        dep = f.DeploymentFactory(officer=world.officer_x, mission=world.mission, status="completed",
                                  start_date=dt.date(2010 + i, 1, 1), planned_end_date=dt.date(2010 + i, 6, 1))
        DeploymentEvent.objects.create(deployment=dep, action="completed", actor=world.ipo, data={"on": "2011-01-01"})
        OutgoingMail.objects.create(to=world.user_x.email, subject=f"m{i}", body_text="t", message_id=f"<g{i}@test>")
    for kind in ("passport", "security", "firearms"):
        f.ClearanceFactory(officer=world.officer_x, kind=kind)


def _count(world):
    with CaptureQueriesContext(connection) as ctx:
        officer_record(world.officer_x, world.ipo)
    return len(ctx.captured_queries)


def test_the_record_is_read_in_a_fixed_number_of_queries(record):
    small = _count(record)
    _grow(record, 4)
    assert _count(record) == small
