"""`manage.py serve`: the web server with a Celery worker and beat beside it (`make run`).

The worker runs on the embedded broker, a folder (ROSTER_EMBEDDED_WORKER, see
config/settings/local.py), and the same SQLite database. It starts first and must answer a
ping before the server starts; it is stopped when the server stops, whether by Ctrl-C, a
SIGTERM to this command or the server exiting on its own. Its log goes to var/log/worker.log.
"""

import argparse
import ctypes
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1
_LINUX = sys.platform.startswith("linux")


def _die_with_parent():  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if this command dies without cleaning up (SIGKILL)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Command(BaseCommand):
    help = "Serve the site with runserver, plus a Celery worker and beat on the embedded folder broker."
    requires_system_checks = []  # runserver runs them

    def add_arguments(self, parser):
        parser.add_argument(
            "addrport", nargs="?", help="Address and port for runserver (default 127.0.0.1:$PORT, or :8000)."
        )
        parser.add_argument("--worker-log", help="The worker's log file (default var/log/worker.log).")
        parser.add_argument("--schedule", help="Beat's schedule file (default var/celerybeat-schedule).")
        parser.add_argument("--ready-timeout", type=float, default=60.0, help="Seconds to wait for the worker.")
        parser.add_argument("--stop-timeout", type=float, default=15.0, help="Seconds before SIGKILL on stop.")
        # Tests put a stand-in in place of runserver.
        parser.add_argument("--server-command", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if not getattr(settings, "ROSTER_EMBEDDED_WORKER", False):
            raise CommandError(
                "The embedded worker is off: run with ROSTER_EMBEDDED_WORKER=true and "
                "DJANGO_SETTINGS_MODULE=config.settings.local (make run does both)."
            )
        var_dir = Path(settings.VAR_DIR)
        log = Path(options["worker_log"] or var_dir / "log" / "worker.log").resolve()
        schedule = Path(options["schedule"] or var_dir / "celerybeat-schedule").resolve()
        log.parent.mkdir(parents=True, exist_ok=True)
        schedule.parent.mkdir(parents=True, exist_ok=True)
        port = os.environ.get("PORT", "").strip() or "8000"
        addrport = options["addrport"] or f"127.0.0.1:{port}"
        if options["server_command"]:
            server_cmd = shlex.split(options["server_command"])
        else:
            manage_py = str(Path(settings.BASE_DIR) / "manage.py")
            server_cmd = [sys.executable, manage_py, "runserver", "--noreload", addrport]
        self.hostname = f"embedded@{socket.gethostname()}"
        self.stop_timeout = options["stop_timeout"]
        self.stop_requested = None

        def request_stop(signum, frame):
            self.stop_requested = signum

        previous = {sig: signal.signal(sig, request_stop) for sig in STOP_SIGNALS}
        worker = server = None
        exit_code = 0
        try:
            worker = self._start_worker(log, schedule)
            self.stdout.write(f"Celery worker and beat starting (pid {worker.pid}); their log: {self._shown(log)}")
            if not self._wait_ready(worker, log, options["ready_timeout"]):
                return  # stopped while waiting
            self.stdout.write(self.style.SUCCESS(
                "Worker ready: bulletins close on time, reminders go out and failed emails are retried."
            ))
            server = subprocess.Popen(server_cmd, preexec_fn=_die_with_parent if _LINUX else None)
            exit_code = self._watch(server, worker, log)
        finally:
            if server is not None:
                self._stop_server(server)
            if worker is not None:
                self._stop_worker(worker)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if exit_code:
            raise CommandError(f"The web server exited with status {exit_code}.", returncode=exit_code)

    # --- the worker -----------------------------------------------------------------------

    def _start_worker(self, log: Path, schedule: Path) -> subprocess.Popen:
        cmd = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "-B",
            # one process runs the tasks (the solo pool) and one runs beat: light, and few
            # writers for SQLite
            "--pool", "solo", "--loglevel", "INFO",
            "--hostname", self.hostname, "--schedule", str(schedule),
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]
        env = {**os.environ, "ROSTER_EMBEDDED_WORKER": "true", "PYTHONUNBUFFERED": "1"}
        with open(log, "ab") as out:
            return subprocess.Popen(
                cmd,
                cwd=settings.BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the server only; we stop the worker ourselves
                preexec_fn=_die_with_parent if _LINUX else None,
            )

    def _wait_ready(self, worker: subprocess.Popen, log: Path, timeout: float) -> bool:
        """True once the worker answers a ping (or, with a warning, after `timeout`); False if
        a stop was requested meanwhile."""
        from config.celery import app

        deadline = time.monotonic() + timeout
        while self.stop_requested is None:
            if worker.poll() is not None:
                raise CommandError(
                    f"The Celery worker exited with status {worker.returncode} before it was ready. "
                    f"The end of {self._shown(log)}:\n{_tail(log)}"
                )
            try:
                if app.control.ping(destination=[self.hostname], timeout=0.5):
                    return True
            except Exception:  # the broker folder not readable yet, or a worker half started
                time.sleep(0.5)
            if time.monotonic() > deadline:
                self.stderr.write(self.style.WARNING(
                    f"The worker has not answered in {timeout:.0f} s; serving anyway (see {self._shown(log)})."
                ))
                return True
        return False

    def _watch(self, server: subprocess.Popen, worker: subprocess.Popen, log: Path) -> int:
        """Wait for the server to exit or a stop signal; say so once if the worker dies."""
        warned = False
        while True:
            code = server.poll()
            if code is not None:
                # killed by the same Ctrl-C or SIGTERM as this command (e.g. to its process group)
                stopped = self.stop_requested is not None or -code in STOP_SIGNALS
                return 0 if stopped else code
            if self.stop_requested is not None:
                return 0
            if not warned and worker.poll() is not None:
                warned = True
                self.stderr.write(self.style.WARNING(
                    f"The Celery worker stopped (status {worker.returncode}); scheduled work is not running. "
                    f"See {self._shown(log)}."
                ))
            time.sleep(0.2)

    def _stop_worker(self, worker: subprocess.Popen) -> None:
        """SIGTERM to the worker and its beat process, SIGKILL to what is left after the timeout."""
        if worker.poll() is None:
            self.stdout.write("Stopping the Celery worker and beat...")
            try:
                os.killpg(worker.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                worker.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.stderr.write(self.style.WARNING("The worker did not stop in time; killing it."))
        try:
            os.killpg(worker.pid, signal.SIGKILL)  # beat or a task child, if any survived
        except (ProcessLookupError, PermissionError):
            pass
        worker.wait()
        self.stdout.write("Worker stopped.")

    def _stop_server(self, server: subprocess.Popen) -> None:
        """After Ctrl-C the server got the SIGINT too and is exiting; otherwise send SIGTERM."""
        if server.poll() is None and self.stop_requested == signal.SIGINT:
            try:
                server.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        if server.poll() is None:
            server.terminate()
        try:
            server.wait(timeout=self.stop_timeout)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    @staticmethod
    def _shown(path: Path) -> str:
        try:
            return str(path.relative_to(Path(settings.BASE_DIR)))
        except ValueError:
            return str(path)
