"""Celery tasks (config/celery.py): the request's id travels into the tasks it enqueues, and every
run of a task (the scheduled jobs among them) is logged with its name, id, outcome and duration.

In-process: the worker's receivers are connected as the worker's boot step connects them. The
whole path through Redis and a real worker is in tests/integration/test_logs.py."""

import importlib

import pytest
import structlog
from celery.signals import (
    after_task_publish,
    before_task_publish,
    task_failure,
    task_prerun,
    task_rejected,
    task_retry,
    task_revoked,
    task_success,
    task_unknown,
)

from config.celery import StructlogWorkerStep, app
from notifications import services as outbox
from notifications.tasks import outbox_sweep

from .conftest import named

pytestmark = pytest.mark.django_db

WORKER_SIGNALS = {
    task_prerun: "receiver_task_prerun",
    task_retry: "receiver_task_retry",
    task_success: "receiver_task_success",
    task_failure: "receiver_task_failure",
    task_revoked: "receiver_task_revoked",
    task_unknown: "receiver_task_unknown",
    task_rejected: "receiver_task_rejected",
}


@pytest.fixture
def worker_step():
    """What a worker's boot step does at start-up (its receivers), undone afterwards."""
    step = StructlogWorkerStep(None)
    yield step
    for signal, name in WORKER_SIGNALS.items():
        signal.disconnect(getattr(step.receiver, name))
    structlog.contextvars.clear_contextvars()


def publish(name: str, task_id: str = "child-1") -> dict:
    """What Celery does around publishing a task message: returns its headers."""
    headers = {"id": task_id, "task": name}
    before_task_publish.send(sender=name, body=(), exchange="", routing_key="celery", headers=headers,
                             properties={}, declare=[], retry_policy=None)
    after_task_publish.send(sender=name, body=(), exchange="", routing_key="celery", headers=headers)
    return headers


def test_the_worker_boot_step_is_installed():
    assert StructlogWorkerStep in app.steps["worker"]


def test_the_request_context_travels_in_the_task_headers_and_is_bound_in_the_worker(worker_step, events):
    task = outbox_sweep
    with structlog.contextvars.bound_contextvars(request_id="req-42", user_id=7):
        headers = publish(task.name)
    assert headers["__django_structlog__"] == {"request_id": "req-42", "user_id": 7}
    (enqueued,) = named(events, "task_enqueued")
    assert enqueued["child_task_name"] == task.name and enqueued["request_id"] == "req-42"

    # the worker: the message's headers become the task's request
    task.push_request(**headers)
    try:
        worker_step.receiver.receiver_task_prerun("child-1", task)
        structlog.get_logger("notifications.delivery").info("mail_delivery", mail_id=1)
    finally:
        task.pop_request()

    (inside,) = named(events, "mail_delivery")
    assert inside["request_id"] == "req-42" and inside["task_id"] == "child-1"
    assert inside["task"] == "notifications.tasks.outbox_sweep"


def test_a_task_enqueued_by_a_task_is_logged_once(worker_step, events):
    publish("notifications.tasks.deliver_mail_batch")
    assert len(named(events, "task_enqueued")) == 1


def test_every_run_of_a_scheduled_job_is_logged_with_its_name_outcome_and_duration(worker_step, events):
    for entry in app.conf.beat_schedule.values():  # every scheduled job is a task, run through these receivers
        module, name = entry["task"].rsplit(".", 1)
        assert getattr(importlib.import_module(module), name).name == entry["task"]

    result = outbox_sweep.apply(task_id="beat-1")

    assert result.successful()
    (started,) = named(events, "task_started")
    (succeeded,) = named(events, "task_succeeded")
    assert started["task"] == succeeded["task"] == "notifications.tasks.outbox_sweep"
    assert started["task_id"] == succeeded["task_id"] == "beat-1"
    assert succeeded["log_level"] == "info" and succeeded["duration_ms"] >= 0


def test_a_job_that_fails_is_logged_as_failed(worker_step, events, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(outbox, "outbox_sweep", broken)

    result = outbox_sweep.apply(task_id="beat-2")

    assert result.failed()
    (failed,) = named(events, "task_failed")
    assert failed["task"] == "notifications.tasks.outbox_sweep" and failed["task_id"] == "beat-2"
    assert failed["log_level"] == "error" and failed["duration_ms"] >= 0
    assert not named(events, "task_succeeded")
