"""Who may do what with assessment sessions: predicates used by views, templates and the services alike.
Seeing a registration at all is planning.sessions.selectors.registration_visible_to."""

from agencies.permissions import is_coordinator, is_ipo_staff, is_officer


def can_see_sessions(user) -> bool:
    """The schedule (dates, places, seats): every signed-in role."""
    return is_ipo_staff(user) or is_coordinator(user) or is_officer(user)


def can_manage_sessions(user) -> bool:
    """Schedule, edit and cancel a session: IPO staff."""
    return is_ipo_staff(user)


def can_register_officers(user) -> bool:
    """Register officers for sessions at all: IPO staff, and coordinators (their own agency's officers)."""
    return is_ipo_staff(user) or is_coordinator(user)


def can_register(user, session, today=None) -> bool:
    """Register an officer: IPO staff, and coordinators (their own agency's officers: the service checks
    it), while the session is scheduled and has not started."""
    return can_register_officers(user) and not session.is_cancelled and not session.has_started(today)


def can_withdraw(user, registration, today=None) -> bool:
    """Withdraw a registration (or leave the waiting list) before the session starts: IPO staff, the
    officer's coordinator, the officer."""
    if not registration.is_active or registration.session.has_started(today) or registration.session.is_cancelled:
        return False
    if is_ipo_staff(user):
        return True
    if is_coordinator(user):
        return user.agency_id == registration.officer.agency_id
    return is_officer(user) and registration.officer.user_id == user.pk


def can_record_results(user, session, today=None) -> bool:
    """Record results: IPO staff, once the session has started, unless it was cancelled."""
    return is_ipo_staff(user) and not session.is_cancelled and session.has_started(today)
