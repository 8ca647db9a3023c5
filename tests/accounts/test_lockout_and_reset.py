"""Brute force: django-axes locks a login per account and per address; IPO staff lift a lock;
password resets are rate-limited and answer the same way whether or not the address exists."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from tests.conftest import client_for
from tests.pages import page_text

from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def test_the_lock_is_per_account_whatever_the_case_of_the_address(world, client):
    for email in ("COORD-A@example.test", "coord-a@example.test ", "Coord-A@Example.test"):
        sign_in(client, email, "wrong")
    assert sign_in(client, world.coord_a.email, PASSWORD).status_code == 429
    entry = AuditEntry.objects.filter(event="login.locked_out").latest("id")
    assert entry.subject_user_id == world.coord_a.pk


def test_the_lock_is_also_per_address_across_accounts(world, client):
    for email in ("a@example.test", "b@example.test", "c@example.test"):
        sign_in(client, email, "wrong")
    assert sign_in(client, world.coord_b.email, PASSWORD).status_code == 429


def test_another_address_can_still_sign_in_to_another_account(world, client):
    for _ in range(3):
        sign_in(client, world.coord_a.email, "wrong")
    other = client_for(None)
    response = other.post(reverse("login"), {"username": world.coord_b.email, "password": PASSWORD},
                          REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302


def test_the_lockout_message_is_in_french_for_a_french_page(world, client):
    client.cookies["django_language"] = "fr"
    for _ in range(3):
        sign_in(client, world.coord_a.email, "wrong")
    page = page_text(sign_in(client, world.coord_a.email, PASSWORD))
    assert "Connexion bloquée" in page


def test_ipo_staff_lift_a_lock_and_it_is_audited(world, client, clients):
    for _ in range(3):
        sign_in(client, world.coord_a.email, "wrong")
    page = page_text(clients.ipo.get(reverse("accounts:lockouts")))
    assert world.coord_a.email in page
    from axes.models import AccessAttempt

    for attempt in AccessAttempt.objects.all():
        assert clients.ipo.post(reverse("accounts:lockout-unlock", args=[attempt.pk])).status_code == 302
    assert sign_in(client, world.coord_a.email, PASSWORD).status_code == 302
    entry = AuditEntry.objects.filter(event="login.unlocked").latest("id")
    assert entry.actor_id == world.ipo.pk


def test_coordinators_cannot_lift_a_lock(world, client, clients):
    for _ in range(3):
        sign_in(client, world.coord_a.email, "wrong")
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.first()
    assert clients.coord_a.post(reverse("accounts:lockout-unlock", args=[attempt.pk])).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_failures_and_successes_are_in_the_trail(world, client):
    sign_in(client, world.coord_a.email, "wrong")
    sign_in(client, world.coord_a.email, PASSWORD)
    events = list(AuditEntry.objects.filter(subject_user_id=world.coord_a.pk).values_list("event", flat=True))
    assert "login.failed" in events and "login.succeeded" in events


def test_a_reset_queues_the_same_work_whether_or_not_the_address_has_a_login(
    world, client, monkeypatch, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queued = []
    monkeypatch.setattr("accounts.tasks.password_reset_send.delay", lambda email: queued.append(email))
    answers, counts = [], []
    for email in (world.coord_a.email, "nobody@example.test"):
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("password_reset"), {"email": email})
        answers.append((response.status_code, response["Location"]))
        counts.append(len(ctx.captured_queries))
    assert answers[0] == answers[1]
    assert counts[0] == counts[1], "the request does the same work either way"
    assert queued == [world.coord_a.email, "nobody@example.test"], "a task is queued either way"


def test_resets_are_rate_limited_per_address(world, client, settings):
    settings.ROSTER = {**settings.ROSTER, "RESET_RATE_PER_EMAIL": "2/h"}
    statuses = [client.post(reverse("password_reset"), {"email": world.coord_a.email}).status_code
                for _ in range(4)]
    assert statuses == [302, 302, 429, 429]
    assert "Too many attempts" in page_text(client.post(reverse("password_reset"), {"email": world.coord_a.email}))


def test_a_used_reset_link_lifts_the_lock(world, client, mailoutbox, django_capture_on_commit_callbacks):
    import re

    for _ in range(3):
        sign_in(client, world.coord_a.email, "wrong")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": world.coord_a.email})
    url = re.search(r"/accounts/password/reset/\S+/", mailoutbox[0].body).group(0)
    form_url = client.get(url, follow=True).redirect_chain[-1][0]
    client.post(form_url, {"new_password1": "A-new-pass-2027!", "new_password2": "A-new-pass-2027!"})
    assert sign_in(client, world.coord_a.email, "A-new-pass-2027!").status_code == 302
    assert AuditEntry.objects.filter(event="password.reset_used", subject_user_id=world.coord_a.pk).exists()
