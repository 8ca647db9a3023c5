"""Reads of assessment sessions. Every signed-in role sees the schedule and its counts (seats taken,
waiting list); `registration_visible_to(user)` is the one visibility rule for registrations and their
results (IPO staff every one, a coordinator their agency's officers', an officer their own)."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from agencies.selectors import officer_visible_to, scope_to_user

from .models import AssessmentResult, AssessmentSession, Registration, RegistrationState

SESSIONS_PER_PAGE = 20
SESSION_VIEWS = ("upcoming", "past")


def with_counts(qs: QuerySet[AssessmentSession]) -> QuerySet[AssessmentSession]:
    """Annotate `seats_taken` and `waiting` (counts only: no names)."""
    return qs.annotate(
        seats_taken=Count("registrations", filter=Q(registrations__state=RegistrationState.REGISTERED)),
        waiting=Count("registrations", filter=Q(registrations__state=RegistrationState.WAITLISTED)),
    )


def sessions_page(*, show: str = "upcoming", page=None, today: date | None = None) -> dict:
    """Upcoming sessions (not ended yet), soonest first, or past ones, latest first; with their counts."""
    today = today or timezone.localdate()
    show = show if show in SESSION_VIEWS else "upcoming"
    qs = with_counts(AssessmentSession.objects.all())
    if show == "upcoming":
        qs = qs.filter(ends_on__gte=today).order_by("starts_on", "id")
    else:
        qs = qs.filter(ends_on__lt=today).order_by("-ends_on", "-id")
    page_obj = Paginator(qs, SESSIONS_PER_PAGE).get_page(page)
    return {"page": page_obj, "show": show, "today": today}


def session_with_counts(pk) -> AssessmentSession | None:
    return with_counts(AssessmentSession.objects.filter(pk=pk)).first()


def registration_visible_to(user) -> QuerySet[Registration]:
    qs = Registration.objects.select_related("session", "officer", "officer__agency")
    return scope_to_user(qs, user, officer_path="officer")


def session_registrations(user, session) -> list[Registration]:
    """The session's registrations `user` may see, with their results (two queries): registered first,
    then the waiting list in order, then the withdrawn."""
    order = {RegistrationState.REGISTERED: 0, RegistrationState.WAITLISTED: 1, RegistrationState.WITHDRAWN: 2}
    regs = list(
        with_place(registration_visible_to(user).filter(session=session)).select_related("registered_by")
        .prefetch_related(Prefetch("results", queryset=AssessmentResult.objects.order_by("id")))
    )
    regs.sort(key=lambda r: (order.get(r.state, 3), r.position or 0, r.officer.last_name, r.officer.first_name, r.pk))
    return regs


def with_place(qs: QuerySet[Registration]) -> QuerySet[Registration]:
    """Annotate `place`: a waitlisted registration's place in its session's line (1 is next), counting
    every agency's (a count, no names); None for the others."""
    ahead = (Registration.objects.filter(session_id=OuterRef("session_id"), state=RegistrationState.WAITLISTED,
                                         position__lte=OuterRef("position"))
             .order_by().values("session_id").annotate(n=Count("pk")).values("n")[:1])
    return qs.annotate(place=Subquery(ahead, output_field=IntegerField()))


def my_registrations(user) -> list[Registration]:
    """The signed-in officer's registrations, the latest session first, with their results."""
    return list(
        with_place(registration_visible_to(user).filter(officer__user_id=user.pk))
        .prefetch_related(Prefetch("results", queryset=AssessmentResult.objects.order_by("id")))
        .order_by("-session__starts_on", "-id")
    )


def registrable_officers(user, session, *, find: str = "", limit: int = 50) -> tuple[list, bool]:
    """The active officers `user` may see (officer_visible_to), not yet in line for `session`, matching
    `find` (every word a badge number, or part of a first or last name): at most `limit` of them, in one
    query, and whether there are more."""
    taken = session.registrations.filter(state__in=[RegistrationState.REGISTERED, RegistrationState.WAITLISTED])
    qs = (officer_visible_to(user).filter(is_active=True, anonymised_at__isnull=True)
          .exclude(pk__in=taken.values("officer_id")))
    for word in find.split():
        qs = qs.filter(Q(badge_number__iexact=word) | Q(last_name__icontains=word) | Q(first_name__icontains=word))
    found = list(qs.select_related(None).only("pk", "first_name", "last_name", "badge_number")
                 .order_by("last_name", "first_name", "id")[:limit + 1])
    return found[:limit], len(found) > limit
