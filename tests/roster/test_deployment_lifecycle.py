"""Issue 9, item 1: a deployment lifecycle that matches reality.

- A planned tour is cancelled before departure (not "repatriated"), with a reason: the origin
  application returns to Selected, the officer's dates are free again, and the officer and their
  coordinator are emailed; the reason is for IPO staff and the officer only.
- The arrival is recorded on an explicit date: never in the future, confirmed when far from the
  planned start, and kept apart from the planned start.
- Only an officer in mission is repatriated.
Each rule is proved with its forbidden cases.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from notifications.models import OutgoingMail
from notifications.services import Recipient
from roster import services
from roster.medals import days_served
from roster.models import Application, ApplicationEvent, Deployment, DeploymentEvent
from roster.permissions import can_read_cancellation_reason, recipient_can_read_cancellation_reason
from roster.selectors import roster_for
from tests import factories as f
from tests.clock import TODAY
from tests.pages import page_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pin_today")]

D = Deployment.Status
REASON = "Failed the pre-deployment medical; surgery booked"
BEFORE_DEPARTURE = "Cancelled before departure"


@pytest.fixture
def tour(world):
    """Officer X, selected on a 12-month bulletin and deployed (planned) from 2027-10-15 through the
    service; X's current tour (dep_x) is gone so the dates are free."""
    world.dep_x.delete()
    bulletin = f.BulletinFactory(mission=world.mission, duration_months=12, positions=1,
                                 deployment_start=dt.date(2027, 10, 15))
    application = f.ApplicationFactory(bulletin=bulletin, officer=world.officer_x, status="selected")
    world.application = application
    world.planned = services.deployment_create(application=application, actor=world.ipo, role="Police adviser",
                                               start_date=dt.date(2027, 10, 15))
    return world


@pytest.fixture
def due(world):
    """Officer Y's next tour, planned to begin ten days ago (Y's current tour ended then)."""
    world.dep_y.planned_end_date = TODAY - dt.timedelta(days=10)
    world.dep_y.save()
    return f.DeploymentFactory(officer=world.officer_y, mission=world.mission, status="planned",
                               start_date=TODAY - dt.timedelta(days=10),
                               planned_end_date=TODAY + dt.timedelta(days=270))


def cancel(deployment, actor, reason=REASON):
    return services.deployment_cancel(deployment=deployment, actor=actor, reason=reason)


def url(name, deployment):
    return reverse(f"roster:{name}", kwargs={"pk": deployment.pk})


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- cancelling: the service --------------------------------------------------------------------

def test_it_cancels_a_planned_tour_and_returns_the_application_to_selected(tour):
    d = cancel(tour.planned, tour.ipo, reason=f"  {REASON}  ")
    d.refresh_from_db()
    assert (d.status, d.cancellation_reason, d.actual_end_date, d.actual_start_date) == (D.CANCELLED, REASON,
                                                                                         None, None)
    assert d.cancelled_at is not None
    assert d.start_date == dt.date(2027, 10, 15)  # the plan is kept as it was
    tour.application.refresh_from_db()
    assert tour.application.status == "selected"
    event = tour.application.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("deployed", "selected", tour.ipo)
    # a system note: a code with its parameters, in words in the reader's language (roster.notes)
    assert (event.note, event.note_code, event.note_params) == ("", "application.deployment_cancelled",
                                                                {"mission": "BINUH"})
    assert str(event.system_note) == "Deployment to BINUH cancelled before departure."
    logged = d.events.last()
    assert (logged.action, logged.actor, logged.note) == ("cancelled", tour.ipo, REASON)
    # not a repatriation: nothing says the officer came home
    assert d.repatriation_reason == "" and not d.events.filter(action="repatriated").exists()


def test_it_refuses_to_cancel_without_a_reason(tour):
    with pytest.raises(ValidationError) as exc:
        cancel(tour.planned, tour.ipo, reason="   ")
    assert exc.value.message_dict["reason"] == ["Give the reason for the cancellation."]
    assert Deployment.objects.get(pk=tour.planned.pk).status == D.PLANNED


@pytest.mark.parametrize("persona", ["coord_a", "user_x", "coord_b", "user_y"])
def test_only_ipo_staff_cancel(tour, persona):
    with pytest.raises(PermissionDenied):
        cancel(tour.planned, getattr(tour, persona))
    assert Deployment.objects.get(pk=tour.planned.pk).status == D.PLANNED
    assert Application.objects.get(pk=tour.application.pk).status == "deployed"


