"""Issue 9: `make run` runs scheduled work. The local settings pick the folder broker when
ROSTER_EMBEDDED_WORKER is on (eager otherwise, and Redis when REDIS_URL is set), and
`manage.py serve` never leaves its worker behind."""

import json
import os
import shlex
import signal
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from .conftest import ROOT, SERVICE_VARS, gone, group_gone, wait_until

CELERY_SETTINGS = (
    "json.dumps({'broker': settings.CELERY_BROKER_URL, 'eager': settings.CELERY_TASK_ALWAYS_EAGER,"
    " 'options': settings.CELERY_BROKER_TRANSPORT_OPTIONS,"
    " 'embedded': getattr(settings, 'ROSTER_EMBEDDED_WORKER', None)})"
)


def celery_settings(module: str, **env) -> dict:
    environment = {key: value for key, value in os.environ.items() if key not in SERVICE_VARS}
    environment.update(DJANGO_SETTINGS_MODULE=module, **env)
    out = subprocess.run(
        [sys.executable, "-c", f"import json, django; django.setup(); from django.conf import settings; "
                               f"print({CELERY_SETTINGS})"],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_local_settings_use_the_folder_broker_when_the_embedded_worker_is_on(folder):
    broker = folder / "broker"
    # it wins over a REDIS_URL and an explicit eager setting
    found = celery_settings(
        "config.settings.local", ROSTER_EMBEDDED_WORKER="true", ROSTER_BROKER_DIR=str(broker),
        REDIS_URL="redis://127.0.0.1:6379/0", CELERY_TASK_ALWAYS_EAGER="true",
    )
    assert found["embedded"] is True
    assert found["broker"].startswith("rosterfs://")
    assert found["eager"] is False
    options = found["options"]
    assert options["data_folder_in"] == options["data_folder_out"] == str(broker)
    assert options["store_processed"] is False
    assert options["control_folder"].startswith(str(broker))
    assert broker.is_dir() and (broker / "control").is_dir()


def test_local_settings_stay_eager_without_it_and_use_redis_when_set():
    eager = celery_settings("config.settings.local")
    assert eager["embedded"] is False and eager["eager"] is True
    assert not eager["broker"].startswith("filesystem")
    redis = celery_settings("config.settings.local", REDIS_URL="redis://127.0.0.1:6379/0")
    assert redis["broker"] == "redis://127.0.0.1:6379/0" and redis["eager"] is False


def test_the_test_settings_stay_eager_whatever_the_flag_says(folder):
    found = celery_settings("config.settings.test", ROSTER_EMBEDDED_WORKER="true", ROSTER_BROKER_DIR=str(folder))
    assert found["eager"] is True and found["broker"] == "memory://"


def test_serve_refuses_to_start_without_the_embedded_worker():
    with pytest.raises(CommandError, match="ROSTER_EMBEDDED_WORKER"):
        call_command("serve", server_command="true")


def test_the_worker_is_stopped_when_the_server_exits(serve):
    fake_server = shlex.join([sys.executable, "-c", "import sys; print('fake server'); sys.exit(3)"])
    s = serve().start("--server-command", fake_server)
    worker = s.worker_pid()
    assert s.proc.wait(timeout=60) == 3, s.logs()
    text = s.text()
    assert "Worker ready" in text and "fake server" in text and "Worker stopped." in text, s.logs()
    assert "exited with status 3" in text
    wait_until(lambda: gone(worker) and group_gone(worker), timeout=5, message="the worker and beat to be gone")
    assert s.worker_log.exists()


def test_a_sigterm_stops_the_server_and_the_worker(serve, folder):
    pid_file = folder / "server.pid"
    code = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(120)"
    s = serve().start("--server-command", shlex.join([sys.executable, "-c", code]))
    worker = s.worker_pid()
    wait_until(
        lambda: (pid_file.exists() and pid_file.read_text()) or s.proc.poll() is not None,
        timeout=60,
        message=lambda: s.logs(),
    )
    assert s.proc.poll() is None, s.logs()
    server = int(pid_file.read_text())
    os.kill(s.proc.pid, signal.SIGTERM)
    assert s.proc.wait(timeout=40) == 0, s.logs()
    assert gone(server), "the server is still running"
    wait_until(lambda: gone(worker) and group_gone(worker), timeout=5, message="the worker and beat to be gone")
    assert "Worker stopped." in s.text()
