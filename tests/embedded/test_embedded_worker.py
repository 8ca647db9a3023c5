"""Issue 9: with `make run`'s setup alone (SQLite, a folder broker, no service) a real worker
and beat run beside the web server: a bulletin past its closing time is closed by beat, and
the emails a publication queues are delivered by the worker. Ctrl-C stops everything.
Every wait is bounded."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import urllib.request

import pytest

from .conftest import ROOT, embedded_env, gone, group_gone, wait_until

pytestmark = pytest.mark.integration

# Run in the web's place (`manage.py shell`), while the worker runs: a partner agency with a
# coordinator and a mailbox, a published bulletin already past its closing time, and a draft
# that is published now (two emails queued, their tasks handed to the folder broker).
DATA = """
from datetime import timedelta
from django.utils import timezone
from missions import services
from missions.models import Bulletin, Mission
from tests import factories as f

agency = f.AgencyFactory(slug="embedded-partner", mailbox="jpb@embedded.example.test")
f.CoordinatorFactory(email="coord@embedded.example.test", agency=agency)
ipo = f.IpoStaffFactory(email="ipo@embedded.example.test")
mission = f.MissionFactory(code="EMBED", status=Mission.Status.ACTIVE)
f.BulletinFactory(mission=mission, reference="JPB-EMBED-DUE", closes_at=timezone.now() - timedelta(minutes=5))
draft = f.BulletinFactory(mission=mission, reference="JPB-EMBED-NEW", status=Bulletin.Status.DRAFT)
services.bulletin_publish(bulletin=draft, actor=ipo)
"""
RECIPIENTS = {"coord@embedded.example.test", "jpb@embedded.example.test"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(db, sql, *params):
    with sqlite3.connect(db, timeout=20) as conn:
        return conn.execute(sql, params).fetchall()


def healthz(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.read().decode()
    except OSError:
        return None


def test_make_run_closes_due_bulletins_and_delivers_mail_with_no_service(serve, folder):
    db = folder / "db.sqlite3"
    env = embedded_env(folder)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    assert query(db, "PRAGMA journal_mode") == [("wal",)]

    port = free_port()
    s = serve(ROSTER_CLOSE_DUE_SECONDS=1, ROSTER_OUTBOX_SWEEP_SECONDS=1).start(f"127.0.0.1:{port}")
    worker = s.worker_pid()
    s.wait_ready()
    wait_until(lambda: healthz(port) == "ok", timeout=30, message=lambda: f"the web server\n{s.logs()}")

    data = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", DATA], cwd=ROOT, env=s.env, capture_output=True, text=True
    )
    assert data.returncode == 0, data.stderr

    def bulletin_status():
        return query(db, "SELECT status FROM missions_bulletin WHERE reference = ?", "JPB-EMBED-DUE")[0][0]

    wait_until(
        lambda: bulletin_status() == "closed",
        timeout=30,
        message=lambda: f"beat to close the bulletin (still {bulletin_status()})\n{s.logs()}",
    )

    def outbox():
        return query(db, 'SELECT "to", status FROM notifications_outgoingmail')

    wait_until(
        lambda: {to for to, status in outbox() if status == "sent"} == RECIPIENTS,
        timeout=30,
        message=lambda: f"the worker to send the mail (outbox {outbox()})\n{s.logs()}",
    )
    written = "\n".join(p.read_text(errors="replace") for p in (folder / "mail").iterdir())
    for address in RECIPIENTS:
        assert f"To: {address}" in written
    assert query(db, "SELECT status FROM missions_bulletin WHERE reference = ?", "JPB-EMBED-NEW") == [("published",)]

    # Ctrl-C: the terminal sends SIGINT to the foreground group (serve and runserver).
    os.killpg(s.proc.pid, signal.SIGINT)
    assert s.proc.wait(timeout=40) == 0, s.logs()
    assert "Worker stopped." in s.text()
    wait_until(
        lambda: gone(worker) and group_gone(worker) and group_gone(s.proc.pid),
        timeout=5,
        message="the worker, beat and the web server to be gone",
    )
    assert healthz(port) is None
