"""Deployment pages: IPO staff create, start, extend, repatriate and complete; everyone else reads
what they may see (403 for a visible deployment's actions, 404 for what they may not see)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import formats, translation

from roster.models import Application, Deployment, DeploymentEvent
from roster.services import add_months
from tests import factories as f
from tests.clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pin_today")]


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def shown(day):
    return formats.date_format(day, "DATE_FORMAT")


@pytest.fixture
def selected(world):
    """Officer X selected on a 12-month bulletin needing a medical clearance, which X holds; X's
    current deployment (dep_x) is gone so the new tour does not overlap."""
    bulletin = f.BulletinFactory(mission=world.mission, duration_months=12, required_clearances=["medical"],
                                 deployment_start=TODAY + dt.timedelta(days=30))
    f.ClearanceFactory(officer=world.officer_x, kind="medical", valid_until=TODAY + dt.timedelta(days=900))
    world.dep_x.delete()
    return f.ApplicationFactory(bulletin=bulletin, officer=world.officer_x, status="selected")


def create_url(application):
    return reverse("roster:deployment-create", kwargs={"application_pk": application.pk})


def url(name, deployment):
    return reverse(f"roster:{name}", kwargs={"pk": deployment.pk})


def create_data(application, **overrides):
    data = {
        "role": "Police adviser",
        "mission": application.bulletin.mission_id,
        "start_date": application.bulletin.deployment_start.isoformat(),
        "planned_end_date": "",
        "replaces": "",
        "override_reason": "",
    }
    data.update(overrides)
    return data


# --- create -----------------------------------------------------------------------------------

def test_it_shows_the_create_form_with_the_bulletins_defaults(clients, world, selected):
    response = clients.ipo.get(create_url(selected))
    assert response.status_code == 200
    form = response.context["form"]
    start = selected.bulletin.deployment_start
    assert form.initial["mission"] == world.mission and form.initial["start_date"] == start
    assert shown(add_months(start, 12)) in form.fields["planned_end_date"].help_text
    assert response.context["warnings"] == {"overlaps": [], "clearances": [], "strength": []}
    assert list(form.fields["replaces"].queryset) == [world.dep_y]  # current deployments of the mission


def test_it_warns_before_submitting_that_an_override_will_be_needed(clients, world, selected):
    world.officer_x.clearances.all().delete()
    world.mission.authorized_strength = 1
    world.mission.save()
    response = clients.ipo.get(create_url(selected))
    warnings = response.context["warnings"]
    assert warnings["clearances"] == ["Medical is missing."]
    assert "authorised strength of 1" in warnings["strength"][0]
    html = response.content.decode()
    assert "Medical is missing." in html and "an override will be needed" in html


def test_it_creates_a_deployment_and_redirects_to_its_page(clients, world, selected):
    response = clients.ipo.post(create_url(selected), create_data(selected), follow=True)
    deployment = Deployment.objects.get(application=selected)
    assert response.redirect_chain == [(url("deployment-detail", deployment), 302)]
    assert deployment.planned_end_date == add_months(selected.bulletin.deployment_start, 12)
    assert (deployment.status, deployment.mission, deployment.officer) == ("planned", world.mission, world.officer_x)
    assert Application.objects.get(pk=selected.pk).status == "deployed"
    assert "Xena Xavier is deployed to BINUH" in messages_of(response)[0]
    assert "Deployment created" in response.content.decode()


def test_it_shows_an_overlap_next_to_the_start_date(clients, world, selected):
    f.DeploymentFactory(officer=world.officer_x, mission=world.mission, start_date=TODAY,
                        planned_end_date=TODAY + dt.timedelta(days=60))
    response = clients.ipo.post(create_url(selected), create_data(selected))
    assert response.status_code == 200
    assert "already deployed" in response.context["form"].errors["start_date"][0]
    assert len(response.context["warnings"]["overlaps"]) == 1
    assert Application.objects.get(pk=selected.pk).status == "selected"


def test_it_shows_a_missing_clearance_next_to_its_override(clients, world, selected):
    world.officer_x.clearances.all().delete()
    response = clients.ipo.post(create_url(selected), create_data(selected))
    errors = response.context["form"].errors
    assert errors["override_clearances"] == [
        "Medical is missing.", "Tick the override and give a reason to deploy anyway."
    ]
    assert not Deployment.objects.filter(application=selected).exists()
    # ticking the override without a reason is not enough: the reason's field says so
    response = clients.ipo.post(create_url(selected), create_data(selected, override_clearances="on"))
    assert response.context["form"].errors["override_reason"] == [
        "Say why the deployment goes ahead despite the warnings."
    ]
    assert not Deployment.objects.filter(application=selected).exists()


def test_it_shows_the_strength_limit_next_to_its_override(clients, world, selected):
    world.mission.authorized_strength = 1  # dep_y fills the only place
    world.mission.save()
    response = clients.ipo.post(create_url(selected), create_data(selected))
    assert "authorised strength of 1" in response.context["form"].errors["override_strength"][0]
    assert not Deployment.objects.filter(application=selected).exists()


def test_it_deploys_with_an_override_and_its_reason_recorded(clients, world, selected):
    world.officer_x.clearances.update(valid_until=TODAY + dt.timedelta(days=100))
    world.mission.authorized_strength = 1
    world.mission.save()
    data = create_data(selected, override_clearances="on", override_strength="on",
                       override_reason="Minister approved a surge; medical renewal booked")
    response = clients.ipo.post(create_url(selected), data)
    deployment = Deployment.objects.get(application=selected)
    assert response.status_code == 302
    assert deployment.override_reason == "Minister approved a surge; medical renewal booked"
    event = DeploymentEvent.objects.get(deployment=deployment)
    assert set(event.data["overrides"]) == {"clearances", "strength"}
    html = clients.ipo.get(url("deployment-detail", deployment)).content.decode()
    assert "Minister approved a surge" in html and "Clearances overridden:" in html


def test_it_records_a_rotation_and_links_both_ways(clients, world, selected):
    start = world.dep_y.planned_end_date - dt.timedelta(days=14)
    response = clients.ipo.post(
        create_url(selected), create_data(selected, start_date=start.isoformat(), replaces=world.dep_y.pk)
    )
    deployment = Deployment.objects.get(application=selected)
    assert response.status_code == 302 and deployment.replaces == world.dep_y
    page = clients.ipo.get(url("deployment-detail", deployment))
    assert page.context["previous"] == world.dep_y and page.context["handover"]["overlap_days"] == 14
    assert clients.ipo.get(url("deployment-detail", world.dep_y)).context["successors"] == [deployment]
    # coordinator A sees X's deployment but not Y's, which it replaces
    page = clients.coord_a.get(url("deployment-detail", deployment))
    assert page.context["previous"] is None and page.context["previous_hidden"]
    assert "Yves Young" not in page.content.decode()


def test_it_refuses_a_rotation_on_another_mission_next_to_the_field(clients, world, selected):
    other = f.MissionFactory(code="UNMISS")
    replaced = f.DeploymentFactory(mission=other)
    response = clients.ipo.post(
        create_url(selected), create_data(selected, mission=other.pk, replaces=replaced.pk)
    )
    assert response.status_code == 302  # the list follows the chosen mission: a rotation on UNMISS
    selected2 = f.ApplicationFactory(bulletin=selected.bulletin, officer=world.officer_y, status="selected")
    world.dep_y.delete()
    f.ClearanceFactory(officer=world.officer_y, kind="medical")
    response = clients.ipo.post(create_url(selected2), create_data(selected2, replaces=replaced.pk))
    assert "replaces" in response.context["form"].errors  # not a current deployment of BINUH


def test_it_refuses_to_deploy_an_application_that_is_not_selected_with_a_message(clients, world):
    for method in ("get", "post"):
        response = getattr(clients.ipo, method)(create_url(world.app_x), follow=True)
        assert response.redirect_chain == [(reverse("roster:application-detail", kwargs={"pk": world.app_x.pk}), 302)]
        assert messages_of(response) == ["Only a selected application can become a deployment; this one is "
                                         "“Submitted”."]
    assert not Deployment.objects.filter(application=world.app_x).exists()


def test_it_sends_an_already_deployed_application_to_its_deployment(clients, world, selected):
    clients.ipo.post(create_url(selected), create_data(selected))
    deployment = Deployment.objects.get(application=selected)
    response = clients.ipo.get(create_url(selected))
    assert response.status_code == 302 and response["Location"] == url("deployment-detail", deployment)


@pytest.mark.parametrize("persona,status", [("coord_a", 403), ("officer_x", 403), ("coord_b", 404),
                                            ("officer_y", 404)])
def test_only_ipo_staff_create_deployments(clients, world, selected, persona, status):
    response = getattr(clients, persona).post(create_url(selected), create_data(selected))
    assert response.status_code == status
    assert not Deployment.objects.filter(application=selected).exists()


# --- the deployment page ---------------------------------------------------------------------

def test_it_shows_the_deployment_to_its_coordinator_and_officer_without_actions(clients, world):
    for persona in ("coord_a", "officer_x"):
        response = getattr(clients, persona).get(url("deployment-detail", world.dep_x))
        assert response.status_code == 200
        assert not any(response.context["actions"].values())
        html = response.content.decode()
        assert url("deployment-extend", world.dep_x) not in html and 'method="post" action="/deployments' not in html
    response = clients.ipo.get(url("deployment-detail", world.dep_x))
    assert response.context["actions"] == {"start": False, "complete": True, "extend": True, "repatriate": True,
                                           "cancel": False}


def test_it_answers_404_for_deployments_the_user_may_not_see(clients, world):
    assert clients.coord_b.get(url("deployment-detail", world.dep_x)).status_code == 404
    assert clients.officer_y.get(url("deployment-detail", world.dep_x)).status_code == 404


ACTIONS = [
    ("deployment-start", {"start-arrived_on": ""}),
    ("deployment-cancel", {"reason": "Mission postponed"}),
    ("deployment-complete", {"complete-on": ""}),
    ("deployment-extend", {"new_end": "2040-01-01", "reason": "More time"}),
    ("deployment-repatriate", {"reason": "medical", "note": "", "on": ""}),
]


@pytest.mark.parametrize("name,data", ACTIONS)
@pytest.mark.parametrize("persona,status", [("coord_a", 403), ("officer_x", 403), ("coord_b", 404),
                                            ("officer_y", 404)])
def test_only_ipo_staff_change_a_deployment(clients, world, name, data, persona, status):
    planned = f.DeploymentFactory(officer=world.officer_x, mission=world.mission, status="planned",
                                  start_date=world.dep_x.planned_end_date,
                                  planned_end_date=world.dep_x.planned_end_date + dt.timedelta(days=200))
    target = planned if name in ("deployment-start", "deployment-cancel") else world.dep_x
    before = Deployment.objects.values().get(pk=target.pk)
    response = getattr(clients, persona).post(url(name, target), data)
    assert response.status_code == status
    assert Deployment.objects.values().get(pk=target.pk) == before
    assert not DeploymentEvent.objects.filter(deployment=target).exists()


@pytest.mark.parametrize("name", ["deployment-extend", "deployment-repatriate"])
def test_the_action_forms_are_for_ipo_staff(clients, world, name):
    assert clients.ipo.get(url(name, world.dep_x)).status_code == 200
    assert clients.coord_a.get(url(name, world.dep_x)).status_code == 403
    assert clients.coord_b.get(url(name, world.dep_x)).status_code == 404


@pytest.mark.parametrize("name", ["deployment-start", "deployment-complete"])
def test_start_and_complete_take_post_only(clients, world, name):
    assert clients.ipo.get(url(name, world.dep_x)).status_code == 405


# --- start -------------------------------------------------------------------------------------

@pytest.fixture
def planned(world):
    """X's next tour, starting the day dep_x ends."""
    return f.DeploymentFactory(officer=world.officer_x, mission=world.mission, status="planned",
                               start_date=world.dep_x.planned_end_date,
                               planned_end_date=world.dep_x.planned_end_date + dt.timedelta(days=270))


