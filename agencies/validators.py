"""Validators shared by every app's models and forms."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

EARLIEST_YEAR = 1900
LATEST_YEAR = 2100


def validate_plausible_date(value):
    """Refuse dates no roster record can have (they also overflow date arithmetic)."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not (EARLIEST_YEAR <= day.year <= LATEST_YEAR):
        raise ValidationError(
            _("Enter a date between %(first)d and %(last)d.") % {"first": EARLIEST_YEAR, "last": LATEST_YEAR},
            code="implausible_date",
        )


def bounded_id(value) -> int | None:
    """A positive database id from user input, or None (never an overflow)."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


validate_phone = RegexValidator(
    r"^\+?[0-9 ().-]{7,25}( ?(x|ext\.?|poste) ?[0-9]{1,6})?$",
    _("Enter a phone number: digits, spaces, + ( ) - and an optional extension (ext. 123)."),
    code="invalid_phone",
    flags=0,
)
