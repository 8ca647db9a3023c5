"""Reads of the talent pool. `pool_visible_to(user)` is the one visibility rule (IPO staff every entry,
a coordinator their agency's officers', an officer their own)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from agencies.selectors import scope_to_user

from .models import AgencySupport, PoolEntry


def pool_visible_to(user) -> QuerySet[PoolEntry]:
    qs = PoolEntry.objects.select_related("officer", "officer__agency")
    return scope_to_user(qs, user, officer_path="officer")


def pool_available(*, by: date | None = None, supported_only: bool = False) -> QuerySet[PoolEntry]:
    """The entries of active officers available by `by` (default: today), every agency: what "who could
    go?" and the forecast count (counts only; names go through `pool_visible_to`). An agency's refusal
    takes the officer out; `supported_only` keeps only those their agency confirmed."""
    by = by or timezone.localdate()
    qs = PoolEntry.objects.filter(officer__is_active=True, available_from__lte=by).exclude(
        support=AgencySupport.NOT_SUPPORTED)
    if supported_only:
        qs = qs.filter(support=AgencySupport.SUPPORTED)
    return qs


def pool_officer_ids(*, by: date | None = None, supported_only: bool = False) -> set[int]:
    """The officers of `pool_available`, as a set of ids (one query)."""
    return set(pool_available(by=by, supported_only=supported_only).values_list("officer_id", flat=True))
