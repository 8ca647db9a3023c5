"""Issue 15, health: /readyz against real services (PostgreSQL, a private Redis broker, a Celery worker
subprocess): ready with all of them, not ready once the worker stops, and once the broker stops; the
Celery queue length on /metrics is Redis's."""

import json

import pytest
import redis
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from .conftest import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def readiness():
    response = Client().get("/readyz", {"format": "json"})
    return response.status_code, json.loads(response.content)


def statuses(body) -> dict:
    return {name: check["status"] for name, check in body["checks"].items()}


def queue_length() -> float | None:
    page = Client().get("/metrics").content.decode()
    for family in text_string_to_metric_families(page):
        for sample in family.samples:
            if sample.name == "roster_celery_queue_length" and sample.labels == {"queue": "celery"}:
                return sample.value
    return None


def test_ready_with_a_live_worker_then_not_ready_when_it_stops(start_worker, redis_server):
    worker = start_worker()

    status, body = readiness()
    assert status == 200, body
    assert body["status"] == "ready"
    assert statuses(body) == {"database": "ok", "broker": "ok", "worker": "ok", "storage": "ok"}

    worker.stop()
    status, body = wait_until(lambda: (lambda r: r if r[0] == 503 else None)(readiness()), timeout=20,
                              message="/readyz to notice the worker stopped")
    assert body["status"] == "not ready"
    assert statuses(body) == {"database": "ok", "broker": "ok", "worker": "unavailable", "storage": "ok"}
    assert body["checks"]["worker"]["error"] == "Celery workers unavailable"

    # Tasks now wait in Redis: /metrics counts them there.
    from notifications.services import enqueue_delivery

    assert queue_length() == 0
    enqueue_delivery([1, 2, 3])
    assert redis.Redis(port=redis_server.port).llen("celery") == 1
    assert queue_length() == 1

    redis_server.stop()
    status, body = readiness()
    assert status == 503
    assert statuses(body) == {"database": "ok", "broker": "unavailable", "worker": "unavailable", "storage": "ok"}
    assert body["checks"]["broker"]["error"] == "Broker unreachable."
    assert str(redis_server.port) not in json.dumps(body)
