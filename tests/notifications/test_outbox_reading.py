"""The outbox is readable (issue 9, item 7): IPO staff open any message; the status counts follow
the search; kinds have labels in words."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.functional import Promise

from notifications.kinds import KIND_LABELS, kind_choices, kind_label
from notifications.models import SECRET_LINK_PLACEHOLDER, OutgoingMail
from tests.pages import page_text

pytestmark = pytest.mark.django_db

S = OutgoingMail.Status
NOTE = "[the link is only in the email you received]"


def mail(to, status="sent", n=0, **extra):
    fields = {"subject": f"Subject {n} for {to}", "body_text": f"Body {n} for {to}.", "kind": "bulletin_published"}
    return OutgoingMail.objects.create(
        to=to, message_id=f"<{to}-{status}-{n}@test>", status=status, **{**fields, **extra}
    )


def detail_url(m):
    return reverse("notifications:outbox-detail", kwargs={"pk": m.pk})


def outbox(client, **params):
    return client.get(reverse("notifications:outbox"), params)


def tab_counts(response):
    return {value: n for value, _label, n, _shown in response.context["tabs"]}


# --- the detail page ---------------------------------------------------------------------------


def test_ipo_staff_open_a_message_and_read_its_text(clients, world):
    m = mail(
        world.user_x.email, S.FAILED, user=world.user_x, language="fr", kind="application_status",
        subject="Candidature JPB-2026-014 : appuyée", body_text="Bonjour,\nVotre candidature est appuyée.",
        topic="application:7", attempts=5, last_error="SMTPRecipientsRefused: 550 no such user",
    )

    response = clients.ipo.get(detail_url(m))

    html = page_text(response)
    assert response.status_code == 200 and response.context["mail"] == m
    assert "Candidature JPB-2026-014 : appuyée" in html and html.count("<h1") == 1
    assert world.user_x.email in html and m.message_id.strip("<>") in html
    assert "application:7" in html and "SMTPRecipientsRefused: 550 no such user" in html
    assert "Application status" in html and "application_status" not in html  # the kind in words
    assert "French" in html  # the language in words
    # the text, marked with its language
    body = re.search(r'<div class="card-body message-body" lang="([a-z]+)">(.*?)</div>', html, re.S)
    assert body and body.group(1) == "fr"
    assert "Bonjour,<br>Votre candidature est appuyée." in body.group(2)
    # a failed message can be sent again from here, back to this page
    resend = reverse("notifications:outbox-resend", kwargs={"pk": m.pk})
    assert f'action="{resend}"' in html and f'name="next" value="{detail_url(m)}"' in html


def test_a_sent_message_shows_when_and_offers_no_resend(clients, world):
    from django.utils import timezone

    m = mail("chief@agency-b.example", S.SENT, attempts=1, sent_at=timezone.now())

    html = page_text(clients.ipo.get(detail_url(m)))

    assert reverse("notifications:outbox-resend", kwargs={"pk": m.pk}) not in html
    assert "Sent</span>" in html and "Attempts" in html


def test_a_password_reset_shows_the_note_never_the_link_nor_the_placeholder(
    clients, world, django_capture_on_commit_callbacks
):
    from accounts.services import password_reset_send, set_password_path

    with django_capture_on_commit_callbacks(execute=False):  # queued, not sent
        assert password_reset_send(email=world.user_x.email) == 1
    m = OutgoingMail.objects.get(kind="password_reset")
    assert SECRET_LINK_PLACEHOLDER in m.body_text  # as stored: no link

    response = clients.ipo.get(detail_url(m))

    html = page_text(response)
    assert response.status_code == 200
    assert NOTE in html
    assert SECRET_LINK_PLACEHOLDER not in html
    link_prefix = set_password_path(world.user_x).rsplit("/", 2)[0]  # /…/reset/<uid>
    assert link_prefix not in html and "Password reset" in html


@pytest.mark.parametrize("persona", ["coord_a", "coord_b", "officer_x", "officer_y"])
def test_agencies_and_officers_may_not_open_outbox_messages_not_even_their_own(clients, world, persona):
    to_x = mail(world.user_x.email, S.FAILED, user=world.user_x)
    to_coord_a = mail(world.coord_a.email, S.SENT, user=world.coord_a, n=1)

    client = getattr(clients, persona)

    assert client.get(detail_url(to_x)).status_code == 403
    assert client.get(detail_url(to_coord_a)).status_code == 403
    assert client.get(reverse("notifications:outbox-detail", kwargs={"pk": 999999})).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(clients, world):
    response = clients.anonymous.get(detail_url(mail("a@example.test")))
    assert response.status_code == 302 and "login/" in response["Location"]


def test_an_unknown_message_is_not_found(clients, world):
    assert clients.ipo.get(reverse("notifications:outbox-detail", kwargs={"pk": 999999})).status_code == 404


def test_the_outbox_links_each_row_to_its_message(clients, world):
    rows = [mail("a@example.test", n=i) for i in range(3)]
    html = outbox(clients.ipo).content.decode()
    for m in rows:
        assert f'href="{detail_url(m)}"' in html


# --- the counts follow the search --------------------------------------------------------------


@pytest.fixture
def two_recipients(world):
    a = [mail("a@x.example", S.SENT, 0), mail("a@x.example", S.SENT, 1), mail("a@x.example", S.FAILED, 2)]
    b = [
        mail("b@y.example", S.SENT, 0), mail("b@y.example", S.QUEUED, 1), mail("b@y.example", S.QUEUED, 2),
        mail("b@y.example", S.FAILED, 3, kind="invitation"), mail("b@y.example", S.SENDING, 4, kind="invitation"),
    ]
    return a, b


def test_without_a_search_the_counts_are_the_whole_outbox(clients, two_recipients):
    response = outbox(clients.ipo)
    assert tab_counts(response) == {"": 8, "queued": 2, "sending": 1, "sent": 3, "failed": 2}


def test_the_status_counts_follow_the_search(clients, two_recipients):
    response = outbox(clients.ipo, q="a@")

    assert tab_counts(response) == {"": 3, "queued": 0, "sending": 0, "sent": 2, "failed": 1}
    assert [m.to for m in response.context["page"]] == ["a@x.example"] * 3


def test_a_status_tab_keeps_the_searchs_counts_and_lists_its_status(clients, two_recipients):
    response = outbox(clients.ipo, q="a@", status="failed")

    assert tab_counts(response) == {"": 3, "queued": 0, "sending": 0, "sent": 2, "failed": 1}
    assert [m.pk for m in response.context["page"]] == [two_recipients[0][2].pk]
    html = response.content.decode()
    tab = 'aria-current="page" href="?q=a%40&amp;status=failed">Failed <span class="badge text-bg-light">1</span>'
    assert tab in html


def test_the_counts_follow_the_kind_filter(clients, two_recipients):
    response = outbox(clients.ipo, kind="invitation")

    assert tab_counts(response) == {"": 2, "queued": 0, "sending": 1, "sent": 0, "failed": 1}
    assert {m.kind for m in response.context["page"]} == {"invitation"}


def test_the_kind_filter_takes_every_security_notice_and_ignores_an_unknown_kind(clients, two_recipients):
    mail("c@z.example", S.SENT, kind="security:password.changed")
    mail("c@z.example", S.SENT, 1, kind="security:mfa.disabled")

    response = outbox(clients.ipo, kind="security")
    assert {m.kind for m in response.context["page"]} == {"security:password.changed", "security:mfa.disabled"}
    assert tab_counts(response)[""] == 2
    assert response.context["kind"] == "security"

    response = outbox(clients.ipo, kind="bogus")
    assert tab_counts(response)[""] == 10 and response.context["kind"] == ""


def test_the_kind_filter_offers_every_known_kind(clients, world):
    html = outbox(clients.ipo, kind="position_freed").content.decode()
    assert '<select id="kind" name="kind" class="form-select">' in html and '<label for="kind"' in html
    for value, label in kind_choices():
        assert f'<option value="{value}"' in html and str(label) in html
    assert '<option value="position_freed" selected>' in html


def test_the_list_stays_paginated_under_a_search_and_a_status(clients, world):
    for i in range(55):
        mail("a@x.example", S.SENT, i)
    for i in range(3):
        mail("b@y.example", S.SENT, i)

    first = outbox(clients.ipo, q="a@", status="sent")
    second = outbox(clients.ipo, q="a@", status="sent", after=first.context["page"].next_cursor)

    assert len(first.context["page"].object_list) == 50 and first.context["page"].has_next
    assert len(second.context["page"].object_list) == 5 and not second.context["page"].has_next
    assert {m.to for m in second.context["page"]} == {"a@x.example"}
    assert {m.pk for m in first.context["page"]}.isdisjoint(m.pk for m in second.context["page"])


# --- kinds in words ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, label",
    [
        ("bulletin_published", "Bulletin published"),
        ("bulletin_reminder", "Bulletin closing reminder"),
        ("bulletin_cancelled", "Bulletin cancelled"),
        ("bulletin_closed_early", "Bulletin closed early"),
        ("bulletin_circulated", "Bulletin circulated to officers"),
        ("application_status", "Application status"),
        ("deployment_update", "Deployment update"),
        ("position_freed", "Position freed"),
        ("invitation", "Invitation"),
        ("password_reset", "Password reset"),
        ("security:password.changed", "Security notice"),
        ("security:account.role_changed", "Security notice"),
    ],
)
def test_each_kind_has_a_lazy_translated_label(code, label):
    assert isinstance(kind_label(code), Promise)  # translated when shown, in the reader's language
    assert str(kind_label(code)) == label


def test_an_unknown_or_missing_kind_is_shown_as_it_is():
    assert kind_label("something_new") == "something_new"
    assert kind_label("") == ""


def test_the_labels_are_looked_up_in_the_catalogue_when_shown(monkeypatch):
    """The French catalogue is filled later: prove the labels go through gettext at display time."""
    from django.utils import translation

    translation.gettext("warm up")  # Trans loads its real gettext on first use
    monkeypatch.setattr(translation._trans, "gettext", lambda message: f"«{message}»")

    assert str(kind_label("invitation")) == "«Invitation»"
    assert str(kind_label("security:password.changed")) == "«Security notice»"


def test_every_kind_the_project_queues_has_a_label():
    """The templates in templates/emails/ are the kinds mail_queue is called with (security
    notices are queued as security:<event>)."""
    from pathlib import Path

    from django.conf import settings

    emails = Path(settings.BASE_DIR) / "templates" / "emails"
    templates = {p.name.removesuffix(".subject.txt") for p in emails.glob("*.subject.txt")}
    assert templates - {"security_notice"} == set(KIND_LABELS) - {"security"}


def test_the_pages_show_the_kind_in_words(clients, world):
    from django.contrib.auth import get_user_model

    m = mail(world.user_x.email, S.SENT, user=world.user_x, kind="security:password.changed")

    for html in [
        page_text(outbox(clients.ipo)),
        page_text(clients.ipo.get(detail_url(m))),
        page_text(clients.officer_x.get(reverse("notifications:my-messages"))),
        page_text(clients.officer_x.get(reverse("notifications:my-message-detail", kwargs={"pk": m.pk}))),
    ]:
        assert "Security notice" in html and "security:password.changed" not in html

    admin = get_user_model().objects.create_superuser(email="root@example.test", password="x" * 20)
    from tests.conftest import client_for

    html = page_text(client_for(admin).get(reverse("admin:notifications_outgoingmail_changelist")))
    assert "Security notice" in html and "security:password.changed" not in html


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 120])
def test_the_outbox_list_runs_a_constant_number_of_queries(clients, world, django_assert_num_queries, n):
    for i in range(n):
        mail("a@x.example", [S.SENT, S.FAILED, S.QUEUED][i % 3], i, kind="invitation")
        mail("a@x.example", S.FAILED, n + i, kind="password_reset")  # filtered out by kind
    mail("b@y.example", S.FAILED, kind="invitation")  # filtered out by the search

    # session, user, the capped counts per status (one query), the page (no COUNT)
    with django_assert_num_queries(4):
        response = outbox(clients.ipo, q="a@", kind="invitation")
    page = response.context["page"]
    assert response.status_code == 200 and len(page.object_list) == min(n, 50)
    assert page.has_next == (n > 50)

    with django_assert_num_queries(4):
        response = outbox(clients.ipo, q="a@", kind="invitation", status="failed")
    assert response.status_code == 200 and len(response.context["page"].object_list) == min(n // 3, 50)

    if page.has_next:  # the next page costs the same
        with django_assert_num_queries(4):
            response = outbox(clients.ipo, q="a@", kind="invitation", after=page.next_cursor)
        assert response.status_code == 200 and len(response.context["page"].object_list) == 50
        with django_assert_num_queries(4):
            response = outbox(clients.ipo, q="a@", kind="invitation", before=response.context["page"].previous_cursor)
        assert [m.pk for m in response.context["page"]] == [m.pk for m in page]


def test_the_detail_page_runs_a_constant_number_of_queries(clients, world, django_assert_num_queries):
    m = mail(world.user_x.email, S.FAILED, user=world.user_x, last_error="boom")
    # session, user, the message with its recipient, the recipient's officer, the audit entry of the read
    with django_assert_num_queries(5):
        assert clients.ipo.get(detail_url(m)).status_code == 200


def test_reading_a_message_in_the_outbox_is_in_the_recipients_trail(clients, world):
    from audit.models import AuditEntry

    m = mail(world.user_x.email, S.SENT, user=world.user_x)
    assert clients.ipo.get(detail_url(m)).status_code == 200
    entry = AuditEntry.objects.get(event="read.message")
    assert (entry.actor_id, entry.officer_id, entry.object_pk) == (world.ipo.pk, world.officer_x.pk, str(m.pk))
    reads = clients.officer_x.get(reverse("accounts:my-record-reads")).context["rows"]
    assert [r.event for r in reads] == ["read.message"]


# --- well-formed pages -------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Nesting(HTMLParser):
    """Every element closed in order, ids unique, every label pointing at an id of the page."""

    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.label_for, self.problems = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_for.append(attrs["for"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()


@pytest.mark.parametrize("page", ["list", "detail"])
def test_the_pages_are_well_formed(clients, world, page):
    m = mail(world.user_x.email, S.FAILED, user=world.user_x, language="fr", last_error="boom")
    response = outbox(clients.ipo, q="x", kind="bulletin_published") if page == "list" else clients.ipo.get(
        detail_url(m)
    )
    checker = Nesting()
    checker.feed(response.content.decode())
    assert not checker.problems and not checker.stack, (checker.problems, checker.stack)
    assert len(checker.ids) == len(set(checker.ids))
    assert set(checker.label_for) <= set(checker.ids)
    assert response.content.decode().count("<h1") == 1
