"""The outbox. Every email is a row committed with the change that caused it (`mail_queue`), or
one compact record of many (`mail_batch_queue`: a bulletin to every partner agency) that a
worker fans out into rows. A Celery task claims each row with a conditional update, sends it,
and marks it sent.

Nothing lost: a row whose task never ran (broker down at commit) or whose worker died (row
stuck `sending`) is picked up by `outbox_sweep`, and so is a batch whose fan-out stopped.

Nothing sent twice, as near as SMTP allows:
- Only the task that moved a row from queued to sending (recording its task id in
  `claimed_by`) may send it. The claim is one UPDATE by primary key.
- Once the SMTP server has accepted a message, the UPDATE that marks the row sent is retried,
  reconnecting to the database with a short backoff, until it succeeds or the process dies
  (`_mark_sent`): a lost database connection never sends a message again.
- A redelivered task (its worker child was killed: `acks_late` + `reject_on_worker_lost`) may
  take back the rows that its own earlier attempt left `sending`, so a killed child delays a
  message by seconds; rows left by anyone else wait for the sweeper
  (`ROSTER["OUTBOX_SENDING_STALE_SECONDS"]`).
- The window left: the process dies after the SMTP server's reply and before the UPDATE that
  records it has committed. Nothing runs in between but that UPDATE (by primary key; on
  PostgreSQL one statement that also claims the next row) and, at worst, the database work of
  the previous message already under way. tests/notifications/test_delivery.py measures it for
  every message of a batch (under a millisecond at the median on SQLite; a few milliseconds at
  worst on a loaded machine: one or two database round trips, each including the commit's
  fsync). A message caught in that window is sent again, by the redelivered task or by the
  sweeper, with the same Message-ID, so the duplicate is countable.
  A PostgreSQL crash loses nothing either: each record is a durable commit.

Throughput: a delivery task gets a batch of ids (`DELIVERY_BATCH`) and sends them over one SMTP
connection, claiming and recording each row on its own; one failure does not stop the others, and
a connection the server dropped is opened again. The SMTP exchange of one message runs on a
thread of its own while the task records the previous message and claims the next: one database
round trip and one commit per message, overlapped with the SMTP server's work. Over SMTP the
message's bytes are written here (`smtp_message`), not by the email package's generator, whose
header folding cost more than the rest of the delivery put together.
Everything enqueued after a commit goes out as one task per batch of ids, and a broker failure
loses nothing (the rows stay queued for the sweeper) and never fails the request.

This module never imports `notifications.tasks`: tasks are found by name in Celery's registry.
"""

import functools
import logging
import quopri
import re
import smtplib
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from email.header import Header
from email.utils import formatdate
from typing import Any, NamedTuple

import structlog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.html import escape

from .models import SECRET_LINK_PLACEHOLDER, MailBatch, OutgoingMail

logger = logging.getLogger(__name__)
# One line per delivery attempt (mail_delivery): the row's id, kind and attempt, the outcome, the time
# the SMTP exchange took and the error's class; never the address, the subject or the body.
delivery_log = structlog.get_logger("notifications.delivery")

S = OutgoingMail.Status

# Ids per delivery task: each task sends its batch over one SMTP connection.
DELIVERY_BATCH = 200
# Recipients turned into outbox rows per transaction when a batch is fanned out.
FAN_OUT_CHUNK = 200
DELIVER_TASK = "notifications.tasks.deliver_mail_batch"
FAN_OUT_TASK = "notifications.tasks.fan_out_mail_batch"


class Recipient(NamedTuple):
    """Who a message goes to (a tuple: thousands are made cheaply for a batch)."""

    email: str
    language: str = "en"
    user_id: int | None = None
    name: str = ""
    # For `mail_batch_queue` only: the message's topic, and what the batch's context loader turns
    # into this recipient's template context (a JSON value, e.g. an agency id).
    topic: str = ""
    ref: Any = None


def recipient_for_user(user) -> Recipient:
    return Recipient(
        email=user.email,
        language=user.preferred_language or "en",
        user_id=user.pk,
        name=user.get_full_name(),
    )


def officer_recipients(officer) -> list[Recipient]:
    """An officer: their login when it is active, else the address on their profile (if any), in the
    officer's preferred language (else their agency's)."""
    user = officer.user if officer.user_id else None
    if user is not None and user.is_active:
        return [recipient_for_user(user)]
    if officer.email:
        return [Recipient(email=officer.email, language=officer.writing_language, name=officer.full_name)]
    return []


def staff_recipients() -> list[Recipient]:
    """Every active IPO staff login."""
    from agencies.models import Role

    staff = get_user_model().objects.filter(role=Role.IPO_STAFF, is_active=True).order_by("pk")
    return [recipient_for_user(u) for u in staff]


def coordinator_recipients(agency_id) -> list[Recipient]:
    """The agency's active coordinators."""
    from agencies.models import Role

    coordinators = get_user_model().objects.filter(role=Role.COORDINATOR, agency_id=agency_id,
                                                   is_active=True).order_by("pk")
    return [recipient_for_user(u) for u in coordinators]


def _rules():
    return settings.ROSTER


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{settings.MESSAGE_ID_DOMAIN}>"


def batch_message_id(key: str, position: int) -> str:
    """The Message-ID of a batch's n-th message: the same on every fan-out of the batch."""
    return f"<{key}.{position}@{settings.MESSAGE_ID_DOMAIN}>"


def _language(code: str) -> str:
    return code if code in ("en", "fr") else "en"


