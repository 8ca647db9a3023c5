"""/metrics (issue 15, metrics): who may read it (an allowed address or network reached directly, or
the bearer token; anyone else a 404), and what it shows: requests, latency, database queries, the
outbox gauges read at scrape time, the Celery queue's length and task durations."""

import os
import re
from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from notifications.models import MailBatch, OutgoingMail

pytestmark = pytest.mark.django_db
S = OutgoingMail.Status
TOKEN = "metrics-token-0123456789abcdef"


def scrape(client=None, **extra):
    return (client or Client()).get("/metrics", **extra)


def samples(response) -> dict:
    """{(name, frozenset(labels)): value} of a metrics page."""
    out = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(response, name, **labels):
    return samples(response).get((name, frozenset(labels.items())))


# --- the access rule -----------------------------------------------------------------------------


def test_loopback_is_allowed_by_default():
    response = scrape()  # the test client's address is 127.0.0.1
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")


def test_another_address_gets_a_404_as_for_a_page_that_does_not_exist():
    response = scrape(REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 404

    def page(response, path):  # the same page but for the path and the CSRF token
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode()).replace(path, "PATH")

    assert page(response, "/metrics") == page(Client().get("/no-such-page", REMOTE_ADDR="203.0.113.9"),
                                              "/no-such-page")


@override_settings(ROSTER_METRICS_ALLOWED_IPS=["10.0.0.0/8", "192.0.2.7"])
@pytest.mark.parametrize("address, status", [("10.20.30.40", 200), ("192.0.2.7", 200), ("192.0.2.8", 404),
                                             ("127.0.0.1", 404)])
def test_allowed_addresses_and_networks_come_from_the_setting(address, status):
    assert scrape(REMOTE_ADDR=address).status_code == status


def test_a_request_through_the_reverse_proxy_is_not_let_in_by_address():
    """The proxy's address may be allowed; the client behind it is not known."""
    assert scrape(HTTP_X_FORWARDED_FOR="198.51.100.4").status_code == 404
    assert scrape(HTTP_FORWARDED="for=198.51.100.4").status_code == 404