@pytest.mark.parametrize("status,message", [
    (D.IN_MISSION, "The officer is already in mission: repatriate or complete the tour instead."),
    (D.COMPLETED, "Only a planned deployment can be cancelled."),
    (D.REPATRIATED, "Only a planned deployment can be cancelled."),
])
def test_it_cancels_only_a_planned_tour(world, status, message):
    d = world.dep_x
    Deployment.objects.filter(pk=d.pk).update(status=status, actual_end_date=None if status == D.IN_MISSION else TODAY)
    with pytest.raises(ValidationError) as exc:
        cancel(d, world.ipo)
    assert exc.value.messages == [message]
    assert Deployment.objects.get(pk=d.pk).status == status
    assert not DeploymentEvent.objects.filter(deployment=d).exists()


def test_it_refuses_a_second_cancellation_even_from_a_stale_copy(tour):
    stale = Deployment.objects.get(pk=tour.planned.pk)
    cancel(tour.planned, tour.ipo)
    with pytest.raises(ValidationError) as exc:
        cancel(stale, tour.ipo, reason="Another reason")
    assert exc.value.messages == ["This deployment is already cancelled."]
    assert Deployment.objects.get(pk=stale.pk).cancellation_reason == REASON
    assert tour.application.events.filter(to_status="selected").count() == 1


def test_a_cancelled_tour_can_no_longer_start_extend_end_or_be_repatriated(tour):
    stale = Deployment.objects.get(pk=tour.planned.pk)  # read before the cancellation, as a racing request would
    cancel(tour.planned, tour.ipo)
    for call in (
        lambda: services.deployment_start(deployment=stale, actor=tour.ipo, arrived_on=TODAY),
        lambda: services.deployment_extend(deployment=stale, actor=tour.ipo, new_end=dt.date(2029, 1, 1), reason="x"),
        lambda: services.deployment_complete(deployment=stale, actor=tour.ipo, on=TODAY),
        lambda: services.deployment_repatriate(deployment=stale, actor=tour.ipo, reason="medical"),
    ):
        with pytest.raises(ValidationError):
            call()
    d = Deployment.objects.get(pk=stale.pk)
    assert (d.status, d.actual_start_date, d.planned_end_date) == (D.CANCELLED, None, tour.planned.planned_end_date)


def test_a_cancelled_tour_frees_the_officer_and_the_application_may_be_deployed_again(tour):
    cancel(tour.planned, tour.ipo)
    # overlap: the same dates are free again
    assert not services.overlapping(officer_id=tour.officer_x.pk, start=dt.date(2027, 10, 15),
                                    end=dt.date(2028, 10, 15)).exists()
    # re-planned from the same application, a month later
    again = services.deployment_create(application=tour.application, actor=tour.ipo, role="Police adviser",
                                       start_date=dt.date(2027, 11, 15))
    assert again.application == tour.application and again.status == D.PLANNED
    tour.application.refresh_from_db()
    assert tour.application.status == "deployed"
    assert tour.application.deployment == again  # the live one, not the cancelled one
    assert list(tour.application.events.values_list("to_status", flat=True)) == ["deployed", "selected", "deployed"]


def test_a_cancelled_tour_does_not_count_towards_the_strength_or_the_roster(tour):
    tour.mission.authorized_strength = 2
    tour.mission.save()
    window = {"mission": tour.mission, "start": dt.date(2027, 10, 15), "end": dt.date(2028, 10, 15)}
    assert services.strength_problems(**window)  # Y in mission and X's planned tour fill both places
    cancel(tour.planned, tour.ipo)
    assert services.strength_problems(**window) == []
    assert tour.planned not in roster_for(tour.ipo)
    assert days_served(Deployment.objects.get(pk=tour.planned.pk), today=dt.date(2028, 6, 1)) == 0