def render_message(template: str, context: dict, recipient: Recipient, *, secret_link: bool = False):
    """`emails/<template>.{subject,txt,html}` for one recipient, in their language: (subject, text, html)."""
    lang = _language(recipient.language)
    ctx = {**context, "recipient": recipient, "site_url": settings.SITE_URL, "LANGUAGE_CODE": lang}
    if secret_link:
        ctx["secret_link"] = SECRET_LINK_PLACEHOLDER
    with translation.override(lang):
        subject = " ".join(render_to_string(f"emails/{template}.subject.txt", ctx).split())
        text = render_to_string(f"emails/{template}.txt", ctx)
        html = render_to_string(f"emails/{template}.html", ctx)
    return subject[:300], text, html


def mail_queue(
    *,
    recipients: list[Recipient],
    template: str,
    context: dict,
    topic: str = "",
    kind: str = "",
    secret_link: str = "",
) -> list[OutgoingMail]:
    """Render `emails/<template>.{subject,txt,html}` once per recipient, in their language, and
    queue one outbox row each. Must run inside the caller's transaction; the delivery
    task is enqueued only after it commits.

    With `secret_link` (the name of a renderer registered with `register_secret_link`), the
    templates get `secret_link` as a placeholder and the real link is made only when the
    message is sent: the stored message never holds it.

    For many recipients (every partner agency, every officer of an agency), `mail_batch_queue`
    keeps the request's cost flat."""
    if secret_link and secret_link not in _SECRET_LINK_RENDERERS:
        raise ValueError(f"No secret link renderer named {secret_link!r}")
    seen = set()
    rows = []
    for r in recipients:
        key = r.email.lower()
        if not key or key in seen:
            continue
        seen.add(key)
        lang = _language(r.language)
        subject, text, html = render_message(template, context, r, secret_link=bool(secret_link))
        rows.append(
            OutgoingMail(
                to=r.email,
                user_id=r.user_id,
                language=lang,
                subject=subject,
                body_text=text,
                body_html=html,
                message_id=new_message_id(),
                topic=topic,
                kind=kind or template,
                secret_link=secret_link,
            )
        )
    created = OutgoingMail.objects.bulk_create(rows)
    if created:
        deliver_after_commit([m.pk for m in created])
    return created


# --- enqueueing ------------------------------------------------------------------------------------

# After a broker failure, this process stops trying for a few seconds: the rows stay
# queued for the sweeper, and a request does not wait on the broker again and again.
_BROKER_BACKOFF_SECONDS = 10.0
_broker_down_until = 0.0
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def _task(name: str):
    """A task of ours by name, from Celery's registry (importing the apps' task modules if they
    are not loaded yet): this module and `notifications.tasks` never import each other.

    The task modules are imported by Celery's autodiscovery alone: the loader's
    `import_default_modules()` would also run Django's system checks (Celery's Django fixup), which
    cost a web process's first enqueue (a first publication) about 0.4 s."""
    from celery import current_app

    try:
        return current_app.tasks[name]
    except KeyError:
        current_app.autodiscover_tasks(force=True)
        return current_app.tasks[name]


def _eager() -> bool:
    """Tasks run in-process (CELERY_TASK_ALWAYS_EAGER), where a failure is no broker's fault."""
    from celery import current_app

    return bool(current_app.conf.task_always_eager)


