"""Reads for agencies and officers. `officer_visible_to` is the single visibility rule for officers."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Agency, Clearance, Officer, Role
from .permissions import can_read_clearance_details


def scope_to_user(queryset: QuerySet, user, *, officer_path: str) -> QuerySet:
    """Limit `queryset` to what `user` may see, `officer_path` leading from its rows to an Officer.

    IPO staff see everything; a coordinator sees their own agency's officers; an officer
    sees only themself; anyone else sees nothing.
    """
    prefix = f"{officer_path}__" if officer_path else ""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.role == Role.IPO_STAFF:
        return queryset
    if user.role == Role.COORDINATOR and user.agency_id:
        return queryset.filter(**{f"{prefix}agency_id": user.agency_id})
    if user.role == Role.OFFICER:
        return queryset.filter(**{f"{prefix}user_id": user.pk})
    return queryset.none()


def officer_visible_to(user) -> QuerySet[Officer]:
    return scope_to_user(Officer.objects.select_related("agency"), user, officer_path="")


def clearance_visible_to(user) -> QuerySet[Clearance]:
    return scope_to_user(Clearance.objects.select_related("officer"), user, officer_path="officer")


CONFIDENTIAL = _("Confidential")


def clearance_reference_for(user, clearance: Clearance):
    """The clearance's reference as `user` may read it: "Confidential" in place of a medical or
    psychological reference they have no need to know (permissions.can_read_clearance_details)."""
    if can_read_clearance_details(user, clearance):
        return clearance.reference
    return CONFIDENTIAL


def agency_visible_to(user) -> QuerySet[Agency]:
    if not getattr(user, "is_authenticated", False):
        return Agency.objects.none()
    if user.role == Role.IPO_STAFF:
        return Agency.objects.all()
    return Agency.objects.filter(pk=user.agency_id)


def partner_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(is_partner=True)


def officer_for_user(user) -> Officer | None:
    if not getattr(user, "is_authenticated", False) or user.role != Role.OFFICER:
        return None
    return Officer.objects.select_related("agency").filter(user=user).first()


# --- clearance expiry (officer list, officer profile) ---------------------------------------

def clearance_warning_horizon(today=None):
    """The last day on which a clearance still counts as "expires soon" (today + the warning days)."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    today = today or timezone.localdate()
    return today + timedelta(days=settings.ROSTER["CLEARANCE_EXPIRY_WARNING_DAYS"])


# The officer list's order, by name with the id as tie-break: the keyset of its pages
# (config.pagination), held by the indexes officer_name_id (every officer) and
# officer_agency_name_id (one agency's).
OFFICER_ORDER = ("last_name", "first_name", "id")


def officers_with_clearance_counts(queryset: QuerySet[Officer], *, today=None) -> QuerySet[Officer]:
    """Annotate `clearances_expiring` (valid today, ending by the warning horizon) and `clearances_expired`.
    Each is a correlated count of the officer's own clearances, so a page of the list counts for
    its rows alone and keeps the order of the officer index (no GROUP BY over every officer)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce
    from django.utils import timezone

    def count(**lookups):
        return Coalesce(Subquery(
            Clearance.objects.filter(officer_id=OuterRef("pk"), **lookups)
            .order_by().values("officer_id").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ), 0)

    today = today or timezone.localdate()
    horizon = clearance_warning_horizon(today)
    return queryset.annotate(
        clearances_expiring=count(valid_until__gte=today, valid_until__lte=horizon),
        clearances_expired=count(valid_until__lt=today),
    )


def clearances_with_expiry(queryset: QuerySet[Clearance], *, today=None) -> QuerySet[Clearance]:
    """Annotate `expiry`: "expired", "expiring" (by the warning horizon) or "valid"."""
    from django.db.models import Case, CharField, Value, When
    from django.utils import timezone

    today = today or timezone.localdate()
    return queryset.annotate(
        expiry=Case(
            When(valid_until__lt=today, then=Value("expired")),
            When(valid_until__lte=clearance_warning_horizon(today), then=Value("expiring")),
            default=Value("valid"),
            output_field=CharField(),
        )
    )


# --- partner agencies and the requests to join ----------------------------------------------------

def partner_request_visible_to(user):
    """Requests to join the program: IPO staff only (they hold a contact's personal details)."""
    from .models import PartnerRequest

    if not getattr(user, "is_authenticated", False) or not user.is_active or user.role != Role.IPO_STAFF:
        return PartnerRequest.objects.none()
    return PartnerRequest.objects.all()


def partners_by_year() -> list[tuple[int, int]]:
    """(year, partner agencies that joined that year), oldest first, from `Agency.partner_since`:
    the partner police services other than the RCMP itself. One grouped query."""
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    rows = (
        Agency.objects.filter(is_partner=True, partner_since__isnull=False)
        .exclude(kind=Agency.Kind.RCMP)
        .annotate(year=ExtractYear("partner_since"))
        .order_by()
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("year")
    )
    return [(r["year"], r["n"]) for r in rows]
