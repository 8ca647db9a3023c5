"""Assessment session pages: the list (seats taken, waiting list), a session's registrations as each role
may see them, scheduling, registering (404 for an officer one may not see, 403 for an officer), withdrawing,
results, an officer's own sessions; pinned query counts; both languages."""

import datetime as dt

import pytest
from django.urls import reverse

from agencies.models import Officer
from planning.sessions import services
from planning.sessions.models import AssessmentSession, Registration
from tests import factories as f
from tests.clock import TODAY
from tests.conftest import client_for
from tests.pages import page_text

pytestmark = pytest.mark.django_db

LIST = reverse("planning:session-list")
MINE = reverse("planning:session-mine")


def detail(session):
    return reverse("planning:session-detail", args=[session.pk])


def make_session(ipo, *, days=30, capacity=3, **kwargs):
    values = dict(kind="saat", starts_on=TODAY + dt.timedelta(days=days), ends_on=TODAY + dt.timedelta(days=days + 3),
                  place="CPC Ottawa", language="en", capacity=capacity)
    values.update(kwargs)
    return services.session_schedule(actor=ipo, **values)


@pytest.fixture
def session_xy(world):
    session = make_session(world.ipo, capacity=1)
    services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    services.registration_create(session=session, officer=world.officer_y, actor=world.coord_b)
    return session


# --- the list ------------------------------------------------------------------------------------------

def test_the_list_shows_seats_taken_and_the_waiting_list_to_every_role(clients, session_xy):
    for client in (clients.ipo, clients.coord_a, clients.coord_b, clients.officer_x):
        html = page_text(client.get(LIST))
        assert "1 of 1" in html and f'data-testid="session-{session_xy.pk}"' in html
        assert 'data-testid="waiting">1<' in html
    assert clients.anonymous.get(LIST).status_code == 302


def test_past_sessions_are_apart(clients, world):
    past = make_session(world.ipo, days=-30)
    upcoming = make_session(world.ipo)
    html = page_text(clients.ipo.get(LIST))
    assert f"session-{upcoming.pk}" in html and f"session-{past.pk}" not in html
    html = page_text(clients.ipo.get(LIST + "?show=past"))
    assert f"session-{past.pk}" in html and f"session-{upcoming.pk}" not in html


@pytest.mark.parametrize("n", [1, 30])
def test_the_list_runs_a_constant_number_of_queries(clients, world, django_assert_num_queries, n):
    for i in range(n):
        session = make_session(world.ipo, days=10 + i, capacity=1)
        services.registration_create(session=session, officer=world.officer_x, actor=world.ipo)
        services.registration_create(session=session, officer=world.officer_y, actor=world.ipo)
    # session, user, the COUNT, the page with its counts
    with django_assert_num_queries(4):
        response = clients.ipo.get(LIST)
    assert response.status_code == 200


# --- a session -----------------------------------------------------------------------------------------

def test_names_are_shown_as_each_role_may_see_them(clients, session_xy):
    html = page_text(clients.ipo.get(detail(session_xy)))
    assert "Xavier, Xena" in html and "Young, Yves" in html
    html = page_text(clients.coord_a.get(detail(session_xy)))
    assert "Xavier, Xena" in html and "Young" not in html
    html = page_text(clients.officer_y.get(detail(session_xy)))
    assert "Young, Yves" in html and "Xavier" not in html
    assert "(number 1)" in html  # her place on the waiting list


@pytest.mark.parametrize("n", [1, 25])
def test_the_detail_runs_a_constant_number_of_queries(clients, world, django_assert_num_queries, n):
    session = make_session(world.ipo, capacity=5)
    for _ in range(n):
        services.registration_create(session=session, officer=f.OfficerFactory(agency=world.agency_a),
                                     actor=world.coord_a)
    # session, user, the session with counts, the registrations, their results, the officers to choose
    with django_assert_num_queries(6):
        response = clients.ipo.get(detail(session))
    assert response.status_code == 200


def test_an_unknown_session_answers_404(clients):
    assert clients.ipo.get(reverse("planning:session-detail", args=[999])).status_code == 404


# --- scheduling ----------------------------------------------------------------------------------------