def _send_task(name: str, args: tuple, *, countdown: float | None = None) -> bool:
    """Hand one task to Celery (in-process when eager). False if the broker is down: the caller's
    rows stay as they are for the sweeper, and nothing is raised."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    try:
        _task(name).apply_async(args, countdown=countdown, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:  # broker down: kombu.exceptions.OperationalError and friends
        if not _eager():
            _broker_down_until = time.monotonic() + _BROKER_BACKOFF_SECONDS
        logger.warning("Could not enqueue %s%r; the sweeper will retry", name, args[:1], exc_info=True)
        return False
    _broker_down_until = 0.0
    return True


def enqueue_delivery(mail_ids, *, countdown: float | None = None) -> None:
    """Hand the rows to Celery, one task per `DELIVERY_BATCH` ids. A broker failure here loses
    nothing: the rows stay queued and `outbox_sweep` enqueues them again."""
    ids = list(dict.fromkeys(mail_ids))
    for start in range(0, len(ids), DELIVERY_BATCH):
        if not _send_task(DELIVER_TASK, (ids[start:start + DELIVERY_BATCH],), countdown=countdown):
            return


def enqueue_fan_out(batch_id: int) -> None:
    _send_task(FAN_OUT_TASK, (batch_id,))


class _DeliverAfterCommit:
    """One call's rows, handed to delivery by its commit callback together with the rows of the
    calls made after it in the same transaction: the first callback to run sends every id queued
    so far (one task per `DELIVERY_BATCH` ids), the others find theirs already sent. A call inside
    a savepoint rolled back since loses its callback, not the later calls' rows (and ids of rows
    rolled back are harmless: nothing is claimed for them)."""

    def __init__(self, ids: list, group: list):
        self.ids, self.group, self.done = ids, group, False
        group.append(self)

    def __call__(self) -> None:
        if self.done:
            return
        ids = []
        for later in self.group[self.group.index(self):]:
            if not later.done:
                later.done = True
                ids.extend(later.ids)
        enqueue_delivery(ids)


def deliver_after_commit(mail_ids) -> None:
    """Deliver these rows once the current transaction commits (at once outside a transaction).
    However many calls a transaction makes (a message per officer in a loop), its commit hands
    their rows to Celery once: one task per batch of ids, never one per call."""
    ids = list(mail_ids)
    if not ids:
        return
    conn = transaction.get_connection()
    group = []
    if conn.in_atomic_block:  # join the transaction's earlier call, if any (its callback not run yet)
        for _savepoints, func, _robust in reversed(conn.run_on_commit):
            if isinstance(func, _DeliverAfterCommit):
                group = func.group
                break
    transaction.on_commit(_DeliverAfterCommit(ids, group))


def task_time_budget() -> float:
    """How long one task may keep going before handing the rest to a new one: well inside the
    broker's visibility timeout, after which the broker would hand the same task to another
    worker while this one still runs."""
    return max(1.0, settings.CELERY_VISIBILITY_TIMEOUT / 2)


# --- claiming and recording --------------------------------------------------------------------

# Reconnecting after a lost database connection: first wait, longest wait, and how long a claim
# or a failure record keeps trying (marking a row sent keeps trying for ever).
RECONNECT_FIRST_DELAY = 0.05
RECONNECT_MAX_DELAY = 2.0
RECONNECT_GIVE_UP_SECONDS = 10.0


def _reset_connection() -> None:
    """Drop the database connection so the next query opens a new one (not inside a transaction,
    where closing would lose it; there a retry is all we can do)."""
    if not connection.in_atomic_block:
        try:
            connection.close()
        except Exception:  # a connection already broken may fail to close
            logger.debug("Closing a broken database connection failed", exc_info=True)


def _with_reconnect(operation, *, what: str, forever: bool = False):
    """Run `operation`; on a lost connection, reconnect and run it again, with a short backoff,
    until it succeeds (`forever`) or for `RECONNECT_GIVE_UP_SECONDS`."""
    forever = forever and not connection.in_atomic_block
    delay = RECONNECT_FIRST_DELAY
    give_up = time.monotonic() + RECONNECT_GIVE_UP_SECONDS
    while True:
        try:
            return operation()
        except (OperationalError, InterfaceError):
            if not forever and time.monotonic() >= give_up:
                raise
            logger.warning("Database unavailable while %s; reconnecting in %.2f s", what, delay, exc_info=True)
            _reset_connection()
            time.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX_DELAY)


def _column(name: str) -> str:
    return connection.ops.quote_name(OutgoingMail._meta.get_field(name).column)


_CLAIMED_FIELDS = ("to", "user", "language", "subject", "body_text", "body_html", "message_id", "topic", "kind",
                   "secret_link", "attempts")
_sql_cache: dict[tuple[str, str], str] = {}


def _sql(kind: str) -> str:
    """The claim and the mark-sent UPDATEs. Each matches its row by the primary key alone: the
    status test is inside a CASE (or a <>), which no index can serve, so PostgreSQL never picks
    the (status, created_at, id) index, whatever its statistics say about how many rows are
    queued. On PostgreSQL, "sent+claim" does both in one statement (a data-modifying WITH): one
    round trip and one commit for the message just sent and the next one."""
    key = (connection.vendor, kind)
    if key not in _sql_cache:
        table = connection.ops.quote_name(OutgoingMail._meta.db_table)
        c = _column
        returning = ", ".join(c(f) for f in _CLAIMED_FIELDS)
        claim = (
            f"UPDATE {table} SET {c('status')} = %s, {c('claimed_at')} = %s, {c('claimed_by')} = %s, "
            f"{c('attempts')} = {c('attempts')} + 1 "
            f"WHERE {c('id')} = %s AND CASE {c('status')} "
            f"WHEN %s THEN ({c('next_attempt_at')} IS NULL OR {c('next_attempt_at')} <= %s) "
            f"WHEN %s THEN {c('claimed_by')} = %s ELSE 1 = 0 END "
            f"RETURNING {returning}"
        )
        sent = (
            f"UPDATE {table} SET {c('status')} = %s, {c('sent_at')} = %s, {c('last_error')} = '', "
            f"{c('next_attempt_at')} = NULL WHERE {c('id')} = %s AND {c('status')} <> %s"
        )
        _sql_cache[key] = {"claim": claim, "sent": sent, "sent+claim": f"WITH sent AS ({sent} RETURNING 1) {claim}"}[
            kind
        ]
    return _sql_cache[key]


def _now_param():
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _claim_params(mail_id: int, claimed_by: str) -> list:
    now = _now_param()
    return [S.SENDING, now, claimed_by, mail_id, S.QUEUED, now, S.SENDING, claimed_by or None]


def _claimed(mail_id: int, claimed_by: str, row) -> OutgoingMail | None:
    if row is None:
        return None
    values = dict(zip(_CLAIMED_FIELDS, row, strict=True))
    values["user_id"] = values.pop("user")
    return OutgoingMail(pk=mail_id, status=S.SENDING, claimed_by=claimed_by, **values)


def mail_claim(*, mail_id: int, claimed_by: str = "") -> OutgoingMail | None:
    """Move one row from queued (and due) to sending, recording who claimed it; or take back a row
    that the same claimer left `sending` (a redelivered task whose first run was killed). Returns
    the claimed row (its fields to send, and `attempts` counting this one), or None: exactly one
    claimer gets a row. One UPDATE ... RETURNING by primary key."""
    params = _claim_params(mail_id, claimed_by)

    def claim():
        with connection.cursor() as cursor:
            cursor.execute(_sql("claim"), params)
            return cursor.fetchone()

    return _claimed(mail_id, claimed_by, _with_reconnect(claim, what=f"claiming outbox row {mail_id}"))


def _mark_sent(mail_id: int, *, then_claim: int | None = None, claimed_by: str = "") -> OutgoingMail | None:
    """The SMTP server accepted the message: record it, whatever it takes. Retried with a new
    database connection until it succeeds or the process dies; never a reason to send again.
    With `then_claim`, also claim that row (as `mail_claim`), in the same statement on PostgreSQL,
    and return it."""
    if then_claim is not None and connection.vendor == "postgresql":
        try:
            with connection.cursor() as cursor:
                cursor.execute(_sql("sent+claim"), [S.SENT, _now_param(), mail_id, S.SENT,
                                                    *_claim_params(then_claim, claimed_by)])
                return _claimed(then_claim, claimed_by, cursor.fetchone())
        except (OperationalError, InterfaceError):
            # Whether it committed is unknown: record the row alone until that succeeds, then claim
            # (a claim that did commit is ours to take again).
            logger.warning("Database unavailable while recording outbox row %s as sent", mail_id, exc_info=True)
            _reset_connection()

    def mark():
        with connection.cursor() as cursor:
            cursor.execute(_sql("sent"), [S.SENT, _now_param(), mail_id, S.SENT])

    _with_reconnect(mark, what=f"recording outbox row {mail_id} as sent", forever=True)
    return mail_claim(mail_id=then_claim, claimed_by=claimed_by) if then_claim is not None else None


def _release(mail: OutgoingMail) -> None:
    """Give back a row claimed but not sent (the task stopped first): queued again, as it was."""
    try:
        OutgoingMail.objects.filter(pk=mail.pk, status=S.SENDING, claimed_by=mail.claimed_by).update(
            status=S.QUEUED, attempts=max(0, mail.attempts - 1)
        )
    except (OperationalError, InterfaceError):  # the sweeper will take it back
        logger.warning("Could not give back outbox row %s", mail.pk, exc_info=True)


# name -> function(mail) returning the absolute link to put in place of the placeholder, or
# None when no link can be made any more (the login is gone or inactive).
_SECRET_LINK_RENDERERS = {}


def register_secret_link(name: str, renderer) -> None:
    """Let a higher app (accounts) make a secret link at send time, from the message's user."""
    _SECRET_LINK_RENDERERS[name] = renderer


