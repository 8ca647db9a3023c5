"""Error reporting (issue 15): sentry-sdk only when SENTRY_DSN is set, and nothing personal in what it
sends: request bodies, cookies, headers such as Authorization, query strings, the user's email, name
and address (their id stays), frame variables, Celery task arguments, email addresses in messages."""

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import sentry_sdk

from ops import sentry as ops_sentry
from ops.sentry import scrub_event

ROOT = Path(__file__).resolve().parent.parent.parent

# An event as sentry-sdk's Django, Celery and logging integrations build it.
EVENT = {
    "event_id": "9ec79c33ec9942ab8353589fcb2e04dc",
    "level": "error",
    "platform": "python",
    "server_name": "web-1",
    "environment": "production",
    "message": "Could not send to claire.lambert@rcmp.example",
    "logentry": {"message": "Could not send to %s", "params": ["claire.lambert@rcmp.example"],
                 "formatted": "Could not send to claire.lambert@rcmp.example"},
    "request": {
        "url": "https://roster.example/officers/42/?q=Lambert&email=claire.lambert%40rcmp.example",
        "method": "POST",
        "query_string": "q=Lambert&email=claire.lambert%40rcmp.example",
        "data": {"first_name": "Claire", "last_name": "Lambert", "date_of_birth": "1984-03-02",
                 "password": "hunter2-hunter2"},
        "cookies": {"sessionid": "abc123sessionsecret", "csrftoken": "csrfsecret"},
        "headers": {
            "Host": "roster.example",
            "User-Agent": "Mozilla/5.0",
            "Accept": "text/html",
            "Authorization": "Bearer rst_live_0123456789",
            "Cookie": "sessionid=abc123sessionsecret; csrftoken=csrfsecret",
            "X-Forwarded-For": "198.51.100.23",
            "X-Real-Ip": "198.51.100.23",
            "Referer": "https://roster.example/officers/?q=Lambert",
            "X-Csrftoken": "csrfsecret",
        },
        "env": {"REMOTE_ADDR": "198.51.100.23", "SERVER_NAME": "roster.example", "SERVER_PORT": "443"},
    },
    "user": {"id": "17", "email": "claire.lambert@rcmp.example", "username": "claire.lambert@rcmp.example",
             "ip_address": "198.51.100.23"},
    "exception": {"values": [{
        "type": "IntegrityError",
        "value": 'duplicate key value violates unique constraint "agencies_user_email_key"\n'
                 "DETAIL:  Key (email)=(claire.lambert@rcmp.example) already exists.",
        "stacktrace": {"frames": [
            {"filename": "agencies/services.py", "function": "officer_update", "lineno": 88,
             "vars": {"officer": "<Officer: Lambert, Claire>", "email": "'claire.lambert@rcmp.example'"}},
            {"filename": "django/db/backends/utils.py", "function": "_execute", "lineno": 105,
             "vars": {"params": "('claire.lambert@rcmp.example',)"}},
        ]},
    }]},
    "breadcrumbs": {"values": [
        {"category": "query", "message": 'SELECT ... WHERE "email" = %s', "data": {"params": ["claire@rcmp.example"]}},
        {"category": "django.request", "message": "Signed in claire.lambert@rcmp.example", "level": "info"},
    ]},
    "extra": {
        "celery-job": {"task_name": "notifications.tasks.deliver_mail_batch", "args": [[1, 2, 3]],
                       "kwargs": {"to": "claire.lambert@rcmp.example"}},
        "sys.argv": ["gunicorn"],
        "note": "reply from dispatcher@agency.example",
    },
    "contexts": {"trace": {"trace_id": "a" * 32, "span_id": "b" * 16}},
}


def test_the_scrubber_removes_personal_data_from_a_realistic_event():
    event = scrub_event(copy.deepcopy(EVENT), {})
    text = json.dumps(event)
    for secret in ("claire", "Lambert", "198.51.100.23", "hunter2", "abc123sessionsecret", "csrfsecret",
                   "rst_live", "1984-03-02", "dispatcher@agency.example"):
        assert secret.lower() not in text.lower(), secret
    request = event["request"]
    assert request == {
        "url": "https://roster.example/officers/42/",
        "method": "POST",
        "headers": {"Host": "roster.example", "User-Agent": "Mozilla/5.0", "Accept": "text/html"},
        "env": {"SERVER_NAME": "roster.example", "SERVER_PORT": "443"},
    }
    assert event["user"] == {"id": "17"}
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    assert all("vars" not in f for f in frames)
    assert [f["function"] for f in frames] == ["officer_update", "_execute"]  # the trace itself stays
    assert "Key (email)=([email]) already exists." in event["exception"]["values"][0]["value"]
    assert event["logentry"] == {"message": "Could not send to %s", "params": ["[Filtered]"],
                                 "formatted": "Could not send to [email]"}
    assert event["message"] == "Could not send to [email]"
    assert [b.get("data") for b in event["breadcrumbs"]["values"]] == [None, None]
    assert event["breadcrumbs"]["values"][1]["message"] == "Signed in [email]"
    assert event["extra"]["celery-job"] == {"task_name": "notifications.tasks.deliver_mail_batch",
                                            "args": "[Filtered]", "kwargs": "[Filtered]"}
    assert event["contexts"] == EVENT["contexts"]
    assert event["level"] == "error" and event["server_name"] == "web-1"


def test_a_user_without_an_id_is_dropped_entirely():
    event = scrub_event({"user": {"ip_address": "198.51.100.23"}}, {})
    assert event["user"] == {}


