"""The pipeline and the agency's applications, one state at a time (issue 10).

Each page reads the count per state in one grouped query (the tabs' figures and the paginator's
total: no second COUNT), then only the rows of its page; the page's officers are checked for
eligibility together, in one pass; the template translates its labels once per page. Filters and
page live in the URL and every link keeps the others; a bad value never answers 500.
The pinned query counts: tests/roster/test_application_queries.py."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from roster import eligibility, selectors
from roster.models import Application
from tests import factories as f
from tests.pages import page_text

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"roster:{name}", kwargs=kwargs)


def pipeline(client, bulletin, **params):
    return client.get(url("bulletin-pipeline", bulletin_pk=bulletin.pk), params)


def applicants(bulletin, status, n, *, prefix, agency=None, **kwargs):
    """n applicants in `status`, named prefix000, prefix001, ... (the pipeline's order)."""
    return [
        f.ApplicationFactory(bulletin=bulletin, status=status, officer=f.OfficerFactory(
            last_name=f"{prefix}{i:03d}", first_name="Ann", **({"agency": agency} if agency else {})), **kwargs)
        for i in range(n)
    ]


def row_ids(response):
    return [int(pk) for pk in re.findall(r'data-testid="pipeline-row" data-application="(\d+)"',
                                          response.content.decode())]


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of 3 rows, so a few rows make several pages."""
    monkeypatch.setattr(selectors, "PIPELINE_PER_PAGE", 3)
    monkeypatch.setattr(selectors, "AGENCY_APPLICATIONS_PER_PAGE", 3)


# --- the pipeline: views and their tabs -------------------------------------------------------------

def test_the_pipeline_opens_on_the_applicants_in_the_running_with_a_tab_per_state(clients, world):
    bulletin = f.BulletinFactory(mission=world.mission, positions=3)
    endorsed = applicants(bulletin, "endorsed", 3, prefix="E")
    shortlisted = applicants(bulletin, "shortlisted", 2, prefix="S")
    withdrawn = applicants(bulletin, "withdrawn", 2, prefix="W")
    not_selected = applicants(bulletin, "not_selected", 1, prefix="N")
    response = pipeline(clients.ipo, bulletin)
    assert response.context["view"] == "open"
    assert row_ids(response) == [a.pk for a in endorsed + shortlisted]  # by state, then by name
    assert {t["key"]: t["count"] for t in response.context["tabs"]} == {
        "open": 5, "endorsed": 3, "shortlisted": 2, "not_selected": 1, "withdrawn": 2, "all": 8}
    html = page_text(response)
    assert "Endorsed by agency (3)" in html and "Withdrawn (2)" in html and "All (8)" in html
    # one state: only its rows; everyone: every state, the settled ones last
    assert row_ids(pipeline(clients.ipo, bulletin, status="withdrawn")) == [a.pk for a in withdrawn]
    assert row_ids(pipeline(clients.ipo, bulletin, status="all")) == [
        a.pk for a in endorsed + shortlisted + not_selected + withdrawn]


def test_a_bulletin_with_nobody_left_in_the_running_opens_on_everyone(clients, world):
    bulletin = f.BulletinFactory(mission=world.mission, status="closed")
    settled = applicants(bulletin, "not_selected", 2, prefix="N")
    response = pipeline(clients.ipo, bulletin)
    assert response.context["view"] == "all"
    assert row_ids(response) == [a.pk for a in settled]
    # the empty "in the running" view says so, in words
    empty = pipeline(clients.ipo, bulletin, status="open")
    assert row_ids(empty) == [] and "No applicant in this view." in page_text(empty)


def test_the_counts_per_state_come_from_one_grouped_query_and_nothing_else_counts(clients, world):
    bulletin = f.BulletinFactory(mission=world.mission)
    applicants(bulletin, "endorsed", 4, prefix="E")
    applicants(bulletin, "selected", 1, prefix="S")
    with CaptureQueriesContext(connection) as queries:
        response = pipeline(clients.ipo, bulletin, status="endorsed")
    counting = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counting) == 1 and "GROUP BY" in counting[0]
    assert "1 of 2 positions filled" in page_text(response)  # the positions filled: the same counts


# --- the pipeline: pages --------------------------------------------------------------------------------

def test_the_pipeline_pages_a_state_and_its_links_keep_the_view(clients, world, small_pages):
    bulletin = f.BulletinFactory(mission=world.mission)
    endorsed = applicants(bulletin, "endorsed", 7, prefix="E")
    first = pipeline(clients.ipo, bulletin, status="endorsed")
    assert row_ids(first) == [a.pk for a in endorsed[:3]]
    html = first.content.decode()
    assert "Page 1 of 3" in html and 'href="?status=endorsed&amp;page=2"' in html
    assert 'id="s-endorsed"' in html and "(7)" in html  # the section says how many are in the state
    assert row_ids(pipeline(clients.ipo, bulletin, status="endorsed", page=3)) == [endorsed[6].pk]
    # a tab starts its view from the first page
    assert 'href="?status=all"' in page_text(pipeline(clients.ipo, bulletin, status="endorsed", page=2))


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1e9", "99999", "9" * 40, ""])
def test_a_bad_page_number_gives_the_first_or_the_last_page(clients, world, small_pages, page):
    bulletin = f.BulletinFactory(mission=world.mission)
    endorsed = applicants(bulletin, "endorsed", 4, prefix="E")
    response = pipeline(clients.ipo, bulletin, status="endorsed", page=page)
    assert response.status_code == 200
    assert row_ids(response) in ([a.pk for a in endorsed[:3]], [endorsed[3].pk])


@pytest.mark.parametrize("status", ["bogus", "ALL", "<script>", "x" * 500])
def test_an_unknown_view_is_ignored(clients, world, status):
    bulletin = f.BulletinFactory(mission=world.mission)
    applicants(bulletin, "endorsed", 1, prefix="E")
    response = pipeline(clients.ipo, bulletin, status=status)
    assert response.status_code == 200 and response.context["view"] == "open"


# --- the pipeline: bulk moves describe the page, and come back to it -------------------------------------

def planned_elsewhere(officer):
    start = timezone.localdate() + dt.timedelta(days=130)
    f.DeploymentFactory(officer=officer, mission=f.MissionFactory(code="UNFICYP"), status="planned",
                        start_date=start, planned_end_date=start + dt.timedelta(days=365))


def test_the_bulk_moves_and_the_confirmation_describe_the_rows_of_the_page(clients, world, small_pages):
    bulletin = f.BulletinFactory(mission=world.mission, positions=5, required_clearances=[])
    rows = applicants(bulletin, "shortlisted", 4, prefix="S")
    planned_elsewhere(rows[3].officer)  # on page 2 only
    first = pipeline(clients.ipo, bulletin, status="shortlisted")
    assert first.context["move_rows"] == {"shortlist": 0, "screen_out": 0, "select": 3, "waitlist": 3,
                                          "not_select": 3}
    assert first.context["any_unavailable"] is False
    assert 'name="confirm_unavailable"' not in first.content.decode()
    second = pipeline(clients.ipo, bulletin, status="shortlisted", page=2)
    assert second.context["move_rows"]["select"] == 1
    assert second.context["any_unavailable"] is True
    html = second.content.decode()
    assert 'name="confirm_unavailable"' in html and 'data-testid="clash">Planned for UNFICYP' in html
    assert 'data-rows="1"' in html and 'data-rows="3"' not in html


def test_a_move_comes_back_to_its_view_and_page(clients, world):
    bulletin = f.BulletinFactory(mission=world.mission)
    endorsed = applicants(bulletin, "endorsed", 2, prefix="E")
    page = pipeline(clients.ipo, bulletin, status="endorsed")
    action = url("bulletin-pipeline-action", bulletin_pk=bulletin.pk)
    assert f'action="{action}?status=endorsed&amp;page=1"' in page.content.decode()
    response = clients.ipo.post(f"{action}?status=endorsed&page=1",
                                {"action": "shortlist", "applications": [endorsed[0].pk]})
    assert response.status_code == 302
    assert response["Location"] == url("bulletin-pipeline", bulletin_pk=bulletin.pk) + "?status=endorsed&page=1"
    assert Application.objects.get(pk=endorsed[0].pk).status == "shortlisted"
    # only a well-formed view and page are carried back
    odd = clients.ipo.post(f"{action}?status=https://evil.example&page=2x",
                           {"action": "shortlist", "applications": [endorsed[1].pk]})
    assert odd["Location"] == url("bulletin-pipeline", bulletin_pk=bulletin.pk)


def test_a_refused_form_is_shown_again_on_its_view_with_the_ticks_kept(clients, world):
    bulletin = f.BulletinFactory(mission=world.mission)
    endorsed = applicants(bulletin, "endorsed", 2, prefix="E")
    applicants(bulletin, "shortlisted", 1, prefix="S")
    action = url("bulletin-pipeline-action", bulletin_pk=bulletin.pk)
    response = clients.ipo.post(f"{action}?status=endorsed", {"applications": [endorsed[1].pk]})  # no action
    assert response.status_code == 200 and response.context["view"] == "endorsed"
    assert row_ids(response) == [a.pk for a in endorsed]
    assert re.search(rf'value="{endorsed[1].pk}" id="tick-{endorsed[1].pk}" data-moves="[^"]*" checked',
                     response.content.decode())
    assert not re.search(rf'value="{endorsed[0].pk}" id="tick-{endorsed[0].pk}" data-moves="[^"]*" checked',
                         response.content.decode())


# --- eligibility: the page's officers only, in one pass -----------------------------------------------

def test_only_the_officers_of_the_page_are_checked_with_the_bulletin_prepared_once(
    clients, world, small_pages, monkeypatch
):
    bulletin = f.BulletinFactory(mission=world.mission, required_clearances=["medical"], min_years_service=5)
    applicants(bulletin, "endorsed", 7, prefix="E")
    made, checked = [], []
    init, check = eligibility.Rules.__init__, eligibility.Rules.check

    def counting_init(self, *args, **kwargs):
        made.append(1)
        init(self, *args, **kwargs)

    def counting_check(self, officer, **kwargs):
        checked.append(officer.pk)
        return check(self, officer, **kwargs)

    monkeypatch.setattr(eligibility.Rules, "__init__", counting_init)
    monkeypatch.setattr(eligibility.Rules, "check", counting_check)
    response = pipeline(clients.ipo, bulletin, status="endorsed", page=2)
    assert len(made) == 1
    assert checked == [a.officer_id for a in response.context["page"].object_list] and len(checked) == 3


def test_checking_many_officers_at_once_says_what_checking_each_says(world):
    start = timezone.localdate() + dt.timedelta(days=120)
    bulletin = f.BulletinFactory(mission=world.mission, deployment_start=start, min_years_service=5,
                                 required_language="fr", min_language_level=3, requires_firearms=True,
                                 requires_manual_driving=True, min_age=25, max_age=60,
                                 required_clearances=["medical", "passport"])
    officers = [
        f.OfficerFactory(service_start=dt.date(2001, 1, 1), french_level=4, firearms_qualified=True,
                         manual_driving=True, date_of_birth=dt.date(1980, 1, 1)),
        f.OfficerFactory(service_start=None, french_level=None, firearms_qualified=None, manual_driving=None,
                         date_of_birth=None),
        f.OfficerFactory(service_start=dt.date(2024, 1, 1), french_level=1, firearms_qualified=False,
                         manual_driving=False, date_of_birth=dt.date(2005, 1, 1)),
        world.officer_x,  # in mission over the tour (world.dep_x)
    ]
    f.ClearanceFactory(officer=officers[0], kind="medical", valid_until=start + dt.timedelta(days=900))
    f.ClearanceFactory(officer=officers[0], kind="passport", valid_until=start + dt.timedelta(days=900))
    f.ClearanceFactory(officer=officers[2], kind="medical", valid_until=start - dt.timedelta(days=1))
    other = f.BulletinFactory(mission=f.MissionFactory(code="MINUSCA"), deployment_start=start)
    f.ApplicationFactory(bulletin=other, officer=officers[1], status="selected")
    many = eligibility.check_many(officers, bulletin)

    def said(result):
        return [(r.rule, r.label, r.outcome, r.reason) for r in result.results]

    assert list(many) == [o.pk for o in officers]
    for officer in officers:
        assert said(many[officer.pk]) == said(eligibility.check(officer, bulletin))
    assert [many[o.pk].outcome for o in officers[:3]] == ["pass", "fail", "fail"]
    assert many[officers[1].pk].clash.startswith("Selected for ")  # besides the unknowns
    assert len(many[officers[2].pk].failures) == 7
    assert eligibility.check_many([], bulletin) == {}


def test_checking_many_officers_costs_three_queries_whatever_their_number(world, django_assert_num_queries):
    bulletin = f.BulletinFactory(mission=world.mission, required_clearances=["medical"])
    officers = [f.OfficerFactory() for _ in range(12)]
    for officer in officers:
        f.ClearanceFactory(officer=officer, kind="medical")
    # clearances, deployments that commit them (mission joined), selections (bulletin, mission joined)
    with django_assert_num_queries(3):
        many = eligibility.check_many(officers, bulletin)
    assert len(many) == 12


# --- translated once per page ----------------------------------------------------------------------------

def count_gettext(monkeypatch):
    calls = []
    real = translation._trans.gettext

    def counting(message):
        calls.append(message)
        return real(message)

    monkeypatch.setattr(translation._trans, "gettext", counting)
    return calls


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_pipeline_translates_as_many_strings_at_one_row_as_at_many(clients, world, monkeypatch, lang):
    world.ipo.preferred_language = lang
    world.ipo.save()
    one = f.BulletinFactory(mission=world.mission, required_clearances=["medical"])
    many = f.BulletinFactory(mission=world.mission, required_clearances=["medical"])
    applicants(one, "endorsed", 1, prefix="E", nominated_by=world.coord_a)
    applicants(many, "endorsed", 30, prefix="E", nominated_by=world.coord_a)
    pipeline(clients.ipo, one)  # warm up (templates, URL resolvers)
    calls = count_gettext(monkeypatch)
    pipeline(clients.ipo, one, HTTP_ACCEPT_LANGUAGE=lang)
    at_one = len(calls)
    calls.clear()
    response = pipeline(clients.ipo, many, HTTP_ACCEPT_LANGUAGE=lang)
    assert len(row_ids(response)) == 30
    assert len(calls) == at_one


def test_the_agency_list_translates_as_many_strings_at_one_row_as_at_many(clients, world, monkeypatch):
    lone = f.BulletinFactory(mission=world.mission, closes_at=timezone.now() + dt.timedelta(days=90))
    world.app_x.delete()
    f.ApplicationFactory(bulletin=lone, officer=world.officer_x)
    clients.coord_a.get(url("agency-applications"))
    calls = count_gettext(monkeypatch)
    clients.coord_a.get(url("agency-applications"))
    at_one = len(calls)
    applicants(lone, "endorsed", 30, prefix="E", agency=world.agency_a)
    calls.clear()
    response = clients.coord_a.get(url("agency-applications"))
    assert len(response.context["applications"]) == 31
    assert len(calls) == at_one


# --- the agency's applications ---------------------------------------------------------------------------

def test_the_agency_list_has_a_tab_per_state_with_its_count_for_its_own_agency_only(clients, world):
    applicants(world.bulletin, "endorsed", 2, prefix="E", agency=world.agency_a)
    applicants(world.bulletin, "withdrawn", 1, prefix="W", agency=world.agency_a)
    applicants(world.bulletin, "endorsed", 5, prefix="B", agency=world.agency_b)
    response = clients.coord_a.get(url("agency-applications"))
    assert {t["key"]: t["count"] for t in response.context["tabs"]} == {
        "": 4, "submitted": 1, "endorsed": 2, "withdrawn": 1}
    html = page_text(response)
    assert "All (4)" in html and "Submitted (1)" in html and "Endorsed by agency (2)" in html
    assert 'href="?status=endorsed"' in html
    endorsed = clients.coord_a.get(url("agency-applications"), {"status": "endorsed"})
    assert [a.status for a in endorsed.context["applications"]] == ["endorsed", "endorsed"]
    assert {t["key"]: t["count"] for t in clients.coord_b.get(url("agency-applications")).context["tabs"]} == {
        "": 6, "submitted": 1, "endorsed": 5}


def test_each_row_of_the_agency_list_says_its_officer_state_requirements_day_and_nomination(clients, world):
    """The rows are written by the view (roster.views.applications._agency_application_rows): each cell,
    escaped, in English and in French."""
    from accounts.models import User
    from roster.models import Application

    world.officer_x.last_name = "<b>Xavier</b>"
    world.officer_x.save()
    Application.objects.filter(pk=world.app_x.pk).update(
        ineligible=True, nominated_by=world.coord_a, created_at=dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC))
    app = Application.objects.get(pk=world.app_x.pk)

    def row(language):
        User.objects.filter(pk=world.coord_a.pk).update(preferred_language=language)
        html = clients.coord_a.get(url("agency-applications")).content.decode()
        start = html.index('<tr data-testid="agency-application">')
        return re.sub(r"\s+", " ", html[start:html.index("</tr>", start) + 5])

    assert row("en") == (
        f'<tr data-testid="agency-application"> <th scope="row" class="fw-normal"><a href="/applications/{app.pk}/">'
        'Xena &lt;b&gt;Xavier&lt;/b&gt;</a></th> <td><span class="badge text-bg-secondary">Submitted</span></td> '
        '<td><span class="badge text-bg-warning">Requirements not met</span></td> <td>2026-03-04</td> '
        '<td><span class="badge text-bg-info">Nominated</span></td> </tr>')
    assert row("fr") == (
        f'<tr data-testid="agency-application"> <th scope="row" class="fw-normal"><a href="/applications/{app.pk}/">'
        'Xena &lt;b&gt;Xavier&lt;/b&gt;</a></th> <td><span class="badge text-bg-secondary">Soumise</span></td> '
        '<td><span class="badge text-bg-warning">Exigences non satisfaites</span></td> <td>2026-03-04</td> '
        '<td><span class="badge text-bg-info">Proposée</span></td> </tr>')
    Application.objects.filter(pk=app.pk).update(ineligible=False, nominated_by=None)
    assert "<td>Satisfaites au dépôt</td> <td>2026-03-04</td> <td>Non</td>" in row("fr")
    # the bulletin's section: its heading, when it closes, the table's caption and headings (in French)
    html = re.sub(r"\s+", " ", clients.coord_a.get(url("agency-applications")).content.decode())
    b = world.bulletin
    assert (f'<section class="mb-4" aria-labelledby="b-{b.pk}" data-testid="bulletin-group"> '
            f'<h2 class="h4" id="b-{b.pk}"><a href="/bulletins/{b.pk}/">{b.reference} — {b.title_fr}</a></h2> '
            f'<p class="small text-body-secondary">{b.mission.code} · Clôture le ') in html
    assert (f"<caption class=\"visually-hidden\">Candidatures de votre agence à l'avis {b.reference}</caption> "
            '<thead><tr> <th scope="col">Policier</th>') in html
    assert "<td>Met when filed</td> <td>2026-03-04</td> <td>No</td>" in row("en")


def test_the_agency_list_shows_exactly_the_applications_the_coordinator_may_see(clients, world):
    """The page reads the applications of the officers officer_visible_to gives, without the join to
    the agency (a better plan): the same rows as application_visible_to, for each coordinator."""
    from roster.selectors import application_visible_to

    applicants(world.bulletin, "endorsed", 3, prefix="E", agency=world.agency_a)
    applicants(world.bulletin, "submitted", 2, prefix="B", agency=world.agency_b)
    for client, user in ((clients.coord_a, world.coord_a), (clients.coord_b, world.coord_b)):
        shown = {a.pk for a in client.get(url("agency-applications")).context["applications"]}
        assert shown == set(application_visible_to(user).values_list("pk", flat=True))
        assert shown and all(a.officer.agency_id == user.agency_id for a in application_visible_to(user))


def test_the_agency_list_keeps_the_latest_closing_bulletin_first_across_its_pages(clients, world, small_pages):
    now = timezone.now()
    later = f.BulletinFactory(mission=world.mission, reference="JPB-T-LATER", closes_at=now + dt.timedelta(days=60))
    sooner = f.BulletinFactory(mission=world.mission, reference="JPB-T-SOONER", closes_at=now + dt.timedelta(days=5))
    a_later = applicants(later, "submitted", 4, prefix="L", agency=world.agency_a)
    a_sooner = applicants(sooner, "endorsed", 2, prefix="S", agency=world.agency_a)
    target = url("agency-applications")
    pages = [clients.coord_a.get(target, {"page": n}) for n in (1, 2, 3)]
    shown = [a.pk for p in pages for a in p.context["applications"]]
    assert shown == [a.pk for a in a_later] + [world.app_x.pk] + [a.pk for a in a_sooner]  # app_x: in 20 days
    # a bulletin's group goes on over the next page, under its heading again
    assert [[g["bulletin"].pk for g in p.context["groups"]] for p in pages] == [
        [later.pk], [later.pk, world.bulletin.pk, sooner.pk], [sooner.pk]]
    assert page_text(pages[1]).count('data-testid="bulletin-group"') == 3
    assert "Page 2 of 3" in page_text(pages[1])


def test_the_agency_lists_links_keep_the_bulletin_filter(clients, world, small_pages):
    applicants(world.bulletin, "endorsed", 4, prefix="E", agency=world.agency_a)
    other = f.BulletinFactory(mission=world.mission)
    applicants(other, "endorsed", 2, prefix="O", agency=world.agency_a)
    response = clients.coord_a.get(url("agency-applications"), {"bulletin": world.bulletin.pk, "status": "endorsed"})
    assert {a.bulletin_id for a in response.context["applications"]} == {world.bulletin.pk}
    assert {t["key"]: t["count"] for t in response.context["tabs"]} == {"": 5, "submitted": 1, "endorsed": 4}
    html = response.content.decode()
    b = world.bulletin.pk
    assert f'href="?bulletin={b}&amp;status=submitted"' in html  # a tab keeps the bulletin
    assert f'href="?bulletin={b}&amp;status=endorsed&amp;page=2"' in html  # the next page keeps both
    assert 'href="?status=endorsed">Show all</a>' in html  # every bulletin, the state kept


@pytest.mark.parametrize("params", [
    {"status": "bogus"}, {"bulletin": "abc"}, {"bulletin": "-3"}, {"bulletin": "9" * 30}, {"page": "abc"},
    {"page": "-1"}, {"page": "99999"}, {"status": "endorsed", "bulletin": "x", "page": "0"},
])
def test_the_agency_list_ignores_what_it_cannot_read(clients, world, params):
    response = clients.coord_a.get(url("agency-applications"), params)
    assert response.status_code == 200
    expected = [] if params.get("status") == "endorsed" else [world.app_x.pk]
    assert [a.pk for a in response.context["applications"]] == expected