def _with_secret_link(mail: OutgoingMail) -> tuple[str, str]:
    if not mail.secret_link:
        return mail.body_text, mail.body_html
    link = _SECRET_LINK_RENDERERS[mail.secret_link](mail)
    if not link:
        raise SecretLinkUnavailable(f"No {mail.secret_link} link can be made for this recipient any more")
    return (
        mail.body_text.replace(SECRET_LINK_PLACEHOLDER, link),
        mail.body_html.replace(SECRET_LINK_PLACEHOLDER, escape(link)),
    )


class SecretLinkUnavailable(Exception):
    pass


def build_message(mail: OutgoingMail, connection=None) -> EmailMultiAlternatives:
    body_text, body_html = _with_secret_link(mail)
    msg = EmailMultiAlternatives(
        subject=mail.subject,
        body=body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to],
        headers={"Message-ID": mail.message_id, "Content-Language": mail.language},
        connection=connection,
    )
    if body_html:
        msg.attach_alternative(body_html, "text/html")
    return msg


# --- the message as sent over SMTP ------------------------------------------------------------------
#
# Over Django's SMTP backend, the worker writes each message's bytes itself rather than through
# EmailMessage.message(): the same MIME structure (multipart/alternative of a text/plain and a
# text/html part in UTF-8, 8bit, quoted-printable only for a line longer than SMTP allows; the
# subject in RFC 2047 words when it is not ASCII; the addresses as Django's sanitize_address
# writes them), at a fraction of the cost: the standard library's generator spent most of a
# message's time folding headers. Any other backend (tests, files, the console) gets the
# EmailMessage of `build_message`.

_MAX_LINE = 998  # octets per line (RFC 5322), CRLF excluded
_CRLF = "\r\n"


def _header(name: str, value: str) -> bytes:
    if "\n" in value or "\r" in value:
        raise BadHeaderError(f"Header values cannot contain newlines (got {value!r} for header {name!r})")
    if value.isascii() and len(name) + 2 + len(value) <= _MAX_LINE:
        return f"{name}: {value}\r\n".encode("ascii")
    return _encoded_header(name, value)


@functools.lru_cache(maxsize=256)
def _encoded_header(name: str, value: str) -> bytes:
    """RFC 2047 words, folded (a batch's messages share a few subjects: each is encoded once)."""
    folded = Header(value, "utf-8", header_name=name).encode(linesep=_CRLF)
    return f"{name}: {folded}{_CRLF}".encode("ascii")


# A plain address (what an EmailField holds): sent as it is; anything else (an accented domain, a
# display name) goes through Django's sanitize_address.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+")


def _address(value: str) -> str:
    if _PLAIN_ADDRESS.fullmatch(value):
        return value
    return _sanitized(value)


@functools.lru_cache(maxsize=64)
def _sanitized(value: str) -> str:
    return sanitize_address(value, "utf-8")


def _part(content: str, subtype: str) -> bytes:
    lines = content.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    body = "\r\n".join(lines).encode("utf-8")
    encoding = "8bit"
    if any(len(line.encode("utf-8")) > _MAX_LINE for line in lines):
        encoding = "quoted-printable"
        body = quopri.encodestring(body.replace(b"\r\n", b"\n")).replace(b"\n", b"\r\n")
    return (f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n'
            .encode("ascii") + body)


def smtp_message(mail: OutgoingMail) -> tuple[str, list[str], bytes]:
    """(envelope sender, envelope recipients, the message's bytes) of an outbox row, for
    smtplib's sendmail. Raises SecretLinkUnavailable as `build_message` does."""
    body_text, body_html = _with_secret_link(mail)
    sender = _address(settings.DEFAULT_FROM_EMAIL)
    recipient = _address(mail.to)
    head = b"".join((
        _header("From", sender),
        _header("To", recipient),
        _header("Subject", mail.subject),
        _header("Date", formatdate(localtime=settings.EMAIL_USE_LOCALTIME)),
        _header("Message-ID", mail.message_id),
        _header("Content-Language", mail.language),
        b"MIME-Version: 1.0\r\n",
    ))
    if not body_html:
        return sender, [recipient], head + _part(body_text, "plain")
    boundary = f"===============roster{uuid.uuid4().hex}==".encode("ascii")
    return sender, [recipient], b"".join((
        head, b'Content-Type: multipart/alternative; boundary="', boundary, b'"\r\n\r\n',
        b"--", boundary, b"\r\n", _part(body_text, "plain"), b"\r\n",
        b"--", boundary, b"\r\n", _part(body_html, "html"), b"\r\n",
        b"--", boundary, b"--\r\n",
    ))


