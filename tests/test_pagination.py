"""Keyset pagination (config.pagination): every row once, in order, ties broken by the id, forward and
back; no COUNT; a malformed cursor starts from the top; the pager keeps the filters (issue 10)."""

import base64
import datetime as dt
import json
import re

import pytest
from django.db.models import Q
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from config.pagination import capped_counts, decode_cursor, encode_cursor, seek_page, set_row_datetimes
from notifications.models import OutgoingMail
from notifications.selectors import mail_visible_parts, mail_visible_to

pytestmark = pytest.mark.django_db

NEWEST_FIRST = ("-created_at", "-id")


def mails(n, *, to="r@example.test", user=None, minutes=None):
    """`n` messages; `minutes(i)`: each one's age in minutes (equal ages make ties on created_at)."""
    rows = OutgoingMail.objects.bulk_create([
        OutgoingMail(to=to, user=user, subject=f"S{i}", body_text="…", message_id=f"<p-{to}-{i}@test>",
                     status=["sent", "failed", "queued"][i % 3], kind="bulletin_published")
        for i in range(n)
    ])
    now = timezone.now()
    for i, m in enumerate(rows):
        OutgoingMail.objects.filter(pk=m.pk).update(created_at=now - dt.timedelta(minutes=minutes(i) if minutes else i))
    return rows


def walk_forward(source, order, size):
    pages, after = [], ""
    while True:
        page = seek_page(source, order=order, size=size, after=after)
        pages.append([m.pk for m in page])
        if not page.has_next:
            return pages, page
        after = page.next_cursor


def expected(qs, order):
    return list(qs.order_by(*order).values_list("pk", flat=True))


