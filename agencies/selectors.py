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


def officers_with_clearance_counts(queryset: QuerySet[Officer], *, today=None) -> QuerySet[Officer]:
    """Annotate `clearances_expiring` (valid today, ending by the warning horizon) and `clearances_expired`."""
    from django.db.models import Count, Q
    from django.utils import timezone

    today = today or timezone.localdate()
    horizon = clearance_warning_horizon(today)
    return queryset.annotate(
        clearances_expiring=Count(
            "clearances",
            filter=Q(clearances__valid_until__gte=today, clearances__valid_until__lte=horizon),
            distinct=True,
        ),
        clearances_expired=Count("clearances", filter=Q(clearances__valid_until__lt=today), distinct=True),
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