def _outgoing(mail: OutgoingMail, backend):
    """What `_send` sends for this row over this backend: the bytes for Django's SMTP backend, an
    EmailMessage for any other."""
    if isinstance(backend, SMTPBackend):
        return smtp_message(mail)
    return build_message(mail)


def retry_delay(attempts: int) -> int:
    """Exponential backoff, kept below the broker's visibility timeout."""
    base = _rules()["OUTBOX_RETRY_BASE_SECONDS"]
    cap = max(1, settings.CELERY_VISIBILITY_TIMEOUT - 60)
    return int(min(base * (2 ** max(0, attempts - 1)), cap))


# --- sending -----------------------------------------------------------------------------------

# The server closed a connection we had kept open (idle timeout, messages per session).
_DROPPED = (smtplib.SMTPServerDisconnected, ConnectionError)


def _close_quietly(backend) -> None:
    try:
        backend.close()
    except Exception:  # the server already went away
        logger.debug("Closing the mail connection failed", exc_info=True)


def _send_once(backend, message) -> bool:
    if isinstance(message, tuple):  # (sender, recipients, bytes) over Django's SMTP backend
        backend.connection.sendmail(*message)
        return True
    return bool(backend.send_messages([message]))


def _send(backend, message) -> None:
    """Send one message over `backend`'s open connection (opened now if needed). A connection the
    server dropped since its last message is opened again for this one; after any other error
    the connection is closed, and the next message gets a new one."""
    fresh = backend.open()  # SMTP: True if it just connected, False if it was open; others: None
    try:
        sent = _send_once(backend, message)
    except _DROPPED:
        _close_quietly(backend)
        if fresh is not False:
            raise
        backend.open()
        try:
            sent = _send_once(backend, message)
        except Exception:
            _close_quietly(backend)
            raise
    except Exception:
        _close_quietly(backend)
        raise
    if not sent:
        raise smtplib.SMTPException("The mail backend did not send the message")


@dataclass
class DeliveryResult:
    sent: bool = False
    claimed: bool = False
    retry_in: int | None = None


@dataclass
class BatchDelivery:
    sent: list[int] = field(default_factory=list)
    # mail id -> seconds until its next attempt (a temporary failure)
    retry: dict[int, int] = field(default_factory=dict)
    # not attempted: the task ran out of time, or the database was unavailable
    leftover: list[int] = field(default_factory=list)
    leftover_in: float | None = None
    claimed: int = 0

    def retry_groups(self) -> list[tuple[int, list[int]]]:
        groups: dict[int, list[int]] = {}
        for mail_id, delay in self.retry.items():
            groups.setdefault(delay, []).append(mail_id)
        return sorted(groups.items())


def _claim_token(claimed_by: str) -> str:
    return claimed_by or f"call-{uuid.uuid4().hex}"


def mail_deliver(*, mail_id: int, connection=None, claimed_by: str = "") -> DeliveryResult:
    """Claim, send, record one message. Returns when to retry after a temporary failure."""
    result = mail_deliver_many(mail_ids=[mail_id], connection=connection, claimed_by=claimed_by)
    if result.leftover:
        raise OperationalError("The database is unavailable")
    return DeliveryResult(sent=bool(result.sent), claimed=result.claimed > 0, retry_in=result.retry.get(mail_id))


class _Delivery:
    """One batch over one mail connection, as a two-stage pipeline: the SMTP exchange runs on a
    thread of its own (with the MIME encoding), while this thread records the previous message
    and claims the next one in the database. Each message is still claimed before it is sent and
    recorded as soon as its reply is in: at most two rows are `sending` at once, and nothing but
    the recording UPDATE lies between a reply and its record."""

    def __init__(self, ids, backend, claimed_by, time_budget, result):
        self.ids, self.backend, self.claimed_by = ids, backend, claimed_by
        self.deadline = None if time_budget is None else time.monotonic() + time_budget
        self.result = result
        self.inflight = None  # (mail, future) on the SMTP thread
        self.next_claim: tuple[int, OutgoingMail | None] | None = None  # a row claimed ahead

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def run(self, smtp: ThreadPoolExecutor) -> None:
        index = 0
        try:
            for index, mail_id in enumerate(self.ids):  # noqa: B007  (index is read after the loop)
                if self.next_claim is not None and self.next_claim[0] == mail_id:
                    mail, self.next_claim = self.next_claim[1], None
                else:
                    if self.out_of_time():
                        self.result.leftover = self.ids[index:]
                        return
                    mail = mail_claim(mail_id=mail_id, claimed_by=self.claimed_by)
                if mail is None:
                    continue
                self.result.claimed += 1
                try:
                    message = _outgoing(mail, self.backend)
                except SecretLinkUnavailable as exc:
                    mail_mark_failed(mail_id=mail.pk, error=str(exc))
                    _log_attempt(mail, "failed", error=exc)
                    continue
                except (BadHeaderError, ValueError) as exc:  # an address or header no server would take
                    mail_mark_failed(mail_id=mail.pk, error=f"{type(exc).__name__}: {exc}"[:2000])
                    _log_attempt(mail, "failed", error=exc)
                    continue
                previous = self.inflight
                if previous is not None:
                    previous[1].exception()  # wait for its reply; this message goes right after
                self.inflight = (mail, smtp.submit(_send_timed, self.backend, message))
                if previous is not None:
                    self.record(previous, then=self.following(index))
        except (OperationalError, InterfaceError):
            logger.warning("Database unavailable; %d messages left for later", len(self.ids) - index, exc_info=True)
            self.result.leftover, self.result.leftover_in = self.ids[index:], RECONNECT_GIVE_UP_SECONDS
        finally:
            if self.inflight is not None:
                self.inflight[1].exception()
                self.record(self.inflight, then=None)
            if self.next_claim is not None and self.next_claim[1] is not None:
                _release(self.next_claim[1])

    def following(self, index: int) -> int | None:
        """The id to claim together with recording the previous message, unless time is up."""
        if index + 1 < len(self.ids) and not self.out_of_time():
            return self.ids[index + 1]
        return None

    def record(self, inflight, *, then: int | None) -> None:
        mail, future = inflight
        if future is self.inflight[1]:
            self.inflight = None
        seconds, error = future.result()
        if error is None:
            claimed = _mark_sent(mail.pk, then_claim=then, claimed_by=self.claimed_by)
            if then is not None:
                self.next_claim = (then, claimed)
            self.result.sent.append(mail.pk)
            _log_attempt(mail, "sent", seconds=seconds)
            return
        outcome = _record_failure(mail, error)
        if outcome.retry_in is not None:
            self.result.retry[mail.pk] = outcome.retry_in
        _log_attempt(mail, "failed" if outcome.retry_in is None else "retry", seconds=seconds, error=error)


