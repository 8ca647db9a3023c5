"""The outbox services, in-process (SQLite, locmem email, Celery eager)."""

import smtplib
from datetime import timedelta

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications import services, tasks
from notifications.models import OutgoingMail
from notifications.services import Recipient

pytestmark = pytest.mark.django_db

S = OutgoingMail.Status


@pytest.fixture
def rules(settings):
    settings.ROSTER = {
        **settings.ROSTER,
        "OUTBOX_MAX_ATTEMPTS": 3,
        "OUTBOX_RETRY_BASE_SECONDS": 30,
        "OUTBOX_REQUEUE_AFTER_SECONDS": 60,
        "OUTBOX_SENDING_STALE_SECONDS": 300,
    }
    settings.CELERY_VISIBILITY_TIMEOUT = 3600
    return settings.ROSTER


def queue(context, *emails, capture=None, topic="notice:1"):
    recipients = [Recipient(email=e, language="en") for e in emails]
    if capture is None:
        return services.mail_queue(recipients=recipients, template="bulletin_published", context=context, topic=topic)
    with capture(execute=False):
        return services.mail_queue(recipients=recipients, template="bulletin_published", context=context, topic=topic)


class DisconnectedBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def smtp_down(monkeypatch):
    monkeypatch.setattr(services, "get_connection", lambda *args, **kwargs: DisconnectedBackend())


# --- mail_queue ------------------------------------------------------------------------


def test_it_queues_one_row_per_recipient_in_their_language(context, django_capture_on_commit_callbacks):
    recipients = [
        Recipient(email="fr@example.test", language="fr", name="Francine"),
        Recipient(email="en@example.test", language="en"),
        Recipient(email="FR@example.test", language="en"),  # same address, other case: dropped
        Recipient(email="de@example.test", language="de"),  # unsupported language: English
        Recipient(email="", language="en"),  # no address: skipped
    ]
    with django_capture_on_commit_callbacks(execute=False):
        rows = services.mail_queue(
            recipients=recipients, template="bulletin_published", context=context, topic="notice:7"
        )

    assert [(r.to, r.language) for r in rows] == [
        ("fr@example.test", "fr"),
        ("en@example.test", "en"),
        ("de@example.test", "en"),
    ]
    assert OutgoingMail.objects.count() == 3
    by_to = {r.to: r for r in OutgoingMail.objects.all()}
    fr, en = by_to["fr@example.test"], by_to["en@example.test"]
    assert "Conseiller de police" in fr.subject and "Conseiller de police" in fr.body_html
    assert "Conseiller la police de l'État hôte." in fr.body_text
    assert "Police adviser" in en.subject and "Advise the host-state police." in en.body_text
    assert "Police Outbox" in fr.body_text and "Outbox Police" in en.body_text
    assert all(r.status == S.QUEUED and r.attempts == 0 and r.topic == "notice:7" for r in by_to.values())
    assert all(r.kind == "bulletin_published" and r.body_html for r in by_to.values())
    assert "\n" not in fr.subject
    message_ids = [r.message_id for r in by_to.values()]
    assert len(set(message_ids)) == 3
    assert all(m.startswith("<") and m.endswith("@roster.ipo.example>") for m in message_ids)


