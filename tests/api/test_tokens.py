"""API tokens: made on the account's page (password asked again), shown once, stored hashed, audited;
a token follows its login's state (active, lockout, two-step verification) and its own (revoked,
expired, read-only); requests are throttled per token."""

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_hash, api_token_revoke
from audit.models import AuditEntry
from tests import factories as f
from tests.api.conftest import api_client, token_for

ME = "/api/v1/me/"


@pytest.fixture
def officer_user(db):
    user = f.UserFactory(email="tok@example.test")
    f.OfficerFactory(agency=user.agency, user=user)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the page -------------------------------------------------------------------------------------

def test_making_a_token_shows_it_once_and_keeps_only_its_hash(officer_user):
    client = signed_in(officer_user)
    response = client.post(reverse("accounts:api-token-create"), {"name": "HR sync", "scope": "read", "days": 30})
    assert response.status_code == 200
    raw = response.context["raw"]
    assert raw.startswith("rst_") and raw in response.content.decode()
    token = ApiToken.objects.get(user=officer_user)
    assert token.name == "HR sync" and token.scope == "read"
    assert token.secret_hash == api_token_hash(raw) and raw not in (token.secret_hash, token.prefix)
    assert dt.timedelta(days=29) < token.expires_at - timezone.now() <= dt.timedelta(days=30)
    assert "no-store" in response["Cache-Control"]
    listing = client.get(reverse("accounts:api-tokens")).content.decode()
    assert "HR sync" in listing and token.prefix in listing and raw not in listing


def test_the_secret_is_shown_once_and_kept_nowhere_else(officer_user, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    client = signed_in(officer_user)
    url = reverse("accounts:api-token-create")
    response = client.post(url, {"name": "HR sync", "scope": "read", "days": 30})
    raw = response.context["raw"]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # the page is the POST's answer, no redirect to a page that could show it again
    assert response.status_code == 200 and not response.has_header("Location")
    assert raw not in client.get(url).content.decode()
    assert raw not in client.get(reverse("accounts:api-tokens")).content.decode()
    # posting again (a reload) makes another token, never the same one again
    again = client.post(url, {"name": "HR sync", "scope": "read", "days": 30})
    assert again.context["raw"] != raw and ApiToken.objects.filter(user=officer_user).count() == 2
    secret = raw.split("_", 2)[2]
    for entry in AuditEntry.objects.all():
        assert secret not in repr(entry.__dict__), entry.event
    assert secret not in repr(dict(client.session.items()))
    assert secret not in caplog.text
    token = ApiToken.objects.get(prefix=raw.split("_")[1])
    assert secret not in repr(token.__dict__)


def test_the_list_says_each_token_s_state_at_the_same_queries_for_one_or_many(officer_user,
                                                                               django_assert_num_queries):
    client = signed_in(officer_user)
    url = reverse("accounts:api-tokens")
    api_token_create(user=officer_user, name="first", scope="read", days=7)
    client.get(url)  # the session's first request settles its own writes
    with django_assert_num_queries(3) as one:
        client.get(url)
    for i in range(8):
        api_token_create(user=officer_user, name=f"t{i}", scope="read", days=7)
    expired, revoked = ApiToken.objects.filter(name__in=["t0", "t1"]).order_by("name")
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    api_token_revoke(token=revoked, actor=officer_user)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    page = response.content.decode()
    assert page.count(">In use<") == 7 and page.count(">Expired<") == 1 and page.count(">Revoked<") == 1
    assert page.count("/revoke/") == 7  # a revoke button per token in use


def test_making_a_token_asks_for_the_password_again(officer_user):
    client = signed_in(officer_user)
    session = client.session
    session["_reauth_at"] = 0
    session.save()
    response = client.post(reverse("accounts:api-token-create"), {"name": "x", "scope": "read", "days": 30})
    assert response.status_code == 302 and reverse("accounts:reauth") in response["Location"]
    assert not ApiToken.objects.exists()


def test_the_form_refuses_a_missing_name_and_an_unknown_expiry(officer_user):
    response = signed_in(officer_user).post(reverse("accounts:api-token-create"),
                                            {"name": "", "scope": "admin", "days": 9999})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "scope", "days"}
    assert not ApiToken.objects.exists()


def test_creating_and_revoking_are_in_the_audit_trail(officer_user):
    token, _raw = api_token_create(user=officer_user, name="Reporting", scope="read_write", days=90)
    created = AuditEntry.objects.get(event="api_token.created")
    assert created.subject_user_id == officer_user.pk and created.additional_data["prefix"] == token.prefix
    response = signed_in(officer_user).post(reverse("accounts:api-token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    revoked = AuditEntry.objects.get(event="api_token.revoked")
    assert revoked.actor_id == officer_user.pk and revoked.additional_data["name"] == "Reporting"


def test_only_the_owner_revokes_a_token(officer_user):
    token, _raw = api_token_create(user=officer_user, name="Mine", scope="read", days=7)
    other = f.UserFactory()
    assert signed_in(other).post(reverse("accounts:api-token-revoke", args=[token.pk])).status_code == 404
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, actor=other)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_login_keeps_at_most_twenty_tokens_in_use(officer_user):
    from django.core.exceptions import ValidationError

    for i in range(20):
        api_token_create(user=officer_user, name=f"t{i}", scope="read", days=7)
    with pytest.raises(ValidationError):
        api_token_create(user=officer_user, name="one too many", scope="read", days=7)


# --- authentication ----------------------------------------------------------------------------

def test_a_token_authenticates_and_records_its_last_use_at_most_once_a_minute(officer_user):
    raw = token_for(officer_user, scope="read")
    client = api_client(token=raw)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.data["email"] == officer_user.email and response.data["token"]["scope"] == "read"
    token = ApiToken.objects.get()
    first_use = token.last_used_at
    assert first_use is not None
    client.get(ME)
    token.refresh_from_db()
    assert token.last_used_at == first_use  # not written again within the minute
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - dt.timedelta(minutes=2))
    client.get(ME)
    token.refresh_from_db()
    assert token.last_used_at > first_use


