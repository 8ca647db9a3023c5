"""Reads of the privacy app: who is due for anonymisation, and the officer's messages.

Retention rule (settings.ROSTER["RETENTION_YEARS"], N): an officer is due when they have had no
application or deployment activity for more than N years, that is when

- they have no open application (`roster.models.OPEN_STATES`) and no planned or in-mission
  deployment, and
- their last activity is older than N years: the later of the end of their last tour (the actual
  end, else the planned end, of a completed or repatriated deployment) and the last closure of an
  application (the time of the last event of an application in a closed state; its last update
  when it has no event); an officer with neither applications nor deployments counts from the day
  their profile was created.

"Older than N years": the last activity falls before the same calendar day N years ago (29
February counts as 28 February). The officer is due from the day after the N years end.
Anonymised officers are never due again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import (
    Case,
    DateField,
    DateTimeField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.utils import timezone

from agencies.models import Officer
from notifications.models import OutgoingMail
from roster.models import OPEN_STATES, Application, ApplicationEvent, Deployment

# Stands for "no activity of this kind" in the comparison (never due on it alone).
NEVER = date(1900, 1, 1)
ENDED = (Deployment.Status.COMPLETED, Deployment.Status.REPATRIATED)
CURRENT = (Deployment.Status.PLANNED, Deployment.Status.IN_MISSION)


def retention_years() -> int:
    return int(settings.ROSTER["RETENTION_YEARS"])


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def retention_cutoff(today: date | None = None) -> date:
    """Officers whose last activity falls before this day are due."""
    return years_before(today or timezone.localdate(), retention_years())


def due_since(last_activity: date) -> date:
    """The first day on which an officer whose last activity was `last_activity` is due."""
    return years_after(last_activity, retention_years()) + timedelta(days=1)


def officers_with_activity(qs: QuerySet[Officer]) -> QuerySet[Officer]:
    """Annotate `has_open_application`, `has_current_deployment` and `last_activity` (a date, Ottawa
    days) by subqueries: one query for the whole list, whatever the number of officers."""
    last_event = (
        ApplicationEvent.objects.filter(application=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    last_closure = (
        Application.objects.filter(officer=OuterRef("pk"))
        .exclude(status__in=OPEN_STATES)
        .annotate(closed_at=Coalesce(Subquery(last_event, output_field=DateTimeField()), "updated_at"))
        .order_by("-closed_at")
        .values("closed_at")[:1]
    )
    last_tour_end = (
        Deployment.objects.filter(officer=OuterRef("pk"), status__in=ENDED)
        .annotate(ended_on=Coalesce("actual_end_date", "planned_end_date"))
        .order_by("-ended_on")
        .values("ended_on")[:1]
    )
    never = Value(NEVER, output_field=DateField())
    return qs.annotate(
        has_open_application=Exists(Application.objects.filter(officer=OuterRef("pk"), status__in=OPEN_STATES)),
        has_current_deployment=Exists(Deployment.objects.filter(officer=OuterRef("pk"), status__in=CURRENT)),
        last_activity=Case(
            When(
                ~Exists(Application.objects.filter(officer=OuterRef("pk")))
                & ~Exists(Deployment.objects.filter(officer=OuterRef("pk"))),
                then=TruncDate("created_at"),
            ),
            default=Greatest(
                Coalesce(Subquery(last_tour_end, output_field=DateField()), never),
                Coalesce(TruncDate(Subquery(last_closure, output_field=DateTimeField())), never),
                output_field=DateField(),
            ),
            output_field=DateField(),
        ),
    )


def officers_due_for_retention(today: date | None = None) -> QuerySet[Officer]:
    """Officers due for anonymisation on `today`, with their agency and `last_activity`; the
    longest due first."""
    cutoff = retention_cutoff(today)
    return (
        officers_with_activity(Officer.objects.filter(anonymised_at__isnull=True).select_related("agency"))
        .filter(has_open_application=False, has_current_deployment=False, last_activity__lt=cutoff)
        .order_by("last_activity", "agency__name_en", "last_name", "first_name", "id")
    )


def is_due_for_retention(officer: Officer, today: date | None = None) -> bool:
    return officers_due_for_retention(today).filter(pk=officer.pk).exists()


@dataclass(frozen=True)
class DueOfficer:
    officer_id: int
    agency: str  # the agency's short name (slug): no name of a person
    last_activity: date
    due_since: date


def due_rows(officers) -> list[DueOfficer]:
    return [
        DueOfficer(o.pk, o.agency.slug, o.last_activity, due_since(o.last_activity)) for o in officers
    ]


def messages_to_officer(officer: Officer) -> QuerySet[OutgoingMail]:
    """The messages the roster sent (or tried to send) to the officer: addressed to their login or
    to the officer's or the login's email address. Oldest first."""
    condition = Q(pk__in=[])
    if officer.user_id:
        condition |= Q(user_id=officer.user_id)
    addresses = {a.strip().lower() for a in (officer.email, getattr(officer.user, "email", "")) if a and a.strip()}
    for address in sorted(addresses):
        condition |= Q(to__iexact=address)
    return OutgoingMail.objects.filter(condition).order_by("created_at", "id")
