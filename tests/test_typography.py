"""fr-CA typography (OQLF, Canada.ca), each rule in both languages: "1er" for the first of the month,
hours "9 h 47", a decimal comma and a non-breaking space before "%" and ":", in pages, charts and
emails; punctuation inside the translated strings (a scan of every template keeps it so).
English keeps its own forms: "December 1, 2026", "09:47", "57.8%", "Note:"."""

import datetime as dt
import pathlib
import re
import zoneinfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.template.base import Lexer, TokenType
from django.urls import reverse
from django.utils import dateformat, formats, translation

from agencies.templatetags.ui import percent
from config import typography
from notifications.services import Recipient, render_message
from tests import factories as f
from tests.conftest import client_for
from tests.pages import page_text

NBSP = "\u00a0"
OTTAWA = zoneinfo.ZoneInfo(settings.TIME_ZONE)
FIRST, SECOND = dt.date(2026, 12, 1), dt.date(2026, 12, 2)
MORNING = dt.datetime(2026, 12, 1, 9, 47, tzinfo=OTTAWA)
AFTERNOON = dt.datetime(2026, 12, 2, 14, 5, tzinfo=OTTAWA)


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template(source).render(Context(context))


def first_of_a_coming_month(months: int) -> dt.date:
    """The first day of the month `months` months from now (a bulletin's dates must lie ahead)."""
    today = dt.date.today()
    index = today.year * 12 + today.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


# --- dates: "1er" ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "first", "second"), [
    ("fr", "1er décembre 2026", "2 décembre 2026"),
    ("en", "December 1, 2026", "December 2, 2026"),
])
def test_the_first_of_the_month_is_1er_in_french_only(language, first, second):
    with translation.override(language):
        assert formats.date_format(FIRST) == first
        assert formats.date_format(SECOND, "DATE_FORMAT") == second
        assert formats.localize(FIRST) == first
        assert dateformat.format(FIRST, formats.get_format("DATE_FORMAT")) == first
    assert render('{{ d|date }}|{{ d|date:"DATE_FORMAT" }}|{{ e|date:"DATE_FORMAT" }}', language,
                  d=FIRST, e=SECOND) == f"{first}|{first}|{second}"


def test_machine_readable_dates_stay_iso_in_french():
    with translation.override("fr"):
        assert formats.date_format(FIRST, "SHORT_DATE_FORMAT") == "2026-12-01"
        assert formats.date_format(FIRST, "Y-m-d") == "2026-12-01"
        assert FIRST.isoformat() == "2026-12-01"


def test_the_ordinal_is_installed_once():
    typography.install()
    typography.install()
    with translation.override("fr"):
        assert formats.date_format(FIRST) == "1er décembre 2026"  # not "1erer"
    assert dateformat.DateFormat.j.django.__qualname__ == "DateFormat.j"  # wraps Django's own, once


# --- hours: "9 h 47" -------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "morning", "afternoon", "moment", "short"), [
    ("fr", f"9{NBSP}h{NBSP}47", f"14{NBSP}h{NBSP}05", f"1er décembre 2026, 9{NBSP}h{NBSP}47",
     f"2026-12-01 9{NBSP}h{NBSP}47"),
    ("en", "09:47", "14:05", "December 1, 2026, 09:47", "2026-12-01 09:47"),
])
def test_hours_read_9_h_47_in_french(language, morning, afternoon, moment, short):
    with translation.override(language):
        assert formats.time_format(MORNING.time()) == morning
        assert formats.time_format(AFTERNOON.time()) == afternoon
        assert formats.date_format(MORNING, "DATETIME_FORMAT") == moment
        assert formats.date_format(MORNING, "SHORT_DATETIME_FORMAT") == short
    assert render('{{ t|time }}|{{ m|date:"DATETIME_FORMAT" }}', language, t=AFTERNOON.time(), m=MORNING) == (
        f"{afternoon}|{moment}")


def test_no_french_format_writes_an_hour_with_a_leading_zero():
    from config.formats.fr import formats as fr

    for name in ("TIME_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"):
        assert not re.search(r"(?<!\\)H", getattr(fr, name)), name


# --- numbers: a decimal comma, a non-breaking space before "%" ---------------------------------


@pytest.mark.parametrize(("language", "share", "whole", "grouped"), [
    ("fr", f"57,8{NBSP}%", f"80{NBSP}%", f"1{NBSP}234,5"),
    ("en", "57.8%", "80%", "1,234.5"),
])
def test_numbers_and_percentages(language, share, whole, grouped):
    with translation.override(language):
        assert percent(57.8) == share
        assert percent(80, 0) == whole
    assert render('{% load ui %}{{ x|percent }}|{{ y|floatformat:"1g" }}', language, x=57.8, y=1234.5) == (
        f"{share}|{grouped}")


