"""The folder broker writes each message atomically: a worker polling the folder while another
process writes never sees a partial message (kombu's own filesystem transport let a worker read
an empty file and crash with JSONDecodeError)."""

import subprocess
import sys

from kombu import Connection

import config.celery  # noqa: F401  (registers the rosterfs:// transport)

from .conftest import ROOT

WRITER = """
import sys
import config.celery
from kombu import Connection
url, folder, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
options = {"data_folder_in": folder, "data_folder_out": folder, "control_folder": folder + "/control",
           "store_processed": False}
with Connection(url, transport_options=options) as conn:
    queue = conn.SimpleQueue("race")
    for i in range(n):
        queue.put({"i": i, "padding": "x" * 20000})
"""


def race(url: str, folder, n: int = 1500):
    options = {"data_folder_in": str(folder), "data_folder_out": str(folder),
               "control_folder": str(folder / "control"), "store_processed": False}
    (folder / "control").mkdir(exist_ok=True)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url, str(folder), str(n)], cwd=ROOT)
    got, errors = [], []
    with Connection(url, transport_options=options) as conn:
        queue = conn.SimpleQueue("race")
        while len(got) < n:
            try:
                message = queue.get(block=True, timeout=30)
            except Exception as exc:  # an empty payload raised JSONDecodeError here
                errors.append(exc)
                break
            got.append(message.payload["i"])
            message.ack()
    writer.wait(timeout=60)
    return got, errors


def test_a_worker_racing_another_process_gets_every_message_whole(tmp_path):
    got, errors = race("rosterfs://localhost/", tmp_path)
    assert not errors and sorted(got) == list(range(1500))
    assert not list(tmp_path.glob(".*.partial"))
