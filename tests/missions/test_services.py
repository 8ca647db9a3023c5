import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from missions import services
from missions.models import Bulletin, BulletinNotice
from notifications.models import MailBatch, OutgoingMail
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    return f.BulletinFactory(mission=world.mission, status=Bulletin.Status.DRAFT)


def publish(bulletin, actor, capture):
    with capture(execute=True):
        return services.bulletin_publish(bulletin=bulletin, actor=actor)


def test_it_publishes_with_one_notice_per_partner_agency_and_one_mail_per_recipient(
    world, draft, django_capture_on_commit_callbacks, mailoutbox
):
    world.agency_b.mailbox = "ipo@agency-b.example"
    world.agency_b.language = "fr"
    world.agency_b.save()
    f.AgencyFactory(slug="not-partner", is_partner=False)
    world.coord_b.preferred_language = "fr"
    world.coord_b.save()

    publish(draft, world.ipo, django_capture_on_commit_callbacks)

    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_at
    notices = BulletinNotice.objects.filter(bulletin=draft)
    assert {n.agency.slug for n in notices} == {"agency-a", "agency-b"}
    assert sorted(m.to[0] for m in mailoutbox) == [
        "coord-a@example.test", "coord-b@example.test", "ipo@agency-b.example"]
    french = next(m for m in mailoutbox if m.to == ["coord-b@example.test"])
    assert "Conseiller de police" in french.subject and "Nouvel" in french.subject
    assert french.alternatives and "text/html" in french.alternatives[0][1]
    assert OutgoingMail.objects.filter(status="sent").count() == 3
    notice_a = notices.get(agency=world.agency_a)
    assert OutgoingMail.objects.get(to="coord-a@example.test").topic == notice_a.outbox_key


