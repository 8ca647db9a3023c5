from collections import Counter

from django.db.models import Count, Max, QuerySet

from agencies.models import Role
from config.pagination import capped_counts

from .kinds import kind_condition
from .models import MailBatch, OutgoingMail


def outbox_visible_to(user) -> QuerySet[OutgoingMail]:
    """Only IPO staff read the outbox."""
    if getattr(user, "is_authenticated", False) and user.role == Role.IPO_STAFF:
        return OutgoingMail.objects.all()
    return OutgoingMail.objects.none()


def outbox_search(user, *, q: str = "", kind: str = "") -> QuerySet[OutgoingMail]:
    """The outbox as `user` may read it, narrowed by every filter but the status: the recipient
    containing `q`, and a kind from `notifications.kinds.kind_choices()` (an unknown kind is ignored)."""
    mails = outbox_visible_to(user)
    if q:
        mails = mails.filter(to__icontains=q)
    condition = kind_condition(kind) if kind else None
    if condition is not None:
        mails = mails.filter(condition)
    return mails


# The outbox's order, newest first with the id as tie-break: the keyset of its pages, held by the
# indexes outbox_created_id (every message) and outbox_status_created_id (one status).
OUTBOX_ORDER = ("-created_at", "-id")
# The status tabs count no further than this ("more than 1,000"): a full COUNT of a table that grows
# without bound is what a page must not do.
OUTBOX_COUNT_CAP = 1000


def outbox_counts(mails: QuerySet[OutgoingMail], *, cap: int = OUTBOX_COUNT_CAP) -> dict[str, int]:
    """How many of `mails` are in each status (0 for a status with none), counted no further than
    `cap` + 1: a figure above `cap` means "more than `cap`". One query, each status's count
    reading at most `cap` + 1 entries of the (status, created_at, id) index."""
    return capped_counts(mails, field_name="status", values=OutgoingMail.Status.values, cap=cap)


def pending_batch_topics(topics) -> Counter:
    """How many messages each of `topics` still has in batches not fanned out yet (one query); a
    batch whose audience the worker has not asked yet counts 0 for each of its topics."""
    wanted = set(topics)
    counts = Counter()
    for recipients, done, total, batch_topics in MailBatch.objects.filter(finished_at__isnull=True).values_list(
        "recipients", "done", "total", "topics"
    ):
        if total is None:
            for topic in wanted.intersection(batch_topics):
                counts[topic] += 0
        for r in recipients[done:]:
            if r[4] in wanted:
                counts[r[4]] += 1
    return counts


def delivery_by_topic(topics) -> dict[str, dict]:
    """For each topic: its delivery state (failed > queued/sending > sent), when it was
    last sent, the last error and the failed row ids. Two queries, whatever the count, and a
    third when a topic has no row yet: its messages may still be in a batch being fanned out
    (then it is queued)."""
    topics = list(topics)
    out = {t: {"state": None, "sent_at": None, "error": "", "failed_ids": [], "count": 0} for t in topics}
    if not topics:
        return out
    rows = (
        OutgoingMail.objects.filter(topic__in=topics)
        .order_by()
        .values("topic", "status")
        .annotate(n=Count("id"), last_sent=Max("sent_at"))
    )
    per = {}
    for r in rows:
        per.setdefault(r["topic"], {})[r["status"]] = r
    for topic, states in per.items():
        d = out[topic]
        d["count"] = sum(s["n"] for s in states.values())
        sent = states.get(OutgoingMail.Status.SENT)
        d["sent_at"] = sent["last_sent"] if sent else None
        if OutgoingMail.Status.FAILED in states:
            d["state"] = "failed"
        elif OutgoingMail.Status.QUEUED in states or OutgoingMail.Status.SENDING in states:
            d["state"] = "queued"
        else:
            d["state"] = "sent"
    missing = [t for t in topics if t not in per]
    if missing:
        for topic, n in pending_batch_topics(missing).items():
            out[topic].update(state="queued", count=n)
    failed = [t for t, d in out.items() if d["state"] == "failed"]
    if failed:
        for m in OutgoingMail.objects.filter(topic__in=failed, status=OutgoingMail.Status.FAILED).only(
            "id", "topic", "last_error"
        ):
            out[m.topic]["failed_ids"].append(m.pk)
            out[m.topic]["error"] = m.last_error
    return out


def mail_visible_to(user) -> QuerySet[OutgoingMail]:
    """A person's own messages (their mailbox in the app): addressed to their login or email
    (the conditions of `mail_visible_parts`, OR-ed)."""
    by_login, *others = mail_visible_parts(user)
    for part in others:
        by_login |= part
    return by_login


# A person's messages, newest first with the id as tie-break (the keyset of their pages).
MAIL_ORDER = ("-created_at", "-id")


def mail_visible_parts(user) -> tuple[QuerySet[OutgoingMail], ...]:
    """The rows of `mail_visible_to(user)` as the two conditions of its OR, for a list paged by key
    (config.pagination.seek_page, which removes a row found by both): those addressed to their
    login, read from the index outbox_user_created_id, and those addressed to their email, read from
    outbox_to_upper_created_id. Each part reads one page of its own index, whatever the number of
    messages in the outbox or in the person's mailbox."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return (OutgoingMail.objects.none(),)
    return (
        OutgoingMail.objects.filter(user_id=user.pk),
        OutgoingMail.objects.filter(to__iexact=user.email),
    )


# --- monitoring (manage.py outbox_status, the /metrics gauges) ------------------------------------


def outbox_backlog(*, now=None) -> dict:
    """What waits in the outbox, for monitoring: how many messages are queued, sending and failed
    (exact: these are a backlog, read from the (status, created_at, id) index), how many batches
    are not yet made into rows, and when the oldest waiting message was queued (`oldest_waiting_at`:
    the oldest queued row or unfinished batch, whose messages wait too; None when nothing waits)
    with its age in whole seconds (`oldest_waiting_seconds`). Four queries, whatever the outbox's size."""
    from django.utils import timezone

    now = now or timezone.now()
    S = OutgoingMail.Status
    counts = dict.fromkeys((S.QUEUED, S.SENDING, S.FAILED), 0)
    for row in (OutgoingMail.objects.filter(status__in=list(counts)).order_by().values("status")
                .annotate(n=Count("id"))):
        counts[row["status"]] = row["n"]
    oldest_row = (OutgoingMail.objects.filter(status=S.QUEUED).order_by("created_at", "id")
                  .values_list("created_at", flat=True).first())
    unfinished = MailBatch.objects.filter(finished_at__isnull=True)
    batches = unfinished.count()
    oldest_batch = unfinished.order_by("created_at").values_list("created_at", flat=True).first() if batches else None
    oldest = min((t for t in (oldest_row, oldest_batch) if t is not None), default=None)
    return {
        "queued": counts[S.QUEUED],
        "sending": counts[S.SENDING],
        "failed": counts[S.FAILED],
        "batches": batches,
        "oldest_waiting_at": oldest,
        "oldest_waiting_seconds": max(0, int((now - oldest).total_seconds())) if oldest else None,
    }


def outbox_sent_count(*, since) -> int:
    """Messages queued since `since` and sent (a window of the (status, created_at, id) index: the
    outbox grows without bound, so its sent messages are never all counted)."""
    return OutgoingMail.objects.filter(status=OutgoingMail.Status.SENT, created_at__gte=since).count()
