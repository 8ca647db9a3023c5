"""Pinned query counts: the application lists and the pipeline do not grow with their rows."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = f.minimal_pdf_bytes()

# session + user, a page of applications (bulletin, mission, officer, agency, nominator joined; keyset:
# no COUNT), their documents, their events (actor joined)
MY_APPLICATIONS_QUERIES = 5
# session + user, the agency's officers' ids, the count per state (one grouped query: the tabs and the
# paginator's total), a page of applications (bulletin, mission, officer joined), the coordinator's agency
# (page heading)
AGENCY_APPLICATIONS_QUERIES = 6
# session + user, bulletin, the count per state (one grouped query: the tabs, the paginator's total and
# the positions filled), a page of applications (officer, agency joined), their documents, the
# officers' clearances, current deployments (mission joined) and selections (bulletin, mission
# joined) (for eligibility)
PIPELINE_QUERIES = 9
# session + user, application (all joined), the audit entry of the read, documents, clearances,
# the officer's current deployments and selections (for eligibility), events (actor joined)
APPLICATION_PAGE_QUERIES = 9
# session + user, bulletin, active officers (with "already applied"), their clearances, current
# deployments and selections (for eligibility)
NOMINATE_PAGE_QUERIES = 7


def attach(application, *, documents=1, events=2, actor=None):
    for i in range(documents):
        application.documents.create(file=ContentFile(PDF, name=f"d{i}.pdf"), original_name=f"d{i}.pdf", size=len(PDF))
    f.ApplicationEventFactory(application=application, actor=actor)
    if events > 1:
        f.ApplicationEventFactory(application=application, from_status="submitted", to_status="endorsed", actor=actor)


def demanding_bulletin(world, **kwargs):
    return f.BulletinFactory(
        mission=world.mission, required_clearances=["medical", "passport"], min_years_service=5, **kwargs
    )


@pytest.mark.parametrize("n", [1, 25])
def test_it_lists_my_applications_in_a_constant_number_of_queries(clients, world, django_assert_num_queries, n):
    for _ in range(n - 1):  # the world has app_x
        application = f.ApplicationFactory(bulletin=f.BulletinFactory(mission=world.mission), officer=world.officer_x,
                                           nominated_by=world.coord_a)
        attach(application, actor=world.coord_a)
    with django_assert_num_queries(MY_APPLICATIONS_QUERIES):
        response = clients.officer_x.get(reverse("roster:my-applications"))
    shown = min(n, 10)  # a page of 10, newest first
    assert len(response.context["applications"]) == shown
    assert response.content.decode().count('data-testid="my-application"') == shown
    page = response.context["page"]
    if n > 10:  # the next pages cost the same
        with django_assert_num_queries(MY_APPLICATIONS_QUERIES):
            response = clients.officer_x.get(reverse("roster:my-applications"), {"after": page.next_cursor})
        assert len(response.context["applications"]) == 10
        assert {a.pk for a in page}.isdisjoint(a.pk for a in response.context["applications"])


@pytest.mark.parametrize("n", [1, 60])
def test_it_lists_the_agencys_applications_in_a_constant_number_of_queries(
    clients, world, django_assert_num_queries, n
):
    """At 1 row and past a page (50 rows), on page 1 and page 2, and in one state."""
    bulletins = [f.BulletinFactory(mission=world.mission) for _ in range(3)]
    for i in range(n - 1):  # the world has app_x
        application = f.ApplicationFactory(
            bulletin=bulletins[i % 3], officer=f.OfficerFactory(agency=world.agency_a),
            nominated_by=world.coord_a if i % 2 else None, ineligible=bool(i % 3),
        )
        attach(application, actor=world.coord_a)
    target = reverse("roster:agency-applications")
    with django_assert_num_queries(AGENCY_APPLICATIONS_QUERIES):
        response = clients.coord_a.get(target)
    assert len(response.context["applications"]) == min(n, 50)
    assert response.content.decode().count('data-testid="agency-application"') == min(n, 50)
    with django_assert_num_queries(AGENCY_APPLICATIONS_QUERIES):
        response = clients.coord_a.get(target, {"page": 2})
    assert len(response.context["applications"]) == (n - 50 if n > 50 else n)  # out of range: the last page
    with django_assert_num_queries(AGENCY_APPLICATIONS_QUERIES):
        response = clients.coord_a.get(target, {"status": "submitted", "bulletin": world.bulletin.pk})
    assert [a.pk for a in response.context["applications"]] == [world.app_x.pk]


@pytest.mark.parametrize("n", [1, 60])
def test_it_shows_the_pipeline_in_a_constant_number_of_queries(clients, world, django_assert_num_queries, n):
    """At 1 row and past a page (50 rows), on page 1 and page 2, in each kind of view."""
    bulletin = demanding_bulletin(world, positions=3)
    statuses = ["endorsed", "shortlisted", "selected", "submitted", "withdrawn", "waitlisted"]
    for i in range(n):
        officer = f.OfficerFactory(agency=world.agency_a if i % 2 else world.agency_b)
        f.ClearanceFactory(officer=officer, kind="medical")
        f.ClearanceFactory(officer=officer, kind="passport")
        application = f.ApplicationFactory(bulletin=bulletin, officer=officer, status=statuses[i % len(statuses)],
                                           nominated_by=world.coord_a if i % 3 else None)
        attach(application, documents=2, events=1)
    target = reverse("roster:bulletin-pipeline", kwargs={"bulletin_pk": bulletin.pk})
    with django_assert_num_queries(PIPELINE_QUERIES):
        response = clients.ipo.get(target, {"status": "all"})
    assert response.context["total"] == n
    assert response.content.decode().count('data-testid="pipeline-row"') == min(n, 50)
    with django_assert_num_queries(PIPELINE_QUERIES):
        response = clients.ipo.get(target, {"status": "all", "page": 2})
    assert response.content.decode().count('data-testid="pipeline-row"') == (n - 50 if n > 50 else n)
    for view in ("", "endorsed"):  # the default view (in the running), one state
        with django_assert_num_queries(PIPELINE_QUERIES):
            response = clients.ipo.get(target, {"status": view})
        assert 'data-testid="pipeline-row"' in response.content.decode()


@pytest.mark.parametrize("n_events", [1, 12])
def test_it_shows_the_application_page_in_a_constant_number_of_queries(
    clients, world, django_assert_num_queries, n_events
):
    application = f.ApplicationFactory(bulletin=demanding_bulletin(world), officer=world.officer_x, status="endorsed")
    f.ClearanceFactory(officer=world.officer_x)
    attach(application, documents=3, events=1, actor=world.user_x)
    for _ in range(n_events - 1):
        f.ApplicationEventFactory(application=application, actor=world.coord_a, note="…")
    with django_assert_num_queries(APPLICATION_PAGE_QUERIES):
        response = clients.ipo.get(reverse("roster:application-detail", kwargs={"pk": application.pk}))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [2, 20])
def test_it_shows_the_nominate_page_in_a_bounded_number_of_queries(clients, world, django_assert_num_queries, n):
    bulletin = demanding_bulletin(world)
    for _ in range(n - 1):
        officer = f.OfficerFactory(agency=world.agency_a)
        f.ClearanceFactory(officer=officer)
    with django_assert_num_queries(NOMINATE_PAGE_QUERIES):
        response = clients.coord_a.get(reverse("roster:application-nominate", kwargs={"bulletin_pk": bulletin.pk}))
    assert len(response.context["officers"]) == n


@pytest.mark.parametrize("n", [3, 30])
def test_the_bulletin_list_tells_an_officer_where_they_stand_in_constant_queries(
    world, clients, django_assert_num_queries, n
):
    for _ in range(n):
        f.BulletinFactory(mission=world.mission, min_years_service=40)
    # session, user, mission choices, the page of bulletins (keyset: no COUNT), the change stamp with which
    # the "For you" cells are kept (tests/roster/test_officer_fit_cells.py)
    # + the officer, their clearances, their applications (bulletins joined), their current deployments
    with django_assert_num_queries(9):
        response = clients.officer_x.get(reverse("missions:bulletin-list"))
    html = response.content.decode()
    assert "For you" in html
    assert "2 requirements not met" in html  # 40 years of service asked; X in mission over the tour (dep_x)
    assert n > 20 or "You applied" in html  # app_x on the world's bulletin (on page 1 when few)
