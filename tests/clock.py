"""One "today" for tests that compute dates when their module loads.

A module that says ``TODAY + 30 days`` at import and then asks the server, minutes later, whether
a date is in the future would fail if the run crossed midnight. Such modules use ``TODAY`` from
here and the ``pin_today`` fixture (tests/conftest.py), which moves the clock to noon of that day,
Ottawa time, and lets it tick: the server's ``timezone.localdate()`` then agrees with ``TODAY``.
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone

TODAY = timezone.localdate()


def noon_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
