"""Fixtures of the operations tests: the Celery app's configuration changed for one test, and a
broker and worker that answer (mocked) for the unit tests of /readyz."""

import socket
from types import SimpleNamespace

import pytest


@pytest.fixture
def celery_conf():
    """`celery_conf(key=value, ...)` changes the Celery app's configuration for this test only."""
    from config.celery import app

    saved = {}

    def change(**values):
        for key, value in values.items():
            saved.setdefault(key, app.conf.get(key))
            app.conf[key] = value
        return app.conf

    yield change
    for key, value in saved.items():
        app.conf[key] = value


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeInspect:
    def __init__(self, queues):
        self.queues = queues

    def active_queues(self):
        return self.queues


@pytest.fixture
def broker_and_worker_up(celery_conf, monkeypatch):
    """A Redis broker that answers and a worker that answers ping and consumes the default queue
    (mocked: the unit tests need no services). `.replies` and `.queues` may be changed by a test."""
    from config.celery import app
    from ops import health

    celery_conf(task_always_eager=False, broker_url="redis://127.0.0.1:6379/15")
    state = SimpleNamespace(replies=[{"w1@host": {"ok": "pong"}}], queues={"w1@host": [{"name": "celery"}]},
                            pings=[])
    monkeypatch.setattr(health, "broker_connect", lambda app=None, timeout=2.0: None)

    def ping(**kwargs):
        state.pings.append(kwargs)
        return state.replies

    monkeypatch.setattr(app.control, "ping", ping)
    monkeypatch.setattr(app.control, "inspect", lambda *a, **k: FakeInspect(state.queues))
    return state
