"""The outbox commands (issue 15): outbox_status (backlog for monitoring, exit 1 over a limit),
outbox_resend_failed (bulk, one broker call per batch of messages, after the commit) and
outbox_purge_bodies (content of old delivered messages deleted, in batches, nightly)."""

import io
import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from notifications import services as outbox
from notifications.models import MailBatch, OutgoingMail

pytestmark = pytest.mark.django_db
S = OutgoingMail.Status


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def mail(n, status=S.QUEUED, *, age=None, kind="application_status", language="en", **fields):
    row = OutgoingMail.objects.create(
        to=f"officer{n}@example.test", subject=f"JPB-2026-014: application of Claire Lambert {n}",
        body_text=f"Dear Claire Lambert {n}", body_html=f"<p>Dear Claire Lambert {n}</p>",
        message_id=f"<ops-{n}@test>", status=status, kind=kind, language=language, **fields,
    )
    if age is not None:
        OutgoingMail.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)
        row.refresh_from_db()
    return row


# --- outbox_status -------------------------------------------------------------------------------


def test_status_prints_the_backlog_and_the_oldest_waiting_age():
    mail(1, age=timedelta(seconds=300))
    mail(2, age=timedelta(seconds=30))
    mail(3, S.SENDING)
    mail(4, S.FAILED)
    mail(5, S.SENT, sent_at=timezone.now())
    lines = run("outbox_status").splitlines()
    assert lines[:4] == ["queued: 2", "sending: 1", "failed: 1", "batches not fanned out: 0"]
    assert lines[4].startswith("oldest waiting (seconds): ") and 299 <= int(lines[4].split(": ")[1]) <= 305
    assert "example.test" not in "\n".join(lines)


def test_status_in_json():
    mail(1, age=timedelta(seconds=120))
    data = json.loads(run("outbox_status", "--json"))
    assert {k: data[k] for k in ("queued", "sending", "failed", "batches", "ok", "problems")} == {
        "queued": 1, "sending": 0, "failed": 0, "batches": 0, "ok": True, "problems": []}
    assert 119 <= data["oldest_waiting_seconds"] <= 125 and data["oldest_waiting_at"]


def test_an_empty_outbox_has_no_oldest_message():
    assert json.loads(run("outbox_status", "--json", "--max-age", "0"))["oldest_waiting_seconds"] is None
    assert run("outbox_status").splitlines()[-1] == "oldest waiting (seconds): -"


def test_an_unfinished_batch_counts_as_waiting():
    batch = MailBatch.objects.create(key="b1", template="bulletin_published", loader="x", total=40)
    MailBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - timedelta(seconds=900))
    data = json.loads(run("outbox_status", "--json"))
    assert data["batches"] == 1 and data["queued"] == 0 and data["oldest_waiting_seconds"] >= 899


def test_status_exits_1_when_the_oldest_message_is_too_old():
    mail(1, age=timedelta(seconds=700))
    assert json.loads(run("outbox_status", "--json", "--max-age", "900"))["ok"] is True
    out = io.StringIO()
    with pytest.raises(CommandError, match="oldest waiting message is 7\\d\\d s old") as caught:
        call_command("outbox_status", "--json", "--max-age", "600", stdout=out)
    assert caught.value.returncode == 1
    assert json.loads(out.getvalue())["ok"] is False


def test_status_exits_1_when_too_many_are_queued():
    for n in range(3):
        mail(n)
    run("outbox_status", "--max-queued", "3")
    with pytest.raises(CommandError, match="3 messages are queued \\(more than 2\\)"):
        run("outbox_status", "--max-queued", "2")


def test_status_refuses_limits_it_cannot_read():
    for bad, why in ((["--max-age", "-1"], "must be 0 or more"), (["--max-queued", "many"], "not a whole number")):
        with pytest.raises(CommandError, match=why):
            run("outbox_status", *bad)


# --- outbox_resend_failed -----------------------------------------------------------------------


@pytest.fixture
def enqueued(monkeypatch):
    """The delivery tasks handed to Celery: one list of ids per broker call."""
    calls = []
    monkeypatch.setattr(outbox, "_send_task", lambda name, args, countdown=None: calls.append(list(args[0])) or True)
    return calls


@pytest.fixture
def resend(django_capture_on_commit_callbacks):
    """`resend(*args)`: the command's output, its commit callbacks run (the test's transaction never commits)."""

    def command(*args):
        with django_capture_on_commit_callbacks(execute=True):
            return run("outbox_resend_failed", *args)

    return command


def test_resend_requeues_every_failed_message_in_one_broker_call_per_batch(enqueued, resend, monkeypatch):
    monkeypatch.setattr(outbox, "DELIVERY_BATCH", 3)
    failed = [mail(n, S.FAILED, attempts=5, last_error="451 try later") for n in range(7)]
    sent = mail(99, S.SENT, sent_at=timezone.now())
    out = resend()
    assert out.strip() == "7 failed messages queued again."
    ids = [m.pk for m in failed]
    assert enqueued == [ids[:3], ids[3:6], ids[6:]]
    assert set(OutgoingMail.objects.filter(pk__in=ids).values_list("status", "attempts")) == {(S.QUEUED, 0)}
    assert OutgoingMail.objects.get(pk=sent.pk).status == S.SENT
    assert resend().strip() == "0 failed messages queued again."  # nothing left to resend
    assert len(enqueued) == 3


