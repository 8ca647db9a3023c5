"""Assessment sessions (issue 13 item 5), the services: scheduling, registering (women-only, capacity and
the waiting list in order), withdrawing (the first in line moves up), results per component (firearms only
where included) and the UN assessment clearance they create or renew."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from agencies.models import Clearance, Officer
from notifications.models import OutgoingMail
from planning.sessions import services
from planning.sessions.models import AssessmentResult, AssessmentSession, Registration
from tests import factories as f
from tests.clock import TODAY

pytestmark = pytest.mark.django_db


def make_session(ipo, *, days=30, length=4, capacity=3, **kwargs):
    values = dict(kind="saat", starts_on=TODAY + dt.timedelta(days=days),
                  ends_on=TODAY + dt.timedelta(days=days + length), place="CPC Ottawa", language="en",
                  capacity=capacity)
    values.update(kwargs)
    return services.session_schedule(actor=ipo, **values)


def held(session, *, ends_on=None):
    """Move a session into the past (as if it was held), keeping its length."""
    ends_on = ends_on or TODAY - dt.timedelta(days=10)
    length = session.ends_on - session.starts_on
    AssessmentSession.objects.filter(pk=session.pk).update(starts_on=ends_on - length, ends_on=ends_on)
    session.refresh_from_db()
    return session


def officers(agency, n, **kwargs):
    return [f.OfficerFactory(agency=agency, **kwargs) for _ in range(n)]


# --- scheduling ----------------------------------------------------------------------------------------

def test_ipo_staff_schedule_a_session(world):
    session = make_session(world.ipo, women_only=True, includes_firearms=True, kind="pre_saat", language="fr")
    assert session.created_by == world.ipo and session.status == "scheduled"
    assert session.required_components() == ["language", "interview", "driving", "firearms"]


@pytest.mark.parametrize("who", ["coord_a", "user_x"])
def test_only_ipo_staff_schedule_edit_or_cancel(world, who):
    with pytest.raises(PermissionDenied):
        make_session(getattr(world, who))
    session = make_session(world.ipo)
    with pytest.raises(PermissionDenied):
        services.session_update(session=session, actor=getattr(world, who), capacity=10)
    with pytest.raises(PermissionDenied):
        services.session_cancel(session=session, actor=getattr(world, who), reason="No")


def test_bad_dates_and_capacity_are_refused_next_to_their_field(world):
    with pytest.raises(ValidationError) as exc:
        make_session(world.ipo, length=-2, capacity=0)
    assert set(exc.value.message_dict) == {"ends_on", "capacity"}
    assert AssessmentSession.objects.count() == 0


def test_the_database_refuses_a_session_ending_before_it_starts(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        AssessmentSession.objects.create(kind="saat", starts_on=TODAY, ends_on=TODAY - dt.timedelta(days=1),
                                         place="X", capacity=1)


def test_fewer_seats_than_taken_is_refused_and_more_seats_move_the_line_up(world):
    session = make_session(world.ipo, capacity=2)
    regs = [services.registration_create(session=session, officer=o, actor=world.coord_a)
            for o in officers(world.agency_a, 4)]
    with pytest.raises(ValidationError) as exc:
        services.session_update(session=session, actor=world.ipo, capacity=1)
    assert "capacity" in exc.value.message_dict
    services.session_update(session=session, actor=world.ipo, capacity=3)
    states = [Registration.objects.get(pk=r.pk).state for r in regs]
    assert states == ["registered", "registered", "registered", "waitlisted"]


def test_more_seats_after_the_session_started_move_no_one_up(world):
    session = make_session(world.ipo, capacity=1)
    services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    waiting = services.registration_create(session=session, officer=f.OfficerFactory(agency=world.agency_a),
                                           actor=world.coord_a)
    session = held(session)
    services.session_update(session=session, actor=world.ipo, capacity=2)
    assert Registration.objects.get(pk=waiting.pk).state == "waitlisted"
    assert not OutgoingMail.objects.filter(kind="session_promoted").exists()


def test_a_session_becomes_women_only_only_when_no_other_officer_is_in_line(world):
    session = make_session(world.ipo, capacity=1)
    services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    man = f.OfficerFactory(agency=world.agency_a, gender=Officer.Gender.MAN)
    waiting = services.registration_create(session=session, officer=man, actor=world.coord_a)
    assert waiting.state == "waitlisted"  # on the waiting list counts too
    with pytest.raises(ValidationError) as exc:
        services.session_update(session=session, actor=world.ipo, women_only=True)
    assert "women_only" in exc.value.message_dict
    assert not AssessmentSession.objects.get(pk=session.pk).women_only
    services.registration_withdraw(registration=waiting, actor=world.coord_a)
    services.session_update(session=session, actor=world.ipo, women_only=True)
    assert AssessmentSession.objects.get(pk=session.pk).women_only


def test_a_cancelled_session_tells_the_registered_and_takes_no_registration(world):
    session = make_session(world.ipo)
    services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    with pytest.raises(ValidationError):
        services.session_cancel(session=session, actor=world.ipo, reason="  ")
    services.session_cancel(session=session, actor=world.ipo, reason="Instructors unavailable")
    assert OutgoingMail.objects.filter(kind="session_cancelled", to=world.user_x.email).exists()
    with pytest.raises(ValidationError):
        services.registration_create(session=session, officer=f.OfficerFactory(agency=world.agency_a),
                                     actor=world.coord_a)


# --- registering ---------------------------------------------------------------------------------------

def test_a_coordinator_registers_their_officer_and_both_are_told(world):
    session = make_session(world.ipo)
    reg = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a, note="Hi")
    assert reg.state == "registered" and reg.position is None and reg.registered_by == world.coord_a
    sent = set(OutgoingMail.objects.filter(kind="session_registration").values_list("to", flat=True))
    assert sent == {world.user_x.email, world.coord_a.email}


def test_a_coordinator_of_agency_b_cannot_register_agency_a_officer(world):
    session = make_session(world.ipo)
    with pytest.raises(PermissionDenied):
        services.registration_create(session=session, officer=world.officer_x, actor=world.coord_b)
    assert not Registration.objects.exists()


def test_an_officer_cannot_register_anyone_not_even_themself(world):
    session = make_session(world.ipo)
    with pytest.raises(PermissionDenied):
        services.registration_create(session=session, officer=world.officer_x, actor=world.user_x)


def test_a_women_only_session_refuses_an_officer_who_is_not_a_woman(world):
    session = make_session(world.ipo, women_only=True)
    man = f.OfficerFactory(agency=world.agency_a, gender=Officer.Gender.MAN, first_name="Marc", last_name="Roy")
    undisclosed = f.OfficerFactory(agency=world.agency_a, gender=Officer.Gender.UNDISCLOSED)
    for officer in (man, undisclosed):
        with pytest.raises(ValidationError) as exc:
            services.registration_create(session=session, officer=officer, actor=world.coord_a)
        assert "women only" in exc.value.message_dict["officer"][0]
        assert officer.full_name in exc.value.message_dict["officer"][0]
    woman = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    assert woman.state == "registered" and Registration.objects.count() == 1


def test_a_full_session_puts_officers_on_the_waiting_list_in_order(world):
    session = make_session(world.ipo, capacity=2)
    regs = [services.registration_create(session=session, officer=o, actor=world.coord_a)
            for o in officers(world.agency_a, 5)]
    assert [r.state for r in regs] == ["registered", "registered", "waitlisted", "waitlisted", "waitlisted"]
    assert [r.position for r in regs] == [None, None, 1, 2, 3]
    assert OutgoingMail.objects.filter(kind="session_registration").count() == 5 * 2  # officer + coordinator


def test_the_same_officer_is_registered_once(world):
    session = make_session(world.ipo)
    services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    with pytest.raises(ValidationError) as exc:
        services.registration_create(session=session, officer=world.officer_x, actor=world.ipo)
    assert "already registered" in exc.value.message_dict["officer"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(session=session, officer=world.officer_x, state="withdrawn")


def test_registration_closes_when_the_session_starts(world):
    session = held(make_session(world.ipo))
    with pytest.raises(ValidationError):
        services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)


# --- withdrawing ---------------------------------------------------------------------------------------

def test_a_withdrawal_frees_the_seat_for_the_first_in_line(world):
    session = make_session(world.ipo, capacity=2)
    a, b, c, d = [services.registration_create(session=session, officer=o, actor=world.coord_a)
                  for o in officers(world.agency_a, 4)]
    services.registration_withdraw(registration=b, actor=world.coord_a)
    states = {r.pk: (r.state, r.position) for r in Registration.objects.all()}
    assert states == {a.pk: ("registered", None), b.pk: ("withdrawn", None), c.pk: ("registered", None),
                      d.pk: ("waitlisted", 2)}
    assert OutgoingMail.objects.filter(kind="session_promoted").count() == 2  # c and her coordinator
    # leaving the waiting list frees no seat
    services.registration_withdraw(registration=d, actor=world.ipo)
    assert Registration.objects.filter(state="registered").count() == 2


def test_the_officer_withdraws_themself_and_may_be_registered_again_at_the_end_of_the_line(world):
    session = make_session(world.ipo, capacity=1)
    mine = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    services.registration_withdraw(registration=mine, actor=world.user_x)
    other = services.registration_create(session=session, officer=f.OfficerFactory(agency=world.agency_a),
                                         actor=world.coord_a)
    again = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    assert other.state == "registered" and again.pk == mine.pk and (again.state, again.position) == ("waitlisted", 1)


def test_others_cannot_withdraw_a_registration(world):
    session = make_session(world.ipo)
    reg = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    for actor in (world.coord_b, world.user_y):
        with pytest.raises(PermissionDenied):
            services.registration_withdraw(registration=reg, actor=actor)
    services.registration_withdraw(registration=reg, actor=world.user_x)
    with pytest.raises(ValidationError):
        services.registration_withdraw(registration=reg, actor=world.user_x)


def test_a_registration_of_a_cancelled_session_is_not_withdrawn_and_the_reason_says_so(world):
    session = make_session(world.ipo)
    reg = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    services.session_cancel(session=session, actor=world.ipo, reason="No instructors")
    with pytest.raises(ValidationError) as exc:
        services.registration_withdraw(registration=reg, actor=world.coord_a)
    assert "cancelled" in exc.value.messages[0]
    assert Registration.objects.get(pk=reg.pk).state == "registered"


# --- results and the clearance -------------------------------------------------------------------------

def record(session, ipo, reg, **values):
    return services.results_record(session=session, actor=ipo, results={reg.pk: values})


def test_a_pass_on_every_component_creates_the_clearance_valid_24_months_from_the_last_day(world):
    session = make_session(world.ipo)
    reg = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    session = held(session, ends_on=dt.date(2026, 2, 28))
    changed = record(session, world.ipo, reg, language="pass", interview="pass", driving="")
    assert changed == [] and not Clearance.objects.filter(officer=world.officer_x, kind="un_assessment").exists()
    changed = record(session, world.ipo, reg, language="pass", interview="pass", driving="pass")
    assert [r.outcome for r in changed] == ["pass"]
    clearance = Clearance.objects.get(officer=world.officer_x, kind="un_assessment")
    assert clearance.valid_until == dt.date(2028, 2, 28)
    assert OutgoingMail.objects.filter(kind="session_result").count() == 2


def test_the_validity_is_a_setting(world, settings):
    settings.ROSTER = {**settings.ROSTER, "UN_ASSESSMENT_VALID_MONTHS": 12}
    session = make_session(world.ipo)
    reg = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    session = held(session, ends_on=dt.date(2026, 1, 31))
    record(session, world.ipo, reg, language="pass", interview="pass", driving="pass")
    assert Clearance.objects.get(officer=world.officer_x, kind="un_assessment").valid_until == dt.date(2027, 1, 31)


def test_a_later_pass_renews_the_clearance_and_an_older_one_never_shortens_it(world):
    f.ClearanceFactory(officer=world.officer_x, kind="un_assessment", valid_until=dt.date(2026, 6, 1))
    newer = make_session(world.ipo)
    reg = services.registration_create(session=newer, officer=world.officer_x, actor=world.coord_a)
    newer = held(newer, ends_on=dt.date(2026, 5, 10))
    record(newer, world.ipo, reg, language="pass", interview="pass", driving="pass")
    assert Clearance.objects.get(officer=world.officer_x, kind="un_assessment").valid_until == dt.date(2028, 5, 10)
    older = make_session(world.ipo)
    reg2 = services.registration_create(session=older, officer=world.officer_x, actor=world.coord_a)
    older = held(older, ends_on=dt.date(2025, 1, 10))
    record(older, world.ipo, reg2, language="pass", interview="pass", driving="pass")
    assert Clearance.objects.filter(officer=world.officer_x, kind="un_assessment").count() == 1
    assert Clearance.objects.get(officer=world.officer_x, kind="un_assessment").valid_until == dt.date(2028, 5, 10)


def test_firearms_is_required_only_when_the_session_includes_it(world):
    armed = make_session(world.ipo, includes_firearms=True)
    unarmed = make_session(world.ipo)
    r1 = services.registration_create(session=armed, officer=world.officer_x, actor=world.coord_a)
    r2 = services.registration_create(session=unarmed, officer=world.officer_y, actor=world.coord_b)
    armed, unarmed = held(armed), held(unarmed)
    record(armed, world.ipo, r1, language="pass", interview="pass", driving="pass")
    assert Registration.objects.get(pk=r1.pk).outcome == ""  # firearms still to come
    record(armed, world.ipo, r1, language="pass", interview="pass", driving="pass", firearms="pass")
    assert Registration.objects.get(pk=r1.pk).outcome == "pass"
    with pytest.raises(ValidationError):
        record(unarmed, world.ipo, r2, language="pass", interview="pass", driving="pass", firearms="pass")
    assert not AssessmentResult.objects.filter(registration=r2).exists()
    record(unarmed, world.ipo, r2, language="pass", interview="pass", driving="pass")
    assert Registration.objects.get(pk=r2.pk).outcome == "pass"


def test_a_fail_or_an_absence_fails_and_creates_no_clearance(world):
    session = make_session(world.ipo)
    a = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    b = services.registration_create(session=session, officer=world.officer_y, actor=world.coord_b)
    session = held(session)
    services.results_record(session=session, actor=world.ipo, results={
        a.pk: {"language": "fail"}, b.pk: {"language": "pass", "interview": "absent"}})
    assert {r.outcome for r in Registration.objects.all()} == {"fail"}
    assert not Clearance.objects.filter(kind="un_assessment").exists()


def test_a_pre_saat_pass_creates_no_un_clearance(world):
    session = make_session(world.ipo, kind="pre_saat")
    reg = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    session = held(session)
    record(session, world.ipo, reg, language="pass", interview="pass", driving="pass")
    assert Registration.objects.get(pk=reg.pk).outcome == "pass"
    assert not Clearance.objects.filter(kind="un_assessment").exists()


def test_results_wait_for_the_session_and_only_ipo_staff_record_them(world):
    session = make_session(world.ipo)
    reg = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    with pytest.raises(ValidationError):  # not started yet
        record(session, world.ipo, reg, language="pass")
    session = held(session)
    with pytest.raises(PermissionDenied):
        record(session, world.coord_a, reg, language="pass")


def test_results_only_for_officers_holding_a_seat_and_a_pass_is_final(world):
    session = make_session(world.ipo, capacity=1)
    seat = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    waiting = services.registration_create(session=session, officer=world.officer_y, actor=world.coord_b)
    session = held(session)
    with pytest.raises(ValidationError):
        record(session, world.ipo, waiting, language="pass")
    record(session, world.ipo, seat, language="pass", interview="pass", driving="pass")
    with pytest.raises(ValidationError):
        record(session, world.ipo, seat, language="pass", interview="pass", driving="fail")
    assert Registration.objects.get(pk=seat.pk).outcome == "pass"


def test_once_results_are_recorded_the_kind_components_and_last_day_are_fixed(world):
    session = make_session(world.ipo, kind="pre_saat")
    reg = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    session = held(session)
    record(session, world.ipo, reg, language="pass", interview="pass", driving="pass")
    # a pre-SAAT turned SAAT, firearms added, or a later last day would change what the recorded pass means
    for change in ({"kind": "saat"}, {"includes_firearms": True}, {"ends_on": session.ends_on + dt.timedelta(days=1)}):
        with pytest.raises(ValidationError) as exc:
            services.session_update(session=session, actor=world.ipo, **change)
        assert set(exc.value.message_dict) == set(change)
    session = AssessmentSession.objects.get(pk=session.pk)
    assert (session.kind, session.includes_firearms) == ("pre_saat", False)
    services.session_update(session=session, actor=world.ipo, place="Regina", notes="Room 2")
    assert AssessmentSession.objects.get(pk=session.pk).place == "Regina"


def test_a_fail_can_be_corrected(world):
    session = make_session(world.ipo)
    reg = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    session = held(session)
    record(session, world.ipo, reg, language="fail")
    record(session, world.ipo, reg, language="pass", interview="pass", driving="pass")
    assert Registration.objects.get(pk=reg.pk).outcome == "pass"
    assert Clearance.objects.filter(officer=world.officer_x, kind="un_assessment").exists()


# --- privacy -------------------------------------------------------------------------------------------

def test_anonymisation_erases_the_registration_notes(world):
    from privacy.hooks import officer_erasers

    session = make_session(world.ipo)
    services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a, note="Knee surgery")
    for eraser in officer_erasers():
        eraser(officer_id=world.officer_x.pk)
    assert Registration.objects.get(officer=world.officer_x).note == ""


def test_the_archive_holds_the_registrations_and_results_as_the_reader_may_see_them(world):
    from privacy.hooks import archive_sections

    session = make_session(world.ipo)
    reg = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    session = held(session)
    record(session, world.ipo, reg, language="pass", interview="pass", driving="pass")
    section = next(s for s in archive_sections(world.officer_x, world.ipo) if s.key == "planning")
    assert section.data["assessment_sessions"][0]["outcome"] == "pass"
    assert len(section.data["assessment_sessions"][0]["results"]) == 3
    own = next(s for s in archive_sections(world.officer_x, world.user_x) if s.key == "planning")
    assert own.data["assessment_sessions"]
    other = next(s for s in archive_sections(world.officer_x, world.coord_b) if s.key == "planning")
    assert other.data["assessment_sessions"] == [] and other.data["talent_pool"] is None


@pytest.mark.parametrize("n", [1, 6])
def test_the_archive_runs_a_constant_number_of_queries(world, django_assert_num_queries, n):
    from planning.sessions import archive

    for i in range(n):
        session = make_session(world.ipo, days=20 + i)
        reg = services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
        record(held(session), world.ipo, reg, language="pass", interview="fail")
    # the registrations with their sessions, their results, the pool entry
    with django_assert_num_queries(3):
        section = archive.section(world.officer_x, world.ipo)
    assert len(section.data["assessment_sessions"]) == n


def test_each_recipient_gets_the_email_in_their_language(world):
    world.user_x.preferred_language = "fr"
    world.user_x.save()
    session = make_session(world.ipo)
    services.registration_create(session=session, officer=world.officer_x, actor=world.coord_a)
    languages = dict(OutgoingMail.objects.filter(kind="session_registration").values_list("to", "language"))
    assert languages == {world.user_x.email: "fr", world.coord_a.email: "en"}