@pytest.mark.parametrize(("language", "label", "share", "legend"), [
    ("fr", "Agences partenaires", f"57,8{NBSP}%", f"Agences partenaires{NBSP}: 578 (57,8{NBSP}%)"),
    ("en", "Partner agencies", "57.8%", "Partner agencies: 578 (57.8%)"),
])
def test_the_share_chart_writes_percentages_as_each_language_does(language, label, share, legend):
    html = render("{% load charts %}{% share_chart segments 'chart-origin' 'Origin' %}", language,
                  segments=[(label, 578), ("RCMP", 422)])
    assert f">{share}</text>" in html  # on the bar
    assert f">{legend}</text>" in html  # in the legend
    assert legend in html.split("</desc>")[0]  # and in the text alternative
    assert re.search(r'<rect x="[0-9.]+" y="0" width="346.8"', html)  # coordinates keep their dot


# --- emails ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", f"sous 57,8{NBSP}% de l’effectif"),
    ("en", "below 57.8% of their authorised strength"),
])
def test_an_email_writes_a_percentage_as_its_recipient_reads_it(language, expected):
    subject, text, html = render_message(
        "forecast_alerts", {"alerts": [], "share": 57.8, "horizon": 6},
        Recipient(email="ipo@example.test", language=language))
    assert expected in text and expected in html


@pytest.mark.parametrize(("language", "start", "closes", "colon"), [
    ("fr", "1er", f"9{NBSP}h{NBSP}47", f"Clôture{NBSP}: "),
    ("en", "", "09:47", "Closes: "),
])
def test_an_email_writes_dates_hours_and_colons_as_its_recipient_reads_them(db, language, start, closes, colon):
    start_day, closing_day = first_of_a_coming_month(4), first_of_a_coming_month(2)
    bulletin = f.BulletinFactory(deployment_start=start_day,
                                 closes_at=dt.datetime.combine(closing_day, dt.time(9, 47), tzinfo=OTTAWA))
    agency = f.AgencyFactory()
    with translation.override(language):
        start_text = formats.date_format(start_day)
        closes_text = formats.date_format(bulletin.closes_at.astimezone(OTTAWA), "DATETIME_FORMAT")
    assert start_text.startswith(start or start_day.strftime("%B 1,"))
    assert closes_text.endswith(closes) and closes_text.startswith(start or closing_day.strftime("%B 1,"))
    subject, text, html = render_message("bulletin_published", {"bulletin": bulletin, "agency": agency},
                                         Recipient(email="coord@example.test", language=language))
    assert start_text in text and start_text in html
    assert closes_text in text and closes_text in html
    assert f"{colon}{closes_text}" in text  # the colon is part of the translated label


# --- colons on real pages -------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "expected"), [
    ("fr", f"Vous avez postulé</a>{NBSP}:"),
    ("en", "You applied</a>:"),
])
def test_a_page_puts_a_non_breaking_space_before_a_colon_in_french(db, language, expected):
    user = f.UserFactory(preferred_language=language)
    officer = f.OfficerFactory(agency=user.agency, user=user)
    f.ApplicationFactory(officer=officer)
    html = page_text(client_for(user).get(reverse("missions:bulletin-list")))
    assert expected in html
    if language == "fr":
        assert "</a>:" not in html


@pytest.mark.parametrize(("language", "closes"), [
    ("fr", "1er {month} {year}, 9{NBSP}h{NBSP}47"),
    ("en", "{month} 1, {year}, 09:47"),
])
def test_a_page_shows_the_first_of_the_month_and_the_hour(db, language, closes):
    day = first_of_a_coming_month(2)
    bulletin = f.BulletinFactory(closes_at=dt.datetime.combine(day, dt.time(9, 47), tzinfo=OTTAWA))
    staff = f.IpoStaffFactory(preferred_language=language)
    html = page_text(client_for(staff).get(reverse("missions:bulletin-detail", args=[bulletin.pk])))
    with translation.override(language):
        month = formats.date_format(day, "F")
    assert closes.format(month=month, year=day.year, NBSP=NBSP) in html


# --- punctuation lives inside the translated strings ---------------------------------------------

