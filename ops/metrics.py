"""Prometheus metrics (django-prometheus and prometheus_client), served at /metrics (ops.views).

- Requests and latency: django-prometheus's two middlewares (settings.MIDDLEWARE, when
  ROSTER_METRICS_ENABLED).
- Database queries: django-prometheus's own counters (`django_db_execute_total`,
  `django_db_query_duration_seconds`, `django_db_errors_total`, `django_db_new_connections_total`),
  counted by a Django execute wrapper installed on each new connection, so the database ENGINE
  stays Django's own (everything that reads it keeps working) and every query of the ORM counts.
- Celery task durations: a histogram observed through Celery's task_prerun/task_postrun signals,
  by task name and final state, in whichever process runs the task (a worker, or the web process
  when tasks run in-process).
- At scrape time only (a custom collector, never per request): the outbox (messages queued,
  sending, failed, sent in the last day, the oldest waiting message's age, unfinished batches)
  and the Celery queue's length on the broker.

No label carries personal data: task names, statuses, view names, database aliases.

Several processes (gunicorn workers, a Celery worker's pool): with PROMETHEUS_MULTIPROC_DIR set
(an empty folder shared by the processes, emptied before they start), /metrics adds up every
process's counters and histograms (prometheus_client's multiprocess mode).
"""

import logging
import os
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

TASK_DURATION = Histogram(
    "roster_celery_task_duration_seconds",
    "Time Celery tasks took to run, by task name and final state.",
    ["task", "state"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, float("inf")),
)
# task id -> its start (time.monotonic()), between task_prerun and task_postrun
_task_started: dict[str, float] = {}
# A task whose postrun never came (its process died) is forgotten past this many entries.
_TASK_STARTED_MAX = 10_000


def task_prerun(sender=None, task_id=None, task=None, **kwargs):
    if task_id is None:
        return
    if len(_task_started) >= _TASK_STARTED_MAX:
        _task_started.clear()
    _task_started[task_id] = time.monotonic()


def task_postrun(sender=None, task_id=None, task=None, state=None, **kwargs):
    started = _task_started.pop(task_id, None)
    if started is None:
        return
    name = getattr(task, "name", None) or getattr(sender, "name", None) or "unknown"
    TASK_DURATION.labels(task=name, state=state or "unknown").observe(time.monotonic() - started)


# --- database queries ---------------------------------------------------------------------------


# (alias, vendor) -> that database's labelled counters: labels() looked up once, not per query
_db_children: dict[tuple[str, str], tuple] = {}


def _db_metrics(alias: str, vendor: str) -> tuple:
    children = _db_children.get((alias, vendor))
    if children is None:
        from django_prometheus.db.metrics import execute_many_total, execute_total, query_duration_seconds

        children = (execute_total.labels(alias, vendor), execute_many_total.labels(alias, vendor),
                    query_duration_seconds.labels(alias, vendor))
        _db_children[(alias, vendor)] = children
    return children


def count_query(execute, sql, params, many, context):
    """A Django execute wrapper (`connection.execute_wrappers`): counts and times each statement
    in django-prometheus's database metrics."""
    connection = context["connection"]
    executed, executed_many, duration = _db_metrics(connection.alias, connection.vendor)
    statements = len(params) if many and hasattr(params, "__len__") else 1
    executed.inc(statements)
    if many:
        executed_many.inc(statements)
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    except Exception as exc:
        from django_prometheus.db.metrics import errors_total

        errors_total.labels(connection.alias, connection.vendor, type(exc).__name__).inc()
        raise
    finally:
        duration.observe(time.perf_counter() - started)


def connection_created(sender=None, connection=None, **kwargs):
    """Install `count_query` on a new connection, first in the list: `connection.execute_wrapper()`
    blocks (tests) append theirs and pop the last one when they end."""
    from django_prometheus.db.metrics import connections_total

    connections_total.labels(connection.alias, connection.vendor).inc()
    if count_query not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, count_query)


_installed = False


def install() -> None:
    """Connect the signals (ops.apps.OpsConfig.ready, when ROSTER_METRICS_ENABLED); once per process."""
    global _installed
    if _installed:
        return
    from celery import signals as celery_signals
    from django.db.backends.signals import connection_created as django_connection_created

    django_connection_created.connect(connection_created, dispatch_uid="ops.metrics.connection_created")
    celery_signals.task_prerun.connect(task_prerun, weak=False, dispatch_uid="ops.metrics.task_prerun")
    celery_signals.task_postrun.connect(task_postrun, weak=False, dispatch_uid="ops.metrics.task_postrun")
    _installed = True