def test_without_a_dsn_sentry_is_not_started(monkeypatch):
    assert not os.environ.get("SENTRY_DSN")
    assert not sentry_sdk.get_client().is_active()  # the settings did not start it
    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kw: calls.append(kw))
    assert ops_sentry.init_sentry(dsn="") is False
    assert calls == []


def test_with_a_dsn_it_starts_with_the_scrubber_and_no_personal_data(monkeypatch):
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    calls = []
    monkeypatch.setattr(sentry_sdk, "init", lambda **kw: calls.append(kw))
    assert ops_sentry.init_sentry(dsn="https://key@sentry.example/4", environment="staging",
                                  traces_sample_rate=0.25) is True
    (options,) = calls
    assert options["dsn"] == "https://key@sentry.example/4"
    assert options["environment"] == "staging" and options["traces_sample_rate"] == 0.25
    assert options["send_default_pii"] is False
    assert options["include_local_variables"] is False
    assert options["max_request_body_size"] == "never"
    assert options["before_send"] is scrub_event and options["before_send_transaction"] is scrub_event
    assert {type(i) for i in options["integrations"]} == {DjangoIntegration, CeleryIntegration}


def _settings_in_a_fresh_process(**env) -> dict:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.test", **env})
    code = ("import django, json, sentry_sdk; django.setup(); c = sentry_sdk.get_client(); "
            "print(json.dumps({'active': c.is_active(), 'options': {k: c.options.get(k) for k in "
            "('environment', 'traces_sample_rate', 'send_default_pii', 'include_local_variables')}, "
            "'before_send': getattr(c.options.get('before_send'), '__qualname__', None)}))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_settings_start_sentry_only_with_a_dsn_and_read_its_options_from_the_environment():
    assert _settings_in_a_fresh_process()["active"] is False
    on = _settings_in_a_fresh_process(SENTRY_DSN="https://key@127.0.0.1:9/4", SENTRY_ENVIRONMENT="staging",
                                      SENTRY_TRACES_SAMPLE_RATE="0.1")
    assert on["active"] is True
    assert on["options"] == {"environment": "staging", "traces_sample_rate": 0.1, "send_default_pii": False,
                             "include_local_variables": False}
    assert on["before_send"] == "scrub_event"


E2E = r'''
import json, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
import django
from django.conf import settings
import sentry_sdk
from sentry_sdk.transport import Transport
from sentry_sdk.integrations.django import DjangoIntegration

events = []

class Capture(Transport):
    def capture_envelope(self, envelope):
        for item in envelope.items:
            if item.type in ("event", "transaction"):
                events.append(item.payload.json)

django.setup()
from ops.sentry import sentry_options
sentry_sdk.init(transport=Capture, integrations=[DjangoIntegration()],
                **sentry_options(dsn="https://key@127.0.0.1:9/4", traces_sample_rate=1.0))

from django.core.handlers.wsgi import WSGIHandler
from django.test import RequestFactory
from django.test.utils import override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def boom(request):
    email = request.GET["email"]  # a local variable of the failing frame
    raise ValueError(f"no officer for {email}")


urlpatterns = [path("boom/", boom)]
# Through the WSGI handler, as gunicorn calls it (sentry-sdk's Django integration hooks in there).
request = RequestFactory().post(
    "/boom/?email=claire.lambert%40rcmp.example", {"last_name": "Lambert"},
    HTTP_AUTHORIZATION="Bearer rst_live_0123456789", HTTP_X_FORWARDED_FOR="198.51.100.23",
    HTTP_COOKIE="tracking=abc123sessionsecret",  # (no session cookie: this script has no database tables)
    REMOTE_ADDR="198.51.100.23",
)
statuses = []
with override_settings(ROOT_URLCONF=__name__):
    b"".join(WSGIHandler()(request.environ, lambda status, headers, *a: statuses.append(status)))
assert statuses == ["500 Internal Server Error"], statuses
sentry_sdk.flush()
print(json.dumps(events))
'''


def test_an_error_in_a_view_reaches_sentry_without_personal_data(tmp_path):
    """The real SDK and its Django integration, with a transport that keeps the events: what would be
    sent for an error raised by a view given personal data in its URL, body, cookies and headers."""
    script = tmp_path / "e2e.py"
    script.write_text(E2E)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    events = json.loads(out.stdout.strip().splitlines()[-1])
    errors = [e for e in events if e.get("exception")]
    assert errors, events
    text = json.dumps(events)
    for secret in ("claire", "Lambert", "abc123sessionsecret", "rst_live", "198.51.100.23"):
        assert secret.lower() not in text.lower(), secret
    for error in errors:  # the exception, and the "Internal Server Error" log line that carries it
        assert error["exception"]["values"][-1]["type"] == "ValueError"
        assert error["exception"]["values"][-1]["value"] == "no officer for [email]"
        assert all("vars" not in frame for value in error["exception"]["values"]
                   for frame in (value.get("stacktrace") or {}).get("frames", []))
        if "request" in error:
            assert error["request"]["url"].endswith("/boom/")
            assert not {"data", "cookies", "query_string"} & set(error["request"])
            assert "Authorization" not in error["request"].get("headers", {})


def test_a_password_reset_token_in_the_url_is_cut():
    from ops.sentry import _scrub_request

    url = "https://roster.example/accounts/password/reset/MTA/cd7k2o-5f1a2b3c4d5e6f/?next=/"
    assert _scrub_request({"url": url})["url"] == "https://roster.example/accounts/password/reset/…/…/"
