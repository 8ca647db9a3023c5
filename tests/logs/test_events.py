"""What is logged (audit.logging, notifications' delivery): every change of state, every security
event (refused sign-ins among them) and every delivery attempt, by id only."""

import json
import smtplib

import pytest
from auditlog.context import set_actor
from django.core.cache import cache
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse

from accounts.services import mfa_verify
from agencies.services import officer_update
from missions.services import notice_acknowledge
from notifications import services as outbox
from notifications.models import OutgoingMail
from notifications.services import Recipient
from tests import factories as f

from .conftest import named

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def sign_in(email, password, client=None):
    return (client or Client()).post(reverse("login"), {"username": email, "password": password})


# --- changes of state ---------------------------------------------------------------------------


def test_a_change_is_logged_with_the_names_of_the_fields_never_their_values(world, events):
    officer = world.officer_x
    officer.first_name, officer.phone = "Xenia", "613-555-0199"
    with set_actor(world.ipo):  # as in a request
        officer_update(actor=world.ipo, officer=officer)

    (changed,) = [e for e in named(events, "model_changed") if e["model"] == "agencies.officer"]
    assert changed == {
        "event": "model_changed", "log_level": "info", "model": "agencies.officer", "object_id": officer.pk,
        "action": "update", "fields": ["first_name", "phone"], "officer_id": officer.pk,
        "actor_id": world.ipo.pk, "actor_role": "ipo_staff",
    }
    text = repr(events)
    for personal in ("Xenia", "Xena", "Xavier", "613-555-0199", officer.email, world.ipo.email, world.user_x.email):
        assert personal not in text


def test_a_creation_and_a_deletion_are_logged_without_fields(world, events):
    clearance = f.ClearanceFactory(officer=world.officer_x)
    pk = clearance.pk
    clearance.delete()

    lines = [e for e in named(events, "model_changed") if e["model"] == "agencies.clearance"]
    assert [(e["action"], e["object_id"]) for e in lines] == [("create", pk), ("delete", pk)]
    assert all("fields" not in e for e in lines)


def test_a_change_no_tracked_model_records_is_logged_by_its_service(world, events):
    notice = f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    notice_acknowledge(bulletin=world.bulletin, actor=world.coord_a)

    (line,) = named(events, "notice_acknowledged")
    assert line == {"event": "notice_acknowledged", "log_level": "info", "bulletin_id": world.bulletin.pk,
                    "notice_id": notice.pk, "actor_id": world.coord_a.pk, "actor_role": "coordinator"}


def test_in_a_request_the_lines_of_its_changes_carry_its_request_id(world, rendered):
    stream = rendered("json")
    f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    client = Client()
    client.force_login(world.coord_a)

    response = client.post(reverse("missions:bulletin-acknowledge", args=[world.bulletin.pk]))

    assert response.status_code == 302
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    (acknowledged,) = [e for e in lines if e["event"] == "notice_acknowledged"]
    (finished,) = [e for e in lines if e["event"] == "request_finished"]
    assert acknowledged["request_id"] == finished["request_id"]
    assert finished["user_id"] == acknowledged["actor_id"] == world.coord_a.pk


# --- security events: sign-in, refusals, lockouts, MFA --------------------------------------------


def test_a_refused_sign_in_is_logged_at_warning_with_the_account_id_and_address(world, events):
    response = sign_in(world.coord_a.email, "wrong")
    assert response.status_code == 200

    (line,) = named(events, "security_event")
    assert line.pop("request_id")  # written in the request
    assert line == {"event": "security_event", "log_level": "warning", "security_event": "login.failed",
                    "subject_user_id": world.coord_a.pk, "ip": "127.0.0.1", "actor_id": world.coord_a.pk,
                    "actor_role": "coordinator"}
    assert world.coord_a.email not in repr(events)


def test_a_refused_sign_in_for_an_unknown_address_never_logs_the_address(world, events):
    sign_in("nobody.here@example.test", "wrong")

    (line,) = named(events, "security_event")
    assert line["security_event"] == "login.failed" and line["subject_user_id"] is None
    assert "nobody.here" not in repr(events)


