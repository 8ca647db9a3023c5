"""Predicates used by views, templates and the API alike."""

from .models import Clearance, Role

# Need to know: the details (reference) of these clearances are health information, for IPO staff and
# the officer concerned only. Everyone else who may see the clearance reads its kind and valid-until date.
CONFIDENTIAL_CLEARANCE_KINDS = frozenset({Clearance.Kind.MEDICAL, Clearance.Kind.PSYCHOLOGICAL})


def is_ipo_staff(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role == Role.IPO_STAFF


def is_coordinator(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role == Role.COORDINATOR


def is_officer(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.role == Role.OFFICER


def can_manage_officer(user, officer) -> bool:
    """Create/edit an officer profile and its clearances."""
    if is_ipo_staff(user):
        return True
    return is_coordinator(user) and officer.agency_id == user.agency_id


def can_edit_own_profile(user, officer) -> bool:
    return is_officer(user) and officer.user_id == user.pk


def can_create_officer(user) -> bool:
    """Add an officer profile (a coordinator only to their own agency)."""
    return is_ipo_staff(user) or (is_coordinator(user) and bool(user.agency_id))


def can_filter_by_agency(user) -> bool:
    return is_ipo_staff(user)


def is_confidential_clearance(clearance) -> bool:
    return clearance.kind in CONFIDENTIAL_CLEARANCE_KINDS


def can_read_clearance_details(user, clearance) -> bool:
    """May `user` read the clearance's reference? Any clearance they may see, except a medical or
    psychological one: that only IPO staff and the officer concerned. Seeing the clearance at all
    is `clearance_visible_to`'s rule."""
    if not is_confidential_clearance(clearance):
        return True
    if is_ipo_staff(user):
        return True
    return is_officer(user) and clearance.officer.user_id == user.pk
