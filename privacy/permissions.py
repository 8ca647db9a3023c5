"""Who may do what with the Privacy Act archive and the retention page."""

from agencies.permissions import is_ipo_staff, is_officer


def is_own_record(user, officer) -> bool:
    return is_officer(user) and officer.user_id is not None and officer.user_id == user.pk


def can_download_archive(user, officer) -> bool:
    """Everything the roster holds on `officer`, in one file: the officer themself, or IPO staff
    (who answer access requests under the Privacy Act). Coordinators may not, even for their own
    agency's officers: they see the profile, not the whole record in bulk."""
    return is_ipo_staff(user) or is_own_record(user, officer)


def can_manage_retention(user) -> bool:
    """See who is due for anonymisation and anonymise them."""
    return is_ipo_staff(user)