def test_ipo_staff_schedule_from_the_page_and_errors_show_next_to_their_field(clients, world):
    url = reverse("planning:session-create")
    data = {"kind": "pre_saat", "starts_on": str(TODAY + dt.timedelta(days=9)),
            "ends_on": str(TODAY + dt.timedelta(days=5)), "place": "Nicolet", "language": "fr", "capacity": "10",
            "women_only": "on"}
    response = clients.ipo.post(url, data)
    assert response.status_code == 200 and not AssessmentSession.objects.exists()
    assert "The last day cannot be before the first day." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode() or "is-invalid" in response.content.decode()
    data["ends_on"] = str(TODAY + dt.timedelta(days=12))
    response = clients.ipo.post(url, data)
    session = AssessmentSession.objects.get()
    assert response.status_code == 302 and session.women_only and session.language == "fr"


@pytest.mark.parametrize("who", ["coord_a", "officer_x"])
def test_others_cannot_schedule_edit_cancel_or_record(clients, session_xy, who):
    client = getattr(clients, who)
    assert client.get(reverse("planning:session-create")).status_code == 403
    for name in ("session-edit", "session-cancel", "session-results"):
        assert client.get(reverse(f"planning:{name}", args=[session_xy.pk])).status_code == 403


def test_ipo_staff_cancel_with_a_reason(clients, session_xy):
    url = reverse("planning:session-cancel", args=[session_xy.pk])
    response = clients.ipo.post(url, {"reason": ""})
    assert "Say why the session is cancelled." in response.content.decode()
    clients.ipo.post(url, {"reason": "Snow storm"})
    session_xy.refresh_from_db()
    assert session_xy.is_cancelled and session_xy.cancel_reason == "Snow storm"


# --- registering and withdrawing -----------------------------------------------------------------------

def register_url(session):
    return reverse("planning:session-register", args=[session.pk])


def test_a_coordinator_registers_their_officer_from_the_page(clients, world):
    session = make_session(world.ipo)
    response = clients.coord_a.post(register_url(session), {"officer": world.officer_x.pk})
    assert response.status_code == 302
    assert Registration.objects.get().officer == world.officer_x


def test_a_coordinator_of_agency_b_registering_agency_a_officer_gets_404(clients, world):
    session = make_session(world.ipo)
    assert clients.coord_b.post(register_url(session), {"officer": world.officer_x.pk}).status_code == 404
    assert not Registration.objects.exists()


def test_an_officer_cannot_register_anyone(clients, world):
    session = make_session(world.ipo)
    assert clients.officer_x.post(register_url(session), {"officer": world.officer_x.pk}).status_code == 403
    assert "Register an officer" not in page_text(clients.officer_x.get(detail(session)))
    assert not Registration.objects.exists()


def test_the_women_only_refusal_is_shown_next_to_the_officer(clients, world):
    session = make_session(world.ipo, women_only=True)
    man = f.OfficerFactory(agency=world.agency_a, gender=Officer.Gender.MAN, first_name="Marc", last_name="Roy")
    response = clients.coord_a.post(register_url(session), {"officer": man.pk})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This session is for women only: Marc Roy cannot be registered." in html
    assert not Registration.objects.exists()


def test_a_full_session_says_the_officer_is_on_the_waiting_list(clients, world):
    session = make_session(world.ipo, capacity=1)
    clients.coord_a.post(register_url(session), {"officer": world.officer_x.pk})
    other = f.OfficerFactory(agency=world.agency_a)
    response = clients.coord_a.post(register_url(session), {"officer": other.pk}, follow=True)
    assert "is on the waiting list" in response.content.decode()
    assert Registration.objects.get(officer=other).state == "waitlisted"


def test_withdrawing_from_the_pages(clients, session_xy, world):
    reg_x = Registration.objects.get(officer=world.officer_x)
    url = reverse("planning:session-withdraw", args=[reg_x.pk])
    assert clients.coord_b.post(url).status_code == 404
    assert clients.officer_y.post(url).status_code == 404
    assert clients.officer_x.post(url, {"next": "mine"}).url == MINE
    assert Registration.objects.get(pk=reg_x.pk).state == "withdrawn"
    assert Registration.objects.get(officer=world.officer_y).state == "registered"


# --- results and the officer's page ---------------------------------------------------------------------

def test_ipo_staff_record_results_on_the_page(clients, world):
    session = make_session(world.ipo, includes_firearms=True)
    reg = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    url = reverse("planning:session-results", args=[session.pk])
    assert clients.ipo.get(url).status_code == 302  # not started yet
    AssessmentSession.objects.filter(pk=session.pk).update(starts_on=TODAY - dt.timedelta(days=5),
                                                           ends_on=TODAY - dt.timedelta(days=2))
    html = page_text(clients.ipo.get(url))
    assert "Firearms" in html and "<caption" in html
    data = {f"r{reg.pk}-{c}": "pass" for c in ("language", "interview", "driving", "firearms")}
    assert clients.ipo.post(url, data).status_code == 302
    assert Registration.objects.get(pk=reg.pk).outcome == "pass"
    assert world.officer_x.clearances.filter(kind="un_assessment").exists()