def test_a_lockout_and_the_refusals_after_it_are_logged(world, events, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        sign_in(world.coord_a.email, "wrong", client)
    locked = sign_in(world.coord_a.email, "pw-roster-test", client)
    assert locked.status_code == 429

    codes = [(e["security_event"], e["log_level"]) for e in named(events, "security_event")]
    assert ("login.locked_out", "warning") in codes
    assert codes.count(("login.failed", "warning")) == 4  # three wrong passwords, then the right one refused
    assert all(e["subject_user_id"] == world.coord_a.pk for e in named(events, "security_event"))
    assert world.coord_a.email not in repr(events)


def test_a_wrong_two_step_code_is_logged_as_a_refusal(world, events):
    assert mfa_verify(user=world.user_x, token="123456") is None

    (line,) = named(events, "security_event")
    assert (line["security_event"], line["log_level"], line["subject_user_id"]) == (
        "mfa.failed", "warning", world.user_x.pk)


def test_a_successful_sign_in_is_logged_at_info(world, events):
    response = sign_in(world.coord_a.email, "pw-roster-test")
    assert response.status_code == 302

    lines = named(events, "security_event")
    assert [(e["security_event"], e["log_level"]) for e in lines] == [("login.succeeded", "info")]


# --- email delivery attempts ----------------------------------------------------------------------


class Backend(BaseEmailBackend):
    """Accepts every message, or fails each with `error`."""

    error: Exception | None = None

    def send_messages(self, messages):
        if Backend.error is not None:
            raise Backend.error
        return len(messages)


@pytest.fixture
def backend():
    Backend.error = None
    yield Backend
    Backend.error = None


def queue(*emails):
    context = {"bulletin": f.BulletinFactory(), "agency": f.AgencyFactory(name_en="Outbox Police")}
    return outbox.mail_queue(recipients=[Recipient(email=e, name="Xena Xavier") for e in emails],
                             template="bulletin_published", context=context, topic="t", kind="bulletin_published")


def test_a_delivered_message_is_logged_with_its_id_attempt_and_duration(db, events, backend):
    (mail,) = queue("xena.xavier@example.test")

    outbox.mail_deliver_many(mail_ids=[mail.pk], connection=Backend())

    (line,) = named(events, "mail_delivery")
    assert line["log_level"] == "info"
    assert {k: line[k] for k in ("mail_id", "kind", "attempt", "outcome")} == {
        "mail_id": mail.pk, "kind": "bulletin_published", "attempt": 1, "outcome": "sent"}
    assert line["duration_ms"] >= 0 and "error" not in line
    text = repr(events)
    assert "xena.xavier" not in text and "Xena" not in text and "Outbox Police" not in text


def test_a_refused_message_is_logged_as_a_retry_then_a_failure_with_the_error_class_only(db, events, backend,
                                                                                       settings):
    settings.ROSTER = {**settings.ROSTER, "OUTBOX_MAX_ATTEMPTS": 2, "OUTBOX_RETRY_BASE_SECONDS": 0}
    (mail,) = queue("xena.xavier@example.test")
    Backend.error = smtplib.SMTPRecipientsRefused({"xena.xavier@example.test": (550, b"no such user")})
    outbox.mail_deliver_many(mail_ids=[mail.pk], connection=Backend())
    Backend.error = smtplib.SMTPDataError(451, b"4.3.0 Try again later for xena.xavier@example.test")
    outbox.mail_deliver_many(mail_ids=[mail.pk], connection=Backend())

    first, second = named(events, "mail_delivery")
    assert (first["outcome"], first["attempt"], first["log_level"], first["error"]) == (
        "retry", 1, "warning", "SMTPRecipientsRefused")
    assert (second["outcome"], second["attempt"], second["log_level"], second["error"], second["smtp_code"]) == (
        "failed", 2, "error", "SMTPDataError", 451)
    assert OutgoingMail.objects.get(pk=mail.pk).status == OutgoingMail.Status.FAILED
    assert "xena.xavier" not in repr(events)


def test_a_message_no_server_would_take_is_logged_as_failed(db, events, backend, monkeypatch):
    (mail,) = queue("xena.xavier@example.test")
    monkeypatch.setattr(outbox, "_outgoing", lambda mail, backend: (_ for _ in ()).throw(ValueError("bad header")))

    outbox.mail_deliver_many(mail_ids=[mail.pk], connection=Backend())

    (line,) = named(events, "mail_delivery")
    assert (line["outcome"], line["error"], line["log_level"]) == ("failed", "ValueError", "error")
