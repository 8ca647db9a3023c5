"""Who may do what with check-ins, return plans and questionnaires: predicates used by views,
templates and the services alike. Seeing an object at all is welfare.selectors' `*_visible_to`."""

from agencies.permissions import is_coordinator, is_ipo_staff, is_officer


def is_own(user, officer) -> bool:
    return is_officer(user) and officer.user_id is not None and officer.user_id == user.pk


def can_check_in(user) -> bool:
    """Post a check-in: an officer (the service checks that they are in mission)."""
    return is_officer(user)


def can_see_board(user) -> bool:
    """The welfare board: IPO staff (every officer in mission), coordinators (their agency's)."""
    return is_ipo_staff(user) or is_coordinator(user)


def can_read_checkin_note(user, checkin) -> bool:
    """The note and the way to reach the officer: IPO staff and the officer; their agency's
    coordinators only when the officer shared that check-in. Everyone who sees the check-in sees its
    date and status."""
    if is_ipo_staff(user) or is_own(user, checkin.officer):
        return True
    return checkin.shared and is_coordinator(user) and user.agency_id == checkin.officer.agency_id


def can_read_follow_up(user, checkin) -> bool:
    """What IPO staff wrote in a follow-up is internal: IPO staff only. Others see that (and when) it
    was followed up."""
    return is_ipo_staff(user)


def can_follow_up_checkins(user) -> bool:
    """Follow up check-ins at all: IPO staff."""
    return is_ipo_staff(user)


def can_follow_up(user, checkin) -> bool:
    """Record a follow-up: IPO staff, on a concern or an urgent check-in not followed up yet."""
    return can_follow_up_checkins(user) and checkin.needs_follow_up


def can_manage_intervals(user) -> bool:
    return is_ipo_staff(user)


def can_see_return_plans(user) -> bool:
    """The list of return plans. The steps are health follow-ups (like medical and psychological
    clearances, agencies.permissions): IPO staff, and each officer their own plan."""
    return is_ipo_staff(user)


def can_record_step(user) -> bool:
    return is_ipo_staff(user)


def can_answer_questionnaire(user, deployment) -> bool:
    """The officer of an ended tour (completed or repatriated)."""
    return is_own(user, deployment.officer) and deployment.status in ("completed", "repatriated")


def can_see_impact(user) -> bool:
    """The impact report, in aggregate: IPO staff (the program, or one agency), coordinators (their agency)."""
    return is_ipo_staff(user) or is_coordinator(user)


def can_read_impact_comments(user) -> bool:
    """Comments the officers agreed to share, without their names: IPO staff only, never coordinators."""
    return is_ipo_staff(user)