@pytest.mark.parametrize("order", [NEWEST_FIRST, ("created_at", "id"), ("status", "-created_at", "-id")])
def test_it_lists_every_row_once_in_order_with_ties_broken_by_the_id(db, order):
    mails(23, minutes=lambda i: i // 4)  # four messages a minute: ties on created_at
    pages, last = walk_forward(OutgoingMail.objects.all(), order, 5)
    assert [len(p) for p in pages] == [5, 5, 5, 5, 3]
    assert sum(pages, []) == expected(OutgoingMail.objects.all(), order)
    assert last.has_previous and not last.has_next and not last.next_cursor


@pytest.mark.parametrize("order", [NEWEST_FIRST, ("status", "-created_at", "-id")])
def test_it_goes_back_page_by_page_to_the_first(db, order):
    mails(23, minutes=lambda i: i // 4)
    pages, page = walk_forward(OutgoingMail.objects.all(), order, 5)
    back = []
    while page.has_previous and page.previous_cursor:
        page = seek_page(OutgoingMail.objects.all(), order=order, size=5, before=page.previous_cursor)
        back.append([m.pk for m in page])
    assert back == list(reversed(pages[:-1]))
    assert not page.has_previous and page.has_next  # the first page, which knows there is a next


def test_the_first_page_fetches_one_row_more_and_counts_nothing(db, django_assert_num_queries):
    mails(6)
    with django_assert_num_queries(1) as captured:
        page = seek_page(OutgoingMail.objects.all(), order=NEWEST_FIRST, size=5)
    (query,) = captured.captured_queries
    assert "LIMIT 6" in query["sql"] and "COUNT" not in query["sql"].upper() and "OFFSET" not in query["sql"].upper()
    assert len(page) == 5 and page.has_next and not page.has_previous and not page.previous_cursor


def test_a_filter_keeps_working_with_the_cursor(db):
    mails(12)
    failed = OutgoingMail.objects.filter(status="failed")
    pages, _ = walk_forward(failed, NEWEST_FIRST, 3)
    assert sum(pages, []) == expected(failed, NEWEST_FIRST) and len(pages) == 2


def test_a_page_past_the_end_is_empty_and_links_to_the_first(db):
    rows = mails(3)
    oldest = min(rows, key=lambda m: (OutgoingMail.objects.get(pk=m.pk).created_at, m.pk))
    cursor = encode_cursor(OutgoingMail.objects.get(pk=oldest.pk), [("created_at", True), ("id", True)])
    page = seek_page(OutgoingMail.objects.all(), order=NEWEST_FIRST, size=5, after=cursor)
    assert list(page) == [] and page.has_previous and not page.has_next
    # nothing before the newest: the first page rather than an empty one
    newest = OutgoingMail.objects.order_by(*NEWEST_FIRST).first()
    cursor = encode_cursor(newest, [("created_at", True), ("id", True)])
    page = seek_page(OutgoingMail.objects.all(), order=NEWEST_FIRST, size=5, before=cursor)
    assert [m.pk for m in page] == expected(OutgoingMail.objects.all(), NEWEST_FIRST) and not page.has_previous


def _b64(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


MALFORMED = [
    "x", "!!!", "%00", "\x00", "a" * 5000, _b64("not a list"), _b64([1]), _b64([1, 2, 3]), _b64([None, 1]),
    _b64(["2026-01-01T00:00:00+00:00", "x"]), _b64(["not a date", 1]), _b64(["2026-01-01T00:00:00", 1]),
    _b64([{"a": 1}, 1]), _b64([True, 1]), _b64([["2026"], 1]), base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    _b64(["2026-01-01T00:00:00+00:00", 10**30]),  # beyond the id's column
    _b64(["0001-01-01T00:00:00+14:00", 1]), _b64(["9999-12-31T23:59:59-14:00", 1]),  # beyond what UTC can write
]


@pytest.mark.parametrize("cursor", MALFORMED)
def test_a_malformed_cursor_starts_from_the_top(db, cursor):
    mails(7)
    assert decode_cursor(cursor, OutgoingMail, [("created_at", True), ("id", True)]) is None
    for key in ("after", "before"):
        page = seek_page(OutgoingMail.objects.all(), order=NEWEST_FIRST, size=5, **{key: cursor})
        assert [m.pk for m in page] == expected(OutgoingMail.objects.all(), NEWEST_FIRST)[:5]
        assert not page.has_previous and page.has_next


def test_a_cursor_with_a_nul_in_a_text_key_is_malformed(db):
    """PostgreSQL refuses a NUL in a text value: such a cursor would fail the query, not start from the top."""
    keys = [("to", False), ("id", False)]
    assert decode_cursor(_b64(["a\u0000b", 1]), OutgoingMail, keys) is None
    assert decode_cursor(_b64(["ab", 1]), OutgoingMail, keys) == ["ab", 1]


@pytest.mark.parametrize("persona,url", [
    ("ipo", "notifications:outbox"), ("officer_x", "notifications:my-messages"), ("ipo", "missions:bulletin-list"),
    ("coord_a", "agencies:officer-list"), ("officer_x", "roster:my-applications"), ("ipo", "accounts:audit"),
])
@pytest.mark.parametrize("cursor", ["x", _b64(["2026-01-01T00:00:00", 1]), "a" * 5000, _b64([1, "two", 3]),
                                    _b64(["2026-01-01T00:00:00+00:00", 10**30]), _b64(["Z" * 500, "A", 10**30]),
                                    _b64(["a\x00", "b", 1]),  # PostgreSQL text holds no NUL
                                    _b64(["0001-01-01T00:00:00+14:00", 1])])  # UTC cannot write it
def test_the_lists_answer_a_malformed_cursor_with_their_first_page(clients, persona, url, cursor):
    client = getattr(clients, persona)
    first = client.get(reverse(url))
    for key in ("after", "before"):
        response = client.get(reverse(url), {key: cursor, "status": "bogus"})
        assert response.status_code == 200
        rows = response.context.get("page", response.context.get("rows"))
        assert [r.pk for r in rows] == [r.pk for r in first.context.get("page", first.context.get("rows"))]


# --- a list made of parts (a person's messages: by login, by address) --------------------------------------

def test_the_parts_of_a_persons_messages_are_their_messages_each_once(world):
    mails(8, to="someone@example.test", user=world.user_x)  # by login only
    mails(7, to=world.user_x.email.upper())  # by address only
    mails(6, to=world.user_x.email, user=world.user_x)  # both: listed once
    mails(5, to=world.user_y.email, user=world.user_y)  # not theirs
    parts = mail_visible_parts(world.user_x)
    assert len(parts) == 2
    pages, _ = walk_forward(parts, NEWEST_FIRST, 4)
    assert sum(pages, []) == expected(mail_visible_to(world.user_x), NEWEST_FIRST)
    assert len(sum(pages, [])) == 21


def test_nobody_signed_in_has_no_messages(db):
    from django.contrib.auth.models import AnonymousUser

    page = seek_page(mail_visible_parts(AnonymousUser()), order=NEWEST_FIRST, size=5)
    assert list(page) == [] and not page.has_next


# --- counts without a full COUNT ---------------------------------------------------------------------------------

def test_capped_counts_count_each_value_up_to_one_more_than_the_cap(db, django_assert_num_queries):
    mails(14)  # sent 5, failed 5, queued 4
    with django_assert_num_queries(1):
        counts = capped_counts(OutgoingMail.objects.all(), field_name="status", values=["sent", "queued", "sending"],
                               cap=4)
    assert counts == {"sent": 5, "queued": 4, "sending": 0}  # 5 = "more than 4"
    counts = capped_counts(OutgoingMail.objects.filter(Q(status="failed") | Q(status="queued")),
                           field_name="status", values=["failed", "sent"], cap=100)
    assert counts == {"failed": 5, "sent": 0}
    assert capped_counts(OutgoingMail.objects.none(), field_name="status", values=["sent"], cap=3) == {"sent": 0}


def test_the_outbox_tabs_say_more_than_the_cap_beyond_it(clients, settings, monkeypatch, django_assert_num_queries):
    from notifications import views

    monkeypatch.setattr(views, "OUTBOX_COUNT_CAP", 4)
    mails(14)  # sent 5, failed 5, queued 4
    with django_assert_num_queries(4):  # session, user, the capped counts, the page: as under the cap
        response = clients.ipo.get(reverse("notifications:outbox"))
    tabs = {value: (n, shown) for value, _label, n, shown in response.context["tabs"]}
    assert tabs == {"": (None, "12+"), "queued": (4, "4"), "sending": (0, "0"), "sent": (None, "4+"),
                    "failed": (None, "4+")}
    assert '<span class="badge text-bg-success">4+</span>' in response.content.decode()


# --- the pager ----------------------------------------------------------------------------------------------------

def pager(html):
    (nav,) = re.findall(r'<nav aria-label="Pages of the outbox".*?</nav>', html, re.S)
    return dict((text, href.replace("&amp;", "&")) for href, text in re.findall(r'href="\?([^"]*)">([^<]+)</a>', nav))


def test_the_pager_is_a_labelled_nav_of_links_that_keeps_the_filters(clients):
    mails(60, to="a@x.example")
    url = reverse("notifications:outbox")
    first = clients.ipo.get(url, {"q": "a@x", "kind": "bulletin_published", "page": "7"})
    links = pager(first.content.decode())
    assert list(links) == ["Next page"]
    assert links["Next page"].startswith("q=a%40x&kind=") and "page=" not in links["Next page"]
    second = clients.ipo.get(f"{url}?{links['Next page']}")
    links = pager(second.content.decode())
    assert list(links) == ["First page", "Previous page"]
    assert links["First page"] == "q=a%40x&kind=bulletin_published"
    back = clients.ipo.get(f"{url}?{links['Previous page']}")
    assert [m.pk for m in back.context["page"]] == [m.pk for m in first.context["page"]]


def test_one_page_has_no_pager(clients):
    mails(3)
    html = clients.ipo.get(reverse("notifications:outbox")).content.decode()
    assert 'aria-label="Pages of the outbox"' not in html and "Next page" not in html


# --- formatting once per page ---------------------------------------------------------------------------------------

def test_row_times_read_as_the_date_filter_writes_them(db, settings):
    rows = mails(5, minutes=lambda i: i // 2)
    rows = list(OutgoingMail.objects.filter(pk__in=[m.pk for m in rows]))
    set_row_datetimes(rows, created_text="created_at", sent_text="sent_at")
    template = Template('{{ m.created_at|date:"SHORT_DATETIME_FORMAT" }}')
    for m in rows:
        assert m.created_text == template.render(Context({"m": m})) and m.sent_text == ""


def test_row_days_read_as_the_date_filter_writes_them(db):
    """Dates (days, no time of day) are formatted once per distinct day, as |date writes them, in the
    active language."""
    from types import SimpleNamespace

    days = [dt.date(2026, 1, 31), dt.date(2026, 1, 31), dt.date(2026, 12, 1), None]
    rows = [SimpleNamespace(day=d) for d in days]
    template = Template('{{ r.day|date:"SHORT_DATE_FORMAT" }}')
    for language in ("en", "fr"):
        with translation.override(language):
            set_row_datetimes(rows, "SHORT_DATE_FORMAT", day_text="day")
            assert [r.day_text for r in rows] == [template.render(Context({"r": r})) for r in rows]
    assert rows[-1].day_text == "" and rows[0].day_text == rows[1].day_text != rows[2].day_text


def test_moments_in_a_days_format_are_formatted_once_per_local_day(monkeypatch):
    """A day's format (no time of day) formats each local day once, whatever the minutes: the same text as
    |date writes, the day taken in Ottawa time (23:30 UTC on January 31 is still January 31 there, 04:30 UTC
    on February 1 is January 31 too)."""
    from types import SimpleNamespace

    from django.utils import formats

    moments = [dt.datetime(2026, 1, 31, 15, 0, tzinfo=dt.UTC), dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC),
               dt.datetime(2026, 2, 1, 4, 30, tzinfo=dt.UTC), dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)]
    rows = [SimpleNamespace(at=m) for m in moments]
    template = Template('{{ r.at|date:"SHORT_DATE_FORMAT" }}')
    calls = []
    real = formats.date_format
    monkeypatch.setattr(formats, "date_format", lambda *a, **k: calls.append(a) or real(*a, **k))
    set_row_datetimes(rows, "SHORT_DATE_FORMAT", day_text="at")
    assert len(calls) == 2
    assert [r.day_text for r in rows] == [template.render(Context({"r": r})) for r in rows]
    assert rows[0].day_text == rows[2].day_text != rows[3].day_text
