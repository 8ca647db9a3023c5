"""create_ipo_admin (issue 15): the first IPO administrator from the environment, without a prompt;
nothing when ROSTER_ADMIN_EMAIL is unset; an existing login left alone; a weak password refused
without being repeated."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import Role, User
from audit.models import AuditEntry
from tests import factories as f

pytestmark = pytest.mark.django_db
PASSWORD = "Peacekeeping-Ottawa-2026!"


@pytest.fixture
def admin_env(monkeypatch):
    for name in ("ROSTER_ADMIN_EMAIL", "ROSTER_ADMIN_PASSWORD", "ROSTER_ADMIN_NAME", "ROSTER_ADMIN_LANGUAGE"):
        monkeypatch.delenv(name, raising=False)

    def set_env(**values):
        for name, value in values.items():
            monkeypatch.setenv(f"ROSTER_ADMIN_{name.upper()}", value)

    return set_env


def run() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_ipo_admin", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_creates_the_first_ipo_administrator(admin_env):
    admin_env(email="  Claire.Lambert@RCMP.example ", password=PASSWORD, name="Claire  Lambert", language="fr")
    out, _ = run()
    user = User.objects.get()
    assert out.strip() == f"IPO administrator created (user id {user.pk})."
    assert (user.email, user.first_name, user.last_name, user.preferred_language) == (
        "claire.lambert@rcmp.example", "Claire", "Lambert", "fr")
    assert user.role == Role.IPO_STAFF and user.is_staff and user.is_superuser and user.is_active
    assert user.agency_id is None
    assert user.check_password(PASSWORD)
    assert PASSWORD not in out
    # recorded in the audit trail like any other new login
    assert AuditEntry.objects.filter(object_pk=str(user.pk), action=AuditEntry.Action.CREATE).exists()


def test_without_an_email_it_does_nothing(admin_env):
    admin_env(password=PASSWORD)
    out, _ = run()
    assert out.strip() == "ROSTER_ADMIN_EMAIL is not set: no administrator to create."
    assert not User.objects.exists()


def test_an_existing_login_is_left_alone(admin_env):
    existing = f.CoordinatorFactory(email="claire.lambert@rcmp.example", first_name="Claire")
    before = User.objects.values().get(pk=existing.pk)
    admin_env(email="CLAIRE.LAMBERT@rcmp.example", password="another-Strong-passw0rd", name="Someone Else")
    out, _ = run()
    assert out.strip() == (f"A login with that email already exists (user id {existing.pk}, role coordinator): "
                           "left unchanged.")
    assert User.objects.values().get(pk=existing.pk) == before
    assert User.objects.count() == 1


def test_running_it_twice_changes_nothing(admin_env):
    admin_env(email="ipo-admin@rcmp.example", password=PASSWORD)
    run()
    before = User.objects.values().get()
    out, _ = run()
    assert "already exists" in out and User.objects.values().get() == before


@pytest.mark.parametrize("password, reason", [
    ("Qz7!kp", "This password is too short."),
    ("password123", "This password is too common."),
    ("84736251908475", "This password is entirely numeric."),
    ("ipo-admin-rcmp", "The password is too similar to the email address."),
])
def test_a_weak_password_is_refused_without_being_repeated(admin_env, password, reason):
    admin_env(email="ipo-admin@rcmp.example", password=password)
    with pytest.raises(CommandError) as caught:
        run()
    message = str(caught.value)
    assert message.startswith("No administrator created: ") and reason in message
    assert password not in message
    assert not User.objects.exists()


@pytest.mark.parametrize("env, reason", [
    ({"email": "not-an-email", "password": PASSWORD}, "ROSTER_ADMIN_EMAIL is not a valid email address."),
    ({"email": "ipo-admin@rcmp.example"}, "ROSTER_ADMIN_PASSWORD is not set."),
    ({"email": "ipo-admin@rcmp.example", "password": PASSWORD, "language": "de"},
     "ROSTER_ADMIN_LANGUAGE must be one of en, fr."),
])
def test_incomplete_settings_are_refused(admin_env, env, reason):
    admin_env(**env)
    with pytest.raises(CommandError, match=reason.replace(".", "\\.")):
        run()
    assert not User.objects.exists()


def test_the_help_says_what_it_reads(capsys):
    with pytest.raises(SystemExit):
        call_command("create_ipo_admin", "--help")
    help_text = capsys.readouterr().out
    for name in ("ROSTER_ADMIN_EMAIL", "ROSTER_ADMIN_PASSWORD", "ROSTER_ADMIN_NAME"):
        assert name in help_text
