"""The lists paged by key (issue 10): outbox, messages, bulletins, officers, an officer's applications.

Each walks from its first page to its last through the pager's links with its filters kept, shows
every row once, reads as valid HTML with a labelled pager, and says in words what the template used
to look up row by row.
"""

import datetime as dt
import html as htmllib
import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from agencies.models import Officer
from missions.models import Bulletin
from notifications.models import OutgoingMail
from roster.models import Application
from tests import factories as f
from tests.notifications.test_outbox_reading import Nesting

pytestmark = pytest.mark.django_db


def next_link(response, label):
    """The query of the pager's "Next page" link, or None; the pager is a <nav> labelled `label`."""
    html = response.content.decode()
    navs = re.findall(rf'<nav aria-label="{re.escape(label)}".*?</nav>', html, re.S)
    if not navs:
        return None
    (nav,) = navs
    found = re.search(r'rel="next" href="\?([^"]*)">Next page</a>', nav)
    return htmllib.unescape(found.group(1)) if found else None


def walk(client, url, params, label, rows=lambda r: r.context["page"]):
    """Every page of a list, following the pager from the first page: the pks of each page."""
    response = client.get(url, params)
    pages = [[row.pk for row in rows(response)]]
    while (query := next_link(response, label)) is not None:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        pages.append([row.pk for row in rows(response)])
        assert len(pages) < 50
    return pages, response


def well_formed(response):
    checker = Nesting()
    checker.feed(response.content.decode())
    assert not checker.problems and not checker.stack, (checker.problems, checker.stack)
    assert len(checker.ids) == len(set(checker.ids))
    assert set(checker.label_for) <= set(checker.ids)


# --- bulletins ---------------------------------------------------------------------------------------

@pytest.fixture
def many_bulletins(world):
    other = f.MissionFactory(code="UNMISS")
    now = timezone.now()
    for i in range(60):
        f.BulletinFactory(mission=other if i % 3 == 0 else world.mission, closes_at=now + dt.timedelta(days=i % 7),
                          status=[Bulletin.Status.PUBLISHED, Bulletin.Status.CLOSED, Bulletin.Status.DRAFT][i % 3])
    return other


@pytest.mark.parametrize("params", [{}, {"status": "closed"}, {"mission": "OTHER"}, {"q": "adviser", "open_now": "on"}])
def test_the_bulletin_list_walks_every_bulletin_once_in_order_under_its_filters(clients, many_bulletins, params):
    params = {k: (many_bulletins.pk if v == "OTHER" else v) for k, v in params.items()}
    url = reverse("missions:bulletin-list")
    pages, last = walk(clients.ipo, url, params, "Pages of bulletins")
    shown = sum(pages, [])
    expected = list(last.context["filter"].qs.order_by("-closes_at", "-id").values_list("pk", flat=True))
    assert shown == expected and len(shown) == len(set(shown))
    assert all(len(p) == 25 for p in pages[:-1]) and len(pages) == 1 + (len(shown) - 1) // 25


def test_the_bulletin_list_says_each_rows_state_and_closing_in_words(clients, world):
    b = f.BulletinFactory(mission=world.mission, status=Bulletin.Status.CLOSED,
                          closes_at=timezone.now() + dt.timedelta(days=2), closed_at=timezone.now())
    html = clients.ipo.get(reverse("missions:bulletin-list")).content.decode()
    row = re.search(rf'<tr>\s*<td data-label="Reference"><a href="/bulletins/{b.pk}/">'
                    rf'{b.reference}</a>.*?</tr>', html, re.S).group(0)
    assert '<span class="badge text-bg-dark">Closed</span>' in row and "Closed early on" in row
    assert f"({world.mission.get_language_display()})" in row


