"""Every move of the transition table is allowed to its roles; every other move is refused."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from roster import services
from roster.models import SERVICE_ONLY_MOVES, TRANSITIONS, ApplicationEvent, ApplicationStatus
from tests import factories as f

pytestmark = pytest.mark.django_db
S = ApplicationStatus
ALL_PAIRS = list(itertools.product(S.values, S.values))
LEGAL = {(frm, to) for frm, moves in TRANSITIONS.items() for to in moves}


def actor_for(world, role):
    return {"ipo_staff": world.ipo, "coordinator": world.coord_a, "officer": world.user_x}[role]


def kwargs_for(to):
    kw = {"note": "because"}
    if to == S.ENDORSED:
        kw["release_confirmed"] = True
    if to == S.SELECTED:
        # officer X is in mission over these bulletins' tours (world.dep_x): selecting needs the
        # confirmation (the refusal without it: tests/roster/test_availability.py)
        kw["confirm_unavailable"] = True
    return kw


@pytest.mark.parametrize("frm,to", sorted(LEGAL - SERVICE_ONLY_MOVES))
def test_it_allows_each_move_of_the_table_to_its_roles(world, frm, to, mailoutbox, django_capture_on_commit_callbacks):
    for role in sorted(TRANSITIONS[frm][to]):
        app = f.ApplicationFactory(bulletin=f.BulletinFactory(mission=world.mission), officer=world.officer_x,
                                   status=frm)
        with django_capture_on_commit_callbacks(execute=True):
            services.application_transition(application=app, to=to, actor=actor_for(world, role), **kwargs_for(to))
        app.refresh_from_db()
        assert app.status == to
        event = ApplicationEvent.objects.get(application=app)
        assert (event.from_status, event.to_status, event.actor) == (frm, to, actor_for(world, role))
    assert mailoutbox, "each transition notifies the officer and their coordinator"


@pytest.mark.parametrize("frm,to", sorted(set(ALL_PAIRS) - LEGAL))
def test_it_refuses_every_move_not_in_the_table(world, frm, to):
    app = f.ApplicationFactory(bulletin=f.BulletinFactory(mission=world.mission), officer=world.officer_x, status=frm)
    with pytest.raises(ValidationError):
        services.application_transition(application=app, to=to, actor=world.ipo, **kwargs_for(to))
    app.refresh_from_db()
    assert app.status == frm
    assert not ApplicationEvent.objects.filter(application=app).exists()


@pytest.mark.parametrize("frm,to", sorted(LEGAL))
def test_it_refuses_the_move_to_roles_not_allowed(world, frm, to):
    """The role matrix: every other persona is refused (another agency's coordinator,
    another officer, and the roles the table does not name)."""
    allowed = TRANSITIONS[frm][to]
    others = {
        "ipo_staff": world.ipo, "coordinator": world.coord_a, "officer": world.user_x,
        "coordinator_b": world.coord_b, "officer_y": world.user_y,
    }
    for name, user in others.items():
        if name in allowed and (frm, to) not in SERVICE_ONLY_MOVES:
            continue
        app = f.ApplicationFactory(bulletin=f.BulletinFactory(mission=world.mission), officer=world.officer_x,
                                   status=frm)
        with pytest.raises(PermissionDenied):
            services.application_transition(application=app, to=to, actor=user, **kwargs_for(to))
        app.refresh_from_db()
        assert app.status == frm, name


def test_it_refuses_endorsed_to_selected_with_a_clear_message(world):
    app = f.ApplicationFactory(
        bulletin=f.BulletinFactory(mission=world.mission), officer=world.officer_x, status=S.ENDORSED)
    with pytest.raises(ValidationError) as exc:
        services.application_transition(application=app, to=S.SELECTED, actor=world.ipo)
    assert "cannot go from" in exc.value.messages[0]


def test_it_refuses_an_officer_endorsing_their_own_application(world):
    with pytest.raises(PermissionDenied):
        services.application_transition(application=world.app_x, to=S.ENDORSED, actor=world.user_x,
                                         release_confirmed=True)
    world.app_x.refresh_from_db()
    assert world.app_x.status == S.SUBMITTED


def test_it_requires_the_release_to_endorse_and_a_reason_to_decline_or_withdraw(world):
    with pytest.raises(ValidationError) as exc:
        services.application_transition(application=world.app_x, to=S.ENDORSED, actor=world.coord_a)
    assert "release_confirmed" in exc.value.message_dict
    for to, actor in ((S.AGENCY_DECLINED, world.coord_a), (S.WITHDRAWN, world.user_x)):
        with pytest.raises(ValidationError) as exc:
            services.application_transition(application=world.app_x, to=to, actor=actor, note=" ")
        assert "note" in exc.value.message_dict


def test_it_refuses_to_select_beyond_the_positions(world):
    bulletin = f.BulletinFactory(mission=world.mission, positions=1)
    first = f.ApplicationFactory(bulletin=bulletin, status=S.SHORTLISTED)
    second = f.ApplicationFactory(bulletin=bulletin, status=S.SHORTLISTED)
    services.application_transition(application=first, to=S.SELECTED, actor=world.ipo)
    with pytest.raises(ValidationError) as exc:
        services.application_transition(application=second, to=S.SELECTED, actor=world.ipo)
    assert "positions" in exc.value.messages[0]
    second.refresh_from_db()
    assert second.status == S.SHORTLISTED


def test_it_tells_ipo_staff_when_a_selected_officer_withdraws(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    bulletin = f.BulletinFactory(mission=world.mission, positions=1)
    app = f.ApplicationFactory(bulletin=bulletin, officer=world.officer_x, status=S.SELECTED)
    waiting = f.ApplicationFactory(bulletin=bulletin, status=S.WAITLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_transition(application=app, to=S.WITHDRAWN, actor=world.user_x, note="Family")
    assert any(m.to == [world.ipo.email] and "withdrew" in m.subject for m in mailoutbox)
    # the position is free again for the waitlist
    services.application_transition(application=waiting, to=S.SELECTED, actor=world.ipo)


def test_it_notifies_the_officer_and_their_coordinator_each_in_their_language(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    world.coord_a.preferred_language = "fr"
    world.coord_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.application_transition(application=world.app_x, to=S.ENDORSED, actor=world.coord_a,
                                         release_confirmed=True)
    by_to = {m.to[0]: m for m in mailoutbox}
    assert set(by_to) == {world.user_x.email, world.coord_a.email}
    assert "Endorsed by agency" in by_to[world.user_x.email].subject
    assert "Endorsed by agency" not in by_to[world.coord_a.email].subject


def test_it_allows_deployed_only_through_deployment_create(world):
    app = f.ApplicationFactory(
        bulletin=f.BulletinFactory(mission=world.mission), officer=world.officer_x, status=S.SELECTED)
    with pytest.raises(PermissionDenied):
        services.application_transition(application=app, to=S.DEPLOYED, actor=world.ipo)
    services.application_transition(application=app, to=S.DEPLOYED, actor=world.ipo, _by_deployment=True)


def test_it_allows_deployed_back_to_selected_only_through_deployment_cancel(world):
    app = f.ApplicationFactory(
        bulletin=f.BulletinFactory(mission=world.mission, positions=1), officer=world.officer_x, status=S.DEPLOYED)
    assert services.allowed_transitions(app, world.ipo) == []
    with pytest.raises(PermissionDenied):
        services.application_transition(application=app, to=S.SELECTED, actor=world.ipo)
    # the application keeps its position: the full bulletin does not refuse it
    services.application_transition(application=app, to=S.SELECTED, actor=world.ipo, _by_deployment=True)
    assert ApplicationEvent.objects.get(application=app).from_status == S.DEPLOYED
