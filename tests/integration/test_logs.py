"""Issue 15: the request id reaches the worker. A request that enqueues a task (a password reset:
the worker looks the address up and queues the email, whose delivery is a task of its own) leaves
lines in a real Celery worker's JSON log carrying that request's id; beat's scheduled jobs are
logged run by run; and no line holds the person's address."""

import json

import pytest
import structlog
from django.test import Client
from django.urls import reverse

from tests import factories as f

from .conftest import tail, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def worker_lines(worker) -> list[dict]:
    """The worker's log, one JSON object per line (Celery's start-up banner aside)."""
    lines = []
    for line in worker.log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_a_request_id_travels_from_the_web_to_the_worker_and_its_child_tasks(start_worker, smtp_server,
                                                                               monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "json")
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    user = f.UserFactory(email="xena.xavier@example.test", first_name="Xena", last_name="Xavier")
    worker = start_worker(beat=True)

    with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as events:
        response = Client().post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    (finished,) = [e for e in events if e["event"] == "request_finished"]
    request_id = finished["request_id"]
    (enqueued,) = [e for e in events if e["event"] == "task_enqueued"]
    assert enqueued["child_task_name"] == "accounts.tasks.password_reset_send"
    assert enqueued["request_id"] == request_id

    def delivered():
        return [e for e in worker_lines(worker) if e.get("event") == "mail_delivery" and e.get("outcome") == "sent"]

    (delivery,) = wait_until(delivered, timeout=60, message=lambda: f"the delivery line\n{tail(worker.log)}")
    lines = worker_lines(worker)
    ours = [e for e in lines if e.get("request_id") == request_id]
    runs = {(e["event"], e.get("task")) for e in ours}
    # the task the request enqueued, the delivery task that one enqueued, and the delivery itself
    assert ("task_started", "accounts.tasks.password_reset_send") in runs
    assert ("task_succeeded", "accounts.tasks.password_reset_send") in runs
    assert ("task_started", "notifications.tasks.deliver_mail_batch") in runs
    assert delivery["request_id"] == request_id and delivery["task"] == "notifications.tasks.deliver_mail_batch"
    assert delivery["attempt"] == 1 and delivery["duration_ms"] >= 0
    # every line is JSON with the same keys as the web's
    assert all({"event", "level", "timestamp", "logger"} <= set(e) for e in lines)
    # a child task enqueued by a task is logged once, not once per receiver
    child = [e for e in ours if e["event"] == "task_enqueued"]
    assert len(child) == len({e["child_task_id"] for e in child}) >= 1

    # beat's scheduled job, run by run, with its duration and no request
    def sweeps():
        return [e for e in worker_lines(worker)
                if e.get("event") == "task_succeeded" and e.get("task") == "notifications.tasks.outbox_sweep"]

    sweep = wait_until(sweeps, timeout=30, message="a logged run of the outbox sweeper")[0]
    assert sweep["duration_ms"] >= 0 and "request_id" not in sweep

    text = worker.log.read_text(errors="replace")
    assert "xena.xavier" not in text and "Xavier" not in text