def test_the_bulletin_filters_show_an_invalid_value_in_words(clients, world):
    response = clients.ipo.get(reverse("missions:bulletin-list"), {"mission": "abc", "open_now": "on", "q": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-describedby="id_mission_error"' in html and "Select a valid choice." in html
    assert '<input type="checkbox" name="open_now" class="form-check-input" id="id_open_now" checked>' in html
    assert 'name="q" value="x"' in html
    well_formed(response)


@pytest.fixture
def class_filter_fields():
    """The bulletin filter's form fields built on the class's filters, as the API's schema does (drf-spectacular
    reads a ChoiceFilter's field), whatever test ran before; forgotten afterwards."""
    from missions.filters import BulletinFilter

    for name in ("status", "mission"):
        assert BulletinFilter.base_filters[name].field is not None
    yield
    for filter_ in BulletinFilter.base_filters.values():
        filter_.__dict__.pop("_field", None)


def test_the_bulletin_filters_are_built_for_each_user_after_the_classs_fields(clients, world, class_filter_fields):
    url = reverse("missions:bulletin-list")
    html = clients.coord_a.get(url).content.decode()
    assert 'value="draft"' not in html and 'value="cancelled"' not in html and 'value="published"' in html
    assert f'<option value="{world.mission.pk}">{world.mission}</option>' in html
    response = clients.coord_a.get(url, {"mission": world.mission.pk, "status": "draft"})
    assert "Select a valid choice" in response.content.decode()  # draft: not theirs to ask for
    assert 'aria-describedby="id_mission_error"' not in response.content.decode()
    assert 'value="draft"' in clients.ipo.get(url).content.decode()


def test_the_roster_filters_are_drawn_without_a_template_per_field_and_keep_their_name(clients, world):
    url = reverse("roster:roster")
    response = clients.ipo.get(url, {"mission": world.mission.pk, "ending_soon": "on"})
    html = response.content.decode()
    used = {t.name for t in response.templates}
    assert "partials/list_filters.html" in used and "bootstrap5/field.html" not in used
    assert '<form role="search" method="get" aria-label="Filter the roster">' in html
    assert f'<option value="{world.mission.pk}" selected>{world.mission}</option>' in html
    assert '<input type="checkbox" name="ending_soon" class="form-check-input" id="id_ending_soon" checked>' in html
    assert 'name="agency"' in html and 'name="agency"' not in clients.coord_a.get(url).content.decode()
    response = clients.ipo.get(url, {"mission": "abc"})
    assert 'aria-describedby="id_mission_error"' in response.content.decode()
    well_formed(response)


# --- officers -------------------------------------------------------------------------------------------

@pytest.fixture
def many_officers(world):
    Officer.objects.bulk_create([
        Officer(agency=world.agency_a if i % 2 else world.agency_b, badge_number=f"L{i:04d}",
                first_name=f"F{i % 3}", last_name=f"Name{i % 11:02d}", rank="cpl" if i % 5 == 0 else "cst")
        for i in range(70)
    ])


@pytest.mark.parametrize("persona,params", [("ipo", {}), ("ipo", {"rank": "cst"}), ("coord_a", {}),
                                            ("ipo", {"agency": "B", "q": "name"})])
def test_the_officer_list_walks_every_officer_once_by_name(clients, world, many_officers, persona, params):
    params = {k: (world.agency_b.pk if v == "B" else v) for k, v in params.items()}
    pages, last = walk(getattr(clients, persona), reverse("agencies:officer-list"), params, "Pages of officers")
    shown = sum(pages, [])
    expected = list(last.context["filter"].qs.order_by("last_name", "first_name", "id").values_list("pk", flat=True))
    assert shown == expected and len(shown) == len(set(shown)) and len(pages) > 1
    if persona == "coord_a":
        assert set(Officer.objects.filter(pk__in=shown).values_list("agency_id", flat=True)) == {world.agency_a.pk}


def test_the_officer_list_links_each_row_and_says_its_rank(clients, world):
    html = clients.coord_a.get(reverse("agencies:officer-list")).content.decode()
    x = world.officer_x
    assert f'<a href="/officers/{x.pk}/">Xavier, Xena</a>' in html
    assert f'href="/officers/{x.pk}/edit/">Edit<span class="visually-hidden"> Xena Xavier</span>' in html
    assert f"<td>{x.get_rank_display()}</td>" in html


# --- messages and applications ---------------------------------------------------------------------------

def test_a_persons_messages_walk_through_the_pager(clients, world):
    OutgoingMail.objects.bulk_create([
        OutgoingMail(to=world.user_x.email, user=world.user_x if i % 2 else None, subject=f"S{i}", body_text="…",
                     message_id=f"<l-{i}@test>", kind="application_status")
        for i in range(60)
    ])
    pages, last = walk(clients.officer_x, reverse("notifications:my-messages"), {}, "Pages of my messages")
    assert [len(p) for p in pages] == [25, 25, 10] and len(set(sum(pages, []))) == 60
    html = last.content.decode()
    assert "Application status" in html and '<span class="badge text-bg-secondary">Queued</span>' in html


def test_an_officers_applications_walk_through_the_pager(clients, world):
    bulletins = f.BulletinFactory.create_batch(24, mission=world.mission)
    Application.objects.bulk_create([Application(bulletin=b, officer=world.officer_x) for b in bulletins])
    url = reverse("roster:my-applications")
    pages, _ = walk(clients.officer_x, url, {}, "Pages of my applications", rows=lambda r: r.context["applications"])
    assert [len(p) for p in pages] == [10, 10, 5]
    mine = Application.objects.filter(officer=world.officer_x).order_by("-created_at", "-id")
    assert sum(pages, []) == list(mine.values_list("pk", flat=True))


def test_each_applications_timeline_reads_as_the_shared_timeline(clients, world):
    """Each card's timeline is roster/partials/timeline.html inlined: the same words and times, whatever
    its events (none; a first one by no one; a move by someone with a shared note; an internal note)."""
    from roster.selectors import application_events_for

    f.ApplicationEventFactory(application=world.app_x)
    f.ApplicationEventFactory(application=world.app_x, from_status="submitted", to_status="endorsed",
                              actor=world.coord_a, note="Cleared by the chief", note_shared=True)
    f.ApplicationEventFactory(application=world.app_x, from_status="endorsed", to_status="shortlisted",
                              actor=world.ipo, note="For IPO staff alone")
    quiet = f.ApplicationFactory(bulletin=f.BulletinFactory(mission=world.mission), officer=world.officer_x)
    quiet.events.all().delete()
    response = clients.officer_x.get(reverse("roster:my-applications"))
    html = response.content.decode()
    inline = re.findall(r'<ol class="timeline".*?</ol>\s*<p class="small text-body-secondary">.*?</p>', html, re.S)
    cards = response.context["applications"]
    assert [a.pk for a in cards] == [quiet.pk, world.app_x.pk] and len(inline) == 2

    def words(fragment):
        return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())

    for card, fragment in zip(cards, inline, strict=True):
        events = application_events_for(world.user_x).filter(application=card).order_by("created_at", "id")
        shared = render_to_string("roster/partials/timeline.html", {"events": events})
        assert words(fragment) == words(shared)
        assert re.findall(r'datetime="[^"]+"', fragment) == re.findall(r'datetime="[^"]+"', shared)
    assert "No events yet." in words(inline[0])
    by_coordinator = f"by {world.coord_a.get_full_name() or world.coord_a.email}"
    assert "Cleared by the chief" in words(inline[1]) and by_coordinator in words(inline[1])
    assert "Submitted → Endorsed" in words(inline[1]) and "For IPO staff alone" not in html


# --- every list: valid HTML, a labelled pager, on its first and its next page ---------------------------------

@pytest.mark.parametrize("persona,url,label", [
    ("ipo", "notifications:outbox", "Pages of the outbox"),
    ("officer_x", "notifications:my-messages", "Pages of my messages"),
    ("ipo", "missions:bulletin-list", "Pages of bulletins"),
    ("officer_x", "missions:bulletin-list", "Pages of bulletins"),
    ("ipo", "agencies:officer-list", "Pages of officers"),
    ("officer_x", "roster:my-applications", "Pages of my applications"),
])
def test_each_list_and_its_next_page_are_well_formed_with_a_labelled_pager(clients, world, many_bulletins,
                                                                           many_officers, persona, url, label):
    OutgoingMail.objects.bulk_create([
        OutgoingMail(to=world.user_x.email, user=world.user_x, subject=f"S{i}", body_text="…",
                     message_id=f"<w-{i}@test>", status="failed" if i % 2 else "sent")
        for i in range(60)
    ])
    bulletins = f.BulletinFactory.create_batch(12, mission=world.mission)
    Application.objects.bulk_create([Application(bulletin=b, officer=world.officer_x) for b in bulletins])
    client = getattr(clients, persona)
    first = client.get(reverse(url))
    well_formed(first)
    query = next_link(first, label)
    assert query, "a second page"
    second = client.get(f"{reverse(url)}?{query}")
    well_formed(second)
    html = second.content.decode()
    (nav,) = re.findall(rf'<nav aria-label="{label}".*?</nav>', html, re.S)
    assert ">First page</a>" in nav and 'rel="prev"' in nav and ">Previous page</a>" in nav
    assert html.count("<h1") == 1
