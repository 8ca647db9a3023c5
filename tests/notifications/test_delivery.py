"""Issue 10: delivery that is fast and never sends twice (in-process: Celery eager, the test's
database; the real worker, Redis and PostgreSQL are in tests/integration/test_exactly_once.py)."""

import ast
import smtplib
import socket
import threading
import time
from pathlib import Path

import pytest
from django.core import mail as django_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import sanitize_address
from django.db import InterfaceError, OperationalError, connection, connections, transaction
from django.utils import timezone

from notifications import services, tasks
from notifications.models import OutgoingMail
from notifications.services import Recipient

pytestmark = pytest.mark.django_db

S = OutgoingMail.Status


def queue(context, *emails):
    """Rows queued, their delivery not started (as if the broker had lost the task)."""
    recipients = [Recipient(email=e) for e in emails]
    return services.mail_queue(recipients=recipients, template="bulletin_published", context=context, topic="t")


class Session(BaseEmailBackend):
    """An SMTP-like backend: a connection opened by open() (True when new, False when already
    open), closed by close(); every message recorded with the connection it went over."""

    opened: list["Session"] = []
    sent: list[tuple[int, str]] = []
    fail_for: set[str] = set()
    drop_after: int | None = None  # the server drops the connection after this many messages

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connection = None
        self.count = 0

    def open(self):
        if self.connection is not None:
            return False
        self.connection = len(Session.opened) + 1
        Session.opened.append(self)
        self.count = 0
        return True

    def close(self):
        self.connection = None

    def send_messages(self, messages):
        if self.drop_after is not None and self.count >= self.drop_after:
            self.connection = None
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        for m in messages:
            if m.to[0] in self.fail_for:
                raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"no such user")})
            m.message()  # the MIME encoding, as the SMTP backend does
            Session.sent.append((self.connection, m.to[0]))
            self.count += 1
        return len(messages)


@pytest.fixture
def session(monkeypatch):
    Session.opened, Session.sent, Session.fail_for, Session.drop_after = [], [], set(), None
    monkeypatch.setattr(services, "get_connection", lambda *a, **k: Session())
    return Session


# --- one connection per batch, each row on its own ----------------------------------------------


def test_a_batch_goes_over_one_connection_and_each_row_is_claimed_and_recorded(context, session):
    rows = queue(context, *(f"r{i}@example.test" for i in range(7)))

    result = services.mail_deliver_many(mail_ids=[r.pk for r in rows], claimed_by="task-1")

    assert len(session.opened) == 1
    assert sorted(to for _c, to in session.sent) == sorted(r.to for r in rows)
    assert {c for c, _to in session.sent} == {1}
    assert sorted(result.sent) == sorted(r.pk for r in rows) and not result.retry and not result.leftover
    assert {(m.status, m.attempts, m.claimed_by) for m in OutgoingMail.objects.all()} == {(S.SENT, 1, "task-1")}
    assert all(m.sent_at for m in OutgoingMail.objects.all())


def test_one_refused_message_does_not_stop_the_others(context, session, settings):
    settings.ROSTER = {**settings.ROSTER, "OUTBOX_MAX_ATTEMPTS": 3, "OUTBOX_RETRY_BASE_SECONDS": 30}
    rows = queue(context, "a@example.test", "refused@example.test", "c@example.test")
    session.fail_for = {"refused@example.test"}

    result = services.mail_deliver_many(mail_ids=[r.pk for r in rows])

    assert sorted(to for _c, to in session.sent) == ["a@example.test", "c@example.test"]
    status = {m.to: m for m in OutgoingMail.objects.all()}
    assert status["a@example.test"].status == status["c@example.test"].status == S.SENT
    refused = status["refused@example.test"]
    assert refused.status == S.QUEUED and refused.next_attempt_at and "550" in refused.last_error
    assert result.retry == {refused.pk: 30}
    assert len(session.opened) == 2  # the connection is not trusted after an error: a new one for "c"