def test_an_officer_sees_their_registrations(clients, session_xy, world):
    html = page_text(clients.officer_y.get(MINE))
    assert "CPC Ottawa" in html and "On the waiting list" in html and "(number 1)" in html
    assert clients.coord_a.get(MINE).status_code == 403


@pytest.mark.parametrize("n", [1, 12])
def test_the_results_page_and_my_sessions_run_a_constant_number_of_queries(clients, world,
                                                                          django_assert_num_queries, n):
    session = make_session(world.ipo, capacity=n)
    for _ in range(n):
        services.registration_create(session=session, officer=f.OfficerFactory(agency=world.agency_a),
                                     actor=world.coord_a)
    AssessmentSession.objects.filter(pk=session.pk).update(starts_on=TODAY - dt.timedelta(days=5),
                                                           ends_on=TODAY - dt.timedelta(days=2))
    # session, user, the session, the registrations, their results
    with django_assert_num_queries(5):
        assert clients.ipo.get(reverse("planning:session-results", args=[session.pk])).status_code == 200
    for i in range(n):
        other = make_session(world.ipo, days=40 + i)
        services.registration_create(session=other, officer=world.officer_x, actor=world.coord_a)
    # session, user, the registrations with their places, their results
    with django_assert_num_queries(4):
        assert clients.officer_x.get(MINE).status_code == 200


def test_the_pages_render_in_french(world, session_xy):
    for user in (world.ipo, world.user_x):
        user.preferred_language = "fr"
        user.save()
        client = client_for(user)
        for url in (LIST, detail(session_xy)):
            response = client.get(url)
            assert response.status_code == 200 and '<html lang="fr">' in response.content.decode()
    assert client.get(MINE).status_code == 200


def test_a_coordinator_chooses_among_their_own_officers_only(clients, world):
    session = make_session(world.ipo)
    html = page_text(clients.coord_a.get(detail(session)))
    assert f'value="{world.officer_x.pk}"' in html and "Young, Yves" not in html


def test_ipo_staff_find_the_officer_to_register_by_badge_number_or_name(clients, world, monkeypatch):
    from planning.sessions import views

    monkeypatch.setattr(views, "CHOICES_MAX", 2)  # as with thousands of officers: no select of them all
    session = make_session(world.ipo)
    f.OfficerFactory(agency=world.agency_a, first_name="Zoe", last_name="Zed", badge_number="Z-77")
    html = page_text(clients.ipo.get(detail(session)))
    assert 'name="find"' in html and 'data-testid="more-officers"' in html
    assert 'name="officer"' not in html and "Xavier, Xena" not in html
    html = page_text(clients.ipo.get(detail(session) + "?find=z-77"))
    assert "Zed, Zoe (Z-77)" in html and "Xavier, Xena" not in html
    html = page_text(clients.ipo.get(detail(session) + "?find=xena+xav"))
    assert "Xavier, Xena" in html and "Zed, Zoe" not in html
    html = page_text(clients.ipo.get(detail(session) + "?find=nobody"))
    assert "No active officer you may register matches" in html and 'name="officer"' not in html
    # a coordinator finds only their own agency's officers
    html = page_text(clients.coord_b.get(detail(session) + "?find=Z-77"))
    assert "No active officer you may register matches" in html and "Zed" not in html
    # and the choice posts as before
    response = clients.ipo.post(register_url(session), {"officer": world.officer_y.pk})
    assert response.status_code == 302 and Registration.objects.filter(officer=world.officer_y).exists()


def test_ipo_staff_edit_a_session_from_the_page(clients, world):
    session = make_session(world.ipo, capacity=1)
    services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    services.registration_create(session=session, officer=world.officer_y, actor=world.coord_b)
    url = reverse("planning:session-edit", args=[session.pk])
    data = {"kind": "saat", "starts_on": str(session.starts_on), "ends_on": str(session.ends_on), "place": "Regina",
            "language": "en", "capacity": "0"}
    assert "Ensure this value is greater than or equal to 1." in page_text(clients.ipo.post(url, data))
    data["capacity"] = "2"
    assert clients.ipo.post(url, data).status_code == 302
    assert Registration.objects.filter(state="registered").count() == 2  # Yves moved up
