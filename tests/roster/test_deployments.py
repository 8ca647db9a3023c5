import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from roster import services
from roster.models import Application, Deployment, DeploymentEvent
from tests import factories as f
from tests.clock import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pin_today")]


@pytest.fixture
def selected(world):
    bulletin = f.BulletinFactory(mission=world.mission, duration_months=12, required_clearances=["medical"])
    f.ClearanceFactory(officer=world.officer_x, kind="medical", valid_until=TODAY + dt.timedelta(days=900))
    world.dep_x.delete()
    return f.ApplicationFactory(bulletin=bulletin, officer=world.officer_x, status="selected")


def create(app, actor, **kw):
    kw.setdefault("role", "Police adviser")
    kw.setdefault("start_date", TODAY + dt.timedelta(days=30))
    return services.deployment_create(application=app, actor=actor, **kw)


def test_it_creates_a_deployment_and_marks_the_application_deployed(
    world, selected, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        d = create(selected, world.ipo, start_date=dt.date(2027, 1, 31))
    assert d.planned_end_date == dt.date(2028, 1, 31)  # the bulletin's 12 months
    assert d.status == "planned" and d.mission == world.mission
    selected.refresh_from_db()
    assert selected.status == "deployed"
    assert selected.events.last().to_status == "deployed"
    assert DeploymentEvent.objects.get(deployment=d).action == "created"
    assert {m.to[0] for m in mailoutbox} >= {world.user_x.email, world.coord_a.email}


def test_it_computes_the_end_from_the_duration_at_month_ends():
    assert services.add_months(dt.date(2027, 1, 31), 1) == dt.date(2027, 2, 28)
    assert services.add_months(dt.date(2027, 11, 15), 3) == dt.date(2028, 2, 15)


def test_it_refuses_non_staff_and_applications_not_selected(world, selected):
    for user in (world.coord_a, world.user_x):
        with pytest.raises(PermissionDenied):
            create(selected, user)
    shortlisted = f.ApplicationFactory(bulletin=selected.bulletin, status="shortlisted")
    with pytest.raises(ValidationError):
        create(shortlisted, world.ipo)
    assert not Deployment.objects.filter(application__in=[selected, shortlisted]).exists()


def test_it_refuses_an_overlapping_deployment(world, selected):
    f.DeploymentFactory(officer=world.officer_x, mission=world.mission, start_date=TODAY,
                        planned_end_date=TODAY + dt.timedelta(days=60))
    with pytest.raises(ValidationError) as exc:
        create(selected, world.ipo, start_date=TODAY + dt.timedelta(days=59))
    assert "start_date" in exc.value.message_dict
    selected.refresh_from_db()
    assert selected.status == "selected"
    # a tour may start on the day the previous one ends: [start, end)
    create(selected, world.ipo, start_date=TODAY + dt.timedelta(days=60))


def test_it_refuses_a_missing_or_expiring_clearance_unless_overridden_with_a_reason(world, selected):
    world.officer_x.clearances.update(valid_until=TODAY + dt.timedelta(days=100))
    with pytest.raises(ValidationError) as exc:
        create(selected, world.ipo)
    assert "override_clearances" in exc.value.message_dict
    with pytest.raises(ValidationError):
        create(selected, world.ipo, override_clearances=True, override_reason=" ")
    d = create(selected, world.ipo, override_clearances=True, override_reason="Medical renewal booked")
    assert d.override_reason == "Medical renewal booked"
    assert DeploymentEvent.objects.get(deployment=d).data["overrides"]["clearances"]


def test_it_refuses_beyond_the_mission_strength_unless_overridden(world, selected):
    world.mission.authorized_strength = 1
    world.mission.save()
    # dep_y already fills the only place
    with pytest.raises(ValidationError) as exc:
        create(selected, world.ipo)
    assert "authorised strength" in exc.value.message_dict["override_strength"][0]
    d = create(selected, world.ipo, override_strength=True, override_reason="Minister approved a surge")
    assert DeploymentEvent.objects.get(deployment=d).data["overrides"]["strength"]


def test_it_refuses_beyond_the_program_ceiling(world, selected, settings):
    settings.ROSTER = {**settings.ROSTER, "PROGRAM_CEILING": 1}
    with pytest.raises(ValidationError) as exc:
        create(selected, world.ipo)
    assert "program ceiling" in exc.value.message_dict["override_strength"][-2]


def test_it_runs_the_lifecycle_and_logs_each_move(world, selected):
    d = create(selected, world.ipo, start_date=TODAY - dt.timedelta(days=10))
    services.deployment_start(deployment=d, actor=world.ipo, arrived_on=TODAY - dt.timedelta(days=10))
    services.deployment_extend(deployment=d, actor=world.ipo, new_end=d.planned_end_date + dt.timedelta(days=90),
                               reason="Mandate renewal")
    services.deployment_complete(deployment=d, actor=world.ipo, on=TODAY)
    d.refresh_from_db()
    assert d.status == "completed" and d.actual_end_date == TODAY
    assert list(d.events.values_list("action", flat=True)) == ["created", "started", "extended", "completed"]
    ext = d.events.get(action="extended")
    assert ext.note == "Mandate renewal" and ext.actor == world.ipo


@pytest.mark.parametrize("status", ["completed", "repatriated"])
def test_it_refuses_moves_from_a_finished_deployment(world, status):
    d = world.dep_x
    d.status = status
    d.actual_end_date = TODAY
    d.save()
    for call in (
        lambda: services.deployment_start(deployment=d, actor=world.ipo, arrived_on=TODAY),
        lambda: services.deployment_complete(deployment=d, actor=world.ipo),
        lambda: services.deployment_repatriate(deployment=d, actor=world.ipo, reason="medical"),
        lambda: services.deployment_extend(deployment=d, actor=world.ipo, new_end=TODAY + dt.timedelta(days=900),
                                           reason="x"),
    ):
        with pytest.raises(ValidationError):
            call()


def test_it_refuses_to_start_an_ongoing_or_complete_a_planned_deployment(world):
    with pytest.raises(ValidationError):
        services.deployment_start(deployment=world.dep_x, actor=world.ipo, arrived_on=TODAY)  # already in mission
    planned = f.DeploymentFactory(status="planned", start_date=TODAY + dt.timedelta(days=5))
    with pytest.raises(ValidationError):
        services.deployment_complete(deployment=planned, actor=world.ipo)


def test_it_repatriates_with_a_reason_code(world):
    with pytest.raises(ValidationError):
        services.deployment_repatriate(deployment=world.dep_x, actor=world.ipo, reason="bored")
    with pytest.raises(ValidationError):
        services.deployment_repatriate(deployment=world.dep_x, actor=world.ipo, reason="other", note="")
    with pytest.raises(PermissionDenied):
        services.deployment_repatriate(deployment=world.dep_x, actor=world.coord_a, reason="medical")
    d = services.deployment_repatriate(deployment=world.dep_x, actor=world.ipo, reason="medical", note="Injury")
    assert (d.status, d.repatriation_reason, d.actual_end_date) == ("repatriated", "medical", TODAY)


def test_it_refuses_an_extension_that_overlaps_or_goes_backwards(world):
    d = world.dep_x
    f.DeploymentFactory(officer=world.officer_x, mission=world.mission, status="planned",
                        start_date=d.planned_end_date + dt.timedelta(days=10),
                        planned_end_date=d.planned_end_date + dt.timedelta(days=200))
    with pytest.raises(ValidationError):
        services.deployment_extend(deployment=d, actor=world.ipo, new_end=d.planned_end_date - dt.timedelta(days=1),
                                   reason="x")
    with pytest.raises(ValidationError):
        services.deployment_extend(deployment=d, actor=world.ipo, new_end=d.planned_end_date + dt.timedelta(days=11),
                                   reason="x")
    with pytest.raises(ValidationError):
        services.deployment_extend(deployment=d, actor=world.ipo, new_end=d.planned_end_date + dt.timedelta(days=5),
                                   reason="")


def test_it_records_rotations_and_computes_handovers(world, selected):
    d = create(selected, world.ipo, start_date=world.dep_y.planned_end_date - dt.timedelta(days=14),
               replaces=world.dep_y)
    (row,) = services.handovers([d])
    assert row["overlap_days"] == 14 and row["gap_days"] == 0
    other = f.MissionFactory(code="OTHER")
    sel2 = f.ApplicationFactory(bulletin=f.BulletinFactory(mission=other), status="selected")
    with pytest.raises(ValidationError):
        create(sel2, world.ipo, replaces=world.dep_y)


def test_the_application_stays_selected_when_a_deployment_is_refused(world, selected):
    world.officer_x.clearances.all().delete()
    with pytest.raises(ValidationError):
        create(selected, world.ipo)
    assert Application.objects.get(pk=selected.pk).status == "selected"


def test_it_refuses_an_extension_beyond_the_mission_strength_unless_overridden(world):
    world.mission.authorized_strength = 2
    world.mission.save()
    d = world.dep_x
    # X and Y fill both places until their planned end; then two newcomers take them:
    # extending X past that day would make three
    for _ in range(2):
        f.DeploymentFactory(mission=world.mission, status="planned", start_date=d.planned_end_date,
                            planned_end_date=d.planned_end_date + dt.timedelta(days=300))
    new_end = d.planned_end_date + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as exc:
        services.deployment_extend(deployment=d, actor=world.ipo, new_end=new_end, reason="Mandate renewal")
    assert "authorised strength" in exc.value.message_dict["override_strength"][0]
    d.refresh_from_db()
    assert d.planned_end_date != new_end
    services.deployment_extend(deployment=d, actor=world.ipo, new_end=new_end, reason="Mandate renewal",
                               override_strength=True)
    assert d.events.get(action="extended").data["overrides"]["strength"]


def test_it_refuses_implausible_dates(world, selected):
    with pytest.raises(ValidationError) as exc:
        create(selected, world.ipo, start_date=dt.date(9999, 12, 1))
    assert "start_date" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.deployment_extend(deployment=world.dep_x, actor=world.ipo, new_end=dt.date(9999, 12, 31),
                                   reason="x")


def test_it_records_returns_and_ends_only_once_they_have_happened(world):
    tomorrow = TODAY + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.deployment_repatriate(deployment=world.dep_x, actor=world.ipo, reason="medical", on=tomorrow)
    assert "on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.deployment_complete(deployment=world.dep_x, actor=world.ipo, on=tomorrow)
    with pytest.raises(ValidationError):  # before the arrival
        services.deployment_repatriate(deployment=world.dep_x, actor=world.ipo, reason="medical",
                                       on=world.dep_x.start_date - dt.timedelta(days=1))
    world.dep_x.refresh_from_db()
    assert world.dep_x.status == "in_mission" and world.dep_x.actual_end_date is None
