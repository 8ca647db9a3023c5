"""A stored message carries its language wherever it is shown (issue 14): an English email read in the
French interface (and the other way round) is marked lang="en" (lang="fr"), subject and body, in the
outbox, in a person's messages and in the Privacy Act copy of an officer's record."""

import re

import pytest
from django.urls import reverse

from notifications.models import OutgoingMail
from notifications.services import Recipient, mail_queue
from tests.conftest import client_for
from tests.pages import page_text

pytestmark = pytest.mark.django_db

SUBJECT = "Votre candidature"


def _french_mail_to(user):
    return OutgoingMail.objects.create(to=user.email, user=user, subject=SUBJECT, body_text="Bonjour",
                                       language="fr", message_id=f"<lang-{user.pk}@test>")


def _marked(html, text):
    """The language of the nearest element around `text` that says one."""
    before = html[:html.index(text)]
    found = re.findall(r'<[a-z0-9]+[^>]*\blang="([a-z]{2})"[^>]*>', before)
    return found[-1] if found else None


def test_the_message_s_language_is_set_from_the_recipient_s_preference(world):
    rows = mail_queue(recipients=[Recipient(email="fr@example.test", language="fr"),
                                  Recipient(email="en@example.test", language="en")],
                      template="password_reset", context={"user": world.user_x, "minutes": 60},
                      secret_link="set_password")
    assert {r.to: r.language for r in rows} == {"fr@example.test": "fr", "en@example.test": "en"}


def test_the_outbox_marks_each_subject_and_body_with_the_message_s_language(world):
    mail = _french_mail_to(world.user_x)
    client = client_for(world.ipo)  # an English interface
    listing = page_text(client.get(reverse("notifications:outbox")))
    assert f'lang="fr">{SUBJECT}</a>' in listing
    detail = page_text(client.get(reverse("notifications:outbox-detail", kwargs={"pk": mail.pk})))
    assert f'<h1 class="h4" lang="fr">{SUBJECT}</h1>' in detail
    assert _marked(detail, "Bonjour") == "fr"


def test_a_person_s_messages_are_marked_with_their_language(world):
    mail = _french_mail_to(world.user_x)
    client = client_for(world.user_x)
    listing = page_text(client.get(reverse("notifications:my-messages")))
    assert f'lang="fr">{SUBJECT}</span>' in listing
    detail = page_text(client.get(reverse("notifications:my-message-detail", kwargs={"pk": mail.pk})))
    assert f'<h1 class="h4" lang="fr">{SUBJECT}</h1>' in detail
    assert _marked(detail, "Bonjour") == "fr"


def test_an_english_message_in_the_french_interface_is_marked_english(world):
    world.user_x.preferred_language = "fr"
    world.user_x.save()
    mail = OutgoingMail.objects.create(to=world.user_x.email, user=world.user_x, subject="Your application",
                                       body_text="Hello there", language="en", message_id="<lang-en@test>")
    html = page_text(client_for(world.user_x).get(reverse("notifications:my-message-detail",
                                                          kwargs={"pk": mail.pk})))
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fr"' in html
    assert '<h1 class="h4" lang="en">Your application</h1>' in html
    assert _marked(html, "Hello there") == "en"
