"""Every admin URL, tried by every persona, with a POST that would take over a login: nothing
changes unless the persona may change that login (superusers; the "manage accounts" permission
for logins that are not superusers), and no page shows a secret."""

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from agencies.models import Role, User
from tests.conftest import client_for
from tests.pages import page_text

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "coordinator", "officer", "ipo", "manager", "superuser"]


def admin_urls(obj_for_model):
    """(name, url) for the changelist, add, change, delete and history of every registered model,
    plus the user password page."""
    urls = []
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append((f"{info}:changelist", reverse("admin:{}_{}_changelist".format(*info))))
        urls.append((f"{info}:add", reverse("admin:{}_{}_add".format(*info))))
        obj = obj_for_model(model)
        if obj is None:
            continue
        for view in ("change", "delete", "history"):
            try:
                urls.append((f"{info}:{view}", reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[obj.pk])))
            except NoReverseMatch:
                pass
    return urls


@pytest.fixture
def people(world, superuser, manager):
    return {
        "anonymous": None, "coordinator": world.coord_a, "officer": world.user_x, "ipo": world.ipo,
        "manager": manager, "superuser": superuser,
    }


def snapshot(user):
    u = User.objects.get(pk=user.pk)
    return (u.password, u.role, u.agency_id, u.is_active, u.is_staff, u.is_superuser,
            sorted(u.user_permissions.values_list("codename", flat=True)))


TAKEOVER = {"email": "taken@example.test", "role": Role.IPO_STAFF, "agency": "", "is_active": "on",
            "is_staff": "on", "is_superuser": "on", "preferred_language": "en", "first_name": "X", "last_name": "Y",
            "password1": "Taken-over-2026!", "password2": "Taken-over-2026!", "usable_password": "true",
            "post": "yes"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_persona_takes_over_a_login_it_may_not_change(world, people, persona):
    def obj_for_model(model):
        return model.objects.first()

    client = client_for(people[persona])
    targets = [people["superuser"], world.coord_b]
    before = {t.pk: snapshot(t) for t in targets}
    for target in targets:
        for name, url in [
            ("password", reverse("admin:auth_user_password_change", args=[target.pk])),
            ("change", reverse("admin:agencies_user_change", args=[target.pk])),
            ("delete", reverse("admin:agencies_user_delete", args=[target.pk])),
        ]:
            response = client.post(url, TAKEOVER)
            assert response.status_code != 500, (persona, name)
    may_change = {
        people["superuser"].pk: persona == "superuser",
        world.coord_b.pk: persona in ("manager", "superuser"),
    }
    for pk in before:
        if not may_change[pk]:
            assert User.objects.filter(pk=pk).exists(), (persona, pk)
            assert snapshot(User(pk=pk)) == before[pk], (persona, pk)
        else:  # the same payload does change a login the persona may change: the test can fail
            assert not User.objects.filter(pk=pk).exists() or snapshot(User(pk=pk)) != before[pk], (persona, pk)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_admin_page_answers_each_persona_without_error_or_secret(world, people, persona):
    client = client_for(people[persona])
    for name, url in admin_urls(lambda model: model.objects.first()):
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (persona, name, response.status_code)
        if persona in ("anonymous", "coordinator", "officer"):
            assert response.status_code == 302 and "/admin/login/" in response["Location"], (persona, name)
        if response.status_code == 200:
            html = page_text(response)
            assert "/accounts/password/reset/" not in html, (persona, name)
            assert "otpauth://" not in html, (persona, name)


def test_the_expected_answers_for_the_user_admin(world, people):
    target = world.coord_b
    expected = {
        # persona: (changelist, add, change GET, password GET)
        "ipo": (200, 403, 200, 403),
        "manager": (200, 200, 200, 200),
        "superuser": (200, 200, 200, 200),
    }
    for persona, codes in expected.items():
        client = client_for(people[persona])
        got = (
            client.get(reverse("admin:agencies_user_changelist")).status_code,
            client.get(reverse("admin:agencies_user_add")).status_code,
            client.get(reverse("admin:agencies_user_change", args=[target.pk])).status_code,
            client.get(reverse("admin:auth_user_password_change", args=[target.pk])).status_code,
        )
        assert got == codes, persona


def test_a_managers_change_of_role_is_audited_and_emailed(world, manager, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    from audit.models import AuditEntry

    client = client_for(manager)
    url = reverse("admin:agencies_user_change", args=[world.coord_b.pk])
    data = {"email": world.coord_b.email, "first_name": "Pat", "last_name": "B", "preferred_language": "en",
            "role": Role.OFFICER, "agency": world.agency_b.pk, "is_active": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, page_text(response)
    world.coord_b.refresh_from_db()
    assert world.coord_b.role == Role.OFFICER
    entry = AuditEntry.objects.get(event="account.access_changed", subject_user_id=world.coord_b.pk)
    assert entry.actor_id == manager.pk and entry.additional_data["changes"]["role"] == ["coordinator", "officer"]
    (mail,) = [m for m in mailoutbox if m.to == [world.coord_b.email]]
    assert "Role, agency or access changed" in mail.subject and "Agency coordinator → Officer" in mail.body


def test_a_managers_password_change_for_someone_is_audited_and_emailed(world, manager, mailoutbox,
                                                                     django_capture_on_commit_callbacks):
    from audit.models import AuditEntry

    client = client_for(manager)
    url = reverse("admin:auth_user_password_change", args=[world.coord_b.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"password1": "A-strong-pass-2027!", "password2": "A-strong-pass-2027!",
                                     "usable_password": "true"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(event="password.set_by_admin", subject_user_id=world.coord_b.pk,
                                     actor_id=manager.pk).exists()
    assert any(m.to == [world.coord_b.email] for m in mailoutbox)


def test_opening_a_login_to_change_it_asks_for_the_password_again(world, manager):
    import time

    client = client_for(manager)
    session = client.session
    session["_reauth_at"] = time.time() - 3600
    session.save()
    response = client.get(reverse("admin:agencies_user_change", args=[world.coord_b.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:reauth"))


def test_the_service_refuses_an_access_change_by_someone_who_may_not_make_it(world, superuser):
    from django.core.exceptions import PermissionDenied

    from accounts.services import access_snapshot, account_access_changed

    before = access_snapshot(world.coord_b)
    world.coord_b.role = Role.IPO_STAFF
    world.coord_b.save()
    with pytest.raises(PermissionDenied):
        account_access_changed(actor=world.ipo, user=world.coord_b, before=before)
    manager_like = world.ipo
    before_root = access_snapshot(superuser)
    superuser.is_active = False
    superuser.save()
    with pytest.raises(PermissionDenied):
        account_access_changed(actor=manager_like, user=superuser, before=before_root)