TEMPLATES = pathlib.Path(settings.BASE_DIR) / "templates"
# A translate tag, possibly closing inline markup, then a colon, question or exclamation mark, semicolon.
AFTER_TRANSLATE = re.compile(r"\{%\s*(?:translate|trans)\s[^%]*%\}(?:\s*</\w+>)*\s*[:;?!]")
AFTER_BLOCK = re.compile(r"\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}(?:\s*</\w+>)*\s*[:?!]")
# A sentence cut around its link, its full stop left after it: the translator never sees the sentence.
AFTER_LINK = re.compile(r"\{%\s*(?:translate|trans)\s[^%]*%\}\s*</a>\s*[.,]")
# Colons that are not prose: code samples, a query string after a URL tag.
ALLOWED_COLONS = {
    ("accounts/api_token_created.html", "Authorization: Bearer"),
}


def untranslated_colons(source: str) -> list[str]:
    """The colons in a template's own text, outside translated strings, HTML tags, comments, <code>,
    <pre>, <style> and <script>: each one would read "Note:" in French instead of "Note :"."""
    pieces, depth, comment = [], 0, False
    for token in Lexer(source).tokenize():
        words = token.contents.split()
        name = words[0] if words else ""
        if token.token_type == TokenType.BLOCK:
            depth += name in ("blocktranslate", "blocktrans")
            depth -= name in ("endblocktranslate", "endblocktrans")
            comment = {"comment": True, "endcomment": False}.get(name, comment)
            pieces.append("\x00")
        elif token.token_type == TokenType.TEXT and not depth and not comment:
            pieces.append(token.contents)
        else:
            pieces.append("\x00")
    text = "".join(pieces)
    text = re.sub(r"<(style|script|code|pre)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"https?://\S*", " ", text)
    return [text[max(0, m.start() - 30):m.end() + 10].replace("\x00", "{…}") for m in re.finditer(":", text)]


def template_files():
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))


def test_the_scan_finds_punctuation_left_outside_a_translated_string():
    assert AFTER_TRANSLATE.search('<p>{% translate "Note" %}: {{ note }}</p>')
    assert AFTER_TRANSLATE.search('<strong>{% translate "Note" %}</strong> :')
    assert AFTER_BLOCK.search("{% blocktranslate %}Why{% endblocktranslate %}?")
    assert not AFTER_TRANSLATE.search('<p>{% translate "Note:" %} {{ note }}</p>')
    assert AFTER_LINK.search('{% translate "Or" %} <a href="/x">{% translate "report a problem" %}</a>.</p>')
    assert not AFTER_LINK.search('<a href="/x">{% translate "Report a problem" %}</a></li>')
    assert untranslated_colons("<li>{{ label }}: {{ value }}</li>")
    assert untranslated_colons("{% translate 'Reason' %}: {{ reason }}")
    assert not untranslated_colons("{% blocktranslate %}{{ label }}: {{ value }}{% endblocktranslate %}")
    assert not untranslated_colons('<a href="{% url "x" %}" style="color:#000">{% translate ":" %}</a>')


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_leaves_punctuation_outside_its_translated_strings(path):
    source = path.read_text()
    name = str(path.relative_to(TEMPLATES))
    assert not AFTER_TRANSLATE.findall(source) and not AFTER_BLOCK.findall(source), name
    assert not AFTER_LINK.findall(source), name
    colons = [c for c in untranslated_colons(source)
              if not any(name == n and snippet in c for n, snippet in ALLOWED_COLONS)]
    assert not colons, (name, colons)


PYTHON_DIRS = ("accounts", "agencies", "api", "audit", "config", "ledger", "missions", "notifications", "ops",
               "planning", "privacy", "roster", "site_pages", "welfare")
# A translated string with punctuation glued on after it: _("Note") + ":", f"{_('Note')}: ...".
GLUED = re.compile(r"""(?:\b_|gettext(?:_lazy)?)\((?:"[^"]*"|'[^']*')\)\s*(?:\+\s*["'][:;?!]|\}\s*[:;?!])""")


def test_no_python_code_glues_punctuation_to_a_translated_string():
    base = pathlib.Path(settings.BASE_DIR)
    found = [f"{p}:{n}" for d in PYTHON_DIRS for p in sorted((base / d).rglob("*.py")) if "migrations" not in p.parts
             for n, line in enumerate(p.read_text().splitlines(), 1) if GLUED.search(line)]
    assert not found
    assert GLUED.search("""x = _("Note") + ":" """) and GLUED.search("""f"{_('Note')}: {x}" """)


@pytest.mark.parametrize(("language", "expected"), [("fr", f"Note{NBSP}: texte"), ("en", "Note: texte")])
def test_a_label_and_its_value(language, expected):
    with translation.override(language):
        assert typography.label_value("Note", "texte") == expected
    assert render("{% load i18n %}{% blocktranslate %}{{ label }}: {{ value }}{% endblocktranslate %}", language,
                  label="Note", value="texte") == expected
