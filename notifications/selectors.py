from django.db.models import Count, Max, QuerySet

from agencies.models import Role

from .kinds import kind_condition
from .models import OutgoingMail


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


def outbox_counts(mails: QuerySet[OutgoingMail]) -> dict[str, int]:
    """How many of `mails` are in each status, in one grouped query (0 for a status with none)."""
    counts = {s: 0 for s in OutgoingMail.Status.values}
    for row in mails.order_by().values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return counts


def delivery_by_topic(topics) -> dict[str, dict]:
    """For each topic: its delivery state (failed > queued/sending > sent), when it was
    last sent, the last error and the failed row ids. Two queries, whatever the count."""
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
    failed = [t for t, d in out.items() if d["state"] == "failed"]
    if failed:
        for m in OutgoingMail.objects.filter(topic__in=failed, status=OutgoingMail.Status.FAILED).only(
            "id", "topic", "last_error"
        ):
            out[m.topic]["failed_ids"].append(m.pk)
            out[m.topic]["error"] = m.last_error
    return out


def mail_visible_to(user) -> QuerySet[OutgoingMail]:
    """A person's own messages (their mailbox in the app): addressed to their login or email."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return OutgoingMail.objects.none()
    from django.db.models import Q

    return OutgoingMail.objects.filter(Q(user_id=user.pk) | Q(to__iexact=user.email))
