"""The readiness checks of `/readyz`, on django-health-check 4.x (`health_check.base.HealthCheck`).

Each check has a short name (`name`: what the JSON answer calls it) and answers within a few
seconds: a dependency that hangs is reported as timed out, never waited for. Its failure message
names the dependency and what went wrong in general words: no host, path, credential or trace
(the details go to the log).

- database: `SELECT 1` on a connection of its own (the library's check).
- cache: a set and a get (only when the cache is a shared one, e.g. Redis; a per-process
  memory cache has nothing to check).
- broker: the Celery broker answers (Redis: a connection and a PING; the folder broker of
  `make run`: its folders exist and are writable). No broker at all (tasks run in-process): not ready.
- worker: a Celery worker answers a ping within a second and consumes the default queue. With no
  broker, not ready at once rather than a wait.
- storage: a probe file is written to and deleted from PRIVATE_MEDIA_ROOT.
"""

import dataclasses
import datetime
import os
import tempfile
import time
import typing
from pathlib import Path

from django.conf import settings
from health_check.base import HealthCheck
from health_check.checks import Cache as LibraryCache
from health_check.checks import Database as LibraryDatabase
from health_check.contrib.celery import Ping
from health_check.exceptions import HealthCheckException, ServiceUnavailable

# Broker transports by URL scheme: "redis" (production), "folder" (kombu's filesystem transport:
# `make run`), "memory" (no broker: the tests, the embedded default without a worker).
TRANSPORTS = {"redis": "redis", "rediss": "redis", "rosterfs": "folder", "filesystem": "folder",
              "memory": "memory"}
# How long a worker has to answer a ping (the first answer ends the wait).
PING_SECONDS = 1
FOLDER_PING_SECONDS = 3
# Caches kept in each process: nothing shared to check.
LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


def celery_app():
    """The project's Celery app, as Celery knows it (config/__init__.py makes it the current one), so
    ops does not import config, which imports ops."""
    from celery import current_app

    return current_app._get_current_object()


def broker_transport(app=None) -> str:
    """"redis", "folder", "memory", or the URL's scheme for another broker."""
    app = app or celery_app()
    scheme = str(app.conf.broker_url or "memory://").split("://", 1)[0].lower()
    return TRANSPORTS.get(scheme, scheme)


def runs_in_process(app=None) -> bool:
    """Tasks run in the process that queues them (eager, or no broker): no worker to ask."""
    app = app or celery_app()
    return bool(app.conf.task_always_eager) or broker_transport(app) == "memory"


def broker_connect(app=None, *, timeout: float = 2.0) -> None:
    """Open a connection to the broker and close it (Redis: the channel's PING); raise if it
    cannot within about `timeout` seconds."""
    app = app or celery_app()
    with app.connection_for_write(connect_timeout=timeout) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, interval_max=0.2,
                               timeout=timeout)
        conn.default_channel  # noqa: B018  (Redis: opening a channel sends PING)


def folder_broker_problem(app=None) -> str:
    """What is wrong with the folder broker's folders ("" when they exist and are writable)."""
    app = app or celery_app()
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        folder = options.get(key)
        if folder and not (os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK)):
            return f"Folder broker: its {key.replace('_', ' ')} is missing or not writable."
    return ""


def storage_probe(root) -> None:
    """Write a probe file in `root` and delete it; raise OSError if either fails."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError("the folder does not exist")
    with tempfile.NamedTemporaryFile(dir=root, prefix=".readyz-", suffix=".probe") as probe:
        probe.write(b"ready")
        probe.flush()
        os.fsync(probe.fileno())


@dataclasses.dataclass
class Database(LibraryDatabase):
    name: typing.ClassVar[str] = "database"

    def run(self):
        try:
            super().run()
        except HealthCheckException as exc:
            raise ServiceUnavailable("Database unavailable.") from exc


@dataclasses.dataclass
class Cache(LibraryCache):
    name: typing.ClassVar[str] = "cache"

    async def run(self):
        try:
            await super().run()
        except HealthCheckException as exc:
            raise ServiceUnavailable("Cache unavailable.") from exc
        except Exception as exc:  # a client error the library does not name
            raise ServiceUnavailable("Cache unavailable.") from exc


@dataclasses.dataclass
class Broker(HealthCheck):
    name: typing.ClassVar[str] = "broker"
    timeout = datetime.timedelta(seconds=3)

    def run(self):
        app = celery_app()
        transport = broker_transport(app)
        if transport == "memory":
            raise ServiceUnavailable("No broker configured: tasks run in-process.")
        if transport == "folder" and (problem := folder_broker_problem(app)):
            raise ServiceUnavailable(problem)
        try:
            broker_connect(app, timeout=2.0)
        except Exception as exc:
            raise ServiceUnavailable("Broker unreachable.") from exc


@dataclasses.dataclass
class Worker(Ping):
    """The library's ping, answered by the first worker (`limit=1`), after a quick look at the
    broker so that a broker down fails at once rather than after the publish retries."""

    name: typing.ClassVar[str] = "worker"

    def run(self):
        # the library waits timeout + 1 s for the whole check: the ping, then the queues
        self._deadline = time.monotonic() + self.timeout.total_seconds() + 0.8
        if runs_in_process(self.app):
            raise ServiceUnavailable("No worker: tasks run in-process.")
        try:
            broker_connect(self.app, timeout=1.0)
        except Exception as exc:
            raise ServiceUnavailable("No worker can answer: the broker is unreachable.") from exc
        try:
            super().run()
        except HealthCheckException:
            raise
        except Exception as exc:
            raise ServiceUnavailable("No worker answered.") from exc

    def check_active_queues(self, *active_workers):
        default = self.app.conf.task_default_queue
        left = max(0.2, getattr(self, "_deadline", 0) - time.monotonic())
        replies = self.app.control.inspect(
            list(active_workers), timeout=min(left, self.timeout.total_seconds()), limit=len(active_workers)
        ).active_queues() or {}
        if default not in {queue.get("name") for queues in replies.values() for queue in queues or ()}:
            raise ServiceUnavailable(f"No worker consumes the task queue {default!r}.")


@dataclasses.dataclass
class PrivateStorage(HealthCheck):
    name: typing.ClassVar[str] = "storage"
    timeout = datetime.timedelta(seconds=3)

    def run(self):
        try:
            storage_probe(settings.PRIVATE_MEDIA_ROOT)
        except OSError as exc:
            raise ServiceUnavailable("Private storage is not writable.") from exc


def readiness_checks() -> list[HealthCheck]:
    """The checks for this configuration (read at each request: the settings decide)."""
    checks: list[HealthCheck] = [Database()]
    if settings.CACHES["default"]["BACKEND"] not in LOCAL_CACHES:
        checks.append(Cache())
    app = celery_app()
    # The folder broker (`make run`) is polled once a second: a reply takes that long.
    ping = datetime.timedelta(seconds=FOLDER_PING_SECONDS if broker_transport(app) == "folder" else PING_SECONDS)
    checks += [Broker(), Worker(app=app, limit=1, timeout=ping), PrivateStorage()]
    return checks
