"""Rotations (`replaces`): a tour relieves another tour of the same mission that was not cancelled, and
one that takes over in another role is created only once IPO staff confirm the change (issue 9)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from roster import services
from roster.models import Application, Deployment, DeploymentEvent
from tests import factories as f
from tests.clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pin_today")]

ROLE_CHANGE = ("The role differs from the one it replaces: Gender adviser replaces Investigations mentor. "
               "Tick to confirm this rotation.")


@pytest.fixture
def selected(world):
    """Officer X selected on a BINUH bulletin (clearances in order, X's own tour gone); Y's current
    BINUH tour, the one a rotation relieves, is an Investigations mentor's."""
    bulletin = f.BulletinFactory(mission=world.mission, duration_months=12, required_clearances=["medical"],
                                 deployment_start=TODAY + dt.timedelta(days=30))
    f.ClearanceFactory(officer=world.officer_x, kind="medical", valid_until=TODAY + dt.timedelta(days=900))
    world.dep_x.delete()
    world.dep_y.role = "Investigations mentor"
    world.dep_y.save()
    return f.ApplicationFactory(bulletin=bulletin, officer=world.officer_x, status="selected")


def create(app, actor, **kw):
    kw.setdefault("role", "Gender adviser")
    kw.setdefault("start_date", TODAY + dt.timedelta(days=30))
    return services.deployment_create(application=app, actor=actor, **kw)


def nothing_created(application):
    return (not Deployment.objects.filter(application=application).exists()
            and Application.objects.get(pk=application.pk).status == "selected")


# --- the service ------------------------------------------------------------------------------

def test_a_rotation_into_another_role_is_refused_without_the_confirmation(world, selected):
    with pytest.raises(ValidationError) as exc:
        create(selected, world.ipo, replaces=world.dep_y)
    assert exc.value.message_dict == {"confirm_role_change": [ROLE_CHANGE]}
    assert nothing_created(selected)


def test_a_rotation_into_another_role_goes_ahead_once_confirmed_and_says_so_in_the_trail(world, selected):
    d = create(selected, world.ipo, replaces=world.dep_y, confirm_role_change=True)
    assert (d.replaces, d.role) == (world.dep_y, "Gender adviser")
    event = DeploymentEvent.objects.get(deployment=d, action="created")
    assert event.data["role_change_confirmed"] == [
        {"en": "Investigations mentor", "fr": "Investigations mentor"},
        {"en": "Gender adviser", "fr": "Gender adviser"}]
    assert Application.objects.get(pk=selected.pk).status == "deployed"


@pytest.mark.parametrize("role", ["Investigations mentor", "  investigations  MENTOR ", "INVESTIGATIONS MENTOR"])
def test_the_same_role_in_another_case_or_spacing_needs_no_confirmation(world, selected, role):
    d = create(selected, world.ipo, role=role, replaces=world.dep_y)
    assert d.replaces == world.dep_y
    assert "role_change_confirmed" not in DeploymentEvent.objects.get(deployment=d).data


def test_a_confirmation_of_the_same_role_records_no_change(world, selected):
    d = create(selected, world.ipo, role="Investigations Mentor", replaces=world.dep_y, confirm_role_change=True)
    assert "role_change_confirmed" not in DeploymentEvent.objects.get(deployment=d).data


def test_a_new_position_needs_no_confirmation_whatever_the_role(world, selected):
    d = create(selected, world.ipo, role="Gender adviser")
    assert d.replaces is None and d.role == "Gender adviser"
    assert "role_change_confirmed" not in DeploymentEvent.objects.get(deployment=d).data


def test_a_cancelled_tour_cannot_be_relieved_even_in_the_same_role_or_confirmed(world, selected):
    planned = f.DeploymentFactory(mission=world.mission, role="Gender adviser", status="planned",
                                  start_date=TODAY + dt.timedelta(days=10))
    services.deployment_cancel(deployment=planned, actor=world.ipo, reason="Visa refused")
    stale = Deployment.objects.get(pk=planned.pk)
    stale.status = "planned"  # a copy read before the cancellation: the service reads the row again
    for kw in ({}, {"confirm_role_change": True}):
        with pytest.raises(ValidationError) as exc:
            create(selected, world.ipo, replaces=stale, **kw)
        assert exc.value.message_dict == {"replaces": [
            "This deployment was cancelled before departure: a cancelled tour has no one to relieve."]}
    assert nothing_created(selected)


def test_a_tour_of_another_mission_cannot_be_relieved(world, selected):
    other = f.MissionFactory(code="UNMISS")
    elsewhere = f.DeploymentFactory(mission=other, role="Gender adviser")
    with pytest.raises(ValidationError) as exc:
        create(selected, world.ipo, replaces=elsewhere, confirm_role_change=True)
    assert exc.value.message_dict == {"replaces": ["A rotation replaces a deployment on the same mission."]}
    assert nothing_created(selected)
    # the same tour, relieved on its own mission, is accepted
    sel2 = f.ApplicationFactory(bulletin=f.BulletinFactory(mission=other, required_clearances=[]),
                                officer=world.officer_x, status="selected")
    assert create(sel2, world.ipo, replaces=elsewhere).replaces == elsewhere


# --- the page ---------------------------------------------------------------------------------

def create_url(application):
    return reverse("roster:deployment-create", kwargs={"application_pk": application.pk})


def create_data(application, **overrides):
    return {
        "role": "Gender adviser",
        "mission": application.bulletin.mission_id,
        "start_date": application.bulletin.deployment_start.isoformat(),
        "planned_end_date": "",
        "replaces": "",
        "override_reason": "",
        **overrides,
    }


def test_the_page_asks_for_the_confirmation_only_after_the_warning(clients, world, selected):
    page = clients.ipo.get(create_url(selected))
    assert "confirm_role_change" not in page.context["form"].fields
    assert 'name="confirm_role_change"' not in page.content.decode()
    # the same role: no question asked
    response = clients.ipo.post(create_url(selected), create_data(selected, role="Police adviser"))
    assert response.status_code == 302
    Deployment.objects.filter(application=selected).delete()
    Application.objects.filter(pk=selected.pk).update(status="selected")

    response = clients.ipo.post(create_url(selected), create_data(selected, replaces=world.dep_y.pk))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"confirm_role_change": [ROLE_CHANGE]}  # next to its checkbox, not above the form
    html = response.content.decode()
    assert 'name="confirm_role_change"' in html
    # the checkbox sits right under the rotation it is about, before the overrides
    assert html.index('name="replaces"') < html.index('name="confirm_role_change"') < html.index(
        'name="override_clearances"')
    assert nothing_created(selected)


