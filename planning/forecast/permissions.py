"""Who sees what of the strength forecast (predicates for views, templates and panels).

- IPO staff: everything (every mission's forecast, the rotation advice and alerts, the talent pool
  supply, the women shares).
- Coordinators: the program-wide forecast and the women shares (counts only, never a name, never a
  mission's rotation plan).
- Officers: nothing (403)."""

from agencies.permissions import is_coordinator, is_ipo_staff


def can_see_forecast(user) -> bool:
    return is_ipo_staff(user) or is_coordinator(user)


def can_see_mission_forecasts(user) -> bool:
    return is_ipo_staff(user)
