"""Real services for the outbox integration tests: a private Redis, an SMTP server on
loopback (aiosmtpd) and Celery worker subprocesses sharing the PostgreSQL test database.

These tests run only against PostgreSQL with ROSTER_INTEGRATION set (CI); elsewhere they
are deselected, not skipped, so `make test` on SQLite stays clean.
"""

import asyncio
import email
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import override_settings

INTEGRATION_DIR = Path(__file__).resolve().parent
HOST = "127.0.0.1"
VISIBILITY_TIMEOUT = 10
SWEEP_SECONDS = 1
OUTBOX_RULES = {
    "OUTBOX_REQUEUE_AFTER_SECONDS": 2,
    # long enough that a restarted worker on a loaded runner finishes a message before the
    # sweeper takes it back (which would send it twice), short enough for the kill test
    "OUTBOX_SENDING_STALE_SECONDS": 15,
    "OUTBOX_RETRY_BASE_SECONDS": 1,
    "OUTBOX_MAX_ATTEMPTS": 3,
}


# --- selection ------------------------------------------------------------------------


def integration_enabled() -> bool:
    engine = settings.DATABASES["default"]["ENGINE"]
    return "postgresql" in engine and bool(os.environ.get("ROSTER_INTEGRATION"))


def pytest_collection_modifyitems(config, items):
    """Deselect this directory's tests unless PostgreSQL and ROSTER_INTEGRATION are set.
    (This hook sees every collected item, so filter on the path.)"""
    if integration_enabled():
        return
    ours = [item for item in items if INTEGRATION_DIR in Path(str(item.path)).resolve().parents]
    if not ours:
        return
    config.hook.pytest_deselected(items=ours)
    ours_ids = {id(item) for item in ours}
    items[:] = [item for item in items if id(item) not in ours_ids]


