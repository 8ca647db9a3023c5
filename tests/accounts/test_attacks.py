"""The attacks described in the privacy issue, tried as each persona, each refused.

- an IPO staff account that is not a superuser asks a reset for someone else and reads the link
  (outbox, admin, database), or sets another user's password or role in the admin;
- 30 wrong passwords then the right one;
- a session that never ends.
"""

import re
import time

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse

from agencies.models import Role, User
from notifications.models import SECRET_LINK_PLACEHOLDER, OutgoingMail
from tests.conftest import client_for
from tests.pages import page_text

from .conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db

RESET_PATH = re.compile(r"/accounts/password/reset/[A-Za-z0-9_-]+/[a-z0-9-]+/")


def test_a_reset_link_for_someone_else_is_never_readable_by_ipo_staff(
    world, superuser, clients, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": superuser.email})
    (sent,) = mailoutbox
    assert RESET_PATH.search(sent.body), "the recipient gets the link"
    row = OutgoingMail.objects.get(to=superuser.email)
    # not in the database
    assert not RESET_PATH.search(row.body_text + row.body_html)
    assert SECRET_LINK_PLACEHOLDER in row.body_text
    token_part = RESET_PATH.search(sent.body).group(0).rstrip("/").rsplit("/", 1)[1]
    # not in the app's outbox, nor anywhere in the admin IPO staff can open
    for url in (
        reverse("notifications:outbox"),
        reverse("admin:notifications_outgoingmail_changelist"),
        reverse("admin:notifications_outgoingmail_change", args=[row.pk]),
    ):
        response = clients.ipo.get(url)
        assert response.status_code == 200, url
        assert token_part not in page_text(response), url
        assert "/accounts/password/reset/" not in page_text(response), url
    # the outbox still says the message exists and how it went
    assert superuser.email in page_text(clients.ipo.get(reverse("notifications:outbox")))


def test_the_recipient_reads_the_message_in_the_app_without_the_link(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": world.coord_a.email})
    row = OutgoingMail.objects.get(to=world.coord_a.email)
    page = page_text(client_for(world.coord_a).get(reverse("notifications:my-message-detail", args=[row.pk])))
    assert "the link is only in the email you received" in page
    assert SECRET_LINK_PLACEHOLDER not in page and not RESET_PATH.search(page)


def test_an_invitation_link_is_made_at_send_time_and_never_stored(
    world, clients, mailoutbox, django_capture_on_commit_callbacks
):
    from tests import factories as f

    officer = f.OfficerFactory(agency=world.agency_a, user=None, email="new.one@agency-a.example")
    with django_capture_on_commit_callbacks(execute=True):
        clients.coord_a.post(reverse("accounts:officer-invite", args=[officer.pk]))
    (sent,) = mailoutbox
    assert RESET_PATH.search(sent.body)
    assert RESET_PATH.search(sent.alternatives[0][0])
    row = OutgoingMail.objects.get(to="new.one@agency-a.example")
    assert not RESET_PATH.search(row.body_text + row.body_html)


def test_a_link_for_a_login_deactivated_before_sending_is_never_sent(world, mailoutbox):
    from accounts.services import password_reset_send
    from notifications.services import mail_deliver

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("notifications.services.enqueue_delivery", lambda ids: None)
        password_reset_send(email=world.coord_a.email)
    row = OutgoingMail.objects.get(to=world.coord_a.email)
    User.objects.filter(pk=world.coord_a.pk).update(is_active=False)
    mail_deliver(mail_id=row.pk)
    row.refresh_from_db()
    assert row.status == OutgoingMail.Status.FAILED and not mailoutbox


@pytest.mark.parametrize("persona", ["ipo", "coord_a", "officer_x", "anonymous"])
def test_nobody_but_a_manager_sets_another_users_password_or_role(world, superuser, clients, persona):
    client = getattr(clients, persona)
    for target in (superuser, world.coord_b):
        before = User.objects.get(pk=target.pk)
        password_url = reverse("admin:auth_user_password_change", args=[target.pk])
        response = client.post(password_url, {"password1": "Taken-over-2026!", "password2": "Taken-over-2026!",
                                              "usable_password": "true"})
        assert response.status_code in (302, 403), (persona, response.status_code)
        if response.status_code == 302:
            assert "/login/" in response["Location"]
        change_url = reverse("admin:agencies_user_change", args=[target.pk])
        response = client.post(change_url, {"email": target.email, "role": Role.IPO_STAFF, "agency": "",
                                            "is_active": "on", "preferred_language": "en"})
        assert response.status_code in (302, 403), (persona, response.status_code)
        after = User.objects.get(pk=target.pk)
        assert (after.password, after.role, after.agency_id, after.is_active) == (
            before.password, before.role, before.agency_id, before.is_active)


def test_ipo_staff_read_logins_in_the_admin_but_cannot_add_or_change_them(world, clients):
    assert clients.ipo.get(reverse("admin:agencies_user_changelist")).status_code == 200
    page = clients.ipo.get(reverse("admin:agencies_user_change", args=[world.coord_a.pk]))
    assert page.status_code == 200
    assert 'name="role"' not in page.content.decode()  # shown read-only
    assert clients.ipo.get(reverse("admin:agencies_user_add")).status_code == 403
    assert clients.ipo.get(reverse("admin:auth_user_password_change", args=[world.coord_a.pk])).status_code == 403


def test_a_manager_cannot_change_a_superuser_but_a_superuser_can(world, superuser, manager):
    url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert client_for(manager).get(url).status_code == 403
    assert client_for(superuser).get(url).status_code == 200
    # and the manager cannot make anyone a superuser: the field is read-only for them
    page = client_for(manager).get(reverse("admin:agencies_user_change", args=[world.coord_a.pk]))
    assert page.status_code == 200 and 'name="is_superuser"' not in page.content.decode()


def test_thirty_wrong_passwords_lock_the_login_and_the_right_one_is_then_refused(world, client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    statuses = [sign_in(client, world.coord_a.email, f"wrong-{i}").status_code for i in range(30)]
    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert set(statuses[5:]) == {429}
    response = sign_in(client, world.coord_a.email, PASSWORD)
    assert response.status_code == 429
    assert "Sign-in locked" in page_text(response)
    assert "_auth_user_id" not in client.session


def test_a_session_does_not_last_for_days(world, settings):
    import time_machine

    c = client_for(world.coord_a)
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    with time_machine.travel(time.time() + settings.ROSTER["SESSION_IDLE_SECONDS"] + 5, tick=False):
        response = c.get(reverse("home"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in c.session


def test_pages_with_personal_data_are_never_cached(world, clients):
    for url in (reverse("home"), reverse("agencies:officer-detail", args=[world.officer_x.pk])):
        response = clients.coord_a.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_the_password_given_to_the_test_personas_is_the_factory_one(world):
    assert check_password(PASSWORD, User.objects.get(pk=world.coord_a.pk).password)


def test_a_pdf_header_carrying_html_is_refused_and_documents_never_open_inline(world, clients):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from roster.models import Application
    from tests import factories as f

    bulletin = f.BulletinFactory(mission=world.mission)
    polyglot = SimpleUploadedFile("cv.pdf", b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>",
                                  content_type="application/pdf")
    response = clients.officer_x.post(reverse("roster:application-create", args=[bulletin.pk]),
                                      {"statement": "I would like to serve.", "documents": [polyglot],
                                       "confirm_ineligible": "on"})
    assert not Application.objects.filter(bulletin=bulletin).exists()
    assert response.status_code == 200 and "cv.pdf" in page_text(response)
    clean = SimpleUploadedFile("cv.pdf", f.minimal_pdf_bytes(), content_type="application/pdf")
    clients.officer_x.post(reverse("roster:application-create", args=[bulletin.pk]),
                           {"statement": "I would like to serve.", "documents": [clean], "confirm_ineligible": "on"})
    application = Application.objects.get(bulletin=bulletin)  # the same post with a real PDF goes through
    document = application.documents.get()
    download = clients.coord_a.get(reverse("roster:application-document", args=[application.pk, document.pk]))
    assert download["Content-Disposition"].startswith("attachment")


def test_a_coordinator_reads_neither_medical_references_nor_disciplinary_reasons(world, clients):
    from roster import services
    from roster.models import Deployment
    from tests import factories as f

    f.ClearanceFactory(officer=world.officer_x, kind="medical", reference="MED-SECRET-4471")
    services.deployment_repatriate(deployment=world.dep_x, actor=world.ipo,
                                   reason=Deployment.RepatriationReason.DISCIPLINARY, note="Code of conduct breach")
    profile = page_text(clients.coord_a.get(reverse("agencies:officer-detail", args=[world.officer_x.pk])))
    assert "MED-SECRET-4471" not in profile
    deployment = page_text(clients.coord_a.get(reverse("roster:deployment-detail", args=[world.dep_x.pk])))
    assert "Disciplinary" not in deployment and "Code of conduct breach" not in deployment
    assert "Repatriated early" in deployment
    assert "MED-SECRET-4471" in page_text(clients.officer_x.get(reverse("agencies:my-profile")))