@override_settings(ROSTER_METRICS_TOKEN=TOKEN)
def test_the_right_bearer_token_is_allowed_from_anywhere():
    assert scrape(REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert scrape(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.4",
                  HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


@override_settings(ROSTER_METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize("header", [f"Bearer {TOKEN}x", "Bearer wrong", f"Token {TOKEN}", "Bearer ", TOKEN])
def test_a_wrong_token_gets_a_404(header):
    assert scrape(REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=header).status_code == 404


@override_settings(ROSTER_METRICS_TOKEN="")
def test_no_token_configured_lets_no_token_in():
    assert scrape(REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@override_settings(ROSTER_METRICS_ENABLED=False, ROSTER_METRICS_TOKEN=TOKEN)
def test_metrics_turned_off_answer_404_to_everyone():
    assert scrape().status_code == 404
    assert scrape(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404


# --- what it shows -------------------------------------------------------------------------------


def _mail(n, status, *, created=None, **fields):
    mail = OutgoingMail.objects.create(to=f"person{n}@example.test", subject="Hello", body_text="Hello",
                                       message_id=f"<metrics-{n}@test>", status=status, **fields)
    if created is not None:
        OutgoingMail.objects.filter(pk=mail.pk).update(created_at=created)
    return mail


def test_the_outbox_gauges_are_read_at_scrape_time():
    now = timezone.now()
    for n in range(3):
        _mail(n, S.QUEUED, created=now - timedelta(minutes=10 - n))
    _mail(3, S.SENDING)
    for n in (4, 5):
        _mail(n, S.FAILED)
    for n in (6, 7, 8):
        _mail(n, S.SENT, sent_at=now)
    _mail(9, S.SENT, sent_at=now - timedelta(days=2), created=now - timedelta(days=2))  # more than a day ago
    MailBatch.objects.create(key="k1", template="bulletin_published", loader="x", total=5)

    response = scrape()
    assert value(response, "roster_outbox_messages", status="queued") == 3
    assert value(response, "roster_outbox_messages", status="sending") == 1
    assert value(response, "roster_outbox_messages", status="failed") == 2
    assert value(response, "roster_outbox_sent_last_day") == 3
    assert value(response, "roster_outbox_batches_unfinished") == 1
    assert 599 <= value(response, "roster_outbox_oldest_waiting_seconds") <= 605
    assert value(response, "roster_metrics_source_up", source="outbox") == 1
    assert "person" not in response.content.decode()  # no address anywhere

    OutgoingMail.objects.filter(status=S.FAILED).update(status=S.SENT, sent_at=now)
    again = scrape()
    assert value(again, "roster_outbox_messages", status="failed") == 0
    assert value(again, "roster_outbox_sent_last_day") == 5


def test_requests_latency_and_database_queries_are_counted():
    first = scrape()
    Client().get("/healthz")
    OutgoingMail.objects.exists()
    second = scrape()

    def total(response, name, **labels):
        return sum(v for (n, ls), v in samples(response).items()
                   if n == name and set(labels.items()) <= set(ls))

    assert total(second, "django_http_requests_total_by_method_total", method="GET") > total(
        first, "django_http_requests_total_by_method_total", method="GET")
    assert total(second, "django_http_requests_latency_seconds_by_view_method_count", view="healthz") >= 1
    assert total(second, "django_db_execute_total", alias="default") > total(first, "django_db_execute_total",
                                                                             alias="default")
    assert total(second, "django_db_query_duration_seconds_count", alias="default") > 0


def test_task_durations_are_observed_by_task_and_state():
    from ops.metrics import TASK_DURATION
    from ops.tasks import outbox_purge_bodies

    def count():
        return TASK_DURATION.labels(task="ops.tasks.outbox_purge_bodies", state="SUCCESS")._sum.get(), sum(
            b.get() for b in TASK_DURATION.labels(task="ops.tasks.outbox_purge_bodies", state="SUCCESS")._buckets)

    before = count()
    outbox_purge_bodies.apply()
    after = count()
    assert after[1] == before[1] + 1 and after[0] > before[0]
    assert value(scrape(), "roster_celery_task_duration_seconds_count", task="ops.tasks.outbox_purge_bodies",
                 state="SUCCESS") == after[1]


def test_the_folder_brokers_queue_length(celery_conf, tmp_path):
    celery_conf(task_always_eager=False, broker_url="rosterfs://localhost/",
                broker_transport_options={"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path)})
    for name in ("1_a.celery.msg", "2_b.celery.msg", ".3_c.celery.msg.partial", "4_d.other.msg"):
        (tmp_path / name).write_text("{}")
    response = scrape()
    assert value(response, "roster_celery_queue_length", queue="celery") == 2
    assert value(response, "roster_metrics_source_up", source="broker") == 1


def test_the_redis_queue_length_is_the_llen_of_the_default_queue(celery_conf, monkeypatch):
    import redis

    celery_conf(task_always_eager=False, broker_url="redis://broker.internal:6379/0")
    lengths = {"celery": 4, "celery\x06\x163": 1}

    class Pipeline:
        def __init__(self):
            self.keys = []

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def llen(self, key):
            self.keys.append(key)

        def execute(self):
            return [lengths.get(k, 0) for k in self.keys]

    class FakeRedis:
        def pipeline(self, transaction=True):
            return Pipeline()

        def close(self):
            pass

    monkeypatch.setattr(redis.Redis, "from_url", classmethod(lambda cls, url, **kw: FakeRedis()))
    assert value(scrape(), "roster_celery_queue_length", queue="celery") == 5


def test_a_broker_down_leaves_the_page_up_and_says_so(celery_conf):
    from .conftest import closed_port

    celery_conf(task_always_eager=False, broker_url=f"redis://127.0.0.1:{closed_port()}/0")
    response = scrape()
    assert response.status_code == 200
    assert value(response, "roster_metrics_source_up", source="broker") == 0
    assert value(response, "roster_celery_queue_length", queue="celery") is None
    assert value(response, "roster_outbox_messages", status="queued") == 0


def test_no_broker_means_no_queue_length():
    response = scrape()
    assert not any(name == "roster_celery_queue_length" for name, _ in samples(response))


PROBE = r"""
import sys, django
django.setup()
if sys.argv[1] == "task":
    from config.celery import app

    @app.task(name="probe.task")
    def probe():
        return 1

    probe.apply()
    probe.apply()
else:
    from ops.metrics import render

    sys.stdout.write(render().decode())
"""


def test_with_a_multiprocess_folder_the_page_adds_up_every_process(tmp_path):
    """PROMETHEUS_MULTIPROC_DIR shared by the web processes and the worker: a task timed in one process
    shows on the page another serves."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    folder = tmp_path / "prometheus"
    folder.mkdir()
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PROMETHEUS_MULTIPROC_DIR": str(folder),
           "PYTHONPATH": str(settings.BASE_DIR)}

    def python(*args):
        return subprocess.run([sys.executable, str(script), *args], cwd=settings.BASE_DIR, env=env,
                              capture_output=True, text=True, check=True).stdout

    python("task")
    page = python("render")
    found = {(s.name, tuple(sorted(s.labels.items()))): s.value
             for family in text_string_to_metric_families(page) for s in family.samples}
    assert found[("roster_celery_task_duration_seconds_count", (("state", "SUCCESS"), ("task", "probe.task")))] == 2


def test_the_query_counter_stays_installed_around_other_execute_wrappers():
    """It goes first on each new connection: a `connection.execute_wrapper()` block that opened the
    connection removes its own wrapper (the last one) when it ends, not ours."""
    from django.db import connection

    from ops.metrics import connection_created, count_query

    def theirs(execute, sql, params, many, context):
        return execute(sql, params, many, context)

    saved = list(connection.execute_wrappers)
    try:
        connection.execute_wrappers[:] = [theirs]  # as if a block began before the connection was made
        connection_created(connection=connection)
        assert connection.execute_wrappers == [count_query, theirs]
        connection.execute_wrappers.pop()  # the block ends
        assert connection.execute_wrappers == [count_query]
        connection_created(connection=connection)  # a reconnection: still once
        assert connection.execute_wrappers == [count_query]
    finally:
        connection.execute_wrappers[:] = saved


def test_two_containers_whose_processes_have_the_same_pid_write_apart(tmp_path, monkeypatch):
    """web and worker share the multiprocess folder but not a PID namespace: a gunicorn worker and a
    Celery pool child can both be pid 7. Named by host and pid, their files stay apart and add up;
    named by pid alone, the second overwrites the first (this test then counts 1)."""
    import socket

    from prometheus_client import CollectorRegistry, Counter, multiprocess, values

    from config.prometheus import use_container_process_ids

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    saved = values.ValueClass
    try:
        for host in ("web_1", "worker_1"):  # one process here stands for both containers
            monkeypatch.setattr(socket, "gethostname", lambda host=host: host)
            assert use_container_process_ids()
            Counter("probe_tasks", "A probe.", registry=None).inc()
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        assert registry.get_sample_value("probe_tasks_total") == 2
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            f"counter_web-1-{os.getpid()}.db", f"counter_worker-1-{os.getpid()}.db"]
    finally:
        values.ValueClass = saved


def test_without_a_multiprocess_folder_metrics_stay_in_memory(monkeypatch):
    from prometheus_client import values

    from config.prometheus import use_container_process_ids

    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    saved = values.ValueClass
    assert use_container_process_ids() is False
    assert values.ValueClass is saved
