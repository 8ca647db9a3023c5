"""Report a problem: a short public form whose report reaches every IPO staff login through the outbox."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from notifications.models import OutgoingMail
from site_pages.services import page_path, problem_report_submit
from tests import factories as f
from tests.pages import page_text

# transactions that commit: the report's batch is fanned out into outbox rows once it has
pytestmark = pytest.mark.django_db(transaction=True)

URL = "/report-a-problem/"


@pytest.fixture
def staff(db):
    return [f.IpoStaffFactory(email="hq1@example.test"),
            f.IpoStaffFactory(email="hq2@example.test", preferred_language="fr")]


def test_the_form_names_the_page_the_visitor_came_from(client):
    html = page_text(client.get(URL, HTTP_REFERER="http://testserver/bulletins/?q=MONUSCO"))
    assert 'name="page" value="/bulletins/?q=MONUSCO"' in html
    # another site, or no referring page: nothing
    html = page_text(client.get(URL, HTTP_REFERER="https://evil.example/bulletins/"))
    assert 'name="page" value=""' not in html and 'name="page" value="/' not in html


def test_an_anonymous_report_reaches_every_ipo_staff_login_in_their_language(client, staff, settings):
    f.CoordinatorFactory(email="coord@example.test")
    response = client.post(URL, {"description": "The bulletin list shows no dates.", "email": "me@police.example",
                                 "page": "/bulletins/"})
    assert response.status_code == 302 and response["Location"] == reverse("site_pages:report-problem-thanks")
    mails = {m.to: m for m in OutgoingMail.objects.all()}
    assert set(mails) == {"hq1@example.test", "hq2@example.test"}  # staff only; never the typed address
    english, french = mails["hq1@example.test"], mails["hq2@example.test"]
    assert english.kind == "problem_report" and french.kind == "problem_report"
    assert english.subject == "Problem reported on /bulletins/"
    assert "The bulletin list shows no dates." in english.body_text
    assert f"{settings.SITE_URL}/bulletins/" in english.body_text and "me@police.example" in english.body_text
    assert "not signed in" in english.body_text
    assert french.language == "fr" and "Problème signalé" in french.subject


def test_a_signed_in_report_says_who_sent_it_and_asks_no_address(client, staff):
    officer = f.UserFactory(email="officer@example.test")
    client.force_login(officer)
    html = page_text(client.get(URL))
    assert 'name="email"' not in html
    client.post(URL, {"description": "Cannot upload my CV.", "email": "other@example.test"})
    mail = OutgoingMail.objects.get(to="hq1@example.test")
    assert f"officer@example.test (Officer, account {officer.pk})" in mail.body_text
    assert "Officer" in mail.body_text and "other@example.test" not in mail.body_text


@pytest.mark.parametrize("data", [
    {"description": ""},
    {"description": "   "},
    {"description": "x" * 2001},
    {"description": "Broken", "email": "not-an-address"},
])
def test_bad_input_sends_nothing_and_says_why(client, staff, data):
    response = client.post(URL, data)
    assert response.status_code == 400
    assert 'id="error-summary"' in page_text(response)
    assert OutgoingMail.objects.count() == 0


def test_a_robot_filling_the_honeypot_is_thanked_and_nothing_is_sent(client, staff):
    response = client.post(URL, {"description": "Buy now", "website": "http://spam.example"})
    assert response.status_code == 302
    assert OutgoingMail.objects.count() == 0


def test_reports_are_rate_limited_per_address(client, staff, settings):
    settings.ROSTER = {**settings.ROSTER, "PROBLEM_REPORT_RATE": "2/h"}
    for _ in range(2):
        assert client.post(URL, {"description": "Slow page"}).status_code == 302
    response = client.post(URL, {"description": "Slow page"})
    assert response.status_code == 429
    assert OutgoingMail.objects.count() == 2 * 2  # two reports to two staff logins, the third refused
    # another address is not held back
    assert client.post(URL, {"description": "Slow page"}, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_thanks_page_and_the_other_footer_pages_are_public(client, settings):
    assert client.get(reverse("site_pages:report-problem-thanks")).status_code == 200
    assert "Terms and conditions" in page_text(client.get(reverse("site_pages:terms")))
    html = page_text(client.get(reverse("site_pages:contact")))
    assert settings.ROSTER["CONTACT_EMAIL"] in html and settings.ROSTER["PRIVACY_CONTACT_EMAIL"] in html


@pytest.mark.parametrize("value, expected", [
    ("http://testserver/bulletins/?status=open", "/bulletins/?status=open"),
    ("/officers/", "/officers/"),
    ("https://evil.example/bulletins/", ""),
    ("//evil.example/bulletins/", ""),
    ("javascript:alert(1)", ""),
    ("/no-such-page/", ""),
    ("bulletins/", ""),
    ("", ""),
    ("http://testserver/accounts/password/reset/MQ/set-password/", "/accounts/password/reset/…/"),
])
def test_only_a_path_of_this_site_is_kept_and_never_a_secret_address(value, expected):
    assert page_path(value, host="testserver") == expected


def test_the_service_refuses_what_the_form_would_and_queues_nothing(staff):
    with pytest.raises(ValidationError) as refused:
        problem_report_submit(description="", email="bad")
    assert set(refused.value.message_dict) == {"description", "email"}
    with pytest.raises(ValidationError):
        problem_report_submit(description="Broken", page="https://evil.example/")
    assert OutgoingMail.objects.count() == 0


def test_a_visitor_stuck_in_two_step_setup_can_still_report_a_problem(client, settings, staff):
    settings.ROSTER = {**settings.ROSTER, "MFA_REQUIRED": True}
    coordinator = f.CoordinatorFactory(email="new-coord@example.test")
    client.post(reverse("login"), {"username": coordinator.email, "password": "pw-roster-test"})
    assert client.get(reverse("missions:bulletin-list")).status_code == 302  # sent to set up two-step first
    assert client.get(URL).status_code == 200


def test_the_privacy_notice_says_what_the_roster_and_a_report_hold(client):
    html = page_text(client.get(reverse("privacy:notice")))
    assert ">What the roster holds</h2>" in html
    assert "reports sent with “Report a problem”" in html and "date of birth" in html


@pytest.mark.parametrize("address", ["http://[::1/x", "http://[zz]/bulletins/", "//[/"])
def test_a_malformed_address_names_no_page_and_breaks_nothing(client, staff, address):
    assert page_path(address, host="testserver") == ""
    assert client.get(URL, HTTP_REFERER=address).status_code == 200
    response = client.post(URL, {"description": "The page broke.", "email": "me@police.example", "page": address})
    assert response.status_code == 302
    assert OutgoingMail.objects.exists()


@pytest.mark.parametrize("more_staff", [0, 12])
def test_the_request_stores_one_batch_whatever_the_number_of_staff(staff, more_staff):
    """Each message is rendered by the worker, not in the request: the same queries for 2 or 14 staff."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    for _ in range(more_staff):
        f.IpoStaffFactory()
    with transaction.atomic():  # the fan-out waits for this commit
        with CaptureQueriesContext(connection) as queries:
            batch = problem_report_submit(description="Slow page", page="/bulletins/")
        assert not any("notifications_outgoingmail" in q["sql"] for q in queries.captured_queries)
    assert len(queries) == 4  # the savepoint, the staff, the batch, its release
    assert batch.total == 2 + more_staff
    assert OutgoingMail.objects.count() == 2 + more_staff