def test_it_queues_nothing_until_the_commit(world, draft, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.bulletin_publish(bulletin=draft, actor=world.ipo)
    assert len(callbacks) == 1  # one task, whatever the number of agencies, run only after the commit
    assert mailoutbox == []
    (batch,) = MailBatch.objects.all()
    assert len(batch.topics) == 2 and batch.done == 0 and not OutgoingMail.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # the commit: the batch is fanned out, and each chunk delivered after its own commit

    assert sorted(m.to[0] for m in mailoutbox) == ["coord-a@example.test", "coord-b@example.test"]
    assert OutgoingMail.objects.filter(status="sent").count() == 2


@pytest.mark.parametrize(
    "change,field",
    [
        ({"title_fr": ""}, "title_fr"),
        ({"description_en": " "}, "description_en"),
        ({"closes_at": timezone.now() - dt.timedelta(hours=1)}, "closes_at"),
    ],
)
def test_it_refuses_to_publish_and_says_why_next_to_the_field(world, change, field):
    b = f.BulletinFactory.build(mission=world.mission, status=Bulletin.Status.DRAFT, **change)
    b.save()
    with pytest.raises(ValidationError) as exc:
        services.bulletin_publish(bulletin=b, actor=world.ipo)
    assert field in exc.value.message_dict
    b.refresh_from_db()
    assert b.status == "draft"
    assert not BulletinNotice.objects.filter(bulletin=b).exists()
    assert not OutgoingMail.objects.exists() and not MailBatch.objects.exists()


def test_it_needs_a_position_to_publish_and_the_database_agrees(world):
    from django.db import IntegrityError, transaction

    b = f.BulletinFactory.build(mission=world.mission, positions=0)
    assert "positions" in services.bulletin_publish_problems(b)
    with pytest.raises(IntegrityError), transaction.atomic():
        b.save()


def test_it_lets_only_ipo_staff_publish_close_cancel_and_duplicate(world, draft):
    for user in (world.coord_a, world.user_x):
        with pytest.raises(PermissionDenied):
            services.bulletin_publish(bulletin=draft, actor=user)
        with pytest.raises(PermissionDenied):
            services.bulletin_close(bulletin=world.bulletin, actor=user)
        with pytest.raises(PermissionDenied):
            services.bulletin_cancel(bulletin=world.bulletin, actor=user, reason="x")
        with pytest.raises(PermissionDenied):
            services.bulletin_duplicate(bulletin=world.bulletin, actor=user)
        with pytest.raises(PermissionDenied):
            services.bulletin_save(bulletin=draft, actor=user)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_it_refuses_to_edit_or_publish_a_published_bulletin(world):
    with pytest.raises(ValidationError):
        services.bulletin_save(bulletin=world.bulletin, actor=world.ipo)
    with pytest.raises(ValidationError):
        services.bulletin_publish(bulletin=world.bulletin, actor=world.ipo)


def test_it_closes_early_and_tells_the_agencies(world, draft, django_capture_on_commit_callbacks, mailoutbox):
    publish(draft, world.ipo, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_close(bulletin=draft, actor=world.ipo)
    draft.refresh_from_db()
    assert draft.status == "closed"
    assert len(mailoutbox) == 2 and "closed early" in mailoutbox[0].subject
    with pytest.raises(ValidationError):
        services.bulletin_close(bulletin=draft, actor=world.ipo)


def test_it_cancels_with_a_reason_sent_to_the_agencies(world, draft, django_capture_on_commit_callbacks, mailoutbox):
    publish(draft, world.ipo, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with pytest.raises(ValidationError) as exc:
        services.bulletin_cancel(bulletin=draft, actor=world.ipo, reason="  ")
    assert "reason" in exc.value.message_dict
    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_cancel(bulletin=draft, actor=world.ipo, reason="Mission mandate ended")
    draft.refresh_from_db()
    assert draft.status == "cancelled" and draft.cancel_reason == "Mission mandate ended"
    assert all("Mission mandate ended" in m.body for m in mailoutbox) and len(mailoutbox) == 2


def test_it_duplicates_as_a_new_draft(world):
    copy = services.bulletin_duplicate(bulletin=world.bulletin, actor=world.ipo)
    assert copy.pk != world.bulletin.pk and copy.status == "draft"
    assert copy.reference != world.bulletin.reference and copy.title_fr == world.bulletin.title_fr


def test_it_numbers_references_per_year(world):
    f.BulletinFactory(reference="JPB-2031-009")
    assert services.bulletin_next_reference(2031) == "JPB-2031-010"
    assert services.bulletin_next_reference(2032) == "JPB-2032-001"


def test_it_lets_a_coordinator_acknowledge_only_for_their_agency(world):
    notice_a = f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    notice_b = f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_b)
    services.notice_acknowledge(bulletin=world.bulletin, actor=world.coord_a)
    notice_a.refresh_from_db()
    notice_b.refresh_from_db()
    assert notice_a.acknowledged_by == world.coord_a and notice_a.acknowledged_at
    assert notice_b.acknowledged_at is None
    for user in (world.ipo, world.user_x):
        with pytest.raises(PermissionDenied):
            services.notice_acknowledge(bulletin=world.bulletin, actor=user)


def test_it_refuses_to_acknowledge_without_a_notice(world):
    with pytest.raises(PermissionDenied):
        services.notice_acknowledge(bulletin=world.bulletin, actor=world.coord_a)


def test_it_closes_bulletins_when_they_are_due_and_tells_the_agencies(world, django_capture_on_commit_callbacks,
                                                                     mailoutbox):
    due = f.BulletinFactory(mission=world.mission, closes_at=timezone.now() - dt.timedelta(minutes=1))
    f.BulletinNoticeFactory(bulletin=due, agency=world.agency_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.bulletins_close_due() == 1
    due.refresh_from_db()
    world.bulletin.refresh_from_db()
    assert due.status == "closed" and world.bulletin.status == "published"
    (mail,) = mailoutbox
    assert mail.to == [world.coord_a.email] and f"Bulletin {due.reference} is closed" in mail.subject
    assert "reached its closing date" in mail.body


def test_it_reminds_only_silent_agencies_once(world, settings, django_capture_on_commit_callbacks, mailoutbox):
    settings.ROSTER = {**settings.ROSTER, "REMINDER_DAYS_BEFORE_CLOSING": 3}
    soon = f.BulletinFactory(mission=world.mission, closes_at=timezone.now() + dt.timedelta(days=2))
    f.BulletinFactory(mission=world.mission, closes_at=timezone.now() + dt.timedelta(days=10))
    agency_c = f.AgencyFactory(slug="agency-c")
    coord_c = f.CoordinatorFactory(agency=agency_c, email="coord-c@example.test")
    f.BulletinNoticeFactory(bulletin=soon, agency=world.agency_a, acknowledged_at=timezone.now())
    f.BulletinNoticeFactory(bulletin=soon, agency=world.agency_b)
    f.BulletinNoticeFactory(bulletin=soon, agency=agency_c)
    # agency B nominated someone: no reminder
    f.ApplicationFactory(bulletin=soon, officer=world.officer_y, status="endorsed", nominated_by=world.coord_b)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.bulletins_send_reminders() == 1
    assert [m.to for m in mailoutbox] == [[coord_c.email]]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.bulletins_send_reminders() == 0


def test_it_circulates_an_open_bulletin_to_the_agencys_officers_once(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    notice = f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    f.OfficerFactory(agency=world.agency_a, user=None, email="no-login@agency-a.example")
    f.OfficerFactory(agency=world.agency_a, user=None, email="", last_name="NoEmail")
    f.OfficerFactory(agency=world.agency_a, user=None, email="retired@agency-a.example", is_active=False)
    world.user_x.preferred_language = "fr"
    world.user_x.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_circulate(bulletin=world.bulletin, actor=world.coord_a)
    notice.refresh_from_db()
    assert notice.circulated_by == world.coord_a and notice.circulated_count == 2
    assert notice.acknowledged_by == world.coord_a  # circulating acknowledges
    to = {m.to[0]: m for m in mailoutbox}
    assert set(to) == {world.user_x.email, "no-login@agency-a.example"}  # not agency B's officer Y
    assert "Avis ouvert" in to[world.user_x.email].subject
    with pytest.raises(ValidationError):
        services.notice_circulate(bulletin=world.bulletin, actor=world.coord_a)


def test_it_lets_only_the_agencys_coordinator_circulate_an_open_bulletin(world):
    f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    for user in (world.ipo, world.user_x, world.coord_b):
        with pytest.raises(PermissionDenied):
            services.notice_circulate(bulletin=world.bulletin, actor=user)
    world.bulletin.status = Bulletin.Status.CLOSED
    world.bulletin.save()
    with pytest.raises(ValidationError):
        services.notice_circulate(bulletin=world.bulletin, actor=world.coord_a)
    assert not OutgoingMail.objects.exists() and not MailBatch.objects.exists()
