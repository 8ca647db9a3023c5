"""Texts the welfare pages and panels show for a check-in state, made once per row in Python."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from roster.views.dashboard import short_date

from .models import CheckInStatus

STATUS_BADGES = {"well": "text-bg-success", "concern": "text-bg-warning", "urgent": "text-bg-danger"}


def status_labels() -> dict:
    return {value: str(label) for value, label in CheckInStatus.choices}


def due_text(state) -> str:
    """When the next check-in of `state` (welfare.selectors.CheckInState) is due, in words."""
    if state.overdue_days:
        return ngettext("Overdue by %(days)s day (due %(date)s)", "Overdue by %(days)s days (due %(date)s)",
                        state.overdue_days) % {"days": state.overdue_days, "date": short_date(state.due)}
    if state.state == "due":
        return _("Due today")
    return _("Due %(date)s") % {"date": short_date(state.due)}