def test_resend_enqueues_only_after_the_commit(monkeypatch, django_capture_on_commit_callbacks):
    calls = []
    monkeypatch.setattr(outbox, "_send_task", lambda name, args, countdown=None: calls.append(list(args[0])) or True)
    row = mail(1, S.FAILED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            outbox.mail_resend_failed()
    assert calls == [] and len(callbacks) == 1
    callbacks[0]()
    assert calls == [[row.pk]]


def test_resend_filters_by_kind_and_date(enqueued, resend):
    old = mail(1, S.FAILED, age=timedelta(days=10))
    recent = mail(2, S.FAILED, age=timedelta(hours=1))
    security = mail(3, S.FAILED, kind="security:password.changed")
    out = resend("--kind", "application_status",
              "--since", (timezone.localdate() - timedelta(days=2)).isoformat())
    assert out.startswith("1 failed messages of kind 'application_status' queued since ")
    assert enqueued == [[recent.pk]]
    assert resend("--kind", "security").startswith("1 failed messages of kind 'security'")
    assert enqueued[-1] == [security.pk]
    assert OutgoingMail.objects.get(pk=old.pk).status == S.FAILED


def test_resend_dry_run_changes_nothing(enqueued, resend):
    row = mail(1, S.FAILED)
    assert resend("--dry-run").startswith("Dry run: 1 failed messages would be queued again")
    assert OutgoingMail.objects.get(pk=row.pk).status == S.FAILED and enqueued == []


def test_resend_refuses_a_date_it_cannot_read(enqueued, resend):
    mail(1, S.FAILED)
    with pytest.raises(CommandError, match="--since: not a date"):
        resend("--since", "last week")
    assert OutgoingMail.objects.get().status == S.FAILED


# --- outbox_purge_bodies ------------------------------------------------------------------------


def delivered(n, days_ago, **fields):
    when = timezone.now() - timedelta(days=days_ago)
    row = mail(n, S.SENT, sent_at=when, last_error="451 from officer@example.test", **fields)
    OutgoingMail.objects.filter(pk=row.pk).update(created_at=when)
    return row


def test_purge_deletes_the_content_of_old_delivered_messages_only(monkeypatch):
    monkeypatch.setattr(outbox, "purged_subject", lambda language: f"[deleted, in {language}]")
    old_en = delivered(1, 120)
    old_fr = delivered(2, 91, language="fr")
    recent = delivered(3, 30)
    queued_old = mail(4, S.QUEUED, age=timedelta(days=200))
    failed_old = mail(5, S.FAILED, age=timedelta(days=200))
    out = run("outbox_purge_bodies")
    assert out.startswith("Content deleted from 2 delivered messages sent before ")
    assert "(90 days)" in out
    for row, subject in ((old_en, "[deleted, in en]"), (old_fr, "[deleted, in fr]")):
        row.refresh_from_db()
        assert (row.subject, row.body_text, row.body_html, row.last_error) == (subject, "", "", "")
        assert row.status == S.SENT and row.to and row.message_id and row.sent_at  # the delivery record stays
    for row in (recent, queued_old, failed_old):
        row.refresh_from_db()
        assert "Claire Lambert" in row.subject and "Claire Lambert" in row.body_text
    assert run("outbox_purge_bodies").startswith("Content deleted from 0 delivered messages")  # idempotent


def test_the_note_that_replaces_the_subject_is_in_the_recipients_language():
    assert outbox.purged_subject("en") == "[Content deleted after the retention period]"
    assert outbox.purged_subject("fr") == "[Contenu supprimé après la période de conservation]"


def test_purge_works_in_batches():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [delivered(n, 100 + n) for n in range(7)]
    with CaptureQueriesContext(connection) as queries:
        report = outbox.outbox_purge_bodies(batch_size=3)
    assert report.purged == 7
    assert sum(q["sql"].startswith("UPDATE") for q in queries.captured_queries) == 3
    assert not OutgoingMail.objects.filter(pk__in=[r.pk for r in rows]).exclude(body_text="").exists()


def test_purge_dry_run_changes_nothing():
    row = delivered(1, 100)
    assert run("outbox_purge_bodies", "--dry-run").startswith("Dry run: 1 delivered messages sent before ")
    row.refresh_from_db()
    assert row.body_text.startswith("Dear Claire")


def test_purge_follows_the_retention_setting():
    row = delivered(1, 20)
    with override_settings(ROSTER={**settings.ROSTER, "OUTBOX_BODY_RETENTION_DAYS": 14}):
        assert "(14 days)" in run("outbox_purge_bodies")
    row.refresh_from_db()
    assert row.body_text == ""


def test_purge_refuses_a_retention_under_a_day():
    row = delivered(1, 20)
    with override_settings(ROSTER={**settings.ROSTER, "OUTBOX_BODY_RETENTION_DAYS": 0}):
        with pytest.raises(CommandError, match="at least one day"):
            run("outbox_purge_bodies")
    with pytest.raises(CommandError, match="batch size must be at least 1"):
        run("outbox_purge_bodies", "--batch-size", "0")
    row.refresh_from_db()
    assert row.body_text


def test_purge_runs_every_night_through_beat():
    from celery.schedules import crontab

    entry = settings.CELERY_BEAT_SCHEDULE["outbox-purge-bodies"]
    assert entry["task"] == "ops.tasks.outbox_purge_bodies"
    assert isinstance(entry["schedule"], crontab) and entry["schedule"].hour == {4}
    assert settings.ROSTER["OUTBOX_BODY_RETENTION_DAYS"] == 90

    from ops.tasks import outbox_purge_bodies

    row = delivered(1, 95)
    assert outbox_purge_bodies.apply().get() == {"purged": 1, "days": 90}
    row.refresh_from_db()
    assert row.body_text == ""
