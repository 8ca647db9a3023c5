"""Officers get a login by invitation, and anyone resets a forgotten password, through the outbox."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts import services
from agencies.models import User
from notifications.models import OutgoingMail
from tests import factories as f

pytestmark = pytest.mark.django_db


def link_in(mail) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/[^\s]+/)", mail.body).group(1)


def test_a_coordinator_invites_an_officer_who_then_chooses_a_password(
    world, clients, client, mailoutbox, django_capture_on_commit_callbacks
):
    world.agency_a.language = "fr"
    world.agency_a.save()
    officer = f.OfficerFactory(agency=world.agency_a, user=None, email="Nadia.Roy@agency-a.example")
    page = clients.coord_a.get(reverse("agencies:officer-detail", args=[officer.pk])).content.decode()
    assert "Invite to the roster" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = clients.coord_a.post(reverse("accounts:officer-invite", args=[officer.pk]))
    assert response.status_code == 302
    officer.refresh_from_db()
    user = officer.user
    assert (user.email, user.role, user.agency, user.preferred_language) == (
        "nadia.roy@agency-a.example", "officer", world.agency_a, "fr")
    assert not user.has_usable_password()
    (mail,) = mailoutbox
    assert mail.to == ["nadia.roy@agency-a.example"] and "Votre accès" in mail.subject
    # the link lets the officer choose a password, once
    url = link_in(mail)
    response = client.get(url, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "peace-keeping-2027", "new_password2": "peace-keeping-2027"})
    assert response.status_code == 302
    response = client.post(reverse("login"), {"username": "nadia.roy@agency-a.example",
                                             "password": "peace-keeping-2027"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    client.post(reverse("logout"))
    assert "This link no longer works" in client.get(url, follow=True).content.decode()


def test_only_staff_and_the_officers_coordinator_invite_and_only_once(world):
    officer = f.OfficerFactory(agency=world.agency_a, user=None, email="new@agency-a.example")
    for user in (world.user_x, world.coord_b):
        with pytest.raises(PermissionDenied):
            services.officer_invite(officer=officer, actor=user)
    services.officer_invite(officer=officer, actor=world.ipo)
    with pytest.raises(ValidationError):
        services.officer_invite(officer=officer, actor=world.ipo)  # already has a login
    no_email = f.OfficerFactory(agency=world.agency_a, user=None, email="")
    with pytest.raises(ValidationError):
        services.officer_invite(officer=no_email, actor=world.coord_a)
    taken = f.OfficerFactory(agency=world.agency_a, user=None, email=world.coord_b.email.upper())
    with pytest.raises(ValidationError):
        services.officer_invite(officer=taken, actor=world.coord_a)
    assert User.objects.filter(email="new@agency-a.example").count() == 1


def test_a_forgotten_password_is_reset_through_the_outbox_without_revealing_logins(
    world, client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "COORD-A@example.test"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    (mail,) = mailoutbox
    assert mail.to == ["coord-a@example.test"]
    assert OutgoingMail.objects.get(to="coord-a@example.test").kind == "password_reset"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response["Location"] == reverse("password_reset_done")  # same answer
    assert len(mailoutbox) == 1
