"""Availability is an eligibility rule (issue 9, item 2): an officer deployed, planned or selected
elsewhere over a bulletin's tour is told so wherever eligibility is shown (the officer's bulletin
page, the nomination list, endorsement, the pipeline and the application page), those lists
evaluate it in bulk, and IPO staff select such an officer only once they confirm the clash.

The rule itself, its boundaries and sentences: tests/roster/test_eligibility.py."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from roster import services
from roster.models import Application, ApplicationEvent
from tests import factories as f
from tests.roster.test_application_queries import NOMINATE_PAGE_QUERIES, PIPELINE_QUERIES

pytestmark = pytest.mark.django_db

# The bulletin: a 12-month tour from 2027-02-11; the officer is planned for UNFICYP over it.
TOUR_START = dt.date(2027, 2, 11)
PLANNED = "Planned for UNFICYP from 2027-03-01 to 2028-03-01."
CONFIRM = "Confirm the clash to select anyway."


def url(name, **kwargs):
    return reverse(f"roster:{name}", kwargs=kwargs)


def flashed(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def bulletin(world):
    return f.BulletinFactory(mission=world.mission, deployment_start=TOUR_START, duration_months=12, positions=2,
                             required_clearances=[])


def planned_elsewhere(officer):
    return f.DeploymentFactory(officer=officer, mission=f.MissionFactory(code="UNFICYP"), status="planned",
                               start_date=dt.date(2027, 3, 1), planned_end_date=dt.date(2028, 3, 1))


def shortlisted(bulletin, world, *, committed, last_name="Adams"):
    officer = f.OfficerFactory(agency=world.agency_a, last_name=last_name)
    if committed:
        planned_elsewhere(officer)
    return f.ApplicationFactory(bulletin=bulletin, officer=officer, status="shortlisted")


# --- the service: selecting needs the confirmation ----------------------------------------------

def test_it_refuses_to_select_an_officer_planned_elsewhere_without_confirmation(world, bulletin):
    app = shortlisted(bulletin, world, committed=True)
    with pytest.raises(ValidationError) as exc:
        services.application_transition(application=app, to="selected", actor=world.ipo)
    assert exc.value.message_dict == {"confirm_unavailable": [f"{PLANNED} {CONFIRM}"]}
    app.refresh_from_db()
    assert app.status == "shortlisted"
    assert not ApplicationEvent.objects.filter(application=app).exists()
    assert services.filled_positions(bulletin.pk) == 0  # no position used up


def test_it_selects_an_officer_planned_elsewhere_once_confirmed(world, bulletin):
    app = shortlisted(bulletin, world, committed=True)
    services.application_transition(application=app, to="selected", actor=world.ipo, confirm_unavailable=True)
    app.refresh_from_db()
    assert app.status == "selected"


def test_it_selects_an_available_officer_without_confirmation(world, bulletin):
    app = shortlisted(bulletin, world, committed=False)
    services.application_transition(application=app, to="selected", actor=world.ipo)
    app.refresh_from_db()
    assert app.status == "selected"


def test_a_selection_elsewhere_blocks_a_second_selection_over_the_same_dates(world, bulletin):
    app = shortlisted(bulletin, world, committed=False)
    other = f.BulletinFactory(reference="JPB-2026-014", mission=f.MissionFactory(code="MONUSCO"),
                              deployment_start=dt.date(2026, 12, 1), duration_months=6, required_clearances=[])
    first = f.ApplicationFactory(bulletin=other, officer=app.officer, status="shortlisted")
    services.application_transition(application=first, to="selected", actor=world.ipo)
    with pytest.raises(ValidationError) as exc:
        services.application_transition(application=app, to="selected", actor=world.ipo)
    assert exc.value.messages == [f"Selected for JPB-2026-014 (MONUSCO) from 2026-12-01 to 2027-06-01. {CONFIRM}"]


def test_the_confirmation_is_only_asked_when_selecting(world, bulletin):
    app = shortlisted(bulletin, world, committed=True)
    services.application_transition(application=app, to="waitlisted", actor=world.ipo)
    app.refresh_from_db()
    assert app.status == "waitlisted"


# --- the pipeline: the sentence on the row, the checkbox, the bulk Select -----------------------

def test_the_pipeline_shows_the_clash_and_asks_for_the_confirmation(clients, world, bulletin):
    shortlisted(bulletin, world, committed=True)
    html = clients.ipo.get(url("bulletin-pipeline", bulletin_pk=bulletin.pk)).content.decode()
    assert f'data-testid="clash">{PLANNED}<' in html
    assert 'data-testid="confirm-unavailable"' in html and 'name="confirm_unavailable"' in html


def test_the_pipeline_asks_nothing_when_every_applicant_is_available(clients, world, bulletin):
    shortlisted(bulletin, world, committed=False)
    html = clients.ipo.get(url("bulletin-pipeline", bulletin_pk=bulletin.pk)).content.decode()
    assert 'data-testid="clash"' not in html and 'name="confirm_unavailable"' not in html


def test_the_pipelines_select_is_refused_without_the_confirmation_and_done_with_it(clients, world, bulletin):
    committed = shortlisted(bulletin, world, committed=True, last_name="Adams")
    free = shortlisted(bulletin, world, committed=False, last_name="Brown")
    target = url("bulletin-pipeline-action", bulletin_pk=bulletin.pk)
    refused = clients.ipo.post(target, {"action": "select", "applications": [committed.pk, free.pk]})
    messages = flashed(refused)
    assert "1 application moved to “Selected”." in messages
    assert f"{committed.officer.full_name}: {PLANNED} {CONFIRM}" in messages
    assert Application.objects.get(pk=committed.pk).status == "shortlisted"
    assert Application.objects.get(pk=free.pk).status == "selected"

    confirmed = clients.ipo.post(target, {"action": "select", "applications": [committed.pk],
                                          "confirm_unavailable": "on"})
    assert confirmed.status_code == 302
    assert Application.objects.get(pk=committed.pk).status == "selected"


# --- the application page: the same confirmation next to the move buttons -----------------------

def test_the_application_page_asks_for_the_confirmation_to_select(clients, world, bulletin):
    app = shortlisted(bulletin, world, committed=True)
    page = clients.ipo.get(url("application-detail", pk=app.pk)).content.decode()
    assert 'data-testid="confirm-unavailable"' in page and PLANNED in page
    target = url("application-transition", pk=app.pk)
    refused = clients.ipo.post(target, {"to": "selected"})
    assert f"{PLANNED} {CONFIRM}" in flashed(refused)
    assert Application.objects.get(pk=app.pk).status == "shortlisted"
    clients.ipo.post(target, {"to": "selected", "confirm_unavailable": "on"})
    assert Application.objects.get(pk=app.pk).status == "selected"


def test_the_application_page_asks_nothing_for_an_available_officer(clients, world, bulletin):
    app = shortlisted(bulletin, world, committed=False)
    page = clients.ipo.get(url("application-detail", pk=app.pk)).content.decode()
    assert 'data-testid="confirm-unavailable"' not in page


# --- every page that shows eligibility shows the clash ---------------------------------------------

def in_mission_x(world):
    """Officer X is in mission at BINUH (world.dep_x) over the tour of a bulletin from the factory."""
    return f"In mission at BINUH until {world.dep_x.planned_end_date.isoformat()}."


def test_the_officer_sees_the_clash_on_the_bulletin_page(clients, world):
    bulletin = f.BulletinFactory(mission=world.mission, required_clearances=[])
    html = clients.officer_x.get(reverse("missions:bulletin-detail", kwargs={"pk": bulletin.pk})).content.decode()
    assert in_mission_x(world) in html
    assert "Meets every requirement" not in html and "1 of 1 requirements not met" in html


def test_the_officer_is_free_for_a_tour_beginning_when_theirs_ends(clients, world):
    bulletin = f.BulletinFactory(mission=world.mission, required_clearances=[],
                                 deployment_start=world.dep_x.planned_end_date)
    html = clients.officer_x.get(reverse("missions:bulletin-detail", kwargs={"pk": bulletin.pk})).content.decode()
    assert "In mission at" not in html and "Meets every requirement" in html


def test_the_nomination_list_shows_the_clash_and_nominating_asks_to_confirm(clients, world):
    bulletin = f.BulletinFactory(mission=world.mission, required_clearances=[])
    page = clients.coord_a.get(url("application-nominate", bulletin_pk=bulletin.pk))
    officer_x = next(o for o in page.context["officers"] if o.pk == world.officer_x.pk)
    assert not officer_x.eligibility.eligible
    assert in_mission_x(world) in page.content.decode()
    response = clients.coord_a.post(url("application-nominate", bulletin_pk=bulletin.pk),
                                    {"officer": world.officer_x.pk, "release_confirmed": "on"})
    assert "Confirm to nominate anyway." in response.context["form"].errors["confirm_ineligible"][0]
    assert not Application.objects.filter(bulletin=bulletin).exists()


def test_the_coordinator_sees_the_clash_when_endorsing(clients, world):
    # world.app_x: officer X applied to world.bulletin, whose tour falls in X's current one
    html = clients.coord_a.get(url("application-endorse", pk=world.app_x.pk)).content.decode()
    assert in_mission_x(world) in html


def test_the_bulletin_list_counts_the_clash_for_the_officer(clients, world):
    f.BulletinFactory(mission=world.mission, required_clearances=[], reference="JPB-T-CLASH")
    html = clients.officer_x.get(reverse("missions:bulletin-list")).content.decode()
    assert "1 requirement not met" in html


# --- bulk: one prefetched pass per page ----------------------------------------------------------

def committed_officers(world, bulletin, n, *, apply_status=None):
    """n officers of agency A, each in mission elsewhere and selected on another bulletin over the tour."""
    for i in range(n):
        officer = f.OfficerFactory(agency=world.agency_a)
        f.DeploymentFactory(officer=officer, mission=f.MissionFactory(code=f"M{i}"), status="in_mission",
                            start_date=dt.date(2026, 10, 2), planned_end_date=dt.date(2027, 10, 2))
        other = f.BulletinFactory(mission=f.MissionFactory(code=f"S{i}"), deployment_start=dt.date(2026, 12, 1),
                                  duration_months=6)
        f.ApplicationFactory(bulletin=other, officer=officer, status="selected")
        if apply_status:
            f.ApplicationFactory(bulletin=bulletin, officer=officer, status=apply_status)


@pytest.mark.parametrize("n", [2, 20])
def test_the_pipeline_checks_availability_in_constant_queries(clients, world, bulletin, django_assert_num_queries, n):
    committed_officers(world, bulletin, n, apply_status="shortlisted")
    with django_assert_num_queries(PIPELINE_QUERIES):
        response = clients.ipo.get(url("bulletin-pipeline", bulletin_pk=bulletin.pk))
    html = response.content.decode()
    assert html.count('data-testid="clash">In mission at M') == n
    assert html.count("Selected for JPB-T-") == n


@pytest.mark.parametrize("n", [2, 20])
def test_the_nomination_list_checks_availability_in_constant_queries(
    clients, world, bulletin, django_assert_num_queries, n
):
    committed_officers(world, bulletin, n)
    with django_assert_num_queries(NOMINATE_PAGE_QUERIES):
        response = clients.coord_a.get(url("application-nominate", bulletin_pk=bulletin.pk))
    clashes = [o.eligibility.clash for o in response.context["officers"] if o.pk != world.officer_x.pk]
    assert len(clashes) == n and all(c.startswith("In mission at M") and "Selected for JPB-T-" in c for c in clashes)
