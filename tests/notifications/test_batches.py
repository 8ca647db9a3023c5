"""Issue 10: a batch of messages is one record in the request; a worker fans it out into outbox
rows, rendering each message in its recipient's language from stored references, and fanning
out again never makes a second row."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from missions.models import Bulletin
from notifications import services, tasks
from notifications.models import MailBatch, OutgoingMail
from notifications.selectors import delivery_by_topic
from notifications.services import Recipient
from tests import factories as f

pytestmark = pytest.mark.django_db

S = OutgoingMail.Status


@pytest.fixture
def bulletin():
    return f.BulletinFactory(status=Bulletin.Status.PUBLISHED)


@pytest.fixture
def agencies():
    return [
        f.AgencyFactory(slug="batch-a", name_en="Batch A Police", name_fr="Police Batch A"),
        f.AgencyFactory(slug="batch-b", name_en="Batch B Police", name_fr="Police Batch B", language="fr"),
    ]


def recipients_for(agencies, user=None):
    a, b = agencies
    people = [
        Recipient(email="en@a.example.test", language="en", name="Ann", topic="notice:1", ref=a.pk),
        Recipient(email="fr@b.example.test", language="fr", name="Benoît", topic="notice:2", ref=b.pk),
        Recipient(email="EN@a.example.test", language="en", topic="notice:1", ref=a.pk),  # same address, topic
        Recipient(email="en@a.example.test", language="en", topic="notice:2", ref=b.pk),  # another topic: kept
        Recipient(email="", topic="notice:1", ref=a.pk),  # no address
        Recipient(email="de@b.example.test", language="de", topic="notice:2", ref=b.pk),  # English
    ]
    if user is not None:
        people.append(Recipient(email=user.email, language="fr", user_id=user.pk, topic="notice:2", ref=b.pk))
    return people


def queue(bulletin, agencies, **extra):
    return services.mail_batch_queue(
        recipients=recipients_for(agencies, **extra), template="bulletin_published", loader="bulletin",
        context={"bulletin": bulletin.pk},
    )


def test_the_request_stores_one_record_and_enqueues_one_task_after_the_commit(
    bulletin, agencies, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = queue(bulletin, agencies)

    assert len(callbacks) == 1
    assert not OutgoingMail.objects.exists()
    batch.refresh_from_db()
    assert (batch.total, batch.done, batch.finished_at, batch.kind) == (4, 0, None, "bulletin_published")
    assert batch.recipients == [
        ["en@a.example.test", "en", None, "Ann", "notice:1", agencies[0].pk],
        ["fr@b.example.test", "fr", None, "Benoît", "notice:2", agencies[1].pk],
        ["en@a.example.test", "en", None, "", "notice:2", agencies[1].pk],
        ["de@b.example.test", "en", None, "", "notice:2", agencies[1].pk],
    ]
    assert batch.context == {"bulletin": bulletin.pk}

    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # the commit: the worker's task

    rows = {(m.to, m.topic): m for m in OutgoingMail.objects.all()}
    assert len(rows) == 4 and len(mailoutbox) == 4 and {m.status for m in rows.values()} == {S.SENT}
    assert [m.message_id for m in OutgoingMail.objects.order_by("message_id")] == [
        f"<{batch.key}.{n}@roster.ipo.example>" for n in range(4)
    ]
    english, french = rows["en@a.example.test", "notice:1"], rows["fr@b.example.test", "notice:2"]
    assert "Police adviser" in english.subject and "Batch A Police" in english.body_text
    assert "Conseiller de police" in french.subject and "Police Batch B" in french.body_text
    assert french.language == "fr" and french.kind == "bulletin_published" and french.body_html
    batch.refresh_from_db()
    assert batch.done == 4 and batch.finished_at and batch.recipients == []  # nobody's address kept twice


def test_fanning_out_again_makes_no_second_row_and_sends_nothing_twice(
    bulletin, agencies, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        batch = queue(bulletin, agencies)
    saved = list(OutgoingMail.objects.values_list("message_id", "subject", "body_text"))
    # as if the progress had been lost: the whole batch again
    MailBatch.objects.filter(pk=batch.pk).update(done=0, finished_at=None, recipients=recipients_json(agencies))

    with django_capture_on_commit_callbacks(execute=True):
        services.mail_batch_fan_out(batch_id=batch.pk)

    assert list(OutgoingMail.objects.values_list("message_id", "subject", "body_text")) == saved
    assert len(mailoutbox) == 4


def recipients_json(agencies):
    a, b = agencies
    return [
        ["en@a.example.test", "en", None, "Ann", "notice:1", a.pk],
        ["fr@b.example.test", "fr", None, "Benoît", "notice:2", b.pk],
        ["en@a.example.test", "en", None, "", "notice:2", b.pk],
        ["de@b.example.test", "en", None, "", "notice:2", b.pk],
    ]


def test_a_fan_out_that_dies_half_way_is_finished_by_the_sweeper_without_duplicates(
    bulletin, agencies, monkeypatch, django_capture_on_commit_callbacks, mailoutbox, settings
):
    monkeypatch.setattr(services, "FAN_OUT_CHUNK", 1)
    loader = services._CONTEXT_LOADERS["bulletin"]
    calls = []

    def dies_on_the_third_chunk(context, refs):
        calls.append(refs)
        if len(calls) == 3:
            raise RuntimeError("worker lost")
        return loader(context, refs)

    monkeypatch.setitem(services._CONTEXT_LOADERS, "bulletin", dies_on_the_third_chunk)
    with django_capture_on_commit_callbacks(execute=True):
        batch = queue(bulletin, agencies)  # the eager task fails at its third chunk

    batch.refresh_from_db()
    assert batch.done == 2 and batch.finished_at is None
    assert OutgoingMail.objects.count() == 2 and len(mailoutbox) == 2  # each chunk delivered once committed

    # the sweeper leaves a batch that is still moving alone, and takes over one that stopped
    with django_capture_on_commit_callbacks(execute=True):
        assert services.outbox_sweep()["batches"] == 0
    MailBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.outbox_sweep()["batches"] == 1

    batch.refresh_from_db()
    assert batch.done == 4 and batch.finished_at
    assert OutgoingMail.objects.count() == 4 and len(mailoutbox) == 4
    assert len({m.message()["Message-ID"] for m in mailoutbox}) == 4


def test_a_fan_out_past_its_time_budget_hands_the_rest_to_a_new_task(bulletin, agencies, monkeypatch):
    monkeypatch.setattr(services, "FAN_OUT_CHUNK", 1)
    again = []
    monkeypatch.setattr(services, "enqueue_fan_out", again.append)
    monkeypatch.setattr(services, "deliver_after_commit", lambda ids: None)
    clock = iter([0.0, 0.0, 0.0, 50.0])
    monkeypatch.setattr(services.time, "monotonic", lambda: next(clock, 50.0))
    batch = queue(bulletin, agencies)

    made = services.mail_batch_fan_out(batch_id=batch.pk, time_budget=10)

    assert made == 2 and again == [batch.pk]
    batch.refresh_from_db()
    assert batch.done == 2 and batch.finished_at is None


def test_a_login_deleted_before_the_fan_out_is_left_out_of_the_row_not_the_message(
    bulletin, agencies, django_capture_on_commit_callbacks
):
    user = f.CoordinatorFactory(agency=agencies[1], email="gone@b.example.test")
    batch = queue(bulletin, agencies, user=user)
    user.delete()

    with django_capture_on_commit_callbacks(execute=True):
        services.mail_batch_fan_out(batch_id=batch.pk)

    row = OutgoingMail.objects.get(to="gone@b.example.test")
    assert row.user_id is None and row.status == S.SENT


def test_nobody_to_write_to_makes_no_batch(bulletin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.mail_batch_queue(recipients=[Recipient(email="")], template="bulletin_published",
                                         loader="bulletin", context={"bulletin": bulletin.pk}) is None
    assert callbacks == [] and not MailBatch.objects.exists()


@pytest.mark.parametrize("change", [{"loader": "nope"}, {"template": "no_such_template"}])
def test_an_unknown_loader_or_template_is_refused_in_the_request(bulletin, agencies, change):
    from django.template import TemplateDoesNotExist

    arguments = {"recipients": recipients_for(agencies), "template": "bulletin_published", "loader": "bulletin",
                 "context": {"bulletin": bulletin.pk}, **change}
    with pytest.raises((ValueError, TemplateDoesNotExist)):
        services.mail_batch_queue(**arguments)
    assert not MailBatch.objects.exists()



@pytest.mark.parametrize("template", ["password_reset", "invitation", "partner_welcome"])
def test_a_message_with_a_secret_link_is_never_queued_as_a_batch(bulletin, agencies, template):
    """A batch's messages are rendered by the worker and stored as rendered, where IPO staff read
    them: a reset or an invitation link must never be among them (mail_queue's secret_link makes it
    at send time instead)."""
    with pytest.raises(ValueError, match="secret link"):
        services.mail_batch_queue(recipients=recipients_for(agencies), template=template, loader="bulletin",
                                  context={"bulletin": bulletin.pk})
    assert not MailBatch.objects.exists()

def test_a_topic_still_in_a_batch_reads_as_queued(bulletin, agencies, django_capture_on_commit_callbacks):
    batch = queue(bulletin, agencies)

    with CaptureQueriesContext(connection) as queries:
        state = delivery_by_topic(["notice:1", "notice:2", "notice:3"])

    assert len(queries) == 2  # the grouped rows, and the batches not fanned out yet
    assert state["notice:1"]["state"] == "queued" and state["notice:1"]["count"] == 1
    assert state["notice:2"]["state"] == "queued" and state["notice:2"]["count"] == 3
    assert state["notice:3"]["state"] is None

    with django_capture_on_commit_callbacks(execute=True):
        services.mail_batch_fan_out(batch_id=batch.pk)
    with CaptureQueriesContext(connection) as queries:
        state = delivery_by_topic(["notice:1", "notice:2"])
    assert len(queries) == 1  # every topic has rows: no look at the batches
    assert state["notice:1"]["state"] == state["notice:2"]["state"] == "sent"


def test_the_fan_out_task_is_idempotent(bulletin, agencies, django_capture_on_commit_callbacks, mailoutbox):
    batch = queue(bulletin, agencies)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.fan_out_mail_batch.apply(args=(batch.pk,))
    with django_capture_on_commit_callbacks(execute=True):
        tasks.fan_out_mail_batch.apply(args=(batch.pk,))  # redelivered
    assert OutgoingMail.objects.count() == 4 and len(mailoutbox) == 4


def test_a_batch_about_something_deleted_since_is_closed_not_retried_for_ever(bulletin, agencies, caplog):
    batch = queue(bulletin, agencies)
    Bulletin.objects.filter(pk=bulletin.pk).delete()

    assert services.mail_batch_fan_out(batch_id=batch.pk) == 0

    batch.refresh_from_db()
    assert batch.finished_at and batch.recipients == [] and not OutgoingMail.objects.exists()
    assert "no longer exists" in caplog.text
    MailBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - timedelta(minutes=5))
    assert services.outbox_sweep()["batches"] == 0


def test_an_audience_is_asked_once_by_the_worker_and_its_answer_kept(bulletin, agencies, monkeypatch):
    asked = []

    def audience(context):
        asked.append(context)
        return recipients_for(agencies)

    monkeypatch.setitem(services._AUDIENCES, "test-audience", audience)
    monkeypatch.setattr(services, "deliver_after_commit", lambda ids: None)
    batch = services.mail_batch_queue(audience="test-audience", topics=["notice:1", "notice:2"],
                                      template="bulletin_published", loader="bulletin",
                                      context={"bulletin": bulletin.pk})

    assert asked == [] and batch.total is None and batch.recipients == []  # nobody looked up in the request
    state = delivery_by_topic(["notice:1", "notice:2", "notice:3"])
    assert [state[t]["state"] for t in ("notice:1", "notice:2", "notice:3")] == ["queued", "queued", None]

    monkeypatch.setattr(services, "FAN_OUT_CHUNK", 3)
    monkeypatch.setattr(services, "enqueue_fan_out", lambda pk: None)
    clock = iter([0.0, 0.0, 50.0])
    monkeypatch.setattr(services.time, "monotonic", lambda: next(clock, 50.0))
    assert services.mail_batch_fan_out(batch_id=batch.pk, time_budget=10) == 3  # one chunk, then out of time
    batch.refresh_from_db()
    assert asked == [{"bulletin": bulletin.pk}] and batch.total == 4 and batch.done == 3 and batch.topics == []
    f.CoordinatorFactory(agency=agencies[0], email="late@a.example.test")  # joins after the question

    assert services.mail_batch_fan_out(batch_id=batch.pk) == 1

    assert len(asked) == 1  # the answer kept: the same people, whatever changed since
    assert sorted(OutgoingMail.objects.values_list("to", flat=True)) == sorted(
        ["en@a.example.test", "fr@b.example.test", "en@a.example.test", "de@b.example.test"])


def test_a_batch_needs_recipients_or_a_known_audience(bulletin):
    for arguments in ({}, {"audience": "nobody-registered"}, {"audience": "bulletin-agencies", "recipients": []}):
        with pytest.raises(ValueError):
            services.mail_batch_queue(template="bulletin_published", loader="bulletin",
                                      context={"bulletin": bulletin.pk}, **arguments)
