"""The outbox. Every email is a row committed with the change that caused it; a Celery
task claims the row with a conditional update, sends it, and marks it sent.

Nothing lost: a row whose task never ran (broker down at commit) or whose worker died
(row stuck `sending`) is picked up by `outbox_sweep`. Nothing sent twice: only the task
that moved a row from queued to sending may send it; the only duplicate left is a crash
between the SMTP server's reply and the row's update, countable by the Message-ID.
"""

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape

from .models import SECRET_LINK_PLACEHOLDER, OutgoingMail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str = "en"
    user_id: int | None = None
    name: str = ""


def recipient_for_user(user) -> Recipient:
    return Recipient(
        email=user.email,
        language=user.preferred_language or "en",
        user_id=user.pk,
        name=user.get_full_name(),
    )


def _rules():
    return settings.ROSTER


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{settings.MESSAGE_ID_DOMAIN}>"


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
    message is sent: the stored message never holds it."""
    if secret_link and secret_link not in _SECRET_LINK_RENDERERS:
        raise ValueError(f"No secret link renderer named {secret_link!r}")
    seen = set()
    rows = []
    for r in recipients:
        key = r.email.lower()
        if not key or key in seen:
            continue
        seen.add(key)
        lang = r.language if r.language in ("en", "fr") else "en"
        ctx = {**context, "recipient": r, "site_url": settings.SITE_URL, "LANGUAGE_CODE": lang}
        if secret_link:
            ctx["secret_link"] = SECRET_LINK_PLACEHOLDER
        with translation.override(lang):
            subject = " ".join(render_to_string(f"emails/{template}.subject.txt", ctx).split())
            text = render_to_string(f"emails/{template}.txt", ctx)
            html = render_to_string(f"emails/{template}.html", ctx)
        rows.append(
            OutgoingMail(
                to=r.email,
                user_id=r.user_id,
                language=lang,
                subject=subject[:300],
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
        ids = [m.pk for m in created]
        transaction.on_commit(lambda: enqueue_delivery(ids))
    return created


# After a broker failure, this process stops trying for a few seconds: the rows stay
# queued for the sweeper, and a publish to many agencies does not wait on each enqueue.
_BROKER_BACKOFF_SECONDS = 10.0
_broker_down_until = 0.0
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def enqueue_delivery(mail_ids) -> None:
    """Hand the rows to Celery. A broker failure here loses nothing: the rows stay queued
    and `outbox_sweep` enqueues them again."""
    global _broker_down_until
    from .tasks import deliver_mail

    if time.monotonic() < _broker_down_until:
        return
    for mail_id in mail_ids:
        try:
            deliver_mail.apply_async((mail_id,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        except Exception:  # broker down: kombu.exceptions.OperationalError and friends
            if not settings.CELERY_TASK_ALWAYS_EAGER:
                _broker_down_until = time.monotonic() + _BROKER_BACKOFF_SECONDS
            logger.warning("Could not enqueue outbox row %s; the sweeper will retry", mail_id, exc_info=True)
            return
    _broker_down_until = 0.0


def mail_claim(*, mail_id: int) -> bool:
    """Move one row from queued to sending. True for exactly one caller."""
    now = timezone.now()
    return (
        OutgoingMail.objects.filter(pk=mail_id, status=OutgoingMail.Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=OutgoingMail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
        == 1
    )


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


def retry_delay(attempts: int) -> int:
    """Exponential backoff, kept below the broker's visibility timeout."""
    base = _rules()["OUTBOX_RETRY_BASE_SECONDS"]
    cap = max(1, settings.CELERY_VISIBILITY_TIMEOUT - 60)
    return int(min(base * (2 ** max(0, attempts - 1)), cap))


@dataclass
class DeliveryResult:
    sent: bool = False
    claimed: bool = False
    retry_in: int | None = None


def mail_deliver(*, mail_id: int, connection=None) -> DeliveryResult:
    """Claim, send, record. Returns when to retry after a temporary failure."""
    if not mail_claim(mail_id=mail_id):
        return DeliveryResult()
    mail = OutgoingMail.objects.get(pk=mail_id)
    try:
        message = build_message(mail, connection or get_connection())
    except SecretLinkUnavailable as exc:
        mail_mark_failed(mail_id=mail.pk, error=str(exc))
        return DeliveryResult(claimed=True)
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # SMTP refusals, timeouts, connection errors
        return _record_failure(mail, exc)
    OutgoingMail.objects.filter(pk=mail.pk, status=OutgoingMail.Status.SENDING).update(
        status=OutgoingMail.Status.SENT, sent_at=timezone.now(), last_error="", next_attempt_at=None
    )
    return DeliveryResult(sent=True, claimed=True)


def _record_failure(mail: OutgoingMail, exc: Exception) -> DeliveryResult:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    if mail.attempts >= _rules()["OUTBOX_MAX_ATTEMPTS"]:
        mail_mark_failed(mail_id=mail.pk, error=error)
        return DeliveryResult(claimed=True)
    delay = retry_delay(mail.attempts)
    OutgoingMail.objects.filter(pk=mail.pk, status=OutgoingMail.Status.SENDING).update(
        status=OutgoingMail.Status.QUEUED,
        last_error=error,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    return DeliveryResult(claimed=True, retry_in=delay)


def mail_mark_failed(*, mail_id: int, error: str) -> None:
    OutgoingMail.objects.filter(pk=mail_id).exclude(status=OutgoingMail.Status.SENT).update(
        status=OutgoingMail.Status.FAILED, last_error=error, next_attempt_at=None
    )


@transaction.atomic
def mail_resend(*, mail_ids) -> int:
    """Put failed messages back in the queue (same Message-ID, fresh attempts)."""
    ids = list(
        OutgoingMail.objects.select_for_update()
        .filter(pk__in=list(mail_ids), status=OutgoingMail.Status.FAILED)
        .values_list("pk", flat=True)
    )
    OutgoingMail.objects.filter(pk__in=ids).update(
        status=OutgoingMail.Status.QUEUED, attempts=0, next_attempt_at=None
    )
    if ids:
        transaction.on_commit(lambda: enqueue_delivery(ids))
    return len(ids)


def outbox_sweep(*, now=None) -> dict:
    """Re-enqueue rows still queued after a while (their task was lost) and reclaim rows
    stuck sending (their worker died)."""
    now = now or timezone.now()
    rules = _rules()
    stale_sending = now - timedelta(seconds=rules["OUTBOX_SENDING_STALE_SECONDS"])
    reclaimed = OutgoingMail.objects.filter(
        status=OutgoingMail.Status.SENDING, claimed_at__lt=stale_sending
    ).update(status=OutgoingMail.Status.QUEUED, next_attempt_at=None)
    requeue_before = now - timedelta(seconds=rules["OUTBOX_REQUEUE_AFTER_SECONDS"])
    due = list(
        OutgoingMail.objects.filter(status=OutgoingMail.Status.QUEUED)
        .filter(
            Q(next_attempt_at__isnull=True, created_at__lt=requeue_before)
            | Q(next_attempt_at__lt=now - timedelta(seconds=rules["OUTBOX_REQUEUE_AFTER_SECONDS"]))
        )
        .values_list("pk", flat=True)[:1000]
    )
    enqueue_delivery(due)
    return {"reclaimed": reclaimed, "requeued": len(due)}