@pytest.fixture
def due(world):
    """Officer Y's next tour, due to begin two days ago (Y's current tour ended then)."""
    world.dep_y.planned_end_date = TODAY - dt.timedelta(days=2)
    world.dep_y.save()
    return f.DeploymentFactory(officer=world.officer_y, mission=world.mission, status="planned",
                               start_date=TODAY - dt.timedelta(days=2),
                               planned_end_date=TODAY + dt.timedelta(days=270))


def test_it_records_the_arrival(clients, world, due):
    response = clients.ipo.post(url("deployment-start", due), {"start-arrived_on": due.start_date.isoformat()},
                                follow=True)
    due.refresh_from_db()
    assert due.status == "in_mission"
    assert messages_of(response) == ["The officer's arrival in mission is recorded."]
    event = due.events.get()
    assert (event.action, event.actor, event.data) == ("started", world.ipo, {
        "on": due.start_date.isoformat(), "planned": due.start_date.isoformat(), "confirmed": False})
    assert due.actual_start_date == due.start_date
    assert f"Arrived on {shown(due.start_date)}." in response.content.decode()


def test_it_shows_an_arrival_refusal_next_to_the_date(clients, world, planned, due):
    # today: X is still on dep_x
    response = clients.ipo.post(url("deployment-start", planned), {"start-arrived_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert "already deployed" in response.context["start_form"].errors["arrived_on"][0]
    # an arrival is recorded once it has happened
    response = clients.ipo.post(url("deployment-start", due),
                                {"start-arrived_on": (TODAY + dt.timedelta(days=1)).isoformat()})
    assert response.context["start_form"].errors["arrived_on"] == [
        "Record the arrival once it has happened: the date cannot be in the future."
    ]
    for d in (planned, due):
        d.refresh_from_db()
        assert d.status == "planned"


def test_it_refuses_to_start_a_deployment_in_mission_with_a_message(clients, world):
    response = clients.ipo.post(url("deployment-start", world.dep_x), {}, follow=True)
    assert messages_of(response) == ["Only a planned deployment can start."]


def test_the_arrival_date_defaults_to_the_planned_start(clients, world, planned):
    form = clients.ipo.get(url("deployment-detail", planned)).context["start_form"]
    assert form.initial["arrived_on"] == planned.start_date != TODAY


# --- extend ------------------------------------------------------------------------------------

def test_it_extends_with_a_reason_and_logs_it_in_words(clients, world):
    old_end = world.dep_x.planned_end_date
    new_end = old_end + dt.timedelta(days=90)
    page = clients.ipo.get(url("deployment-extend", world.dep_x))
    assert shown(old_end) in page.content.decode()
    response = clients.ipo.post(url("deployment-extend", world.dep_x),
                                {"new_end": new_end.isoformat(), "reason": "Mandate renewal"}, follow=True)
    world.dep_x.refresh_from_db()
    assert world.dep_x.planned_end_date == new_end
    html = response.content.decode()
    assert f"Extended from {shown(old_end)} to {shown(new_end)}." in html and "Mandate renewal" in html


def test_it_shows_extension_refusals_next_to_their_fields(clients, world):
    d = world.dep_x
    f.DeploymentFactory(officer=world.officer_x, mission=world.mission, status="planned",
                        start_date=d.planned_end_date + dt.timedelta(days=10),
                        planned_end_date=d.planned_end_date + dt.timedelta(days=200))
    post = lambda new_end, reason="x": clients.ipo.post(  # noqa: E731
        url("deployment-extend", d), {"new_end": new_end.isoformat(), "reason": reason}
    ).context["form"].errors
    assert "must come after the current planned end" in post(d.planned_end_date - dt.timedelta(days=1))["new_end"][0]
    assert "already deployed" in post(d.planned_end_date + dt.timedelta(days=11))["new_end"][0]
    assert "reason" in post(d.planned_end_date + dt.timedelta(days=5), reason="")
    d.refresh_from_db()
    assert not d.events.exists()


# --- repatriate --------------------------------------------------------------------------------

def test_it_repatriates_with_a_reason_code(clients, world):
    response = clients.ipo.post(url("deployment-repatriate", world.dep_x),
                                {"reason": "medical", "note": "Injured on patrol", "on": TODAY.isoformat()},
                                follow=True)
    world.dep_x.refresh_from_db()
    assert (world.dep_x.status, world.dep_x.repatriation_reason, world.dep_x.actual_end_date) == (
        "repatriated", "medical", TODAY)
    html = response.content.decode()
    assert f"Repatriated on {shown(TODAY)} (Medical)." in html and "Injured on patrol" in html
    assert not any(response.context["actions"].values())


def test_it_shows_repatriation_refusals_next_to_their_fields(clients, world):
    response = clients.ipo.post(url("deployment-repatriate", world.dep_x), {"reason": "other", "note": " "})
    assert response.context["form"].errors["note"] == ["Explain the repatriation."]
    response = clients.ipo.post(url("deployment-repatriate", world.dep_x), {"reason": "bored"})
    assert "reason" in response.context["form"].errors
    world.dep_x.refresh_from_db()
    assert world.dep_x.status == "in_mission"


def test_it_sends_a_finished_deployment_back_to_its_page(clients, world):
    Deployment.objects.filter(pk=world.dep_x.pk).update(status="completed", actual_end_date=TODAY)
    for name, message in (("deployment-extend", "Only a planned or current deployment"),
                          ("deployment-repatriate", "Only a deployment in mission"),
                          ("deployment-cancel", "Only a planned deployment")):
        response = clients.ipo.get(url(name, world.dep_x), follow=True)
        assert response.redirect_chain == [(url("deployment-detail", world.dep_x), 302)]
        assert message in messages_of(response)[0]
    response = clients.ipo.post(url("deployment-repatriate", world.dep_x), {"reason": "medical"})
    assert "Only a deployment in mission can be repatriated." in response.context["form"].errors["__all__"]


# --- complete ----------------------------------------------------------------------------------

def test_it_completes_the_tour_on_today_or_the_planned_end(clients, world):
    form = clients.ipo.get(url("deployment-detail", world.dep_x)).context["complete_form"]
    assert form.initial["on"] == TODAY  # the planned end is later
    # months before the planned end: one click is not enough, the early end is confirmed
    response = clients.ipo.post(url("deployment-complete", world.dep_x), {"complete-on": ""})
    assert "days before its planned end: confirm it." in response.context["complete_form"].errors["early"][0]
    world.dep_x.refresh_from_db()
    assert world.dep_x.status == "in_mission"
    response = clients.ipo.post(url("deployment-complete", world.dep_x), {"complete-on": "", "complete-early": "on"},
                                follow=True)
    world.dep_x.refresh_from_db()
    assert (world.dep_x.status, world.dep_x.actual_end_date) == ("completed", TODAY)
    assert messages_of(response) == ["The tour is recorded as completed."]
    assert f"Tour ended on {shown(TODAY)}." in response.content.decode()


def test_the_end_defaults_to_the_planned_end_when_it_has_passed(clients, world):
    Deployment.objects.filter(pk=world.dep_x.pk).update(start_date=TODAY - dt.timedelta(days=300),
                                                       planned_end_date=TODAY - dt.timedelta(days=5))
    form = clients.ipo.get(url("deployment-detail", world.dep_x)).context["complete_form"]
    assert form.initial["on"] == TODAY - dt.timedelta(days=5)


def test_it_shows_a_completion_before_the_start_next_to_the_date(clients, world):
    too_early = world.dep_x.start_date - dt.timedelta(days=1)
    response = clients.ipo.post(url("deployment-complete", world.dep_x),
                                {"complete-on": too_early.isoformat(), "complete-early": "on"})
    assert response.context["complete_form"].errors["on"] == ["The end cannot come before the start."]


def test_it_refuses_to_complete_a_planned_deployment_with_a_message(clients, world, planned):
    response = clients.ipo.post(url("deployment-complete", planned), {"complete-early": "on"}, follow=True)
    assert messages_of(response) == ["Only a deployment in mission can be completed."]


# --- the roster --------------------------------------------------------------------------------

def roster(client, **params):
    return client.get(reverse("roster:roster"), params)


def rows(response):
    return list(response.context["page"].object_list)


def test_it_shows_ipo_staff_the_whole_current_roster_and_coordinators_their_agency(clients, world):
    f.DeploymentFactory(officer=world.officer_y, mission=world.mission, status="completed",
                        start_date=TODAY - dt.timedelta(days=800), planned_end_date=TODAY - dt.timedelta(days=400),
                        actual_end_date=TODAY - dt.timedelta(days=400))
    assert set(rows(roster(clients.ipo))) == {world.dep_x, world.dep_y}
    assert rows(roster(clients.coord_a)) == [world.dep_x]
    assert rows(roster(clients.coord_b)) == [world.dep_y]
    # the agency filter is for IPO staff; a coordinator cannot use it to see another agency
    assert "agency" not in roster(clients.coord_a).context["filter"].form.fields
    assert rows(roster(clients.coord_a, agency=world.agency_b.pk)) == [world.dep_x]
    html = roster(clients.ipo).content.decode()
    assert url("deployment-detail", world.dep_x) in html and "Agency B Police" in html


def roster_cells(response):
    """Each row of the roster's table as its cells' texts, and the row's link."""
    import re

    html = response.content.decode()
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        found.append((re.search(r'href="([^"]+)"', row).group(1), cells))
    return found


def test_each_roster_row_says_who_where_what_when_and_its_state(clients, world, settings):
    """The cells are written once per page in the view (_label_roster): the officer and their page, the
    agency for IPO staff only, the mission, the role, both dates, "ending soon" within ENDING_SOON_DAYS,
    and the status; in French too."""
    world.dep_x.planned_end_date = TODAY + dt.timedelta(days=settings.ROSTER["ENDING_SOON_DAYS"])
    world.dep_x.save()
    world.dep_y.planned_end_date = TODAY + dt.timedelta(days=settings.ROSTER["ENDING_SOON_DAYS"] + 1)
    world.dep_y.save()
    short = lambda day: formats.date_format(day, "SHORT_DATE_FORMAT")  # noqa: E731
    x, y = world.dep_x, world.dep_y
    assert roster_cells(roster(clients.ipo)) == [
        (url("deployment-detail", x), ["Xena Xavier", "Agency A Police", "BINUH", x.role, short(x.start_date),
                                       f"{short(x.planned_end_date)} ending soon", "In mission"]),
        (url("deployment-detail", y), ["Yves Young", "Agency B Police", "BINUH", y.role, short(y.start_date),
                                       short(y.planned_end_date), "In mission"]),
    ]
    assert roster_cells(roster(clients.coord_a)) == [
        (url("deployment-detail", x), ["Xena Xavier", "BINUH", x.role, short(x.start_date),
                                       f"{short(x.planned_end_date)} ending soon", "In mission"]),
    ]
    world.coord_a.preferred_language = "fr"
    world.coord_a.save()
    clients.coord_a.cookies.load({"django_language": "fr"})
    ((_link, cells),) = roster_cells(roster(clients.coord_a))
    with translation.override("fr"):
        assert cells[3:] == [short(x.start_date), f"{short(x.planned_end_date)} se termine bientôt", "En mission"]


def test_officers_have_no_roster(clients):
    assert clients.officer_x.get(reverse("roster:roster")).status_code == 403


def test_it_filters_the_roster(clients, world):
    other = f.MissionFactory(code="UKR")
    soon = f.DeploymentFactory(officer=f.OfficerFactory(agency=world.agency_a), mission=other, status="planned",
                               start_date=TODAY + dt.timedelta(days=5), planned_end_date=TODAY + dt.timedelta(days=60))
    assert rows(roster(clients.ipo, mission=other.pk)) == [soon]
    assert rows(roster(clients.ipo, status="planned")) == [soon]
    assert set(rows(roster(clients.ipo, status="in_mission"))) == {world.dep_x, world.dep_y}
    assert rows(roster(clients.ipo, ending_soon="on")) == [soon]
    assert rows(roster(clients.ipo, agency=world.agency_b.pk)) == [world.dep_y]
    assert rows(roster(clients.coord_a, mission=world.mission.pk)) == [world.dep_x]


def test_it_sorts_the_roster_by_end_date_and_paginates(clients, world):
    officers = [f.OfficerFactory(agency=world.agency_a) for _ in range(55)]
    for i, officer in enumerate(officers):
        f.DeploymentFactory(officer=officer, mission=world.mission, planned_end_date=TODAY + dt.timedelta(days=i + 1))
    first = roster(clients.ipo)
    ends = [d.planned_end_date for d in rows(first)]
    assert len(ends) == 50 and ends == sorted(ends) and first.context["page"].paginator.count == 57
    assert len(rows(roster(clients.ipo, page=2))) == 7
    latest = rows(roster(clients.ipo, sort="-end"))
    assert [d.planned_end_date for d in latest] == sorted((d.planned_end_date for d in latest), reverse=True)
    assert 'aria-sort="descending"' in roster(clients.ipo, sort="-end").content.decode()
