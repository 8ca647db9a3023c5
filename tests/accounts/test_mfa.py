"""Two-step verification: required of IPO staff and coordinators where the setting enforces it
(production), offered to officers, off for the local demo; guided setup with a QR code drawn on
the server; backup codes; an audited administrator reset."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from tests.conftest import client_for
from tests.pages import page_text

from .conftest import sign_in

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def enforced(settings):
    settings.ROSTER = {**settings.ROSTER, "MFA_REQUIRED": True}


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def enrol(client, user) -> list[str]:
    """Walk the guided setup; returns the backup codes shown."""
    page = client.get(reverse("accounts:mfa-setup"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("accounts:mfa-setup"), {"token": code_for(device)})
    assert response.status_code == 200, page_text(response)
    return [c for c in StaticToken.objects.filter(device__user=user).values_list("token", flat=True)]


def test_coordinators_and_ipo_staff_are_sent_to_setup_when_enforced(world, enforced, client):
    for user in (world.coord_a, world.ipo):
        client.post(reverse("logout"))
        assert sign_in(client, user.email).status_code == 302
        response = client.get(reverse("home"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa-setup"))
        # nothing else is reachable before setup
        assert client.get(reverse("agencies:officer-list")).status_code == 302


def test_officers_are_offered_it_but_not_forced(world, enforced, client):
    assert sign_in(client, world.user_x.email).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert "Set up two-step verification" in page_text(client.get(reverse("accounts:mfa")))


def test_with_enforcement_off_the_demo_logins_work_with_a_password_alone(world, client, settings):
    assert settings.ROSTER["MFA_REQUIRED"] is False
    assert sign_in(client, world.coord_a.email).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def _settings_value(module: str, expr: str, **env) -> str:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": module, "SECRET_KEY": "x" * 50,
                   "ALLOWED_HOSTS": "roster.example", **env}
    environment.pop("ROSTER_MFA_REQUIRED", None)
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); from django.conf import settings; print({expr})"],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=True,
    )
    return out.stdout.strip()


def test_production_settings_enforce_it_and_the_local_demo_does_not():
    assert _settings_value("config.settings.production", "settings.ROSTER['MFA_REQUIRED']") == "True"
    assert _settings_value("config.settings.local", "settings.ROSTER['MFA_REQUIRED']") == "False"


def test_the_guided_setup_draws_the_qr_code_on_the_server_and_shows_backup_codes_once(world, enforced, client):
    sign_in(client, world.coord_a.email)
    page = client.get(reverse("accounts:mfa-setup"))
    html = page_text(page)
    assert "<svg" in html and "otpauth" not in html.split("<svg", 1)[0][-200:]
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org", "")
    device = TOTPDevice.objects.get(user=world.coord_a, confirmed=False)
    wrong_code = "000000" if code_for(device) != "000000" else "111111"
    wrong = client.post(reverse("accounts:mfa-setup"), {"token": wrong_code})
    assert "That code is not right" in page_text(wrong)
    assert not TOTPDevice.objects.filter(user=world.coord_a, confirmed=True).exists()
    device = TOTPDevice.objects.get(user=world.coord_a, confirmed=False)
    done = client.post(reverse("accounts:mfa-setup"), {"token": code_for(device)})
    codes = StaticToken.objects.filter(device__user=world.coord_a).values_list("token", flat=True)
    assert len(codes) == 10 and all(c in page_text(done) for c in codes)
    assert client.get(reverse("home")).status_code == 200
    assert AuditEntry.objects.filter(event="mfa.enrolled", subject_user_id=world.coord_a.pk).exists()


def test_an_enrolled_login_needs_a_code_at_every_sign_in(world, client):
    sign_in(client, world.user_x.email)
    enrol(client, world.user_x)
    client.post(reverse("logout"))
    sign_in(client, world.user_x.email)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa-verify"))
    bad = client.post(reverse("accounts:mfa-verify"), {"token": "12345"})
    assert "That code is not right" in page_text(bad)
    device = TOTPDevice.objects.get(user=world.user_x, confirmed=True)
    key_before = client.session.session_key
    # after a failure django-otp throttles the device for a few seconds, even for the right code
    throttled = client.post(reverse("accounts:mfa-verify"), {"token": code_for(device, offset=1)})
    assert throttled.status_code == 200
    with time_machine.travel(time.time() + 10, tick=False):
        # the enrolment used this time step's code (a code works once): the next step's is accepted (tolerance 1)
        device.refresh_from_db()
        ok = client.post(reverse("accounts:mfa-verify") + "?next=/", {"token": code_for(device, offset=1)})
    assert ok.status_code == 302
    assert client.session.session_key != key_before, "the session is cycled at verification"
    assert client.get(reverse("home")).status_code == 200
    assert AuditEntry.objects.filter(event="mfa.failed", subject_user_id=world.user_x.pk).count() == 2


def test_a_backup_code_works_once(world, client):
    sign_in(client, world.user_x.email)
    codes = enrol(client, world.user_x)
    for attempt in range(2):
        client.post(reverse("logout"))
        sign_in(client, world.user_x.email)
        response = client.post(reverse("accounts:mfa-verify"), {"token": codes[0]})
        if attempt == 0:
            assert response.status_code == 302
        else:
            assert response.status_code == 200 and "already used" in page_text(response)
    assert AuditEntry.objects.filter(event="mfa.backup_code_used").count() == 1


def test_code_guessing_is_rate_limited(world, client, settings):
    settings.ROSTER = {**settings.ROSTER, "MFA_RATE": "3/m"}
    sign_in(client, world.user_x.email)
    enrol(client, world.user_x)
    client.post(reverse("logout"))
    sign_in(client, world.user_x.email)
    statuses = [client.post(reverse("accounts:mfa-verify"), {"token": "000001"}).status_code for _ in range(5)]
    assert statuses[-1] == 429


def test_an_administrator_resets_a_lost_device_audited_and_emailed(world, manager, client, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    sign_in(client, world.coord_a.email)
    enrol(client, world.coord_a)
    admin = client_for(manager)
    url = reverse("admin:agencies_user_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {"action": "reset_mfa", "_selected_action": [world.coord_a.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.coord_a).exists()
    assert not StaticToken.objects.filter(device__user=world.coord_a).exists()
    entry = AuditEntry.objects.get(event="mfa.reset")
    assert entry.actor_id == manager.pk and entry.subject_user_id == world.coord_a.pk
    assert any("Two-step verification reset" in m.subject for m in mailoutbox if m.to == [world.coord_a.email])


def test_plain_ipo_staff_cannot_reset_someone_elses_device(world, clients, client):
    sign_in(client, world.coord_a.email)
    enrol(client, world.coord_a)
    clients.ipo.post(reverse("admin:agencies_user_changelist"),
                     {"action": "reset_mfa", "_selected_action": [world.coord_a.pk]})
    assert TOTPDevice.objects.filter(user=world.coord_a, confirmed=True).exists()


def test_nobody_reads_an_authenticator_secret_in_the_admin(world, superuser, client):
    sign_in(client, world.coord_a.email)
    enrol(client, world.coord_a)
    root = client_for(superuser)
    assert root.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert root.get("/admin/otp_static/staticdevice/").status_code == 404


def test_replacing_the_authenticator_asks_for_the_password_again(world, client):
    sign_in(client, world.user_x.email)
    enrol(client, world.user_x)
    session = client.session
    session["_reauth_at"] = time.time() - 3600
    session.save()
    response = client.get(reverse("accounts:mfa-setup"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:reauth"))


def test_a_password_alone_cannot_change_the_password_of_an_enrolled_login(world, client):
    sign_in(client, world.user_x.email)
    enrol(client, world.user_x)
    client.post(reverse("logout"))
    sign_in(client, world.user_x.email)  # password only: the code is still to come
    response = client.post(reverse("password_change"), {
        "old_password": "pw-roster-test", "new_password1": "Stolen-pass-2027!", "new_password2": "Stolen-pass-2027!"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa-verify"))
    world.user_x.refresh_from_db()
    assert world.user_x.check_password("pw-roster-test")