# --- read at scrape time ------------------------------------------------------------------------

# Redis: kombu keeps a queue's messages of each priority step under its own key.
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (3, 6, 9)


def celery_queue_length(app=None) -> int | None:
    """Messages waiting in the default queue on the broker: Redis (LLEN of the queue's keys) or
    the folder broker (its message files); None with no broker (tasks run in-process) or another
    kind. Raises if the broker does not answer."""
    from ops.health import broker_transport, celery_app

    app = app or celery_app()
    queue = app.conf.task_default_queue
    transport = broker_transport(app)
    options = app.conf.broker_transport_options or {}
    if transport == "redis":
        import redis

        prefix = options.get("global_keyprefix", "")
        keys = [f"{prefix}{queue}", *(f"{prefix}{queue}{_PRIORITY_SEPARATOR}{step}" for step in _PRIORITY_STEPS)]
        client = redis.Redis.from_url(app.conf.broker_url, socket_timeout=1, socket_connect_timeout=1)
        try:
            with client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.llen(key)
                return sum(pipe.execute())
        finally:
            client.close()
    if transport == "folder":
        folder = options.get("data_folder_in")
        if not folder:
            return None
        suffix = f".{queue}.msg"
        with os.scandir(folder) as entries:
            return sum(1 for e in entries if e.name.endswith(suffix) and not e.name.startswith("."))
    return None


class RosterCollector:
    """The gauges read when Prometheus scrapes (one query per figure, on indexed columns; the sent
    messages are counted over the last day only: the outbox table grows without bound)."""

    def describe(self):
        return [
            GaugeMetricFamily("roster_outbox_messages", "", labels=["status"]),
            GaugeMetricFamily("roster_outbox_sent_last_day", ""),
            GaugeMetricFamily("roster_outbox_oldest_waiting_seconds", ""),
            GaugeMetricFamily("roster_outbox_batches_unfinished", ""),
            GaugeMetricFamily("roster_celery_queue_length", "", labels=["queue"]),
            GaugeMetricFamily("roster_metrics_source_up", "", labels=["source"]),
        ]

    def collect(self):
        up = GaugeMetricFamily("roster_metrics_source_up",
                               "Whether the scrape could read each source (1) or not (0).", labels=["source"])
        try:
            yield from self.outbox()
            up.add_metric(["outbox"], 1)
        except Exception:
            logger.warning("Metrics: could not read the outbox", exc_info=True)
            up.add_metric(["outbox"], 0)
        try:
            yield from self.queue()
            up.add_metric(["broker"], 1)
        except Exception:
            logger.warning("Metrics: could not read the Celery queue length", exc_info=True)
            up.add_metric(["broker"], 0)
        yield up

    def outbox(self):
        from notifications.selectors import outbox_backlog, outbox_sent_count

        now = timezone.now()
        backlog = outbox_backlog(now=now)
        messages = GaugeMetricFamily("roster_outbox_messages", "Outbox messages by status (queued, sending, failed).",
                                     labels=["status"])
        for status in ("queued", "sending", "failed"):
            messages.add_metric([status], backlog[status])
        yield messages
        yield GaugeMetricFamily("roster_outbox_sent_last_day", "Outbox messages queued in the last 24 hours and sent.",
                                value=outbox_sent_count(since=now - timedelta(days=1)))
        yield GaugeMetricFamily("roster_outbox_oldest_waiting_seconds",
                                "Age of the oldest message waiting to be sent (queued, or in an unfinished batch); "
                                "0 when none waits.", value=backlog["oldest_waiting_seconds"] or 0)
        yield GaugeMetricFamily("roster_outbox_batches_unfinished",
                                "Batches of messages not yet made into outbox rows.", value=backlog["batches"])

    def queue(self):
        from ops.health import celery_app

        app = celery_app()
        length = celery_queue_length(app)
        if length is not None:
            family = GaugeMetricFamily("roster_celery_queue_length", "Tasks waiting in the broker's queue.",
                                       labels=["queue"])
            family.add_metric([app.conf.task_default_queue], length)
            yield family


_scrape_registry = None


def scrape_registry() -> CollectorRegistry:
    global _scrape_registry
    if _scrape_registry is None:
        registry = CollectorRegistry()
        registry.register(RosterCollector())
        _scrape_registry = registry
    return _scrape_registry


def render() -> bytes:
    """The metrics page: this process's metrics (or every process's, in multiprocess mode) and
    the gauges read now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(scrape_registry())


def enabled() -> bool:
    return bool(getattr(settings, "ROSTER_METRICS_ENABLED", False))