def test_it_enqueues_delivery_only_after_the_commit(context, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = queue(context, "a@example.test", "b@example.test")
        assert mailoutbox == []  # nothing sent inside the transaction
        assert {r.status for r in OutgoingMail.objects.all()} == {S.QUEUED}

    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.test", "b@example.test"]
    assert {r.status for r in OutgoingMail.objects.all()} == {S.SENT}
    assert len(rows) == 2


def test_a_rolled_back_transaction_queues_and_sends_nothing(context, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            queue(context, "a@example.test")
            raise RuntimeError("the change failed")

    assert callbacks == []
    assert OutgoingMail.objects.count() == 0
    assert mailoutbox == []


def test_enqueue_swallows_a_broker_failure_and_leaves_the_rows_queued(context, monkeypatch, caplog):
    rows = queue(context, "a@example.test", "b@example.test")
    calls = []

    def broker_down(args, **kwargs):
        calls.append(args[0])
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_mail_batch, "apply_async", broker_down)
    monkeypatch.setattr(services, "_eager", lambda: False)
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    monkeypatch.setattr(services, "DELIVERY_BATCH", 1)

    services.enqueue_delivery([r.pk for r in rows])  # does not raise

    assert calls == [[rows[0].pk]]  # gives up at the first failure; the sweeper retries them all
    assert {r.status for r in OutgoingMail.objects.all()} == {S.QUEUED}
    assert "sweeper will retry" in caplog.text
    # and for a few seconds this process does not wait on the broker again
    services.enqueue_delivery([rows[1].pk])
    assert calls == [[rows[0].pk]]


# --- mail_deliver ----------------------------------------------------------------------


def test_delivering_twice_sends_once(context, mailoutbox):
    (row,) = queue(context, "a@example.test")

    first = services.mail_deliver(mail_id=row.pk)
    second = services.mail_deliver(mail_id=row.pk)
    tasks.deliver_mail.apply(args=(row.pk,))  # a redelivered task

    assert first.sent and first.claimed
    assert not second.sent and not second.claimed
    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert row.status == S.SENT and row.sent_at and row.attempts == 1 and row.last_error == ""


def test_the_message_id_header_is_the_rows(context, mailoutbox):
    (row,) = queue(context, "a@example.test")

    services.mail_deliver(mail_id=row.pk)

    (sent,) = mailoutbox
    assert sent.message()["Message-ID"] == row.message_id
    assert sent.message()["Content-Language"] == "en"
    assert sent.subject == row.subject and sent.body == row.body_text
    assert sent.alternatives[0][1] == "text/html"


def test_a_failing_connection_retries_with_backoff_then_fails_with_the_error(context, rules, smtp_down, mailoutbox):
    (row,) = queue(context, "a@example.test")

    before = timezone.now()
    result = services.mail_deliver(mail_id=row.pk)

    assert result.claimed and not result.sent and result.retry_in == 30
    row.refresh_from_db()
    assert row.status == S.QUEUED and row.attempts == 1
    assert row.last_error.startswith("SMTPServerDisconnected: Connection unexpectedly closed")
    assert before + timedelta(seconds=30) <= row.next_attempt_at <= timezone.now() + timedelta(seconds=30)
    # Not due yet: nobody may claim it.
    assert services.mail_deliver(mail_id=row.pk) == services.DeliveryResult()

    def make_due():
        OutgoingMail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))

    make_due()
    result = services.mail_deliver(mail_id=row.pk)
    assert result.retry_in == 60
    row.refresh_from_db()
    assert row.status == S.QUEUED and row.attempts == 2

    make_due()
    result = services.mail_deliver(mail_id=row.pk)
    assert result.claimed and result.retry_in is None and not result.sent
    row.refresh_from_db()
    assert row.status == S.FAILED and row.attempts == 3 and row.next_attempt_at is None
    assert "SMTPServerDisconnected" in row.last_error
    assert services.mail_deliver(mail_id=row.pk) == services.DeliveryResult()
    assert mailoutbox == []


def test_the_eager_task_does_not_retry_in_process(context, rules, smtp_down):
    (row,) = queue(context, "a@example.test")

    tasks.deliver_mail.apply(args=(row.pk,))

    row.refresh_from_db()
    assert row.status == S.QUEUED and row.attempts == 1 and row.next_attempt_at


# --- mail_resend -----------------------------------------------------------------------


