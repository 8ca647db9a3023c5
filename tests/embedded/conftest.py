"""The embedded setup of `make run` (`manage.py serve`): a Celery worker and beat on a folder
broker beside the web server, on SQLite. Every test here gets its own folder (database,
broker, mail, logs) and runs the processes for real; none touches var/.

Tests marked `integration` here run only with ROSTER_INTEGRATION set (as in `.ci/run`); they
need no service, so they run on any database the suite itself uses."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
# Everything that would point the processes at a real service, or at the suite's settings.
SERVICE_VARS = (
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "CACHE_URL",
    "EMAIL_URL", "EMAIL_FILE_PATH", "PORT", "DJANGO_SETTINGS_MODULE", "PYTEST_CURRENT_TEST",
    "ROSTER_EMBEDDED_WORKER", "ROSTER_BROKER_DIR",
)


def pytest_collection_modifyitems(config, items):
    """Deselect this folder's integration tests unless ROSTER_INTEGRATION is set.
    (This hook sees every collected item, so filter on the path.)"""
    if os.environ.get("ROSTER_INTEGRATION"):
        return
    ours = [
        item for item in items
        if HERE in Path(str(item.path)).resolve().parents and item.get_closest_marker("integration")
    ]
    if ours:
        config.hook.pytest_deselected(items=ours)
        ids = {id(item) for item in ours}
        items[:] = [item for item in items if id(item) not in ids]


def embedded_env(folder: Path, **extra) -> dict:
    """The environment `make run` gives its processes, with every path inside `folder`."""
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARS}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        ROSTER_EMBEDDED_WORKER="true",
        ROSTER_BROKER_DIR=str(folder / "broker"),
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        EMAIL_URL="filemail://",
        EMAIL_FILE_PATH=str(folder / "mail"),
        PRIVATE_MEDIA_ROOT=str(folder / "private"),
        DEBUG="false",
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def wait_until(predicate, *, timeout: float, message, interval: float = 0.2):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds
    (`message` may be a callable, evaluated then, to show the state at the deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {timeout:.0f} s waiting for {message() if callable(message) else message}")
        time.sleep(interval)


def gone(pid: int) -> bool:
    """The process no longer exists (or is a zombie nobody reaped yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return all(gone(int(p.name)) for p in Path("/proc").iterdir() if p.name.isdigit() and _pgid(int(p.name)) == pgid)


def _pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


class Serve:
    """`manage.py serve` as a subprocess leading its own process group (as a shell would run
    it in the foreground, so that a SIGINT to the group is a Ctrl-C)."""

    def __init__(self, folder: Path, env: dict):
        self.folder = folder
        self.env = env
        self.output = folder / "serve.log"
        self.worker_log = folder / "worker.log"
        self.proc: subprocess.Popen | None = None

    def start(self, *args: str) -> "Serve":
        cmd = [
            sys.executable, "manage.py", "serve", *args,
            "--worker-log", str(self.worker_log), "--schedule", str(self.folder / "beat-schedule"),
            "--stop-timeout", "10",
        ]
        with open(self.output, "ab") as out:
            self.proc = subprocess.Popen(
                cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self

    def text(self) -> str:
        return self.output.read_text(errors="replace") if self.output.exists() else ""

    def logs(self) -> str:
        worker = self.worker_log.read_text(errors="replace") if self.worker_log.exists() else "(none)"
        return f"serve output:\n{self.text()}\n--- worker log (end) ---\n" + "\n".join(worker.splitlines()[-40:])

    def worker_pid(self, timeout: float = 30) -> int:
        wait_until(
            lambda: re.search(r"\(pid (\d+)\)", self.text()) or self.proc.poll() is not None,
            timeout=timeout,
            message=lambda: self.logs(),
        )
        found = re.search(r"\(pid (\d+)\)", self.text())
        assert found, f"serve exited with {self.proc.returncode} before starting the worker\n{self.logs()}"
        return int(found.group(1))

    def wait_ready(self, timeout: float = 60) -> None:
        wait_until(
            lambda: "Worker ready" in self.text() or self.proc.poll() is not None,
            timeout=timeout,
            message=lambda: f"the worker to be ready\n{self.logs()}",
        )
        assert self.proc.poll() is None, self.logs()

    def kill(self) -> None:
        """Last resort for a test that failed half-way: nothing of ours is left running."""
        if self.proc is None:
            return
        pids = [self.proc.pid]
        found = re.search(r"\(pid (\d+)\)", self.text())
        if found:
            pids.append(int(found.group(1)))
        for pgid in pids:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


@pytest.fixture
def folder():
    path = Path(tempfile.mkdtemp(prefix="roster-embedded-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def serve(folder):
    """`serve(**env)` makes a `Serve` on this test's folder; whatever it started is killed
    at the end, even if the test failed."""
    made: list[Serve] = []

    def make(**extra_env) -> Serve:
        made.append(Serve(folder, embedded_env(folder, **extra_env)))
        return made[-1]

    yield make
    for s in made:
        s.kill()