def _send_timed(backend, message) -> tuple[float, BaseException | None]:
    """`_send` on the SMTP thread: how long it took, and its error (None when the server took it)."""
    started = time.perf_counter()
    try:
        _send(backend, message)
    except BaseException as exc:  # handed back to the task's thread, which records it
        return time.perf_counter() - started, exc
    return time.perf_counter() - started, None


def _log_attempt(mail: OutgoingMail, outcome: str, *, seconds: float | None = None,
                 error: BaseException | None = None) -> None:
    fields = {"mail_id": mail.pk, "kind": mail.kind, "attempt": mail.attempts, "outcome": outcome}
    if seconds is not None:
        fields["duration_ms"] = round(seconds * 1000, 1)
    if error is not None:
        fields["error"] = type(error).__name__  # the class only: a message may hold an address
        if isinstance(error, smtplib.SMTPResponseException):
            fields["smtp_code"] = error.smtp_code
    level = logging.INFO if outcome == "sent" else logging.WARNING if outcome == "retry" else logging.ERROR
    delivery_log.log(level, "mail_delivery", **fields)


def mail_deliver_many(*, mail_ids, claimed_by: str = "", connection=None, time_budget: float | None = None
                      ) -> BatchDelivery:
    """Deliver a batch over one mail connection: each row claimed, sent and recorded on its own,
    so one failure does not stop the others. Stops early, leaving the rest in `leftover`, after
    `time_budget` seconds or if the database stays unavailable."""
    result = BatchDelivery()
    backend = connection or get_connection()
    delivery = _Delivery(list(mail_ids), backend, _claim_token(claimed_by), time_budget, result)
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-smtp") as smtp:
            delivery.run(smtp)
    finally:
        if connection is None:
            _close_quietly(backend)
    return result


def _record_failure(mail: OutgoingMail, exc: Exception) -> DeliveryResult:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if mail.attempts >= _rules()["OUTBOX_MAX_ATTEMPTS"]:
        mail_mark_failed(mail_id=mail.pk, error=error)
        return DeliveryResult(claimed=True)
    delay = retry_delay(mail.attempts)

    def requeue():
        OutgoingMail.objects.filter(pk=mail.pk, status=S.SENDING).update(
            status=S.QUEUED, last_error=error, next_attempt_at=timezone.now() + timedelta(seconds=delay)
        )

    _with_reconnect(requeue, what=f"recording a failure of outbox row {mail.pk}")
    return DeliveryResult(claimed=True, retry_in=delay)


def mail_mark_failed(*, mail_id: int, error: str) -> None:
    def mark():
        OutgoingMail.objects.filter(pk=mail_id).exclude(status=S.SENT).update(
            status=S.FAILED, last_error=error, next_attempt_at=None
        )

    _with_reconnect(mark, what=f"recording outbox row {mail_id} as failed")


@transaction.atomic
def mail_resend(*, mail_ids) -> int:
    """Put failed messages back in the queue (same Message-ID, fresh attempts)."""
    ids = list(
        OutgoingMail.objects.select_for_update()
        .filter(pk__in=list(mail_ids), status=S.FAILED)
        .values_list("pk", flat=True)
    )
    OutgoingMail.objects.filter(pk__in=ids).update(status=S.QUEUED, attempts=0, next_attempt_at=None)
    if ids:
        deliver_after_commit(ids)
    return len(ids)


# --- batches: one record in the request, the rows made by a worker -------------------------------

# name -> function(context, refs) returning one template context per ref (see `mail_batch_queue`).
_CONTEXT_LOADERS = {}
# name -> function(context) returning the batch's recipients, each with its topic and ref.
_AUDIENCES = {}


def register_mail_context(name: str, loader) -> None:
    """Let a higher app (missions) turn a batch's stored references into template context, at fan-out
    time: `loader(context: dict, refs: list) -> list[dict]`, one context per ref, in order, read
    from the database so that fanning out again renders the same messages."""
    _CONTEXT_LOADERS[name] = loader


def register_mail_audience(name: str, resolver) -> None:
    """Let a higher app (missions) name who a batch goes to without listing them in the request:
    `resolver(context: dict) -> list[Recipient]` (each with its topic and ref), asked once, by the
    worker, when it starts the batch; the answer is stored, so a retry sends to the same people."""
    _AUDIENCES[name] = resolver


