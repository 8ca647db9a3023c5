"""fr-CA typography that Django's format strings cannot say on their own (OQLF, Canada.ca style).

- Dates: "1er décembre 2026" for the first of a month in French. Django's format characters have no
  French ordinal, so `install()` (called once by config.apps.ConfigConfig.ready) wraps the day of the
  month, the `j` character of django.utils.dateformat.DateFormat: with French active, day 1 is written
  "1er"; any other day, and every day in English, is the number Django writes. Everything that formats a
  date goes through that class (`{{ value|date }}`, `|date:"DATE_FORMAT"`, `formats.date_format()`,
  `localize()`, `dateformat.format()`), so no template or call needs to change. Formats without `j`
  (ISO "Y-m-d", the exports) are untouched.
- Hours "9 h 47": the French TIME_FORMAT, DATETIME_FORMAT and SHORT_DATETIME_FORMAT in
  config/formats/fr/formats.py ("G h i": no leading zero, non-breaking spaces around the h).
- Numbers: Django's localisation gives the decimal comma (config/formats/fr); a percentage goes through
  `agencies.templatetags.ui.percent` ("57,8 %" with a non-breaking space in French, "57.8%" in English).
- A label and its value: `label_value()` here in Python, `{% blocktranslate %}{{ label }}: {{ value }}
  {% endblocktranslate %}` in templates, one message ("%(label)s: %(value)s", French "%(label)s : %(value)s"
  with a non-breaking space). Fixed labels carry their colon inside their own message ("Note:").
"""

from __future__ import annotations

from django.utils import dateformat
from django.utils.translation import get_language, gettext

NBSP = "\u00a0"
FIRST_OF_MONTH_FR = "1er"


def french_active() -> bool:
    """Whether the active language is French (fr, fr-ca, ...)."""
    return (get_language() or "").split("-")[0].lower() == "fr"


def label_value(label, value) -> str:
    """ "Note: value" in English, "Note : value" (non-breaking space) in French."""
    return gettext("%(label)s: %(value)s") % {"label": label, "value": value}


def _day_of_month(self):
    """DateFormat.j: the day of the month without a leading zero; "1er" for the first in French."""
    day = _day_of_month.django(self)
    if day == 1 and french_active():
        return FIRST_OF_MONTH_FR
    return day


def install() -> None:
    """Wrap DateFormat.j once (idempotent: a second call, or a reloaded module, changes nothing)."""
    current = dateformat.DateFormat.j
    if getattr(current, "roster_ordinal", False):
        return
    _day_of_month.django = current
    _day_of_month.roster_ordinal = True
    dateformat.DateFormat.j = _day_of_month