# --- helpers --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until(predicate, *, timeout=60.0, interval=0.2, message="condition"):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds
    (`message` may be a callable, evaluated then, to show the state at the deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            detail = message() if callable(message) else message
            pytest.fail(f"Timed out after {timeout:.0f} s waiting for {detail}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.2):
            return True
    except OSError:
        return False


def tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_process(proc: subprocess.Popen, *, group: bool, timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL, by PID (or by the process group it leads, which we created)."""
    if proc.poll() is None:
        try:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            pass
    if group:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # prefork children and embedded beat, if any are left
        except (ProcessLookupError, PermissionError):
            pass
    elif proc.poll() is None:
        proc.kill()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass


@pytest.fixture
def workdir():
    path = Path(tempfile.mkdtemp(prefix="roster-integration-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


# --- Redis ----------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own on a free loopback port, stoppable and restartable."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.log = directory / "redis.log"
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self):
        assert self.proc is None or self.proc.poll() is not None, "redis already running"
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    "redis-server",
                    "--port", str(self.port),
                    "--bind", HOST,
                    "--save", "",
                    "--appendonly", "no",
                    "--dir", str(self.directory),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.directory,
            )
        wait_until(lambda: port_open(self.port), timeout=10, interval=0.05, message=f"redis on port {self.port}")

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc, group=False, timeout=5)
        wait_until(lambda: not port_open(self.port), timeout=10, interval=0.05, message="redis to stop")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@pytest.fixture
def redis_server(workdir):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed")
    server = PrivateRedis(workdir)
    server.start()
    yield server
    server.stop()


# --- SMTP -----------------------------------------------------------------------------


class RecordingHandler:
    """Accepts (or refuses with 451) every message and records its Message-ID."""

    def __init__(self):
        self.lock = threading.Lock()
        self.accepted: list[str] = []  # Message-IDs, in order, duplicates kept
        self.messages: dict[str, list[email.message.Message]] = {}
        self.refused: Counter = Counter()
        self.refusing = False
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        message_id = str(parsed["Message-ID"]).strip()
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            if self.refusing:
                self.refused[message_id] += 1
                return "451 4.3.0 Try again later"
            self.accepted.append(message_id)
            self.messages.setdefault(message_id, []).append(parsed)
        return "250 Message accepted for delivery"

    # Views for the tests.
    def accepted_count(self) -> int:
        with self.lock:
            return len(self.accepted)

    def accepted_ids(self) -> list[str]:
        with self.lock:
            return list(self.accepted)

    def duplicates(self) -> dict[str, int]:
        with self.lock:
            return {mid: n for mid, n in Counter(self.accepted).items() if n > 1}


@pytest.fixture
def smtp_handler():
    """What the SMTP server does with each message (a test module may override this fixture with a
    RecordingHandler of its own, e.g. one that injects faults)."""
    return RecordingHandler()


@pytest.fixture
def smtp_server(smtp_handler):
    from aiosmtpd.controller import Controller

    handler = smtp_handler
    controller = Controller(handler, hostname=HOST, port=free_port(), ready_timeout=10)
    controller.start()
    yield SimpleNamespace(handler=handler, port=controller.port, url=f"smtp://{HOST}:{controller.port}")
    controller.stop()


# --- the test process's Celery app ------------------------------------------------------


def _reset_celery_pools(app):
    if app._pool is not None:
        try:
            app._pool.force_close_all()
        except Exception:  # a pool on a broker that is gone
            pass
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def celery_publisher(redis_server):
    """Point this process's Celery app at the private Redis, not eager; restore afterwards."""
    from config.celery import app

    conf = app.conf
    saved = {
        key: conf.get(key)
        for key in ("task_always_eager", "broker_url", "broker_transport_options", "broker_connection_retry")
    }
    conf.task_always_eager = False
    conf.broker_url = redis_server.url
    conf.broker_transport_options = {"visibility_timeout": VISIBILITY_TIMEOUT}
    _reset_celery_pools(app)
    overrides = override_settings(
        CELERY_TASK_ALWAYS_EAGER=False,
        CELERY_BROKER_URL=redis_server.url,
        CELERY_VISIBILITY_TIMEOUT=VISIBILITY_TIMEOUT,
        CELERY_BROKER_TRANSPORT_OPTIONS={"visibility_timeout": VISIBILITY_TIMEOUT},
        ROSTER={**settings.ROSTER, **OUTBOX_RULES},
    )
    overrides.enable()
    from notifications import services as outbox

    outbox._broker_down_until = 0.0  # no broker back-off carried over from an earlier test
    try:
        yield app
    finally:
        outbox._broker_down_until = 0.0
        overrides.disable()
        for key, value in saved.items():
            conf[key] = value
        _reset_celery_pools(app)


# --- Celery workers -------------------------------------------------------------------


class Worker:
    """A `celery -A config worker` subprocess in its own process group."""

    def __init__(self, *, name, env, log, beat, schedule_file):
        self.name = name
        self.env = env
        self.log = log
        self.beat = beat
        self.schedule_file = schedule_file
        self.proc = None

    def start(self, app, *, timeout=60):
        cmd = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--pool", "prefork", "--concurrency", "2", "--loglevel", "INFO",
            "--hostname", self.hostname,
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
        if self.beat:
            cmd += ["-B", "--schedule", str(self.schedule_file)]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                cmd,
                env=self.env,
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, to kill it whole
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"worker {self.name} exited with {self.proc.returncode}:\n{tail(self.log)}")
            try:
                replies = app.control.ping(destination=[self.hostname], timeout=0.5)
            except Exception:  # broker not reachable yet, or a pooled connection to a restarted one
                _reset_celery_pools(app)
                replies = []
            if replies:
                return self
            if time.monotonic() > deadline:
                pytest.fail(f"worker {self.name} did not answer ping in {timeout} s:\n{tail(self.log)}")
            time.sleep(0.2)

    @property
    def hostname(self) -> str:
        return f"{self.name}@localhost"

    def stop(self):
        if self.proc is not None:
            stop_process(self.proc, group=True, timeout=15)

    def kill(self):
        """SIGKILL the whole worker: main process, pool children and beat."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)


@pytest.fixture
def start_worker(request, celery_publisher, redis_server, smtp_server, workdir):
    """`start_worker(beat=False)` starts a worker on the test database, the private Redis
    and the SMTP server; every worker is stopped by PID when the test ends, and its log
    tail is printed if the test failed."""
    from django.db import connection

    db = connection.settings_dict
    assert "postgresql" in db["ENGINE"]
    database_url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or HOST}:{db['PORT'] or 5432}/{db['NAME']}"
    workers: list[Worker] = []

    def start(*, beat=False) -> Worker:
        n = len(workers) + 1
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DEBUG": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_server.url,
            "CELERY_BROKER_URL": redis_server.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": smtp_server.url,
            "EMAIL_TIMEOUT": "10",
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
            "ROSTER_OUTBOX_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **{f"ROSTER_{key}": str(value) for key, value in OUTBOX_RULES.items()},
        }
        env.pop("PYTEST_CURRENT_TEST", None)
        worker = Worker(
            name=f"w{n}-{os.getpid()}",
            env=env,
            log=workdir / f"worker{n}.log",
            beat=beat,
            schedule_file=workdir / f"beat{n}-schedule",
        )
        workers.append(worker)
        return worker.start(celery_publisher)

    yield start

    for worker in reversed(workers):
        worker.stop()
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for worker in workers:
            print(f"\n--- tail of {worker.log.name} ---\n{tail(worker.log)}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# --- data -----------------------------------------------------------------------------

AGENCY_COUNT = 33


@pytest.fixture
def partners(transactional_db):
    """33 partner agencies, each with one coordinator (every third prefers French), about a
    third with an agency mailbox; an IPO staff user; a draft bulletin ready to publish."""
    from missions.models import Bulletin, Mission
    from tests import factories as f

    agencies, coordinators = [], []
    for i in range(AGENCY_COUNT):
        agency = f.AgencyFactory(
            slug=f"partner-{i:02d}",
            name_en=f"Partner Police {i:02d}",
            name_fr=f"Police partenaire {i:02d}",
            language="fr" if i % 4 == 0 else "en",
            mailbox=f"jpb@partner-{i:02d}.example.test" if i % 3 == 0 else "",
        )
        agencies.append(agency)
        coordinators.append(
            f.CoordinatorFactory(
                email=f"coord-{i:02d}@partner.example.test",
                agency=agency,
                preferred_language="fr" if i % 3 == 1 else "en",
            )
        )
    ipo = f.IpoStaffFactory(email="ipo-integration@example.test")
    mission = f.MissionFactory(code="INTEG", status=Mission.Status.ACTIVE)
    bulletin = f.BulletinFactory(mission=mission, status=Bulletin.Status.DRAFT)
    mailboxes = [a.mailbox for a in agencies if a.mailbox]
    return SimpleNamespace(
        agencies=agencies,
        coordinators=coordinators,
        ipo=ipo,
        mission=mission,
        bulletin=bulletin,
        recipients={c.email for c in coordinators} | set(mailboxes),
    )


# --- publishing and waiting for delivery ------------------------------------------------------


def publish(partners) -> set[str]:
    """Publish the bulletin; the Message-IDs of the messages it queued (one batch, which the worker
    makes into outbox rows: its recipients asked here the same way, each Message-ID known from
    the batch's key)."""
    from missions import services as mission_services
    from notifications import services as outbox
    from notifications.models import MailBatch

    mission_services.bulletin_publish(bulletin=partners.bulletin, actor=partners.ipo)
    (batch,) = MailBatch.objects.all()
    people = outbox._recipient_rows(mission_services.bulletin_agencies(batch.context))  # as the worker will
    assert {r[0] for r in people} == partners.recipients
    return {f"<{batch.key}.{n}@{settings.MESSAGE_ID_DOMAIN}>" for n in range(len(people))}


def status_counts() -> dict[str, int]:
    """How many outbox rows are in each status (0 for a status with none)."""
    from notifications.models import OutgoingMail

    counts = dict.fromkeys(OutgoingMail.Status.values, 0)
    for status in OutgoingMail.objects.values_list("status", flat=True):
        counts[status] += 1
    return counts


def wait_all_sent(smtp, expected: set[str], *, timeout: float = 60.0, grace: float = 1.5) -> float:
    """Until the SMTP server has seen every expected Message-ID and every outbox row (as many as
    expected) is sent; then `grace` seconds more, so that a late duplicate would still be counted.
    Returns the moment (time.monotonic()) everything was sent, before the grace period."""
    from notifications.models import OutgoingMail

    def done():
        counts = status_counts()
        return (set(smtp.handler.accepted_ids()) >= expected
                and counts[OutgoingMail.Status.SENT] == sum(counts.values()) == len(expected))

    wait_until(
        done,
        timeout=timeout,
        message=lambda: f"all sent (now {status_counts()}, {smtp.handler.accepted_count()} at SMTP)",
    )
    sent_at = time.monotonic()
    time.sleep(grace)
    return sent_at
