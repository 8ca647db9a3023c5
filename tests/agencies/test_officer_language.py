"""An officer's preferred language (issue 14): IPO staff and coordinators set it on the officer form; the
invitation to sign in, and the emails to an officer without a login, are written in it (else in the
agency's working language); once the officer signs in, their own choice stands."""

import pytest
from django.urls import reverse

from accounts import services as account_services
from agencies.models import Officer
from notifications.models import OutgoingMail
from notifications.services import officer_recipients
from tests import factories as f
from tests.agencies.test_officer_views import officer_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["ipo", "coord_a"])
def test_the_officer_form_asks_for_the_preferred_language(clients, world, persona):
    client = getattr(clients, persona)
    form = client.get(reverse("agencies:officer-create")).context["form"]
    assert [value for value, _label in form.fields["preferred_language"].choices] == ["", "en", "fr"]
    client.post(reverse("agencies:officer-create"), officer_post(agency=world.agency_a.pk, preferred_language="fr"))
    officer = Officer.objects.get(badge_number="N-100")
    assert officer.preferred_language == "fr"
    client.post(reverse("agencies:officer-edit", args=[officer.pk]),
                officer_post(agency=world.agency_a.pk, preferred_language="en"))
    officer.refresh_from_db()
    assert officer.preferred_language == "en"


def test_officers_may_not_use_the_officer_form_to_change_it(clients, world):
    url = reverse("agencies:officer-edit", args=[world.officer_x.pk])
    assert clients.officer_x.post(url, officer_post(preferred_language="fr")).status_code == 403
    assert clients.coord_b.post(url, officer_post(preferred_language="fr")).status_code == 404
    world.officer_x.refresh_from_db()
    assert world.officer_x.preferred_language == ""


@pytest.mark.parametrize("chosen, agency_language", [("fr", "en"), ("en", "fr")])
def test_a_coordinator_s_invitation_goes_in_the_officer_s_language(clients, world, chosen, agency_language,
                                                                  django_capture_on_commit_callbacks):
    world.agency_a.language = agency_language
    world.agency_a.save()
    clients.coord_a.post(reverse("agencies:officer-create"), officer_post(preferred_language=chosen))
    officer = Officer.objects.get(badge_number="N-100")
    with django_capture_on_commit_callbacks(execute=True):
        assert clients.coord_a.post(reverse("accounts:officer-invite", args=[officer.pk])).status_code == 302
    officer.refresh_from_db()
    assert officer.user.preferred_language == chosen
    mail = OutgoingMail.objects.get(kind="invitation", to="nora@example.test")
    assert mail.language == chosen
    french = "Votre accès" in mail.subject
    assert french == (chosen == "fr")


def test_without_a_choice_the_invitation_goes_in_the_agency_s_language(world):
    world.agency_a.language = "fr"
    world.agency_a.save()
    officer = f.OfficerFactory(agency=world.agency_a, user=None, email="nadia@example.test")
    user = account_services.officer_invite(officer=officer, actor=world.coord_a)
    assert user.preferred_language == "fr" and OutgoingMail.objects.get(kind="invitation").language == "fr"


def test_an_officer_without_a_login_is_written_to_in_their_language(world):
    officer = f.OfficerFactory(agency=world.agency_a, user=None, email="nadia@example.test", preferred_language="fr")
    assert [r.language for r in officer_recipients(officer)] == ["fr"]
    officer.preferred_language = ""
    assert [r.language for r in officer_recipients(officer)] == [world.agency_a.language]


def test_once_the_officer_signs_in_their_own_choice_stands(clients, world):
    world.officer_x.preferred_language = "en"
    world.officer_x.save()
    form = clients.coord_a.get(reverse("agencies:officer-edit", args=[world.officer_x.pk])).context["form"]
    assert form.fields["preferred_language"].disabled
    clients.coord_a.post(reverse("agencies:officer-edit", args=[world.officer_x.pk]),
                         officer_post(badge_number=world.officer_x.badge_number, preferred_language="fr"))
    world.officer_x.refresh_from_db()
    assert world.officer_x.preferred_language == "en"
    # the officer's own choices (the language switch, their profile) are what the form shows
    clients.officer_x.post(reverse("set_language"), {"language": "fr", "next": "/"})
    world.officer_x.refresh_from_db()
    assert world.officer_x.preferred_language == "fr"
