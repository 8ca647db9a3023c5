"""Who may do what with the talent pool: predicates used by views, templates and the services alike.
Seeing an entry at all is planning.pool.selectors.pool_visible_to."""

from agencies.permissions import is_coordinator, is_ipo_staff, is_officer


def can_join_pool(user) -> bool:
    """Say one is interested in future missions (and change it, or leave): an officer, for themself."""
    return is_officer(user)


def can_see_pool(user) -> bool:
    """The pool list: IPO staff (every agency's) and coordinators (their agency's)."""
    return is_ipo_staff(user) or is_coordinator(user)


def can_set_support(user, entry) -> bool:
    """Confirm or decline the agency's support: the officer's own agency's coordinator."""
    return is_coordinator(user) and user.agency_id == entry.officer.agency_id