def test_the_database_refuses_a_cancelled_row_without_a_reason(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Deployment.objects.filter(pk=world.dep_x.pk).update(status=D.CANCELLED)


def test_the_database_keeps_one_live_deployment_per_application(tour):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Deployment.objects.create(officer=f.OfficerFactory(), mission=tour.mission, application=tour.application,
                                  role="x", start_date=dt.date(2030, 1, 1), planned_end_date=dt.date(2030, 6, 1))


# --- cancelling: who reads the reason -------------------------------------------------------------

def test_only_ipo_staff_and_the_officer_concerned_read_the_reason(tour):
    d = cancel(tour.planned, tour.ipo)
    assert can_read_cancellation_reason(tour.ipo, d) and can_read_cancellation_reason(tour.user_x, d)
    for user in (tour.coord_a, tour.coord_b, tour.user_y):
        assert not can_read_cancellation_reason(user, d)
    assert recipient_can_read_cancellation_reason(Recipient(email=tour.officer_x.email.upper()), d)
    assert not recipient_can_read_cancellation_reason(Recipient(email="someone@example.test"), d)


def mail(to, deployment) -> OutgoingMail:
    return OutgoingMail.objects.filter(to=to, topic=f"deployment:{deployment.pk}").latest("id")


def test_the_officer_and_their_coordinator_are_emailed_and_only_the_officer_reads_the_reason(tour):
    d = cancel(tour.planned, tour.ipo)
    officer = mail(tour.user_x.email, d)
    assert "Cancelled" in officer.subject
    for body in (officer.body_text, officer.body_html):
        assert "was cancelled before departure" in body and REASON in body
        assert "The application returns to Selected" in body
    coordinator = mail(tour.coord_a.email, d)
    for body in (coordinator.subject, coordinator.body_text, coordinator.body_html):
        assert REASON not in body
    assert BEFORE_DEPARTURE in coordinator.body_text and BEFORE_DEPARTURE in coordinator.body_html
    assert not OutgoingMail.objects.filter(to=tour.coord_b.email, topic=f"deployment:{d.pk}").exists()
    # the application's own email carries the generic note only
    for row in OutgoingMail.objects.filter(topic=f"application:{tour.application.pk}"):
        assert REASON not in row.body_text


def test_a_coordinator_writing_in_french_does_not_read_the_reason_either(tour):
    tour.coord_a.preferred_language = "fr"
    tour.coord_a.save()
    d = cancel(tour.planned, tour.ipo)
    coordinator = mail(tour.coord_a.email, d)
    assert "Annulé" in coordinator.subject
    assert REASON not in coordinator.body_text and REASON not in coordinator.body_html


# --- the arrival --------------------------------------------------------------------------------

def start(deployment, actor, arrived_on, **kw):
    return services.deployment_start(deployment=deployment, actor=actor, arrived_on=arrived_on, **kw)


def test_it_records_the_arrival_apart_from_the_planned_start(world, due):
    arrived = due.start_date + dt.timedelta(days=2)
    d = start(due, world.ipo, arrived)
    d.refresh_from_db()
    assert (d.status, d.start_date, d.actual_start_date) == (D.IN_MISSION, TODAY - dt.timedelta(days=10), arrived)
    assert d.effective_start_date == arrived
    assert d.events.get().data == {"on": arrived.isoformat(), "planned": d.start_date.isoformat(), "confirmed": False}


def test_it_refuses_an_arrival_without_a_date_or_in_the_future(world, due):
    with pytest.raises(ValidationError) as exc:
        start(due, world.ipo, None)
    assert exc.value.message_dict["arrived_on"] == ["Give the date the officer arrived in mission."]
    with pytest.raises(ValidationError) as exc:
        start(due, world.ipo, TODAY + dt.timedelta(days=1), confirm_far_from_plan=True)
    assert exc.value.message_dict["arrived_on"] == [
        "Record the arrival once it has happened: the date cannot be in the future."]
    planned_in_2027 = f.DeploymentFactory(status="planned", start_date=dt.date(2027, 10, 15))
    with pytest.raises(ValidationError) as exc:  # the planned start itself, not yet come
        start(planned_in_2027, world.ipo, planned_in_2027.start_date)
    assert "arrived_on" in exc.value.message_dict
    for d in (due, planned_in_2027):
        d.refresh_from_db()
        assert (d.status, d.actual_start_date) == (D.PLANNED, None)


def test_an_arrival_far_from_the_planned_start_needs_a_confirmation(world, due):
    far = due.start_date - dt.timedelta(days=4)  # default ARRIVAL_CONFIRM_DAYS: 3
    world.dep_y.planned_end_date = far
    world.dep_y.save()
    with pytest.raises(ValidationError) as exc:
        start(due, world.ipo, far)
    assert list(exc.value.message_dict) == ["confirm_far_from_plan"]
    assert "4 days from the planned start" in exc.value.message_dict["confirm_far_from_plan"][0]
    due.refresh_from_db()
    assert due.status == D.PLANNED
    start(due, world.ipo, far, confirm_far_from_plan=True)
    due.refresh_from_db()
    assert (due.status, due.actual_start_date, due.start_date) == (D.IN_MISSION, far, TODAY - dt.timedelta(days=10))
    assert due.events.get().data["confirmed"] is True


@pytest.mark.parametrize("days,needs_confirmation", [(3, False), (4, True), (-3, False), (-4, True)])
def test_the_confirmation_threshold_is_a_setting(world, due, settings, days, needs_confirmation):
    settings.ROSTER = {k: v for k, v in settings.ROSTER.items() if k != "ARRIVAL_CONFIRM_DAYS"}  # the default: 3
    world.dep_y.planned_end_date = TODAY - dt.timedelta(days=20)
    world.dep_y.save()
    arrived = due.start_date + dt.timedelta(days=days)
    if needs_confirmation:
        with pytest.raises(ValidationError):
            start(due, world.ipo, arrived)
        settings.ROSTER = {**settings.ROSTER, "ARRIVAL_CONFIRM_DAYS": 5}
    start(due, world.ipo, arrived)
    assert Deployment.objects.get(pk=due.pk).actual_start_date == arrived


def test_an_early_arrival_meets_the_overlap_check(world, due):
    # Y's previous tour ends on the planned start: arriving two days earlier would overlap it
    world.dep_y.planned_end_date = due.start_date
    world.dep_y.save()
    with pytest.raises(ValidationError) as exc:
        start(due, world.ipo, due.start_date - dt.timedelta(days=2))
    assert "already deployed" in exc.value.message_dict["start_date"][0]


def test_only_ipo_staff_record_an_arrival_and_only_of_a_planned_tour(world, due):
    for user in (world.coord_b, world.user_y):
        with pytest.raises(PermissionDenied):
            start(due, user, due.start_date)
    with pytest.raises(ValidationError) as exc:
        start(world.dep_x, world.ipo, TODAY)
    assert exc.value.messages == ["Only a planned deployment can start."]


def test_the_days_served_count_from_the_arrival(world, due):
    start(due, world.ipo, due.start_date + dt.timedelta(days=2))
    assert days_served(Deployment.objects.get(pk=due.pk), today=TODAY) == 8


# --- repatriation ---------------------------------------------------------------------------------

def test_a_planned_tour_is_not_repatriated_but_cancelled(tour):
    with pytest.raises(ValidationError) as exc:
        services.deployment_repatriate(deployment=tour.planned, actor=tour.ipo, reason="medical")
    assert exc.value.messages == ["The officer has not left yet: cancel the deployment instead of repatriating."]
    d = Deployment.objects.get(pk=tour.planned.pk)
    assert (d.status, d.actual_end_date, d.repatriation_reason) == (D.PLANNED, None, "")


def test_a_return_before_the_arrival_is_refused(world, due):
    start(due, world.ipo, due.start_date + dt.timedelta(days=3))
    with pytest.raises(ValidationError) as exc:
        services.deployment_repatriate(deployment=due, actor=world.ipo, reason="medical",
                                       on=due.start_date + dt.timedelta(days=1))
    assert "before the arrival" in exc.value.message_dict["on"][0]


# --- the pages ------------------------------------------------------------------------------------

def test_the_planned_tours_page_offers_cancel_not_repatriate_to_ipo_staff(tour, clients):
    response = clients.ipo.get(url("deployment-detail", tour.planned))
    assert response.context["actions"] == {"start": True, "complete": False, "extend": True, "repatriate": False,
                                           "cancel": True}
    html = page_text(response)
    assert url("deployment-cancel", tour.planned) in html and url("deployment-repatriate", tour.planned) not in html
    for client in (clients.coord_a, clients.officer_x):
        html = page_text(client.get(url("deployment-detail", tour.planned)))
        assert url("deployment-cancel", tour.planned) not in html


def test_the_confirmation_page_says_what_will_happen(tour, clients):
    response = clients.ipo.get(url("deployment-cancel", tour.planned))
    assert response.status_code == 200
    html = page_text(response)
    assert "The officer's application returns to Selected; the officer and their coordinator are emailed." in html
    assert 'data-testid="privacy-notice"' in html  # the reason is personal information
    assert Deployment.objects.get(pk=tour.planned.pk).status == D.PLANNED  # a GET changes nothing


@pytest.mark.parametrize("persona,status", [("coord_a", 403), ("officer_x", 403), ("coord_b", 404),
                                            ("officer_y", 404)])
def test_the_confirmation_page_and_the_cancellation_are_for_ipo_staff(tour, clients, persona, status):
    client = getattr(clients, persona)
    assert client.get(url("deployment-cancel", tour.planned)).status_code == status
    assert client.post(url("deployment-cancel", tour.planned), {"reason": REASON}).status_code == status
    assert Deployment.objects.get(pk=tour.planned.pk).status == D.PLANNED


def test_ipo_staff_cancel_from_the_page_and_see_the_reason(tour, clients):
    response = clients.ipo.post(url("deployment-cancel", tour.planned), {"reason": REASON}, follow=True)
    assert response.redirect_chain == [(url("deployment-detail", tour.planned), 302)]
    assert messages_of(response) == ["The deployment is cancelled; the application is back to Selected."]
    html = page_text(response)
    assert 'data-testid="deployment-status">Cancelled</span>' in html
    assert f'data-testid="cancellation-reason">{REASON}</dd>' in html
    assert "Cancelled before departure; the application returned to Selected." in html  # the history
    assert not any(response.context["actions"].values())


def test_the_reason_is_shown_to_the_officer_and_hidden_from_the_coordinator(tour, clients):
    cancel(tour.planned, tour.ipo)
    html = page_text(clients.officer_x.get(url("deployment-detail", tour.planned)))
    assert f'data-testid="cancellation-reason">{REASON}</dd>' in html
    html = page_text(clients.coord_a.get(url("deployment-detail", tour.planned)))
    assert f'data-testid="cancellation-reason">{BEFORE_DEPARTURE}</dd>' in html
    assert REASON not in html  # neither the field nor the history's note


def test_the_application_timeline_shows_the_return_to_selected(tour, clients):
    cancel(tour.planned, tour.ipo)
    for client in (clients.ipo, clients.coord_a, clients.officer_x):
        response = client.get(reverse("roster:application-detail", kwargs={"pk": tour.application.pk}))
        html = page_text(response)
        assert "Deployed → Selected" in html
        assert "Deployment to BINUH cancelled before departure." in html
        assert REASON not in html or client is clients.ipo


def test_a_cancellation_without_a_reason_is_refused_next_to_the_field(tour, clients):
    response = clients.ipo.post(url("deployment-cancel", tour.planned), {"reason": " "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Give the reason for the cancellation."]
    assert Deployment.objects.get(pk=tour.planned.pk).status == D.PLANNED


def test_a_second_cancellation_from_the_page_is_refused_with_a_message(tour, clients):
    cancel(tour.planned, tour.ipo)
    response = clients.ipo.get(url("deployment-cancel", tour.planned), follow=True)
    assert messages_of(response) == ["Only a planned deployment can be cancelled."]
    response = clients.ipo.post(url("deployment-cancel", tour.planned), {"reason": "Again"})
    assert response.context["form"].errors["__all__"] == ["This deployment is already cancelled."]
    assert DeploymentEvent.objects.filter(deployment=tour.planned, action="cancelled").count() == 1


def test_the_arrival_form_asks_for_a_confirmation_only_with_the_warning(world, clients, due):
    world.dep_y.planned_end_date = TODAY - dt.timedelta(days=20)
    world.dep_y.save()
    form = clients.ipo.get(url("deployment-detail", due)).context["start_form"]
    assert form.initial["arrived_on"] == due.start_date and "confirm_far_from_plan" not in form.fields
    far = (due.start_date - dt.timedelta(days=7)).isoformat()
    response = clients.ipo.post(url("deployment-start", due), {"start-arrived_on": far})
    form = response.context["start_form"]
    assert "7 days from the planned start" in form.errors["confirm_far_from_plan"][0]
    assert 'name="start-confirm_far_from_plan"' in page_text(response)
    due.refresh_from_db()
    assert due.status == D.PLANNED
    response = clients.ipo.post(url("deployment-start", due),
                                {"start-arrived_on": far, "start-confirm_far_from_plan": "on"}, follow=True)
    assert messages_of(response) == ["The officer's arrival in mission is recorded."]
    due.refresh_from_db()
    assert (due.status, due.actual_start_date.isoformat()) == (D.IN_MISSION, far)
    assert 'data-testid="arrival">' in page_text(response)


def test_an_arrival_in_the_future_is_refused_next_to_the_date(world, clients, due):
    response = clients.ipo.post(url("deployment-start", due),
                                {"start-arrived_on": (TODAY + dt.timedelta(days=1)).isoformat()})
    assert response.context["start_form"].errors["arrived_on"] == [
        "Record the arrival once it has happened: the date cannot be in the future."]


def test_a_planned_tour_sent_to_the_repatriation_page_is_pointed_to_cancel(tour, clients):
    response = clients.ipo.get(url("deployment-repatriate", tour.planned), follow=True)
    assert messages_of(response) == ["The officer has not left yet: cancel the deployment instead of repatriating."]
    response = clients.ipo.post(url("deployment-repatriate", tour.planned), {"reason": "medical"})
    assert response.context["form"].errors["__all__"] == [
        "The officer has not left yet: cancel the deployment instead of repatriating."]


def test_the_new_pages_are_well_formed(world, tour, clients, due):
    from tests.privacy.test_pages_html import check

    world.dep_y.planned_end_date = TODAY - dt.timedelta(days=20)
    world.dep_y.save()
    check(page_text(clients.ipo.get(url("deployment-cancel", tour.planned))))
    check(page_text(clients.ipo.post(url("deployment-cancel", tour.planned), {"reason": ""})))
    check(page_text(clients.ipo.post(url("deployment-start", due),
                                     {"start-arrived_on": (due.start_date - dt.timedelta(days=7)).isoformat()})))
    cancel(tour.planned, tour.ipo)
    for client in (clients.ipo, clients.coord_a):
        check(page_text(client.get(url("deployment-detail", tour.planned))))


# --- pinned query counts -------------------------------------------------------------------------

# session + user, deployment (officer, agency, mission, application, bulletin joined), the audit
# entry of the read, the linked deployments, events (actor joined): as for any deployment
CANCELLED_PAGE_QUERIES = 6
# session + user, the deployment (officer, agency, mission joined)
CANCEL_FORM_QUERIES = 3


def test_the_cancelled_deployment_page_takes_a_constant_number_of_queries(tour, clients, django_assert_num_queries):
    cancel(tour.planned, tour.ipo)
    for client in (clients.ipo, clients.coord_a):
        with django_assert_num_queries(CANCELLED_PAGE_QUERIES):
            client.get(url("deployment-detail", tour.planned))


def test_the_confirmation_page_takes_a_constant_number_of_queries(tour, clients, django_assert_num_queries):
    with django_assert_num_queries(CANCEL_FORM_QUERIES):
        assert clients.ipo.get(url("deployment-cancel", tour.planned)).status_code == 200


# --- concurrency (PostgreSQL) ---------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_cancellation_and_an_arrival_racing_on_one_tour_leave_one_outcome():
    import threading

    from django.db import connection

    ipo = f.IpoStaffFactory()
    planned = f.DeploymentFactory(status="planned", start_date=TODAY - dt.timedelta(days=1))
    barrier = threading.Barrier(2)
    outcomes = []

    def run(work):
        try:
            barrier.wait(timeout=10)
            work()
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(lambda: cancel(planned, ipo),)),
        threading.Thread(target=run, args=(lambda: start(planned, ipo, planned.start_date),)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(outcomes) == 2 and outcomes.count("ok") == 1, outcomes
    d = Deployment.objects.get(pk=planned.pk)
    assert d.status in (D.CANCELLED, D.IN_MISSION)
    assert DeploymentEvent.objects.filter(deployment=d).count() == 1
    assert not ApplicationEvent.objects.exists()


@pytest.mark.postgres
def test_the_exclusion_constraint_leaves_cancelled_tours_out_and_counts_from_the_arrival(world):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    world.dep_x.delete()
    dates = {"start_date": dt.date(2027, 10, 15), "planned_end_date": dt.date(2028, 10, 15)}
    Deployment.objects.create(officer=world.officer_x, mission=world.mission, role="x", status=D.CANCELLED,
                              cancelled_at=timezone.now(), cancellation_reason=REASON, **dates)
    live = Deployment.objects.create(officer=world.officer_x, mission=world.mission, role="x", **dates)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deployment.objects.create(officer=world.officer_x, mission=world.mission, role="x", **dates)
    # the tour runs from the arrival: an earlier tour ending after it now overlaps
    Deployment.objects.create(officer=world.officer_x, mission=world.mission, role="x", status=D.COMPLETED,
                              start_date=dt.date(2027, 1, 1), planned_end_date=dt.date(2027, 10, 1),
                              actual_start_date=dt.date(2027, 1, 1), actual_end_date=dt.date(2027, 10, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Deployment.objects.filter(pk=live.pk).update(status=D.IN_MISSION, actual_start_date=dt.date(2027, 9, 30))
