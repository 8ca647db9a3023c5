"""Welfare check-ins in mission: who may check in, what an urgent one sets off, who reads the notes,
and the follow-up."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from tests import factories as f
from tests.welfare.conftest import make_checkin
from welfare import services
from welfare.models import CheckIn

pytestmark = pytest.mark.django_db


# --- posting a check-in ------------------------------------------------------------------------------------

def test_an_officer_in_mission_checks_in_on_their_current_deployment(world, outbox):
    checkin = services.checkin_create(user=world.user_x, status="well", note="  All good.  ", contact="")
    assert checkin.deployment == world.dep_x and checkin.officer == world.officer_x
    assert checkin.note == "All good." and checkin.created_by == world.user_x
    assert outbox() == []  # all well: nobody is emailed


def test_an_officer_not_in_mission_cannot_check_in(world):
    world.dep_x.status = "completed"
    world.dep_x.actual_end_date = timezone.localdate()
    world.dep_x.save()
    with pytest.raises(ValidationError, match="no deployment in mission"):
        services.checkin_create(user=world.user_x, status="well")
    planned = f.DeploymentFactory(officer=f.OfficerFactory(user=f.UserFactory(agency=world.agency_a)),
                                  status="planned", start_date=timezone.localdate() + dt.timedelta(days=10))
    with pytest.raises(ValidationError):
        services.checkin_create(user=planned.officer.user, status="well")
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("persona", ["ipo", "coord_a"])
def test_only_officers_check_in(world, persona):
    with pytest.raises(PermissionDenied):
        services.checkin_create(user=getattr(world, persona), status="well")


def test_an_unknown_status_or_a_long_note_is_refused_with_the_field_named(world):
    with pytest.raises(ValidationError) as exc:
        services.checkin_create(user=world.user_x, status="fine", note="x" * 1001, contact="y" * 201)
    assert set(exc.value.message_dict) == {"status", "note", "contact"}


def test_the_same_form_sent_twice_is_one_check_in_and_one_alert(world, outbox):
    token = uuid.uuid4()
    first = services.checkin_create(user=world.user_x, status="urgent", note="Help", token=token)
    second = services.checkin_create(user=world.user_x, status="urgent", note="Help", token=token)
    assert first.pk == second.pk and CheckIn.objects.count() == 1
    assert len(outbox("welfare_urgent")) == 2  # the duty desk and coordinator A, once


def test_an_urgent_check_in_emails_the_duty_desk_and_the_officers_coordinators_at_once(world, outbox, settings):
    settings.ROSTER = {**settings.ROSTER, "IPO_DUTY_EMAIL": "duty@ipo.example"}
    f.CoordinatorFactory(email="coord-a2@example.test", agency=world.agency_a)
    f.CoordinatorFactory(email="gone@example.test", agency=world.agency_a, is_active=False)
    services.checkin_create(user=world.user_x, status="urgent", note="Shots fired near the camp",
                            contact="+509 555 0100", shared=False)
    mails = {m.to: m for m in outbox("welfare_urgent")}
    assert set(mails) == {"duty@ipo.example", "coord-a@example.test", "coord-a2@example.test"}
    duty = mails["duty@ipo.example"]
    assert "Shots fired near the camp" in duty.body_text and "+509 555 0100" in duty.body_text
    assert "URGENT" in duty.subject and "Xena Xavier" in duty.subject
    # not shared: the coordinators learn that it is urgent, not what the officer wrote
    for coordinator in ("coord-a@example.test", "coord-a2@example.test"):
        assert "Shots fired" not in mails[coordinator].body_text + mails[coordinator].body_html
        assert "+509" not in mails[coordinator].body_text + mails[coordinator].body_html
        assert "did not share the note" in mails[coordinator].body_text


def test_a_shared_urgent_check_in_tells_the_coordinators_the_note(world, outbox):
    services.checkin_create(user=world.user_x, status="urgent", note="Shots fired", contact="+509", shared=True)
    coordinator = next(m for m in outbox("welfare_urgent") if m.to == "coord-a@example.test")
    assert "Shots fired" in coordinator.body_text and "+509" in coordinator.body_text


def test_a_coordinator_of_another_agency_is_never_told(world, outbox):
    services.checkin_create(user=world.user_x, status="urgent", note="Help", shared=True)
    assert "coord-b@example.test" not in {m.to for m in outbox()}


def test_the_urgent_email_is_in_the_recipients_language(world, outbox):
    world.coord_a.preferred_language = "fr"
    world.coord_a.save()
    services.checkin_create(user=world.user_x, status="urgent")
    assert next(m for m in outbox("welfare_urgent") if m.to == "coord-a@example.test").language == "fr"


@pytest.mark.parametrize("status", ["well", "concern"])
def test_only_urgent_check_ins_alert(world, outbox, status):
    services.checkin_create(user=world.user_x, status=status, note="Roads closed")
    assert outbox() == []


# --- the follow-up ------------------------------------------------------------------------------------------

def test_ipo_staff_record_a_follow_up_once(world):
    checkin = make_checkin(world.dep_x, "urgent", note="Help")
    services.checkin_follow_up(checkin=checkin, actor=world.ipo, note="Called; counsellor booked.")
    checkin.refresh_from_db()
    assert checkin.followed_up_by == world.ipo and checkin.followed_up_at
    assert checkin.follow_up_note == "Called; counsellor booked."
    stale = CheckIn.objects.get(pk=checkin.pk)
    stale.followed_up_at = None  # another member of staff's page, loaded before the first follow-up
    with pytest.raises(ValidationError, match="already followed up"):
        services.checkin_follow_up(checkin=stale, actor=f.IpoStaffFactory(), note="Me too")
    checkin.refresh_from_db()
    assert checkin.follow_up_note == "Called; counsellor booked."


@pytest.mark.parametrize("persona", ["coord_a", "user_x"])
def test_only_ipo_staff_follow_up(world, persona):
    checkin = make_checkin(world.dep_x, "urgent")
    with pytest.raises(PermissionDenied):
        services.checkin_follow_up(checkin=checkin, actor=getattr(world, persona), note="x")


def test_a_follow_up_says_what_was_done_and_all_well_needs_none(world):
    with pytest.raises(ValidationError) as exc:
        services.checkin_follow_up(checkin=make_checkin(world.dep_x, "concern"), actor=world.ipo, note="  ")
    assert "note" in exc.value.message_dict
    with pytest.raises(ValidationError, match="needs no follow-up"):
        services.checkin_follow_up(checkin=make_checkin(world.dep_x, "well"), actor=world.ipo, note="ok")


# --- the pages ------------------------------------------------------------------------------------------------

def test_the_officer_checks_in_from_the_form_and_is_told_it_was_sent(world, clients, outbox):
    page = clients.officer_x.get("/welfare/check-in/")
    assert page.status_code == 200 and b'name="token"' in page.content
    assert "Overdue by 16 days" in page.content.decode()  # 30 days in mission, never checked in, every 14
    token = str(uuid.uuid4())
    response = clients.officer_x.post("/welfare/check-in/", {"status": "urgent", "note": "Help", "token": token,
                                                             "contact": "+509", "shared": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == "/welfare/check-in/"
    assert "IPO duty desk and your coordinator have been told" in response.content.decode()
    checkin = CheckIn.objects.get()
    assert checkin.status == "urgent" and checkin.shared and checkin.contact == "+509"
    assert "Due " in clients.officer_x.get("/welfare/check-in/").content.decode()  # no longer overdue


def test_a_check_in_without_a_status_is_refused_next_to_the_question(world, clients):
    response = clients.officer_x.post("/welfare/check-in/", {"note": "Hello"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="status-error"' in body and "Choose how you are" in body
    assert "Hello" in body  # what they typed is kept
    assert not CheckIn.objects.exists()


def test_an_officer_not_in_mission_sees_why_and_cannot_post(world, clients):
    world.dep_x.status = "completed"
    world.dep_x.actual_end_date = timezone.localdate()
    world.dep_x.save()
    page = clients.officer_x.get("/welfare/check-in/")
    assert b'data-testid="not-in-mission"' in page.content
    clients.officer_x.post("/welfare/check-in/", {"status": "urgent"})
    assert not CheckIn.objects.exists()


def test_ipo_staff_read_the_notes_and_the_read_is_audited(world, clients):
    make_checkin(world.dep_x, "concern", note="Trouble sleeping", contact="Signal +509")
    page = clients.ipo.get(f"/welfare/deployments/{world.dep_x.pk}/").content.decode()
    assert "Trouble sleeping" in page and "Signal +509" in page
    entry = AuditEntry.objects.get(event="read.welfare_checkins")
    assert entry.actor == world.ipo and entry.officer_id == world.officer_x.pk and entry.rows == 1


def test_the_officer_reading_their_own_check_ins_is_not_recorded(world, clients):
    make_checkin(world.dep_x, "well", note="Fine")
    assert "Fine" in clients.officer_x.get(f"/welfare/deployments/{world.dep_x.pk}/").content.decode()
    assert not AuditEntry.objects.filter(event="read.welfare_checkins").exists()


def test_a_coordinator_sees_dates_and_statuses_but_only_shared_notes(world, clients):
    make_checkin(world.dep_x, "concern", days_ago=3, note="Private worry", contact="private-contact")
    make_checkin(world.dep_x, "urgent", note="Shared worry", contact="shared-contact", shared=True)
    page = clients.coord_a.get(f"/welfare/deployments/{world.dep_x.pk}/").content.decode()
    assert "Shared worry" in page and "shared-contact" in page
    assert "Private worry" not in page and "private-contact" not in page
    assert page.count("Not shared") == 2 and "Concern" in page and "Urgent" in page
    assert AuditEntry.objects.filter(event="read.welfare_checkins", actor=world.coord_a).exists()


def test_a_coordinator_never_reads_the_follow_up_itself(world, clients):
    checkin = make_checkin(world.dep_x, "urgent", note="Help", shared=True)
    services.checkin_follow_up(checkin=checkin, actor=world.ipo, note="Internal: spoke with the mission doctor")
    page = clients.coord_a.get(f"/welfare/deployments/{world.dep_x.pk}/").content.decode()
    assert "Followed up" in page and "mission doctor" not in page
    assert "mission doctor" in clients.ipo.get(f"/welfare/deployments/{world.dep_x.pk}/").content.decode()


def test_the_officer_reads_their_own_notes_but_never_the_follow_up_itself(world, clients):
    checkin = make_checkin(world.dep_x, "urgent", note="My own words", contact="+509")
    services.checkin_follow_up(checkin=checkin, actor=world.ipo, note="Internal: spoke with the mission doctor")
    page = clients.officer_x.get(f"/welfare/deployments/{world.dep_x.pk}/").content.decode()
    assert "My own words" in page and "+509" in page and "Followed up" in page
    assert "mission doctor" not in page
    assert "mission doctor" not in clients.officer_x.get("/welfare/check-in/").content.decode()


def test_another_agency_never_sees_the_check_ins(world, clients):
    make_checkin(world.dep_x, "urgent", note="Help", shared=True)
    assert clients.coord_b.get(f"/welfare/deployments/{world.dep_x.pk}/").status_code == 404
    assert clients.officer_y.get(f"/welfare/deployments/{world.dep_x.pk}/").status_code == 404
    board = clients.coord_b.get("/welfare/").content.decode()
    assert "Xavier" not in board and "Young" in board


def test_ipo_staff_follow_up_from_the_page_and_the_urgent_leaves_the_top(world, clients):
    checkin = make_checkin(world.dep_x, "urgent", note="Help", contact="+509")
    form = clients.ipo.get(f"/welfare/check-ins/{checkin.pk}/follow-up/").content.decode()
    assert "Help" in form and "+509" in form
    assert AuditEntry.objects.filter(event="read.welfare_checkins", actor=world.ipo).exists()
    empty = clients.ipo.post(f"/welfare/check-ins/{checkin.pk}/follow-up/", {"note": ""})
    assert empty.status_code == 200 and "Say how you followed up" in empty.content.decode()
    done = clients.ipo.post(f"/welfare/check-ins/{checkin.pk}/follow-up/", {"note": "Reached by phone."})
    assert done.status_code == 302 and done["Location"] == "/welfare/"
    checkin.refresh_from_db()
    assert checkin.followed_up_by == world.ipo
    again = clients.ipo.get(f"/welfare/check-ins/{checkin.pk}/follow-up/")
    assert again.status_code == 302  # nothing left to follow up


def test_the_mission_interval_is_set_by_ipo_staff_and_moves_the_due_date(world, clients):
    response = clients.ipo.post(f"/welfare/missions/{world.mission.pk}/", {"checkin_days": "45"})
    assert response.status_code == 302
    assert "Due " in clients.officer_x.get("/welfare/check-in/").content.decode()  # 30 days in, every 45
    assert clients.ipo.post(f"/welfare/missions/{world.mission.pk}/", {"checkin_days": "0"}).status_code == 200
    assert clients.ipo.post(f"/welfare/missions/{world.mission.pk}/", {"checkin_days": ""}).status_code == 302
    assert "Overdue by 16 days" in clients.officer_x.get("/welfare/check-in/").content.decode()


def test_only_ipo_staff_set_an_interval(world):
    with pytest.raises(PermissionDenied):
        services.mission_interval_set(mission=world.mission, checkin_days=7, actor=world.coord_a)
