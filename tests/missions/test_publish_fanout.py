"""Issue 10: publishing costs the same whatever the number of partner agencies. The request commits
the status, the notices and one record of what must be sent, then enqueues one task; a worker
fans it out into one email per recipient, in their language (notifications.services)."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from missions import services
from missions.models import Bulletin, BulletinNotice
from notifications import services as outbox
from notifications import tasks
from notifications.models import MailBatch, OutgoingMail
from notifications.selectors import delivery_by_topic
from tests import factories as f
from tests.pages import page_text

pytestmark = pytest.mark.django_db

# (savepoint), the bulletin locked (mission joined), the audit trail's read of it, the audit entry,
# the update, the notices (one INSERT ... SELECT), their ids (the batch's topics), the batch, (release)
PUBLISH_QUERIES = 9


@pytest.fixture
def draft(world):
    return f.BulletinFactory(mission=world.mission, status=Bulletin.Status.DRAFT, published_at=None)


def add_partners(n):
    """n more partner agencies, each with a coordinator (every third French), every fourth with a
    mailbox; plus a coordinator who left and an agency that is not a partner: neither is written to."""
    for i in range(n):
        agency = f.AgencyFactory(slug=f"fan-{i:03d}", name_en=f"Fan Police {i:03d}", name_fr=f"Police Fan {i:03d}",
                                 language="fr" if i % 2 else "en",
                                 mailbox=f"jpb@fan-{i:03d}.example.test" if i % 4 == 0 else "")
        f.CoordinatorFactory(agency=agency, email=f"coord-{i:03d}@fan.example.test",
                             preferred_language="fr" if i % 3 == 0 else "en")
    f.CoordinatorFactory(agency=f.AgencyFactory(slug="fan-000"), email="left@fan.example.test", is_active=False)
    outsider = f.AgencyFactory(slug="not-a-partner", is_partner=False)
    f.CoordinatorFactory(agency=outsider, email="outsider@example.test")


@pytest.mark.parametrize("n", [0, 60])
def test_publishing_runs_the_same_queries_and_enqueues_one_task_whatever_the_number_of_agencies(
    world, draft, n, django_assert_num_queries, django_capture_on_commit_callbacks
):
    add_partners(n)
    partners = Agency.objects.filter(is_partner=True).count()

    with django_capture_on_commit_callbacks(execute=False) as callbacks, django_assert_num_queries(PUBLISH_QUERIES):
        services.bulletin_publish(bulletin=draft, actor=world.ipo)

    assert len(callbacks) == 1  # one task after the commit
    notices = BulletinNotice.objects.filter(bulletin=draft)
    assert notices.count() == partners
    (batch,) = MailBatch.objects.all()
    # who exactly is the worker's first question; the notices are queued meanwhile
    assert batch.total is None and batch.recipients == [] and batch.audience == services.BULLETIN_AGENCIES
    assert sorted(batch.topics) == sorted(n.outbox_key for n in notices)
    assert not OutgoingMail.objects.exists()  # the worker makes them

    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()

    batch.refresh_from_db()
    # coordinators A and B, one per new agency, and a mailbox every fourth one
    assert batch.total == batch.done == OutgoingMail.objects.count() == 2 + n + len(range(0, n, 4))
    assert batch.finished_at and batch.topics == [] and batch.recipients == []


def test_the_one_task_is_the_fan_out_of_the_batch(world, draft, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(tasks.fan_out_mail_batch, "apply_async", lambda args, **kw: sent.append(args))
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)

    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_publish(bulletin=draft, actor=world.ipo)

    (batch,) = MailBatch.objects.all()
    assert sent == [(batch.pk,)]


def test_each_recipient_gets_the_publication_in_their_language_under_their_notice(
    world, draft, django_capture_on_commit_callbacks, mailoutbox
):
    add_partners(8)

    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_publish(bulletin=draft, actor=world.ipo)

    notices = {n.agency.slug: n for n in BulletinNotice.objects.filter(bulletin=draft).select_related("agency")}
    rows = {m.to: m for m in OutgoingMail.objects.all()}
    assert set(rows) == {m.to[0] for m in mailoutbox} == (
        {world.coord_a.email, world.coord_b.email}
        | {f"coord-{i:03d}@fan.example.test" for i in range(8)}
        | {"jpb@fan-000.example.test", "jpb@fan-004.example.test"}
    )
    assert len(mailoutbox) == len(rows)  # once each
    french = rows["coord-003@fan.example.test"]
    assert french.language == "fr" and "Conseiller de police" in french.subject and "Police Fan 003" in french.body_text
    english = rows["coord-001@fan.example.test"]
    assert english.language == "en" and "Police adviser" in english.subject and "Fan Police 001" in english.body_text
    mailbox = rows["jpb@fan-004.example.test"]  # the agency's mailbox, in the agency's language (English)
    assert mailbox.language == "en" and mailbox.topic == notices["fan-004"].outbox_key
    assert rows[world.coord_a.email].topic == notices["agency-a"].outbox_key
    assert all(m.status == OutgoingMail.Status.SENT and m.kind == "bulletin_published" for m in rows.values())
    states = delivery_by_topic(n.outbox_key for n in notices.values())
    assert {s["state"] for s in states.values()} == {"sent"}


def test_the_bulletin_page_shows_the_notices_queued_until_the_worker_has_fanned_them_out(
    world, clients, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.bulletin_publish(bulletin=draft, actor=world.ipo)
    url = reverse("missions:bulletin-detail", kwargs={"pk": draft.pk})

    assert "2 agencies notified: 0 sent, 0 failed, 2 queued; 0 acknowledged" in page_text(clients.ipo.get(url))

    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    assert "2 agencies notified: 2 sent, 0 failed, 0 queued; 0 acknowledged" in page_text(clients.ipo.get(url))


def test_a_broker_down_at_publish_fails_nothing_and_the_sweeper_fans_out_later(
    world, draft, monkeypatch, settings, django_capture_on_commit_callbacks, mailoutbox
):
    from kombu.exceptions import OperationalError as BrokerDown

    def down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as m:
        m.setattr(tasks.fan_out_mail_batch, "apply_async", down)
        m.setattr(outbox, "_eager", lambda: False)
        m.setattr(outbox, "_broker_down_until", 0.0)
        with django_capture_on_commit_callbacks(execute=True):
            services.bulletin_publish(bulletin=draft, actor=world.ipo)  # no exception

    draft.refresh_from_db()
    assert draft.status == Bulletin.Status.PUBLISHED
    (batch,) = MailBatch.objects.all()
    assert batch.finished_at is None and not OutgoingMail.objects.exists() and mailoutbox == []

    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)
    MailBatch.objects.update(updated_at=timezone.now() - dt.timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.outbox_sweep()["batches"] == 1
    assert sorted(m.to[0] for m in mailoutbox) == [world.coord_a.email, world.coord_b.email]


@pytest.mark.parametrize("early", [True, False])
def test_closing_tells_every_agency_in_one_batch_under_its_own_topic(
    world, draft, early, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_publish(bulletin=draft, actor=world.ipo)
    mailoutbox.clear()
    now = draft.closes_at - dt.timedelta(days=1) if early else draft.closes_at + dt.timedelta(minutes=1)

    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_close(bulletin=draft, actor=world.ipo, now=now)

    template = "bulletin_closed_early" if early else "bulletin_closed"
    batch = MailBatch.objects.get(template=template)
    notices = BulletinNotice.objects.filter(bulletin=draft)
    assert {m.topic for m in OutgoingMail.objects.filter(kind=template)} == {
        f"{n.outbox_key}:{template}" for n in notices
    }
    assert len(mailoutbox) == batch.total == 2


def test_reminders_go_as_one_batch_per_bulletin(world, settings, django_capture_on_commit_callbacks, mailoutbox):
    settings.ROSTER = {**settings.ROSTER, "REMINDER_DAYS_BEFORE_CLOSING": 3}
    soon = f.BulletinFactory(mission=world.mission, closes_at=timezone.now() + dt.timedelta(days=2))
    notices = [f.BulletinNoticeFactory(bulletin=soon, agency=a) for a in (world.agency_a, world.agency_b)]

    with django_capture_on_commit_callbacks(execute=True):
        assert services.bulletins_send_reminders() == 2

    assert MailBatch.objects.get().template == "bulletin_reminder"
    assert {m.topic for m in OutgoingMail.objects.all()} == {f"{n.outbox_key}:bulletin_reminder" for n in notices}
    assert sorted(m.to[0] for m in mailoutbox) == [world.coord_a.email, world.coord_b.email]


def test_circulating_to_many_officers_is_one_batch_signed_by_the_coordinator(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    notice = f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    for i in range(30):
        f.OfficerFactory(agency=world.agency_a, user=None, email=f"officer-{i}@agency-a.example")

    with django_capture_on_commit_callbacks(execute=True):
        services.notice_circulate(bulletin=world.bulletin, actor=world.coord_a)

    assert MailBatch.objects.get().template == "bulletin_circulated"
    notice.refresh_from_db()
    assert notice.circulated_count == 31 == len(mailoutbox)  # the 30, and officer X (a login)
    assert {m.topic for m in OutgoingMail.objects.all()} == {f"{notice.outbox_key}:circulated"}
    assert all(world.coord_a.get_full_name() in m.body for m in mailoutbox)
    assert all("Agency A Police" in m.body for m in mailoutbox)


def test_publishing_refuses_a_notice_field_whose_default_differs_per_row(world, draft, monkeypatch):
    field = BulletinNotice._meta.get_field("circulated_count")
    monkeypatch.setattr(field, "default", lambda: 0)
    with pytest.raises(ImproperlyConfigured):
        services.bulletin_publish(bulletin=draft, actor=world.ipo)
