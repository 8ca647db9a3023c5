"""Idle timeout and absolute lifetime (settings), the warning that lets a person stay signed in,
re-authentication before sensitive actions, and sessions that end at a privilege change."""

import time

import pytest
import time_machine
from django.urls import reverse

from audit.models import AuditEntry
from tests.conftest import client_for
from tests.pages import page_text

from .conftest import sign_in, stale_reauth

pytestmark = pytest.mark.django_db


def later(seconds):
    return time_machine.travel(time.time() + seconds, tick=False)


def test_a_session_ends_after_the_idle_timeout_and_says_so(world, settings):
    settings.ROSTER = {**settings.ROSTER, "SESSION_IDLE_SECONDS": 600}
    c = client_for(world.coord_a)
    with later(590):
        assert c.get(reverse("home")).status_code == 200
    with later(590 + 590):  # active 590 s ago: still in
        assert c.get(reverse("home")).status_code == 200
    with later(590 + 590 + 700):
        response = c.get(reverse("agencies:officer-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=/officers/")
    assert "without activity" in page_text(c.get(response["Location"]))
    assert AuditEntry.objects.filter(event="session.expired", subject_user_id=world.coord_a.pk).exists()


def test_a_session_ends_at_its_absolute_lifetime_even_when_active(world, settings):
    settings.ROSTER = {**settings.ROSTER, "SESSION_IDLE_SECONDS": 1800, "SESSION_ABSOLUTE_SECONDS": 3600}
    c = client_for(world.coord_a)
    for minutes in range(20, 60, 20):
        with later(minutes * 60):
            assert c.get(reverse("home")).status_code == 200
    with later(3600 + 10):
        assert c.get(reverse("home")).status_code == 302


def test_the_status_check_does_not_count_as_activity_but_staying_signed_in_does(world, settings):
    settings.ROSTER = {**settings.ROSTER, "SESSION_IDLE_SECONDS": 600}
    c = client_for(world.coord_a)
    with later(500):
        state = c.get(reverse("accounts:session"), HTTP_ACCEPT="application/json").json()
    assert state["signed_in"] and 90 <= state["remaining"] <= 100
    with later(550):
        state = c.post(reverse("accounts:session"), HTTP_ACCEPT="application/json").json()
    assert state["remaining"] == 600
    with later(550 + 500):
        assert c.get(reverse("home")).status_code == 200
    with later(550 + 500 + 700):
        assert c.get(reverse("accounts:session"), HTTP_ACCEPT="application/json").status_code == 401


def test_every_signed_in_page_carries_the_warning_dialog(world, clients):
    html = page_text(clients.officer_x.get(reverse("home")))
    assert 'id="session-timeout"' in html and 'role="alertdialog"' in html
    assert "Stay signed in" in html and "js/session-timeout.js" in html
    assert 'id="session-timeout"' not in page_text(clients.anonymous.get(reverse("login")))


def test_an_export_asks_for_the_password_again_when_it_was_not_given_recently(world, client):
    sign_in(client, world.coord_a.email)
    url = reverse("roster:export-roster", kwargs={"fmt": "csv"})
    assert client.get(url).status_code == 200  # just signed in
    stale_reauth(client)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:reauth"))
    wrong = client.post(reverse("accounts:reauth"), {"secret": "not-it", "next": url})
    assert wrong.status_code == 200 and "not your password" in page_text(wrong)
    key = client.session.session_key
    ok = client.post(reverse("accounts:reauth"), {"secret": "pw-roster-test", "next": url})
    assert ok.status_code == 302 and ok["Location"] == url
    assert client.session.session_key != key, "the session is cycled at re-authentication"
    assert client.get(url).status_code == 200
    export = AuditEntry.objects.filter(event="read.export", actor=world.coord_a).latest("id")
    assert export.rows is not None


def test_reauthentication_never_redirects_elsewhere(world, client):
    sign_in(client, world.coord_a.email)
    ok = client.post(reverse("accounts:reauth"), {"secret": "pw-roster-test", "next": "https://evil.example/"})
    assert ok["Location"] == reverse("home")


def test_a_change_of_role_ends_the_persons_sessions(world):
    c = client_for(world.coord_a)
    assert c.get(reverse("home")).status_code == 200
    world.coord_a.role = "officer"
    world.coord_a.save()
    assert c.get(reverse("home")).status_code == 302


def test_the_login_cycles_the_session(world, client):
    client.get(reverse("login"))
    before = client.cookies.get("sessionid")
    sign_in(client, world.coord_a.email)
    assert client.cookies["sessionid"].value != (before.value if before else None)
