"""Internal and shared notes on an application's timeline (issue 9, item 5).

A note IPO staff write on a move is internal (IPO staff only) unless they share it; the officer and
their agency's coordinators read the status and the shared notes, never an internal one, on any
page or in any email. The agency's and the officer's own words (an endorsement, a reason for
declining or withdrawing) are always shared. One rule: roster.permissions.can_read_event_note,
applied by roster.selectors (`application_events_for`, `shared_note`)."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from notifications.models import OutgoingMail
from roster import services
from roster.models import ApplicationEvent, ApplicationStatus
from roster.permissions import can_read_event_note, can_read_internal_notes
from roster.selectors import application_event_note_for, application_events_for, shared_note
from roster.services.applications import note_is_shared
from tests import factories as f
from tests.pages import page_text

pytestmark = pytest.mark.django_db
S = ApplicationStatus

INTERNAL = "Shortlist: both meet every requirement."
SHARED = "Congratulations: you are on the shortlist for the interview."


def url(name, **kwargs):
    return reverse(f"roster:{name}", kwargs=kwargs)


def endorsed(world):
    return f.ApplicationFactory(bulletin=f.BulletinFactory(mission=world.mission), officer=world.officer_x,
                                status=S.ENDORSED)


@pytest.fixture
def with_notes(world):
    """Officer X's application: shortlisted by IPO staff with an internal note, then waitlisted
    with a shared one."""
    app = endorsed(world)
    services.application_transition(application=app, to=S.SHORTLISTED, actor=world.ipo, note=INTERNAL)
    services.application_transition(application=app, to=S.WAITLISTED, actor=world.ipo, note=SHARED, share_note=True)
    return app


# --- the rule ---------------------------------------------------------------------------------------

def test_only_ipo_staff_read_internal_notes(world):
    assert can_read_internal_notes(world.ipo)
    for reader in (world.coord_a, world.coord_b, world.user_x, world.user_y, None):
        assert not can_read_internal_notes(reader)
    internal = ApplicationEvent(note=INTERNAL, note_shared=False)
    shared = ApplicationEvent(note=SHARED, note_shared=True)
    assert can_read_event_note(world.ipo, internal) and can_read_event_note(world.ipo, shared)
    for reader in (world.coord_a, world.user_x, None):
        assert not can_read_event_note(reader, internal)
        assert can_read_event_note(reader, shared)
    assert application_event_note_for(world.user_x, internal) == "" and shared_note(internal) == ""
    assert application_event_note_for(world.ipo, internal) == INTERNAL and shared_note(shared) == SHARED


def test_a_note_of_ipo_staff_is_internal_by_default_and_shared_only_on_request(world):
    app = endorsed(world)
    services.application_transition(application=app, to=S.SHORTLISTED, actor=world.ipo, note=INTERNAL)
    assert ApplicationEvent.objects.get(application=app).note_shared is False
    services.application_transition(application=app, to=S.WAITLISTED, actor=world.ipo, note=SHARED, share_note=True)
    assert ApplicationEvent.objects.get(application=app, to_status=S.WAITLISTED).note_shared is True
    assert note_is_shared(role="ipo_staff", share_note=False) is False


@pytest.mark.parametrize("to,role", [(S.AGENCY_DECLINED, "coordinator"), (S.ENDORSED, "coordinator"),
                                     (S.WITHDRAWN, "coordinator"), (S.WITHDRAWN, "officer")])
def test_the_agencys_and_the_officers_own_notes_are_shared(world, to, role):
    actor = {"coordinator": world.coord_a, "officer": world.user_x}[role]
    services.application_transition(application=world.app_x, to=to, actor=actor, note="Their words",
                                     release_confirmed=True)
    event = ApplicationEvent.objects.get(application=world.app_x)
    assert (event.note, event.note_shared) == ("Their words", True)


def test_the_deployment_services_notes_are_shared():
    """"Deployed to BINUH" and a cancellation's "cancelled before departure" state facts the
    officer's deployment page already shows (their reasons stay on the deployment)."""
    assert note_is_shared(role="ipo_staff", share_note=False, by_deployment=True) is True


# --- pages --------------------------------------------------------------------------------------------

def test_the_officer_never_sees_an_internal_note(clients, with_notes):
    for page in (clients.officer_x.get(url("application-detail", pk=with_notes.pk)),
                 clients.officer_x.get(url("my-applications"))):
        assert page.status_code == 200
        html = page_text(page)
        assert "Endorsed by agency → Shortlisted" in html  # the status, always
        assert INTERNAL not in html
        assert SHARED in html
        assert "Internal note (IPO staff only)" not in html


def test_the_coordinator_sees_shared_notes_but_not_internal_ones(clients, with_notes):
    html = page_text(clients.coord_a.get(url("application-detail", pk=with_notes.pk)))
    assert "Endorsed by agency → Shortlisted" in html
    assert SHARED in html and INTERNAL not in html


def test_ipo_staff_see_both_and_which_is_which(clients, with_notes):
    page = clients.ipo.get(url("application-detail", pk=with_notes.pk))
    html = page_text(page)
    assert INTERNAL in html and SHARED in html
    events = {e.to_status: e for e in page.context["events"]}
    assert (events[S.SHORTLISTED].note_audience, events[S.WAITLISTED].note_audience) == ("internal", "shared")
    assert "Internal note (IPO staff only)" in html and "Shared with the officer and their agency" in html


def test_an_internal_note_is_not_even_loaded_for_the_others(world, with_notes):
    for reader in (world.user_x, world.coord_a):
        events = list(application_events_for(reader).filter(application=with_notes))
        assert all("note" in e.get_deferred_fields() for e in events)
        assert [e.note_shown for e in events] == ["", SHARED]
    events = list(application_events_for(world.ipo).filter(application=with_notes))
    assert [e.note_shown for e in events] == [INTERNAL, SHARED]