def _recipient_rows(recipients) -> list[list]:
    """`[email, language, user_id, name, topic, ref]` for each recipient with an address, once per
    address and topic."""
    seen = set()
    rows = []
    for r in recipients:
        key = (r.email.lower(), r.topic)
        if not r.email or key in seen:
            continue
        seen.add(key)
        rows.append([r.email, _language(r.language), r.user_id, r.name, r.topic, r.ref])
    return rows


def mail_batch_queue(*, template: str, loader: str, context: dict, recipients: list[Recipient] | None = None,
                     audience: str = "", topics=(), kind: str = "") -> MailBatch | None:
    """Queue a message to many people as one record: which templates, references for the context
    loader named `loader` (JSON values, e.g. {"bulletin": 5}), and who: either `recipients` (email,
    language, login, name, topic and `ref` of each; a recipient appearing twice under one topic
    gets one message), or an `audience` (a resolver registered with `register_mail_audience`, asked
    by the worker; `topics` are the topics its messages will have, shown as queued meanwhile).
    Must run inside the caller's transaction; after it commits one task fans the batch out into
    outbox rows (`mail_batch_fan_out`), in the recipients' languages. Returns the batch (`total`
    messages, None for an audience not yet asked), or None when `recipients` has nobody."""
    if loader not in _CONTEXT_LOADERS:
        raise ValueError(f"No mail context loader named {loader!r}")
    if (recipients is None) == (not audience) or (audience and audience not in _AUDIENCES):
        raise ValueError(f"Give either recipients or a registered audience, not {audience!r}")
    for suffix in ("subject.txt", "txt", "html"):
        source = get_template(f"emails/{template}.{suffix}").template.source  # a typo fails here, not in the worker
        if "secret_link" in source:
            # A batch renders its messages from references and stores them as rendered: a message with a
            # secret link (a password reset, an invitation) goes through `mail_queue(secret_link=...)`.
            raise ValueError(f"emails/{template}.{suffix} carries a secret link: queue it with mail_queue")
    fields = {"audience": audience, "topics": list(topics)}
    if recipients is not None:
        rows = _recipient_rows(recipients)
        if not rows:
            return None
        fields = {"recipients": rows, "total": len(rows)}
    batch = MailBatch.objects.create(
        key=uuid.uuid4().hex, template=template, kind=kind or template, loader=loader, context=context, **fields
    )
    transaction.on_commit(lambda: enqueue_fan_out(batch.pk))
    return batch