def test_a_connection_the_server_dropped_is_opened_again_and_nothing_is_lost(context, session):
    rows = queue(context, *(f"r{i}@example.test" for i in range(5)))
    session.drop_after = 2  # e.g. the server's limit of messages per session

    services.mail_deliver_many(mail_ids=[r.pk for r in rows])

    assert sorted(to for _c, to in session.sent) == sorted(r.to for r in rows)  # each once
    assert [c for c, _to in session.sent] == [1, 1, 2, 2, 3]
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {S.SENT}


def test_a_batch_past_its_time_budget_leaves_the_rest_queued_for_a_new_task(context, session, monkeypatch):
    rows = queue(context, *(f"r{i}@example.test" for i in range(4)))
    clock = iter([0.0, 0.0, 0.0, 100.0, 100.0, 100.0, 100.0, 100.0])
    monkeypatch.setattr(services.time, "monotonic", lambda: next(clock, 100.0))

    result = services.mail_deliver_many(mail_ids=[r.pk for r in rows], time_budget=10)

    assert result.leftover and len(result.sent) + len(result.leftover) == 4
    left = OutgoingMail.objects.filter(pk__in=result.leftover)
    assert {m.status for m in left} == {S.QUEUED} and {m.attempts for m in left} == {0}  # given back as they were


@pytest.fixture
def smtp_sink(settings):
    """aiosmtpd on loopback, and Django's SMTP backend pointed at it: `.sessions` (the client
    addresses seen), `.messages` (the first recipient of each message), `.raw` (each message's bytes)."""
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.sessions, self.messages, self.raw = set(), [], []

        async def handle_DATA(self, server, session, envelope):
            self.sessions.add(session.peer)
            self.messages.append(envelope.rcpt_tos[0])
            self.raw.append(envelope.original_content)
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield handler
    finally:
        controller.stop()


def test_a_real_smtp_server_gets_a_batch_over_one_session(context, smtp_sink):
    """Django's SMTP backend and smtplib, against aiosmtpd on loopback."""
    rows = queue(context, *(f"r{i}@example.test" for i in range(12)))

    services.mail_deliver_many(mail_ids=[r.pk for r in rows])

    assert sorted(smtp_sink.messages) == sorted(r.to for r in rows)
    assert len(smtp_sink.sessions) == 1
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {S.SENT}


def test_over_smtp_a_reset_link_is_in_the_email_and_never_in_the_row_nor_the_outbox(
    world, clients, smtp_sink, django_capture_on_commit_callbacks
):
    """The bytes written for SMTP (`smtp_message`) put the link in both parts; the row, sent,
    still holds the placeholder, and its outbox page shows the note, before and after sending."""
    import re

    from django.urls import reverse

    from accounts.services import password_reset_send
    from notifications.models import SECRET_LINK_PLACEHOLDER

    with django_capture_on_commit_callbacks(execute=False):
        password_reset_send(email=world.user_x.email)
    row = OutgoingMail.objects.get(kind="password_reset")
    detail = reverse("notifications:outbox-detail", kwargs={"pk": row.pk})
    before = clients.ipo.get(detail).content.decode()

    services.mail_deliver_many(mail_ids=[row.pk])

    (raw,) = smtp_sink.raw
    message = parsed(raw)
    text = message.get_body(("plain",)).get_content()
    found = re.search(r"/accounts/password/reset/[A-Za-z0-9_-]+/([a-z0-9-]+)/", text)
    assert found, "the recipient gets the link"
    link, token = found.group(0), found.group(1)
    assert link in message.get_body(("html",)).get_content()
    assert SECRET_LINK_PLACEHOLDER.encode() not in raw
    row.refresh_from_db()
    assert row.status == S.SENT and SECRET_LINK_PLACEHOLDER in row.body_text
    assert token not in row.body_text + row.body_html + row.last_error
    after = clients.ipo.get(detail).content.decode()
    for page in (before, after):
        assert "the link is only in the email you received" in page
        assert token not in page and SECRET_LINK_PLACEHOLDER not in page


# --- a lost database connection never sends twice -------------------------------------------------


