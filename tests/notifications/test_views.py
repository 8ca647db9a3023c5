"""The outbox page: IPO staff only; filter by status, search by recipient, resend a failed message."""

import pytest
from django.urls import reverse

from notifications.models import OutgoingMail

pytestmark = pytest.mark.django_db


def mail(to, status, **extra):
    return OutgoingMail.objects.create(
        to=to, subject=f"Subject for {to}", body_text="…", message_id=f"<{to}-{status}@test>", status=status, **extra
    )


@pytest.fixture
def outbox(world):
    return {
        "sent": mail("sent@example.test", "sent"),
        "failed": mail("failed@example.test", "failed", last_error="SMTPRecipientsRefused: 550", attempts=5),
        "queued": mail("queued@example.test", "queued"),
        "other": mail("chief@agency-b.example", "sent"),
    }


@pytest.mark.parametrize("persona", ["coord_a", "officer_x"])
def test_it_forbids_the_outbox_to_agencies(clients, outbox, persona):
    client = getattr(clients, persona)
    assert client.get(reverse("notifications:outbox")).status_code == 403
    assert client.post(reverse("notifications:outbox-resend", kwargs={"pk": outbox["failed"].pk})).status_code == 403
    outbox["failed"].refresh_from_db()
    assert outbox["failed"].status == OutgoingMail.Status.FAILED


def test_it_sends_anonymous_visitors_to_sign_in(clients, outbox):
    response = clients.anonymous.get(reverse("notifications:outbox"))
    assert response.status_code == 302 and "login/" in response["Location"]


def test_it_lists_every_message_with_counts_per_status(clients, outbox):
    response = clients.ipo.get(reverse("notifications:outbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert {m.to for m in response.context["page"]} == {m.to for m in outbox.values()}
    assert ("sent", "Sent", 2, "2") in [(v, str(label), n, shown) for v, label, n, shown in response.context["tabs"]]
    assert "SMTPRecipientsRefused: 550" in html
    assert html.count("<h1") == 1 and '<th scope="col">' in html and "<caption" in html


def test_it_filters_by_status(clients, outbox):
    response = clients.ipo.get(reverse("notifications:outbox"), {"status": "failed"})
    assert [m.to for m in response.context["page"]] == ["failed@example.test"]
    response = clients.ipo.get(reverse("notifications:outbox"), {"status": "sent"})
    assert {m.to for m in response.context["page"]} == {"sent@example.test", "chief@agency-b.example"}
    response = clients.ipo.get(reverse("notifications:outbox"), {"status": "bogus"})
    assert len(response.context["page"]) == 4


def test_it_searches_by_recipient(clients, outbox):
    response = clients.ipo.get(reverse("notifications:outbox"), {"q": "agency-b"})
    assert [m.to for m in response.context["page"]] == ["chief@agency-b.example"]


def test_it_paginates_by_50(clients, world):
    for i in range(55):
        mail(f"r{i}@example.test", "sent")
    response = clients.ipo.get(reverse("notifications:outbox"))
    assert len(response.context["page"].object_list) == 50


def test_it_resends_a_failed_message(clients, outbox):
    url = reverse("notifications:outbox-resend", kwargs={"pk": outbox["failed"].pk})
    response = clients.ipo.post(url, {"next": "/outbox/?status=failed"})
    assert response.status_code == 302 and response["Location"] == "/outbox/?status=failed"
    outbox["failed"].refresh_from_db()
    assert outbox["failed"].status == OutgoingMail.Status.QUEUED
    assert outbox["failed"].attempts == 0


def test_it_does_not_resend_a_sent_message_or_redirect_elsewhere(clients, outbox):
    url = reverse("notifications:outbox-resend", kwargs={"pk": outbox["sent"].pk})
    response = clients.ipo.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications:outbox")
    outbox["sent"].refresh_from_db()
    assert outbox["sent"].status == OutgoingMail.Status.SENT