# --- emails --------------------------------------------------------------------------------------------

def test_the_status_email_carries_only_the_shared_note(world, with_notes):
    mails = OutgoingMail.objects.filter(topic=f"application:{with_notes.pk}")
    internal_move = mails.filter(subject__contains="Shortlisted")
    shared_move = mails.filter(subject__contains="Waitlisted")
    recipients = {"officer-x@example.test", "coord-a@example.test"}
    assert set(internal_move.values_list("to", flat=True)) == recipients
    assert set(shared_move.values_list("to", flat=True)) == recipients
    for mail in mails:
        assert INTERNAL not in mail.body_text and INTERNAL not in mail.body_html
    for mail in shared_move:
        assert SHARED in mail.body_text and SHARED in mail.body_html


def test_the_officer_reads_no_internal_note_in_their_messages(clients, with_notes):
    page = clients.officer_x.get(reverse("notifications:my-messages"))
    assert page.status_code == 200
    assert INTERNAL not in page_text(page)


# --- the forms ------------------------------------------------------------------------------------------

def test_the_move_form_says_who_reads_the_note_and_defaults_to_internal(clients, world):
    app = endorsed(world)
    html = page_text(clients.ipo.get(url("application-detail", pk=app.pk)))
    assert "Who reads the note?" in html
    assert "Only IPO staff (internal note)" in html
    assert "IPO staff, the officer and their agency&#x27;s coordinators (shared: also in the status email)" in html
    assert 'name="share_note" value="internal"  id="id_transition_share_note_0" checked' in html
    # without the field, the note is internal
    clients.ipo.post(url("application-transition", pk=app.pk), {"to": "shortlisted", "note": INTERNAL})
    assert ApplicationEvent.objects.get(application=app).note_shared is False


def test_ipo_staff_share_a_message_from_the_application_page_and_the_pipeline(clients, world):
    app = endorsed(world)
    clients.ipo.post(url("application-transition", pk=app.pk),
                     {"to": "shortlisted", "note": SHARED, "share_note": "shared"})
    assert ApplicationEvent.objects.get(application=app).note_shared is True
    other = f.ApplicationFactory(bulletin=world.bulletin, status=S.ENDORSED)
    clients.ipo.post(url("bulletin-pipeline-action", bulletin_pk=world.bulletin.pk),
                     {"action": "shortlist", "note": SHARED, "share_note": "shared", "applications": [other.pk]})
    assert ApplicationEvent.objects.get(application=other).note_shared is True
    page = clients.ipo.get(url("bulletin-pipeline", bulletin_pk=world.bulletin.pk))
    assert "Who reads the note?" in page_text(page)


def test_the_decline_form_says_the_officer_reads_the_reason_and_the_officer_does(clients, world):
    target = url("application-decline", pk=world.app_x.pk)
    assert "Shared with the officer: they read this reason" in page_text(clients.coord_a.get(target))
    clients.coord_a.post(target, {"note": "Operational needs this rotation"})
    event = ApplicationEvent.objects.get(application=world.app_x)
    assert (event.to_status, event.note_shared) == (S.AGENCY_DECLINED, True)
    assert "Operational needs this rotation" in page_text(clients.officer_x.get(url("my-applications")))
    mail = OutgoingMail.objects.get(to="officer-x@example.test", topic=f"application:{world.app_x.pk}")
    assert "Operational needs this rotation" in mail.body_text


# --- existing notes ------------------------------------------------------------------------------------

def test_the_data_migration_keeps_existing_notes_internal_but_the_agencys_words(world):
    migration = importlib.import_module("roster.migrations.0005_applicationevent_shared")
    app = world.app_x
    ipo = f.ApplicationEventFactory(application=app, actor=world.ipo, to_status=S.SHORTLISTED, note=INTERNAL)
    nobody = f.ApplicationEventFactory(application=app, actor=None, to_status=S.SELECTED, note="Old note")
    declined = f.ApplicationEventFactory(application=app, actor=None, to_status=S.AGENCY_DECLINED, note="Reason")
    endorsement = f.ApplicationEventFactory(application=app, actor=world.coord_a, to_status=S.ENDORSED, note="Ok")
    withdrawal = f.ApplicationEventFactory(application=app, actor=world.user_x, to_status=S.WITHDRAWN, note="Family")
    ApplicationEvent.objects.update(note_shared=False)
    migration.mark_shared(apps, None)
    shared = dict(ApplicationEvent.objects.values_list("pk", "note_shared"))
    assert (shared[ipo.pk], shared[nobody.pk]) == (False, False)
    assert (shared[declined.pk], shared[endorsement.pk], shared[withdrawal.pk]) == (True, True, True)


def test_the_timeline_never_reads_the_deferred_note(clients, world):
    """For the officer and the coordinator the internal note is deferred: a template reading it
    would cost a query per event. Each reader's timeline costs the same with 1 event or 12."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(client, name):
        target = url(name, pk=world.app_x.pk) if name == "application-detail" else url(name)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(target).status_code == 200
        return len(ctx.captured_queries)

    readers = [(clients.officer_x, "application-detail"), (clients.coord_a, "application-detail"),
               (clients.ipo, "application-detail"), (clients.officer_x, "my-applications")]
    f.ApplicationEventFactory(application=world.app_x, actor=world.ipo, note=INTERNAL)
    before = [queries(client, name) for client, name in readers]
    for i in range(11):
        f.ApplicationEventFactory(application=world.app_x, actor=world.ipo, note=f"{INTERNAL} {i}",
                                  note_shared=bool(i % 2))
    assert [queries(client, name) for client, name in readers] == before
