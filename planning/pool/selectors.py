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


POOL_PER_PAGE = 25


def pool_page(user, *, region: str = "", language: str = "", speciality: str = "", available_by: date | None = None,
              support: str = "", agency_id: int | None = None, page=None):
    """The pool entries `user` may see, filtered, the soonest available first, one page (a COUNT and
    a page: two queries)."""
    from django.core.paginator import Paginator

    qs = pool_visible_to(user)
    # JSON lists hold the codes, quoted: the same text test on SQLite and PostgreSQL
    if region:
        qs = qs.filter(regions__icontains=f'"{region}"')
    if language:
        qs = qs.filter(languages__icontains=f'"{language}"')
    if speciality:
        qs = qs.filter(specialities__icontains=f'"{speciality}"')
    if available_by:
        qs = qs.filter(available_from__lte=available_by)
    if support:
        qs = qs.filter(support=support)
    if agency_id:
        qs = qs.filter(officer__agency_id=agency_id)
    qs = qs.select_related("support_by").order_by("available_from", "officer__last_name", "id")
    return Paginator(qs, POOL_PER_PAGE).get_page(page)


def pool_entry_of(officer) -> PoolEntry | None:
    return PoolEntry.objects.filter(officer=officer).first() if officer is not None else None