def test_the_page_creates_the_rotation_once_confirmed(clients, world, selected):
    data = create_data(selected, replaces=world.dep_y.pk, confirm_role_change="on")
    response = clients.ipo.post(create_url(selected), data)
    deployment = Deployment.objects.get(application=selected)
    assert response.status_code == 302
    assert (deployment.replaces, deployment.role) == (world.dep_y, "Gender adviser")
    assert DeploymentEvent.objects.get(deployment=deployment).data["role_change_confirmed"] == [
        {"en": "Investigations mentor", "fr": "Investigations mentor"},
        {"en": "Gender adviser", "fr": "Gender adviser"}]
    detail = reverse("roster:deployment-detail", kwargs={"pk": deployment.pk})
    assert ("Change of role confirmed: Gender adviser replaces Investigations mentor."
            in clients.ipo.get(detail).content.decode())
    # coordinator A reads X's tour but not Y's: the role of the tour relieved is not named
    html = clients.coord_a.get(detail).content.decode()
    assert "Change of role confirmed: the officer takes over as Gender adviser." in html
    assert "Investigations mentor" not in html


def test_an_unticked_confirmation_asks_again(clients, world, selected):
    data = create_data(selected, replaces=world.dep_y.pk)
    clients.ipo.post(create_url(selected), data)
    response = clients.ipo.post(create_url(selected), data)  # the checkbox left unticked sends nothing
    assert response.context["form"].errors == {"confirm_role_change": [ROLE_CHANGE]}
    assert nothing_created(selected)