def _render_chunk(batch: MailBatch, start: int, chunk: list) -> list[OutgoingMail]:
    contexts = _CONTEXT_LOADERS[batch.loader](batch.context, [r[5] for r in chunk])
    user_ids = {r[2] for r in chunk if r[2]}
    users = set(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", flat=True)) if user_ids else set()
    rows = []
    for offset, ((email, lang, user_id, name, topic, _ref), ctx) in enumerate(zip(chunk, contexts, strict=True)):
        user_id = user_id if user_id in users else None  # a login deleted since
        subject, text, html = render_message(
            batch.template, ctx, Recipient(email=email, language=lang, user_id=user_id, name=name)
        )
        rows.append(OutgoingMail(
            to=email, user_id=user_id, language=lang, subject=subject, body_text=text, body_html=html,
            message_id=batch_message_id(batch.key, start + offset), topic=topic, kind=batch.kind,
        ))
    return rows


def mail_batch_fan_out(*, batch_id: int, time_budget: float | None = None) -> int:
    """Turn a batch into outbox rows, `FAN_OUT_CHUNK` recipients per transaction, each chunk handed
    to delivery once committed. Safe to run again, or twice at once: each chunk starts from the
    batch's committed progress under a row lock, and the Message-IDs are the batch's, unique, so
    no recipient ever gets a second row. Returns the number of rows made by this run."""
    batch = MailBatch.objects.filter(pk=batch_id, finished_at__isnull=True).first()
    if batch is None:
        return 0
    if batch.loader not in _CONTEXT_LOADERS:
        raise LookupError(f"No mail context loader named {batch.loader!r}")
    started = time.monotonic()
    made = 0
    while True:
        if time_budget is not None and time.monotonic() - started > time_budget:
            enqueue_fan_out(batch.pk)  # the rest in a new task, well before the broker would redeliver this one
            return made
        with transaction.atomic():
            locked = (
                MailBatch.objects.select_for_update().filter(pk=batch.pk, finished_at__isnull=True)
                .values_list("done", "total").first()
            )
            if locked is None:
                return made
            progress, total = locked
            if total is None:  # an audience: ask who, once, and keep the answer
                batch.recipients = _recipient_rows(_AUDIENCES[batch.audience](batch.context))
                MailBatch.objects.filter(pk=batch.pk).update(recipients=batch.recipients, total=len(batch.recipients),
                                                             topics=[])
            elif len(batch.recipients) != total:  # another run asked meanwhile
                batch.recipients = MailBatch.objects.values_list("recipients", flat=True).get(pk=batch.pk)
            chunk = batch.recipients[progress:progress + FAN_OUT_CHUNK]
            try:
                rows = _render_chunk(batch, progress, chunk) if chunk else []
            except ObjectDoesNotExist:  # what the messages were about is gone: nothing left to say
                logger.warning("Mail batch %s: its subject no longer exists; %d messages not made",
                               batch.pk, len(batch.recipients) - progress, exc_info=True)
                chunk, rows = batch.recipients[progress:], []
            OutgoingMail.objects.bulk_create(rows, ignore_conflicts=True)
            now = timezone.now()
            finished = progress + len(chunk) >= len(batch.recipients)
            MailBatch.objects.filter(pk=batch.pk).update(
                done=progress + len(chunk), updated_at=now,
                **({"finished_at": now, "recipients": []} if finished else {}),
            )
            if rows:
                deliver_after_commit(
                    OutgoingMail.objects.filter(message_id__in=[r.message_id for r in rows])
                    .order_by("pk").values_list("pk", flat=True)
                )
        made += len(rows)
        if finished:
            return made


# --- the sweeper -------------------------------------------------------------------------------


def outbox_sweep(*, now=None) -> dict:
    """Re-enqueue rows still queued after a while (their task was lost), reclaim rows stuck
    sending (their worker died), and fan out again the batches that stopped moving."""
    now = now or timezone.now()
    rules = _rules()
    stale_sending = now - timedelta(seconds=rules["OUTBOX_SENDING_STALE_SECONDS"])
    reclaimed = OutgoingMail.objects.filter(status=S.SENDING, claimed_at__lt=stale_sending).update(
        status=S.QUEUED, next_attempt_at=None
    )
    requeue_before = now - timedelta(seconds=rules["OUTBOX_REQUEUE_AFTER_SECONDS"])
    due = list(
        OutgoingMail.objects.filter(status=S.QUEUED)
        .filter(
            Q(next_attempt_at__isnull=True, created_at__lt=requeue_before)
            | Q(next_attempt_at__lt=requeue_before)
        )
        .values_list("pk", flat=True)[:1000]
    )
    enqueue_delivery(due)
    stalled = list(
        MailBatch.objects.filter(finished_at__isnull=True, updated_at__lt=requeue_before)
        .order_by("updated_at").values_list("pk", flat=True)[:100]
    )
    for batch_id in stalled:
        enqueue_fan_out(batch_id)
    return {"reclaimed": reclaimed, "requeued": len(due), "batches": len(stalled)}


# --- operations (manage.py outbox_resend_failed, outbox_purge_bodies) -----------------------------

# The ids of failed messages put back in one UPDATE (a bounded IN list on every database).
RESEND_CHUNK = 500


def mail_resend_failed(*, kind: str = "", since=None, dry_run: bool = False) -> list[int]:
    """Put the failed messages back in the queue, in bulk: all of them, or those of a `kind` (a value
    of `notifications.kinds.kind_choices()`, or a kind code as stored) queued at or after `since`.
    Same Message-ID, fresh attempts, as `mail_resend`. One transaction; after it commits, the rows go
    to Celery together (one task per `DELIVERY_BATCH` ids, never one broker call per message).
    `dry_run` changes nothing. Returns the ids (in the queue again, or that would be)."""
    from .kinds import kind_condition

    with transaction.atomic():
        mails = OutgoingMail.objects.filter(status=S.FAILED)
        if not dry_run:
            mails = mails.select_for_update()
        if kind:
            mails = mails.filter(kind_condition(kind) or Q(kind=kind))
        if since is not None:
            mails = mails.filter(created_at__gte=since)
        ids = list(mails.order_by("pk").values_list("pk", flat=True))
        if dry_run or not ids:
            return ids
        for start in range(0, len(ids), RESEND_CHUNK):
            OutgoingMail.objects.filter(pk__in=ids[start:start + RESEND_CHUNK], status=S.FAILED).update(
                status=S.QUEUED, attempts=0, next_attempt_at=None
            )
        deliver_after_commit(ids)
    structlog.get_logger("notifications.outbox").info(
        "outbox_failed_resent", messages=len(ids), kind=kind or None, since=since.isoformat() if since else None)
    return ids


def purged_subject(language: str) -> str:
    """What a purged message's subject reads, in its recipient's language."""
    with translation.override(_language(language)):
        return translation.gettext("[Content deleted after the retention period]")


@dataclass
class PurgeReport:
    cutoff: Any
    days: int
    purged: int = 0
    due: int = 0


def outbox_purge_bodies(*, now=None, days: int | None = None, batch_size: int = 500,
                        dry_run: bool = False) -> PurgeReport:
    """Delete the content of the messages delivered more than `days` ago (default
    ROSTER["OUTBOX_BODY_RETENTION_DAYS"]): the text and HTML bodies and the last error become empty
    and the subject (which may name an officer) a note in the recipient's language. What remains is
    the delivery record: recipient, kind, topic, Message-ID, dates. In batches of `batch_size` rows,
    one transaction each, read in the order of the (status, created_at, id) index. A message already
    purged is left as it is (run it again: nothing changes). `dry_run` counts and changes nothing."""
    from django.db.models import Case, Value, When

    days = _rules()["OUTBOX_BODY_RETENTION_DAYS"] if days is None else days
    if days < 1:
        raise ValueError("The retention period must be at least one day.")
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    # created_at <= sent_at: the condition on created_at reads a range of the index
    due = (OutgoingMail.objects.filter(status=S.SENT, created_at__lt=cutoff, sent_at__lt=cutoff)
           .exclude(body_text="", body_html=""))
    report = PurgeReport(cutoff=cutoff, days=days)
    if dry_run:
        report.due = due.count()
        return report
    subject = Case(When(language="fr", then=Value(purged_subject("fr"))), default=Value(purged_subject("en")))
    after = None
    while True:
        page = due.order_by("created_at", "id")
        if after is not None:
            page = page.filter(Q(created_at__gt=after[0]) | Q(created_at=after[0], id__gt=after[1]))
        rows = list(page.values_list("created_at", "id")[:batch_size])
        if not rows:
            break
        after = rows[-1]
        with transaction.atomic():
            report.purged += (OutgoingMail.objects.filter(pk__in=[pk for _, pk in rows], status=S.SENT)
                              .exclude(body_text="", body_html="")
                              .update(subject=subject, body_text="", body_html="", last_error=""))
    report.due = report.purged
    structlog.get_logger("notifications.outbox").info("outbox_bodies_purged", messages=report.purged, days=days)
    return report