class FailingStatements:
    """An execute wrapper: the first `times` statements matching `marker` fail as if the database
    connection had just been lost; every statement is logged with its parameters, start and end."""

    def __init__(self, marker: str, times: int, error=OperationalError):
        self.marker, self.times, self.error = marker, times, error
        self.failed = 0
        self.log: list[tuple[str, list, float, float]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            if self.marker in sql and self.failed < self.times:
                self.failed += 1
                raise self.error("server closed the connection unexpectedly")
            return execute(sql, params, many, context)
        finally:
            self.log.append((sql, list(params or []), start, time.perf_counter()))


MARK = '"sent_at" = '  # the mark-sent UPDATE (and the combined mark+claim on PostgreSQL)


@pytest.fixture
def no_sleep(monkeypatch):
    waits = []
    monkeypatch.setattr(services.time, "sleep", waits.append)
    return waits


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_marking_sent_is_retried_after_a_lost_connection_and_the_message_goes_once(
    context, mailoutbox, no_sleep, error, caplog
):
    (row,) = queue(context, "a@example.test")
    failing = FailingStatements(MARK, times=4, error=error)

    with connection.execute_wrapper(failing):
        result = services.mail_deliver(mail_id=row.pk)

    assert failing.failed == 4 and len(mailoutbox) == 1 and result.sent
    row.refresh_from_db()
    assert row.status == S.SENT and row.sent_at and row.attempts == 1
    assert no_sleep == [0.05, 0.1, 0.2, 0.4]  # a short backoff, doubling
    assert "recording outbox row" in caplog.text
    # and nothing more to send, whatever comes next
    assert not services.mail_deliver(mail_id=row.pk).claimed
    assert len(mailoutbox) == 1


def test_marking_sent_keeps_trying_with_a_backoff_capped_at_two_seconds(context, mailoutbox, no_sleep, monkeypatch):
    (row,) = queue(context, "a@example.test")
    failing = FailingStatements(MARK, times=12)
    monkeypatch.setattr(services, "RECONNECT_GIVE_UP_SECONDS", 0)  # a claim would give up; a mark does not
    wrapper = connections["default"]
    monkeypatch.setattr(wrapper, "in_atomic_block", False)  # as in the worker: no transaction around it
    closed = []
    monkeypatch.setattr(wrapper, "close", lambda: closed.append(1))

    with connection.execute_wrapper(failing):
        services.mail_deliver(mail_id=row.pk)

    assert len(mailoutbox) == 1 and failing.failed == 12
    assert len(closed) == 12  # a new connection for each attempt
    assert no_sleep[-4:] == [2.0, 2.0, 2.0, 2.0] and max(no_sleep) == 2.0
    row.refresh_from_db()
    assert row.status == S.SENT


def test_a_batch_survives_a_lost_connection_after_one_of_its_messages(context, session, no_sleep):
    rows = queue(context, *(f"r{i}@example.test" for i in range(6)))
    failing = FailingStatements(MARK, times=1)

    with connection.execute_wrapper(failing):
        services.mail_deliver_many(mail_ids=[r.pk for r in rows], claimed_by="task-1")

    assert failing.failed == 1
    assert sorted(to for _c, to in session.sent) == sorted(r.to for r in rows)  # each exactly once
    assert {(m.status, m.attempts) for m in OutgoingMail.objects.all()} == {(S.SENT, 1)}


@pytest.mark.postgres
def test_on_postgresql_a_lost_connection_during_the_combined_mark_and_claim_sends_each_once(context, session, no_sleep):
    rows = queue(context, *(f"r{i}@example.test" for i in range(5)))
    failing = FailingStatements("WITH sent AS", times=2)

    with connection.execute_wrapper(failing):
        services.mail_deliver_many(mail_ids=[r.pk for r in rows], claimed_by="task-1")

    assert failing.failed == 2
    assert sorted(to for _c, to in session.sent) == sorted(r.to for r in rows)
    assert {(m.status, m.attempts) for m in OutgoingMail.objects.all()} == {(S.SENT, 1)}


def test_the_window_for_a_duplicate_is_one_update(context, mailoutbox):
    """The only duplicate left is a process dying between the SMTP server's reply and the UPDATE
    that records it. This measures that window for each message of a batch: nothing runs in
    between but the database work already under way (recording the previous message and claiming
    the next, pipelined) and the UPDATE itself."""
    rows = queue(context, *(f"r{i}@example.test" for i in range(20)))
    by_message_id = {r.message_id: r.pk for r in rows}
    replies: dict[int, float] = {}
    sends: dict[int, float] = {}

    class Timed(BaseEmailBackend):
        def send_messages(self, messages):
            mail_id = by_message_id[messages[0].extra_headers["Message-ID"]]
            sends[mail_id] = time.perf_counter()
            django_mail.outbox.extend(messages)
            replies[mail_id] = time.perf_counter()
            return 1

    log = FailingStatements(marker="never", times=0)
    with connection.execute_wrapper(log):
        services.mail_deliver_many(mail_ids=list(by_message_id.values()), connection=Timed())

    assert len(mailoutbox) == 20
    windows = []
    for mail_id, reply in replies.items():
        (mark,) = [(start, end) for sql, params, start, end in log.log if MARK in sql and params[2] == mail_id]
        between = [sql for sql, _p, start, _e in log.log if reply <= start < mark[0]]
        assert len(between) <= 2, between  # the previous message's record and the next one's claim
        # on the SMTP thread meanwhile, at most the next message: never a later one before this record
        assert len([m for m, sent in sends.items() if m != mail_id and reply <= sent <= mark[1]]) <= 1
        windows.append(mark[1] - reply)
    windows.sort()
    print(f"\nSMTP reply -> row recorded: median {windows[10] * 1000:.2f} ms, worst {windows[-1] * 1000:.2f} ms")
    assert windows[-1] < 0.5


# --- claiming ------------------------------------------------------------------------------------


def test_the_claim_records_who_claimed_and_a_second_claimer_gets_nothing(context):
    (row,) = queue(context, "a@example.test")

    first = services.mail_claim(mail_id=row.pk, claimed_by="task-1")
    second = services.mail_claim(mail_id=row.pk, claimed_by="task-2")

    assert first is not None and first.to == "a@example.test" and first.attempts == 1
    assert first.message_id == row.message_id and first.subject == row.subject and first.body_text == row.body_text
    assert second is None
    row.refresh_from_db()
    assert (row.status, row.claimed_by, row.attempts) == (S.SENDING, "task-1", 1) and row.claimed_at


def test_a_redelivered_task_takes_back_the_row_its_killed_run_left_sending(context, mailoutbox):
    (row,) = queue(context, "a@example.test")
    assert services.mail_claim(mail_id=row.pk, claimed_by="task-1")  # then its worker child was killed

    tasks.deliver_mail_batch.apply(args=([row.pk],), task_id="task-2")  # another task: not its row
    assert mailoutbox == []
    row.refresh_from_db()
    assert row.status == S.SENDING

    tasks.deliver_mail_batch.apply(args=([row.pk],), task_id="task-1")  # the same task, redelivered

    assert [m.to for m in mailoutbox] == [["a@example.test"]]
    row.refresh_from_db()
    assert row.status == S.SENT and row.claimed_by == "task-1" and row.attempts == 2
    tasks.deliver_mail_batch.apply(args=([row.pk],), task_id="task-1")  # and once sent, never again
    assert len(mailoutbox) == 1


def test_a_call_without_a_task_id_never_takes_back_another_calls_row(context, mailoutbox):
    (row,) = queue(context, "a@example.test")
    OutgoingMail.objects.filter(pk=row.pk).update(status=S.SENDING, claimed_by="", claimed_at=timezone.now())

    assert not services.mail_deliver(mail_id=row.pk).claimed
    assert services.mail_claim(mail_id=row.pk) is None
    assert mailoutbox == []


def test_the_old_single_message_task_still_delivers(context, mailoutbox):
    (row,) = queue(context, "a@example.test")
    tasks.deliver_mail.apply(args=(row.pk,), task_id="old-1")
    assert len(mailoutbox) == 1
    row.refresh_from_db()
    assert row.status == S.SENT and row.claimed_by == "old-1"


@pytest.mark.postgres
def test_on_postgresql_the_claim_and_the_mark_find_the_row_by_its_primary_key(context):
    """With the statistics saying no row is queued (taken while none was) and thousands queued
    since, PostgreSQL would walk the (status, created_at, id) index for `status = 'queued' AND
    id = n`. The claim and the mark leave it nothing to match on but the primary key."""
    rows = OutgoingMail.objects.bulk_create(
        OutgoingMail(to=f"r{i}@example.test", subject="s", body_text="b", message_id=f"<plan-{i}@test>",
                     status=S.SENT) for i in range(5000)
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {OutgoingMail._meta.db_table}")
    OutgoingMail.objects.filter(pk__in=[r.pk for r in rows[:4000]]).update(status=S.QUEUED)
    target = rows[3999].pk

    plans = {}
    with connection.cursor() as cursor:
        for kind, params in (
            ("claim", services._claim_params(target, "task-1")),
            ("sent", [S.SENT, services._now_param(), target, S.SENT]),
            ("sent+claim", [S.SENT, services._now_param(), rows[0].pk, S.SENT,
                            *services._claim_params(target, "task-1")]),
        ):
            cursor.execute("EXPLAIN " + services._sql(kind), params)
            plans[kind] = "\n".join(line for (line,) in cursor.fetchall())

    for kind, plan in plans.items():
        assert "notifications_outgoingmail_pkey" in plan, (kind, plan)
        assert "outbox_status_created_id" not in plan and "Seq Scan" not in plan, (kind, plan)


# --- enqueueing -------------------------------------------------------------------------------------


@pytest.fixture
def enqueued(monkeypatch, settings):
    """Tasks handed to the broker (not run): (task name, args)."""
    calls = []

    def recorder(name):
        def apply_async(args, **kwargs):
            calls.append((name, args))

        return apply_async

    for task in (tasks.deliver_mail_batch, tasks.fan_out_mail_batch):
        monkeypatch.setattr(task, "apply_async", recorder(task.name))
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    return calls


def test_the_rows_of_a_commit_go_out_as_one_task_per_batch_of_ids(
    context, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        rows = queue(context, *(f"r{i}@example.test" for i in range(450)))

    assert len(callbacks) == 1
    ids = [r.pk for r in rows]
    assert enqueued == [
        (services.DELIVER_TASK, (ids[:200],)), (services.DELIVER_TASK, (ids[200:400],)),
        (services.DELIVER_TASK, (ids[400:],)),
    ]



def test_the_rows_of_many_calls_in_one_commit_go_out_as_one_task(context, enqueued, django_capture_on_commit_callbacks):
    """A transaction that queues a message per officer in a loop (welfare's questionnaire
    invitations, a deployment's updates) hands its rows to Celery once, not once per call."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            rows = [row for i in range(5) for row in queue(context, f"r{i}@example.test")]

    assert len(callbacks) == 5  # each call's own callback: the first to run takes them all
    assert enqueued == [(services.DELIVER_TASK, ([r.pk for r in rows],))]


def test_a_call_rolled_back_with_its_savepoint_does_not_lose_the_later_calls_rows(
    context, enqueued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    queue(context, "gone@example.test")
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
            kept = queue(context, "kept-1@example.test", "kept-2@example.test")
            kept += queue(context, "kept-3@example.test")

    assert enqueued == [(services.DELIVER_TASK, ([r.pk for r in kept],))]
    assert sorted(OutgoingMail.objects.values_list("to", flat=True)) == [r.to for r in kept]


def test_rows_queued_before_a_commit_are_not_sent_by_a_later_one(context, enqueued, django_capture_on_commit_callbacks):
    """(Under the test's own transaction, each capture stands for one commit.)"""
    with django_capture_on_commit_callbacks(execute=False):
        queue(context, "not-committed@example.test")
    with django_capture_on_commit_callbacks(execute=True):
        later = queue(context, "committed@example.test")

    assert enqueued == [(services.DELIVER_TASK, ([later[0].pk],))]

def test_resend_and_the_sweeper_enqueue_batches_too(context, enqueued, settings, django_capture_on_commit_callbacks):
    rows = queue(context, *(f"r{i}@example.test" for i in range(250)))
    enqueued.clear()
    OutgoingMail.objects.update(status=S.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        services.mail_resend(mail_ids=[r.pk for r in rows])
    assert [len(args[0]) for _name, args in enqueued] == [200, 50]

    enqueued.clear()
    OutgoingMail.objects.update(created_at=timezone.now() - timezone.timedelta(hours=1))
    services.outbox_sweep()
    assert [len(args[0]) for _name, args in enqueued] == [200, 50]


def test_a_broker_failure_after_the_commit_loses_nothing_and_raises_nothing(context, monkeypatch, settings, caplog):
    from kombu.exceptions import OperationalError as BrokerDown

    def down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.deliver_mail_batch, "apply_async", down)
    monkeypatch.setattr(services, "_eager", lambda: False)
    monkeypatch.setattr(services, "_broker_down_until", 0.0)
    rows = queue(context, "a@example.test")

    services.enqueue_delivery([r.pk for r in rows])  # what the commit runs: no exception

    assert OutgoingMail.objects.get().status == S.QUEUED
    assert "the sweeper will retry" in caplog.text


def test_services_and_tasks_do_not_import_each_other():
    """The outbox's services find tasks by name in Celery's registry (no import circle)."""
    source = Path(services.__file__).read_text()
    imported = {
        node.module for node in ast.walk(ast.parse(source)) if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import) for alias in node.names
    }
    assert "tasks" not in imported and "notifications.tasks" not in imported
    assert services._task(services.DELIVER_TASK) is tasks.deliver_mail_batch._get_current_object()
    assert services._task(services.FAN_OUT_TASK) is tasks.fan_out_mail_batch._get_current_object()


def claimed_in(sql: str, params: list):
    """The id a logged statement claims: a claim alone, or a mark combined with the next claim."""
    if sql.startswith("WITH sent AS"):
        return params[7]
    if '"claimed_by" = ' in sql:
        return params[3]
    return None


def test_the_smtp_exchange_runs_beside_the_database_work_in_order(context):
    """The pipeline: while the server answers one message, this thread records the previous one
    and claims the next; yet each message is claimed before it is sent, and recorded after its
    reply, and the messages go out in order over the one connection."""
    rows = queue(context, *(f"r{i}@example.test" for i in range(6)))
    ids = {r.to: r.pk for r in rows}
    events = []

    class Slow(BaseEmailBackend):
        def send_messages(self, messages):
            events.append(("send", ids[messages[0].to[0]], time.perf_counter(), threading.current_thread().name))
            time.sleep(0.01)
            events.append(("reply", ids[messages[0].to[0]], time.perf_counter(), ""))
            return 1

    log = FailingStatements(marker="never", times=0)
    with connection.execute_wrapper(log):
        services.mail_deliver_many(mail_ids=[r.pk for r in rows], connection=Slow())

    sends = [e for e in events if e[0] == "send"]
    assert [e[1] for e in sends] == [r.pk for r in rows]
    assert {e[3] for e in sends} != {threading.current_thread().name}  # on a thread of its own
    replies = {e[1]: e[2] for e in events if e[0] == "reply"}
    for _kind, mail_id, sent_at, _thread in sends:
        claims = [end for sql, params, _s, end in log.log if claimed_in(sql, params) == mail_id]
        marks = [start for sql, params, start, _e in log.log if MARK in sql and params[2] == mail_id]
        assert claims and max(claims) < sent_at  # claimed before sent
        assert marks and min(marks) >= replies[mail_id]  # recorded after the reply
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {S.SENT}


# --- the bytes sent over SMTP ------------------------------------------------------------------------


def parsed(raw: bytes):
    import email
    from email import policy

    return email.message_from_bytes(raw, policy=policy.default)


@pytest.mark.parametrize("case", ["english", "french", "long line", "text only", "accented domain"])
def test_the_smtp_bytes_read_as_django_would_have_written_them(case, settings):
    mail = OutgoingMail(
        pk=1, to="coord@example.test", language="en", message_id="<k.1@roster.ipo.example>",
        subject="New job posting bulletin JPB-2026-014: Police adviser",
        body_text="To Agency A Police:\n\nA new job posting bulletin is open.\n", body_html="<p>Open.</p>\n",
    )
    if case == "french":
        mail.language = "fr"
        mail.subject = " ".join(["Nouvel avis de poste JPB-2026-014 : Conseiller de police à Jacmel"] * 3)
        mail.body_text, mail.body_html = "À la Police A :\n\nÉté, hôte, « guillemets ».\n", "<p>Été</p>"
    elif case == "long line":
        mail.body_text = "Début " + "é" * 1200 + "\nfin\n"
    elif case == "text only":
        mail.body_html = ""
    elif case == "accented domain":
        mail.to = "coord@police-québec.example"
    ours = parsed(services.smtp_message(mail)[2])
    django = parsed(services.build_message(mail).message().as_bytes(linesep="\r\n"))

    for header in ("From", "To", "Subject", "Message-ID", "Content-Language", "MIME-Version"):
        assert str(ours[header]).strip() == str(django[header]).strip(), header  # (Django folds a space in)
    assert str(ours["Subject"]) == mail.subject
    assert ours.get_content_type() == django.get_content_type()
    assert [p.get_content_type() for p in ours.walk()] == [p.get_content_type() for p in django.walk()]
    for kind in (("plain",), ("html",)):
        mine, theirs = ours.get_body(kind), django.get_body(kind)
        assert (mine and mine.get_content()) == (theirs and theirs.get_content()), kind
    assert ours["Date"] and all(len(line) <= 998 for line in services.smtp_message(mail)[2].split(b"\r\n"))
    # the envelope, as Django's SMTP backend gives it to smtplib
    message = services.build_message(mail)
    assert services.smtp_message(mail)[:2] == (
        sanitize_address(message.from_email, "utf-8"), [sanitize_address(a, "utf-8") for a in message.recipients()]
    )


def test_a_header_with_a_newline_is_never_sent(context, session):
    (row,) = queue(context, "a@example.test")
    with pytest.raises(Exception, match="newlines"):
        services._header("Subject", "Hello\r\nBcc: everyone@example.test")
    OutgoingMail.objects.filter(pk=row.pk).update(to="a@example.test\nBcc: x@example.test")
    services.mail_deliver_many(mail_ids=[row.pk], connection=django_mail.get_connection(
        "django.core.mail.backends.smtp.EmailBackend", host="127.0.0.1", port=1))
    row.refresh_from_db()
    assert row.status == S.FAILED and ("newlines" in row.last_error or "Invalid address" in row.last_error)


def test_a_processs_first_enqueue_imports_the_tasks_without_running_djangos_checks():
    """In a fresh process (a web worker's first publication), finding a task imports the apps' task
    modules through Celery's autodiscovery, never through the loader's default modules, whose
    Django fixup runs every system check (0.4 s in that request)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import django; django.setup()\n"
        "import django.core.checks as checks\n"
        "calls = []\n"
        "original = checks.run_checks\n"
        "checks.run_checks = lambda *a, **k: calls.append(1) or original(*a, **k)\n"
        "from celery import current_app\n"
        "from notifications import services\n"
        "assert services.DELIVER_TASK not in current_app.tasks, 'already imported'\n"
        "for name in (services.DELIVER_TASK, services.FAN_OUT_TASK):\n"
        "    assert services._task(name).name == name\n"
        "print('checks run:', len(calls))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "CELERY_SKIP_CHECKS"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "checks run: 0"
