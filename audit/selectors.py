"""Reading the audit trail. Who may read it is decided by the caller (accounts.permissions)."""

from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from config.pagination import seek_page as paginate

from .models import AuditEntry

# The trail's order, newest first, as its indexes (audit_time, audit_kind_time, ...) hold it.
AUDIT_ORDER = ("-timestamp", "-id")


def audit_entries(*, kind: str = "", officer_ids=None, actor_ids=None, user_id=None,
                  since: date | None = None, until: date | None = None) -> QuerySet[AuditEntry]:
    """The trail, newest first, narrowed by kind, officer(s), acting user(s), the user an event
    concerns, and a date range (inclusive, Ottawa days)."""
    qs = AuditEntry.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if officer_ids is not None:
        qs = qs.filter(officer_id__in=list(officer_ids))
    if actor_ids is not None:
        ids = list(actor_ids)
        qs = qs.filter(Q(actor_id__in=ids) | Q(subject_user_id__in=ids))
    if user_id is not None:
        qs = qs.filter(subject_user_id=user_id)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(timestamp__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        qs = qs.filter(timestamp__lte=datetime.combine(until, time.max, tzinfo=tz))
    return qs.order_by("-timestamp", "-id")


def reads_of_officer(*, officer_id: int, exclude_actor_id=None) -> QuerySet[AuditEntry]:
    """Who read an officer's record (their own reads left out), newest first."""
    qs = AuditEntry.objects.filter(officer_id=officer_id, kind=AuditEntry.Kind.READ)
    if exclude_actor_id is not None:
        qs = qs.exclude(actor_id=exclude_actor_id)
    return qs.order_by("-timestamp", "-id")


def seek_page(qs: QuerySet[AuditEntry], *, cursor: str = "", size: int = 50):
    """Keyset pagination on (timestamp, id) descending (config.pagination): no COUNT, no OFFSET.
    Returns the rows and the cursor of the next page ('' at the end). A malformed cursor starts
    from the top."""
    page = paginate(qs, order=AUDIT_ORDER, size=size, after=cursor)
    return page.object_list, page.next_cursor
