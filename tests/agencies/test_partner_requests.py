"""Police services ask to join the program on a public page (no sign-in, protected against spam),
and IPO staff approve (the agency is created and its coordinator invited) or decline with a reason."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.partners import challenge, services
from agencies.models import Agency, PartnerRequest, Role, User
from agencies.selectors import partners_by_year
from audit.models import AuditEntry
from notifications.models import SECRET_LINK_PLACEHOLDER, OutgoingMail
from tests import factories as f
from tests.conftest import client_for
from tests.pages import page_text

pytestmark = pytest.mark.django_db
JOIN = "/partners/join/"


@pytest.fixture(autouse=True)
def _fresh_counters(settings):
    """Rate limits and used tokens live in the cache: each test starts with none. The form may be
    sent at once (the 'too quickly' rule has its own test)."""
    cache.clear()
    settings.ROSTER = {**settings.ROSTER, "PARTNER_FORM_MIN_SECONDS": 0}
    yield
    cache.clear()


def solved(client, **overrides):
    """The request form's data, with the page's token and the right answer."""
    token = client.get(JOIN).context["form"].token
    return {
        "name": "Lakeview Regional Police Service", "kind": "regional", "province": "ON",
        "contact_name": "Sandra Whitfield", "contact_email": "S.Whitfield@Lakeview.example",
        "contact_phone": "705 555 0187", "officers_interested": "12", "message": "Tell us more.",
        "token": token, "answer": str(challenge.answer(token)), "website": "", **overrides,
    }


@pytest.fixture
def staff(db):
    return f.IpoStaffFactory(email="ipo@example.test"), f.IpoStaffFactory(email="ipo2@example.test", is_active=False)


# --- the public page ------------------------------------------------------------------------------

def test_the_page_is_public_and_says_what_partners_do_and_gain(client):
    response = client.get(JOIN)
    assert response.status_code == 200
    html = response.content.decode()
    for fact in ("What a partner agency does", "What its members gain", "more than 4,000", "About 33",
                 "Up to 150", "incurs no direct cost", "Canadian Peacekeeping Service Medal"):
        assert fact in html
    assert response.context["form"].fields["answer"].label.startswith("What is ")
    # the honeypot is hidden from people, from screen readers and from the keyboard
    assert re.search(r'class="visually-hidden"\s+aria-hidden="true">\s*<div id="div_id_website"', html)
    assert 'name="website" tabindex="-1"' in html


def test_the_page_is_served_in_french_and_the_request_remembers_it(client, staff):
    response = client.get(JOIN, HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr">' in response.content.decode()
    data = solved(client)
    client.post(JOIN, data, HTTP_ACCEPT_LANGUAGE="fr")
    assert PartnerRequest.objects.get().language == "fr"


def test_a_request_is_recorded_and_ipo_staff_are_told(client, staff):
    response = client.post(JOIN, solved(client))
    assert response.status_code == 302 and response["Location"] == reverse("partners:join-thanks")
    request = PartnerRequest.objects.get()
    assert (request.name, request.kind, request.province, request.officers_interested, request.status) == (
        "Lakeview Regional Police Service", "regional", "ON", 12, "pending")
    assert request.contact_email == "s.whitfield@lakeview.example" and request.language == "en"
    # the active IPO staff are told; nothing is sent to the address a stranger typed
    assert list(OutgoingMail.objects.values_list("to", "kind")) == [("ipo@example.test", "partner_request_received")]
    assert client.get(reverse("partners:join-thanks")).status_code == 200


def test_a_signed_in_person_reaches_the_page_before_two_step_verification(settings):
    settings.ROSTER = {**settings.ROSTER, "MFA_REQUIRED": True}
    ipo = client_for(f.IpoStaffFactory())
    assert ipo.get(reverse("partners:request-list")).status_code == 302  # sent to set up two-step verification
    assert ipo.get(JOIN).status_code == 200


def test_a_robot_filling_the_honeypot_is_thanked_and_nothing_is_kept(client, staff):
    response = client.post(JOIN, solved(client, website="http://spam.example"))
    assert response.status_code == 302
    assert not PartnerRequest.objects.exists() and not OutgoingMail.objects.exists()


def test_a_wrong_answer_is_refused_and_a_new_question_asked(client, staff):
    data = solved(client)
    data["answer"] = str(int(data["answer"]) + 1)
    response = client.post(JOIN, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["answer"] == ["That answer is not right. Answer the new question."]
    assert form.token != data["token"]
    html = response.content.decode()
    assert f'value="{form.token}"' in html and 'value="Lakeview Regional Police Service"' in html
    assert not PartnerRequest.objects.exists()


def test_the_answer_cannot_be_read_from_the_page_or_its_token(client, settings):
    form = client.get(JOIN).context["form"]
    # a signed token is readable by anyone (base64): it holds the time and a nonce, never the numbers
    assert set(signing.loads(form.token, salt=challenge.SALT)) == {"t", "n"}
    assert 2 <= challenge.answer(form.token) <= 18
    # the question asks in words: no digit of the answer on the page
    assert form.fields["answer"].label.startswith("What is ")
    assert not any(c.isdigit() for c in form.fields["answer"].label)
    # the numbers come from a keyed hash of the nonce: with another key, the same nonces ask other sums
    payloads = [signing.loads(challenge.issue(), salt=challenge.SALT) for _ in range(20)]
    answers = [challenge.answer(signing.dumps(p, salt=challenge.SALT)) for p in payloads]
    settings.SECRET_KEY = "another-key-" + "x" * 40
    assert [challenge.answer(signing.dumps(p, salt=challenge.SALT)) for p in payloads] != answers


def test_a_token_serves_once(client, staff):
    data = solved(client)
    assert client.post(JOIN, data).status_code == 302
    response = client.post(JOIN, data)
    assert response.status_code == 400 and "already sent" in response.context["form"].errors["answer"][0]
    assert PartnerRequest.objects.count() == 1


def test_a_wrong_answer_uses_the_token_up(client, staff):
    data = solved(client)
    right = data["answer"]
    data["answer"] = "0"
    client.post(JOIN, data)
    data["answer"] = right
    assert client.post(JOIN, data).status_code == 400
    assert not PartnerRequest.objects.exists()


def test_a_form_sent_too_quickly_or_too_late_is_refused(client, settings, staff):
    settings.ROSTER = {**settings.ROSTER, "PARTNER_FORM_MIN_SECONDS": 3, "PARTNER_FORM_MAX_SECONDS": 3600}
    data = solved(client)
    response = client.post(JOIN, data)
    assert "too quickly" in response.context["form"].errors["answer"][0]
    data = solved(client)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        response = client.post(JOIN, data)
    assert "open too long" in response.context["form"].errors["answer"][0]
    data = solved(client)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=10)):
        assert client.post(JOIN, data).status_code == 302


@pytest.mark.parametrize("token", ["", "garbage", "eyJhIjoxfQ:forged:signature"])
def test_a_forged_token_is_refused(client, staff, token):
    data = solved(client, token=token)
    response = client.post(JOIN, data)
    assert response.status_code == 400
    assert not PartnerRequest.objects.exists()


def test_requests_are_limited_per_client_address(client, settings, staff):
    settings.ROSTER = {**settings.ROSTER, "PARTNER_REQUEST_RATE": "2/h"}
    for _ in range(2):
        assert client.post(JOIN, solved(client)).status_code == 302
    assert client.post(JOIN, solved(client)).status_code == 429
    other = client_for(None)
    assert other.post(JOIN, solved(other), REMOTE_ADDR="192.0.2.7").status_code == 302
    assert PartnerRequest.objects.count() == 3


@pytest.mark.parametrize(("field", "value"), [
    ("contact_email", "not-an-email"), ("officers_interested", "-3"), ("officers_interested", "many"),
    ("kind", "rcmp"), ("province", "ZZ"), ("name", ""), ("contact_phone", "call me"),
])
def test_invalid_fields_are_shown_next_to_them(client, staff, field, value):
    response = client.post(JOIN, solved(client, **{field: value}))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not PartnerRequest.objects.exists()


# --- IPO staff's review -------------------------------------------------------------------------------

def _request(**kwargs):
    return PartnerRequest.objects.create(**{
        "name": "Lakeview Regional Police Service", "kind": "regional", "province": "ON",
        "contact_name": "Sandra Whitfield", "contact_email": "s.whitfield@lakeview.example",
        "officers_interested": 12, "language": "en", **kwargs})


def test_only_ipo_staff_review_requests(clients):
    request = _request()
    for name, kwargs in (("partners:request-list", {}), ("partners:request-detail", {"pk": request.pk})):
        url = reverse(name, kwargs=kwargs)
        assert clients.ipo.get(url).status_code == 200
        for persona in ("coord_a", "officer_x"):
            assert getattr(clients, persona).get(url).status_code == 403
        assert clients.anonymous.get(url).status_code == 302
    for name in ("partners:request-approve", "partners:request-decline"):
        assert clients.coord_a.post(reverse(name, kwargs={"pk": request.pk}), {}).status_code == 403
    request.refresh_from_db()
    assert request.status == "pending"


def test_the_list_shows_pending_requests_unless_asked_otherwise(clients):
    pending, declined = _request(), _request(name="Old", status="declined", reason="No")
    def shown(query):
        return {r.pk for r in clients.ipo.get(reverse("partners:request-list"), query).context["page"]}

    assert shown({}) == {pending.pk}
    assert shown({"status": ""}) == {pending.pk, declined.pk}
    assert shown({"status": "declined"}) == {declined.pk}
    assert shown({"status": "bogus"}) == {pending.pk, declined.pk}
    assert clients.ipo.get(reverse("partners:request-list"), {"after": "!!"}).status_code == 200


@pytest.mark.parametrize("n", [1, 30])
def test_the_list_runs_a_fixed_number_of_queries(world, n, django_assert_num_queries):
    for i in range(n):
        _request(name=f"Service {i}")
    ipo = client_for(world.ipo)
    ipo.get(reverse("partners:request-list"))
    with django_assert_num_queries(3):  # session, user, page
        assert ipo.get(reverse("partners:request-list")).status_code == 200


def test_reading_a_request_is_in_the_audit_trail(clients):
    request = _request()
    clients.ipo.get(reverse("partners:request-detail", args=[request.pk]))
    assert AuditEntry.objects.filter(event="read.partner_request", object_pk=str(request.pk)).exists()


def approve_data(**overrides):
    return {f"approve-{k}": v for k, v in {
        "slug": "lakeview-police", "name_en": "Lakeview Regional Police Service",
        "name_fr": "Service de police régional de Lakeview", "kind": "regional", "province": "ON",
        "language": "en", "partner_since": timezone.localdate().isoformat(), "mailbox": "",
        "coordinator_first_name": "Sandra", "coordinator_last_name": "Whitfield",
        "coordinator_email": "s.whitfield@lakeview.example", **overrides}.items()}


def test_approving_creates_the_agency_and_invites_its_first_coordinator(clients, world):
    request = _request()
    page = clients.ipo.get(reverse("partners:request-detail", args=[request.pk]))
    assert page.context["approve_form"].initial["coordinator_email"] == "s.whitfield@lakeview.example"
    response = clients.ipo.post(reverse("partners:request-approve", args=[request.pk]), approve_data())
    assert response.status_code == 302
    agency = Agency.objects.get(slug="lakeview-police")
    assert agency.is_partner and agency.kind == "regional" and agency.partner_since == timezone.localdate()
    user = User.objects.get(email="s.whitfield@lakeview.example")
    assert (user.role, user.agency, user.has_usable_password()) == (Role.COORDINATOR, agency, False)
    request.refresh_from_db()
    assert (request.status, request.agency, request.decided_by) == ("approved", agency, world.ipo)
    mail = OutgoingMail.objects.get(kind="partner_welcome")
    assert mail.to == user.email and mail.secret_link == "set_password"
    assert AuditEntry.objects.filter(event="account.invited", object_pk=str(user.pk)).exists()
    # the new partner counts in partners over time
    assert (timezone.localdate().year, 1) in partners_by_year()


SET_PASSWORD_PATH = re.compile(r"/accounts/password/reset/[A-Za-z0-9_-]+/[a-z0-9-]+/")


def test_the_invitation_link_is_made_at_send_time_and_never_stored(
    clients, mailoutbox, django_capture_on_commit_callbacks
):
    request = _request()
    with django_capture_on_commit_callbacks(execute=True):
        clients.ipo.post(reverse("partners:request-approve", args=[request.pk]), approve_data())
    row = OutgoingMail.objects.get(kind="partner_welcome")
    # the outbox (which IPO staff read) holds a placeholder, never the link
    assert SECRET_LINK_PLACEHOLDER in row.body_text and SECRET_LINK_PLACEHOLDER in row.body_html
    assert not SET_PASSWORD_PATH.search(row.body_text + row.body_html)
    (sent,) = [m for m in mailoutbox if m.to == [row.to]]
    assert SET_PASSWORD_PATH.search(sent.body) and SET_PASSWORD_PATH.search(sent.alternatives[0][0])
    assert SECRET_LINK_PLACEHOLDER not in sent.body
    page = page_text(clients.ipo.get(reverse("notifications:outbox")))
    assert row.to in page and not SET_PASSWORD_PATH.search(page)


@pytest.mark.parametrize("failing", ["notifications.services.mail_queue", "audit.services.audit_security"])
def test_an_approval_is_all_or_nothing(world, monkeypatch, failing):
    """The agency, the login, the decision, the invitation and its audit entry commit together."""
    request = _request()
    target = "accounts.partners.services." + failing.rsplit(".", 1)[1]

    def boom(*args, **kwargs):
        raise RuntimeError("down")

    monkeypatch.setattr(target, boom)
    agencies, users = Agency.objects.count(), User.objects.count()
    with pytest.raises(RuntimeError):
        services.partner_request_approve(
            partner_request=request, actor=world.ipo, slug="lakeview-police", name_en="Lakeview",
            name_fr="Lakeview", kind="regional", province="ON", language="en", partner_since=timezone.localdate(),
            coordinator_email="s.whitfield@lakeview.example", coordinator_first_name="Sandra",
            coordinator_last_name="Whitfield")
    assert (Agency.objects.count(), User.objects.count()) == (agencies, users)
    request.refresh_from_db()
    assert request.status == "pending" and request.agency is None
    assert not OutgoingMail.objects.filter(kind="partner_welcome").exists()


@pytest.mark.parametrize(("overrides", "field"), [
    ({"slug": "agency-a"}, "slug"),
    ({"coordinator_email": "coord-b@example.test"}, "coordinator_email"),
    ({"kind": "rcmp"}, "kind"),
    ({"partner_since": "2999-01-01"}, "partner_since"),
    ({"slug": "Not a slug!"}, "slug"),
])
def test_an_approval_that_cannot_be_made_says_why_and_creates_nothing(clients, overrides, field):
    request = _request()
    agencies, users = Agency.objects.count(), User.objects.count()
    response = clients.ipo.post(reverse("partners:request-approve", args=[request.pk]), approve_data(**overrides))
    assert response.status_code == 400 and field in response.context["approve_form"].errors
    assert (Agency.objects.count(), User.objects.count()) == (agencies, users)
    request.refresh_from_db()
    assert request.status == "pending" and not OutgoingMail.objects.filter(kind="partner_welcome").exists()


def test_declining_sends_the_reason_in_the_contacts_language(clients):
    request = _request(language="fr")
    url = reverse("partners:request-decline", args=[request.pk])
    response = clients.ipo.post(url, {"decline-reason": ""})
    assert response.status_code == 400 and "reason" in response.context["decline_form"].errors
    assert clients.ipo.post(url, {"decline-reason": "Un service privé ne peut pas être partenaire."}).status_code == 302
    request.refresh_from_db()
    assert request.status == "declined" and request.reason.startswith("Un service privé")
    mail = OutgoingMail.objects.get(kind="partner_request_declined")
    assert (mail.to, mail.language) == ("s.whitfield@lakeview.example", "fr")
    assert "Un service privé ne peut pas être partenaire." in mail.body_text


def test_a_request_is_decided_once(clients):
    request = _request()
    clients.ipo.post(reverse("partners:request-decline", args=[request.pk]), {"decline-reason": "No"})
    response = clients.ipo.post(reverse("partners:request-approve", args=[request.pk]), approve_data())
    assert response.status_code == 302
    assert not Agency.objects.filter(slug="lakeview-police").exists()
    assert "approve_form" not in clients.ipo.get(reverse("partners:request-detail", args=[request.pk])).context


def test_only_ipo_staff_decide_in_the_services(world):
    request = _request()
    for who in (world.coord_a, world.user_x):
        with pytest.raises(PermissionDenied):
            services.partner_request_decline(partner_request=request, actor=who, reason="No")
        with pytest.raises(PermissionDenied):
            services.partner_request_approve(
                partner_request=request, actor=who, slug="x", name_en="X", name_fr="X", kind="regional",
                province="ON", language="en", partner_since=timezone.localdate(), coordinator_email="x@example.test",
                coordinator_first_name="X", coordinator_last_name="Y")
    with pytest.raises(ValidationError):
        services.partner_request_submit(name="", kind="regional", province="ON", contact_name="A",
                                        contact_email="a@example.test", officers_interested=1)