def _refused(client, words):
    response = client.get(ME)
    assert response.status_code == 401, response.data
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert words in response.data["detail"]
    return response


def test_an_unknown_or_malformed_token_is_refused(officer_user):
    raw = token_for(officer_user)
    _refused(api_client(token=raw[:-2] + "xx"), "not valid")
    _refused(api_client(token="rst_nothex!!_abc"), "not valid")
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION="Bearer two words")
    _refused(client, "Bearer")


def test_a_revoked_token_stops_working(officer_user):
    raw = token_for(officer_user)
    api_token_revoke(token=ApiToken.objects.get(), actor=officer_user)
    _refused(api_client(token=raw), "revoked")


def test_an_expired_token_stops_working(officer_user):
    raw = token_for(officer_user)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    _refused(api_client(token=raw), "expired")


def test_an_inactive_login_s_tokens_stop_working(officer_user):
    raw = token_for(officer_user)
    officer_user.is_active = False
    officer_user.save()
    _refused(api_client(token=raw), "deactivated")


def test_a_login_locked_out_by_axes_cannot_use_its_tokens(officer_user, settings):
    from axes.models import AccessAttempt

    raw = token_for(officer_user)
    attempt = AccessAttempt.objects.create(username=officer_user.email, ip_address="10.0.0.1", user_agent="x",
                                           failures_since_start=settings.AXES_FAILURE_LIMIT)
    _refused(api_client(token=raw), "locked")
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - dt.timedelta(days=1))
    assert api_client(token=raw).get(ME).status_code == 200  # the lock ended after its period


def test_a_role_that_must_use_two_step_verification_needs_it_for_tokens_too(db, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.ROSTER = {**settings.ROSTER, "MFA_REQUIRED": True}
    coordinator = f.CoordinatorFactory()
    raw = token_for(coordinator)
    _refused(api_client(token=raw), "two-step verification")
    TOTPDevice.objects.create(user=coordinator, name="phone", confirmed=True)
    assert api_client(token=raw).get(ME).status_code == 200
    officer = f.UserFactory()  # officers are offered it, not required
    assert api_client(officer).get(ME).status_code == 200


def test_a_read_only_token_reads_and_never_writes(world):
    client = api_client(world.ipo, scope="read")
    assert client.get("/api/v1/bulletins/").status_code == 200
    response = client.post(f"/api/v1/bulletins/{world.bulletin.pk}/close/")
    assert response.status_code == 403 and "read-only" in response.data["detail"]
    world.bulletin.refresh_from_db()
    assert world.bulletin.status == "published"


def test_anonymous_callers_get_401_with_the_scheme(db):
    response = api_client().get("/api/v1/officers/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.data == {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"}


def test_the_session_works_and_its_unsafe_requests_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.ipo)
    assert client.get("/api/v1/me/").status_code == 200
    url = f"/api/v1/bulletins/{world.bulletin.pk}/close/"
    response = client.post(url)
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    client.get(reverse("accounts:api-tokens"))  # a page sets the CSRF cookie
    response = client.post(url, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert response.status_code == 200, response.content


def test_requests_are_throttled_per_token(officer_user, settings):
    settings.ROSTER = {**settings.ROSTER, "API_RATE": "2/min"}
    first, second = api_client(officer_user), api_client(officer_user)
    assert [first.get(ME).status_code for _ in range(2)] == [200, 200]
    throttled = first.get(ME)
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    assert throttled.data["code"] == "throttled"
    assert second.get(ME).status_code == 200  # another token has its own count


@override_settings(ROSTER_API_TEST=True)
def test_anonymous_callers_are_throttled_by_address(db, settings):
    settings.ROSTER = {**settings.ROSTER, "API_ANON_RATE": "1/min"}
    client = api_client()
    assert client.get("/api/v1/").status_code == 200
    assert client.get("/api/v1/", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429  # the header changes nothing


def test_the_changes_a_token_makes_name_its_login_in_the_audit_trail(world):
    response = api_client(world.coord_a).patch(f"/api/v1/officers/{world.officer_x.pk}/", {"phone": "613 555 0100"},
                                               format="json")
    assert response.status_code == 200
    entry = AuditEntry.objects.filter(kind="change", object_pk=str(world.officer_x.pk)).latest("timestamp")
    assert entry.actor_id == world.coord_a.pk