def test_resend_requeues_failed_messages_only(context, django_capture_on_commit_callbacks, mailoutbox):
    failed_1, failed_2, sent, queued = queue(
        context, "f1@example.test", "f2@example.test", "sent@example.test", "queued@example.test"
    )
    OutgoingMail.objects.filter(pk__in=[failed_1.pk, failed_2.pk]).update(
        status=S.FAILED, attempts=5, last_error="SMTPDataError: (451, b'4.3.0 Try again later')"
    )
    OutgoingMail.objects.filter(pk=sent.pk).update(status=S.SENT, attempts=1, sent_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = services.mail_resend(mail_ids=[failed_1.pk, failed_2.pk, sent.pk, queued.pk])

    assert count == 2 and len(callbacks) == 1
    rows = {r.pk: r for r in OutgoingMail.objects.all()}
    assert rows[failed_1.pk].status == rows[failed_2.pk].status == S.QUEUED
    assert rows[failed_1.pk].attempts == 0 and rows[failed_1.pk].next_attempt_at is None
    assert rows[sent.pk].status == S.SENT and rows[sent.pk].attempts == 1
    assert rows[queued.pk].status == S.QUEUED and rows[queued.pk].attempts == 0

    callbacks[0]()  # the commit: delivered, with the same Message-IDs
    assert sorted(m.to[0] for m in mailoutbox) == ["f1@example.test", "f2@example.test"]
    assert {m.message()["Message-ID"] for m in mailoutbox} == {failed_1.message_id, failed_2.message_id}
    assert services.mail_resend(mail_ids=[failed_1.pk]) == 0


def test_resend_of_nothing_enqueues_nothing(context, django_capture_on_commit_callbacks):
    (row,) = queue(context, "a@example.test")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.mail_resend(mail_ids=[row.pk]) == 0
    assert callbacks == []


# --- outbox_sweep ----------------------------------------------------------------------


def test_the_sweeper_requeues_old_queued_rows_and_reclaims_stale_sending_ones(context, rules, monkeypatch):
    now = timezone.now()
    names = ["old", "fresh", "overdue", "pending", "stale", "busy", "sent", "failed"]
    rows = dict(zip(names, queue(context, *(f"{n}@example.test" for n in names)), strict=True))
    long_ago = now - timedelta(minutes=10)
    OutgoingMail.objects.update(created_at=long_ago)

    def set_(name, **fields):
        OutgoingMail.objects.filter(pk=rows[name].pk).update(**fields)

    set_("fresh", created_at=now - timedelta(seconds=5))  # its task is surely still on its way
    set_("overdue", attempts=1, next_attempt_at=now - timedelta(seconds=120))  # its retry was lost
    set_("pending", attempts=1, next_attempt_at=now + timedelta(seconds=30))  # its retry is waiting
    set_("stale", status=S.SENDING, attempts=1, claimed_at=now - timedelta(seconds=301))  # worker died
    set_("busy", status=S.SENDING, attempts=1, claimed_at=now - timedelta(seconds=10))  # still sending
    set_("sent", status=S.SENT, attempts=1, sent_at=long_ago)
    set_("failed", status=S.FAILED, attempts=3)
    enqueued = []
    monkeypatch.setattr(services, "enqueue_delivery", lambda ids: enqueued.extend(ids))

    assert services.outbox_sweep(now=now) == {"reclaimed": 1, "requeued": 3, "batches": 0}

    assert sorted(enqueued) == sorted(rows[n].pk for n in ("old", "overdue", "stale"))
    status = dict(OutgoingMail.objects.values_list("to", "status"))
    assert status["stale@example.test"] == S.QUEUED
    assert status["busy@example.test"] == S.SENDING
    assert status["sent@example.test"] == S.SENT and status["failed@example.test"] == S.FAILED
    assert OutgoingMail.objects.get(pk=rows["stale"].pk).next_attempt_at is None


def test_the_sweep_task_delivers_what_was_lost(context, rules, mailoutbox):
    (row,) = queue(context, "lost@example.test")  # no commit callback ran: the task was lost
    OutgoingMail.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(minutes=5))

    tasks.outbox_sweep.apply()

    assert [m.to for m in mailoutbox] == [["lost@example.test"]]
    row.refresh_from_db()
    assert row.status == S.SENT


# --- retry_delay -----------------------------------------------------------------------


def test_retry_delay_grows_exponentially_up_to_the_visibility_timeout(rules):
    delays = [services.retry_delay(n) for n in range(1, 12)]
    assert delays[:7] == [30, 60, 120, 240, 480, 960, 1920]
    assert all(b >= a for a, b in zip(delays, delays[1:], strict=False))
    assert max(delays) < 3600


@pytest.mark.parametrize("visibility_timeout", [1, 10, 61, 600, 3600, 86400])
@pytest.mark.parametrize("base", [1, 30, 300])
def test_retry_delay_never_exceeds_the_visibility_timeout(settings, visibility_timeout, base):
    settings.CELERY_VISIBILITY_TIMEOUT = visibility_timeout
    settings.ROSTER = {**settings.ROSTER, "OUTBOX_RETRY_BASE_SECONDS": base}
    for attempts in range(0, 60):
        assert 1 <= services.retry_delay(attempts) <= visibility_timeout
