"""prometheus_client's multiprocess mode, shared by several containers.

With PROMETHEUS_MULTIPROC_DIR set, each process writes its counters and histograms to files in that
folder named after its process identifier, and /metrics (ops.metrics.render) adds them all up. In the
container stack the folder is one volume shared by web (gunicorn's workers) and worker (Celery's pool
processes), so the task durations a worker records show on the page web serves. Each container has
its own PID namespace, so two processes there can have the same pid (gunicorn's first worker and
Celery's first pool child are both small numbers): the identifier is the container's host name and the
pid, which no two running processes share. A '-' joins them, never '_', which splits the file names.

This must run before the first metric is built (django-prometheus builds some on import), so
config/__init__.py calls it first of all.
"""

import os
import socket


def process_identifier_factory(hostname: str | None = None):
    host = (hostname or socket.gethostname() or "host").replace("_", "-")

    def process_identifier() -> str:
        return f"{host}-{os.getpid()}"

    return process_identifier


def use_container_process_ids() -> bool:
    """In multiprocess mode, name each process's metric files after its host and pid. True if it did."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return False
    from prometheus_client import values

    values.ValueClass = values.MultiProcessValue(process_identifier=process_identifier_factory())
    return True
