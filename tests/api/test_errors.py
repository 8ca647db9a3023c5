"""Errors: invalid input is a 400 with each field's messages, the same the page's form shows, in the
language of Accept-Language; a refusal because of the record's state is a 409; a record you may not
see is a 404; no input makes a 500."""

import pytest
from django.utils import translation

from agencies.forms import OfficerForm
from agencies.models import Role, User
from roster.models import Application
from tests import factories as f
from tests.api.conftest import api_client


def form_errors(form_class, data, language, **kwargs):
    with translation.override(language):
        form = form_class(data, **kwargs)
        form.is_valid()
        return {k: list(v) for k, v in form.errors.items()}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_invalid_fields_answer_the_form_s_messages_in_the_request_s_language(world, language):
    data = {"first_name": "", "badge_number": "B-1", "rank": "general", "gender": "woman",
            "date_of_birth": "1 May 1980", "phone": "call me", "english_level": 9}
    response = api_client(world.coord_a, language=language).post("/api/v1/officers/", data, format="json")
    assert response.status_code == 400
    assert response["Content-Language"] == language
    expected = form_errors(OfficerForm, {k: str(v) for k, v in data.items()}, language,
                           user=User(role=Role.COORDINATOR))
    assert set(expected) >= {"first_name", "last_name", "rank", "date_of_birth", "phone", "english_level"}
    assert response.data["code"] == "invalid"
    assert response.data["fields"] == expected
    with translation.override(language):
        assert response.data["detail"] == str(translation.gettext(
            "The request is not valid: each field's errors are under “fields”."))


def test_french_and_english_messages_differ(world):
    en = api_client(world.coord_a, language="en").post("/api/v1/officers/", {}, format="json").data
    fr = api_client(world.coord_a, language="fr-CA,fr;q=0.9").post("/api/v1/officers/", {}, format="json").data
    assert en["fields"]["first_name"] == ["This field is required."]
    assert fr["fields"]["first_name"] == ["Ce champ est obligatoire."]


def test_a_service_s_field_error_is_a_400_on_that_field(world):
    """A duplicate badge number in the agency: the service's message, next to badge_number, as on the page."""
    data = {"first_name": "Dup", "last_name": "Licate", "badge_number": world.officer_x.badge_number,
            "rank": "cst", "gender": "man"}
    response = api_client(world.coord_a).post("/api/v1/officers/", data, format="json")
    assert response.status_code == 400
    assert response.data["fields"] == {"badge_number": ["This badge number is already used in this agency."]}


def test_selecting_beyond_the_positions_is_a_409(world):
    bulletin = f.BulletinFactory(mission=world.mission, positions=1)
    f.ApplicationFactory(bulletin=bulletin, status="selected")
    shortlisted = f.ApplicationFactory(bulletin=bulletin, officer=world.officer_x, status="shortlisted")
    response = api_client(world.ipo).post(f"/api/v1/applications/{shortlisted.pk}/transition/",
                                          {"to": "selected"}, format="json")
    assert response.status_code == 409
    assert response.data == {"detail": "All 1 positions of this bulletin are filled; waitlist the applicant instead.",
                             "code": "conflict"}
    shortlisted.refresh_from_db()
    assert shortlisted.status == "shortlisted"


def test_a_move_not_in_the_table_is_a_409_and_a_move_not_yours_a_403(world):
    client = api_client(world.ipo)
    response = client.post(f"/api/v1/applications/{world.app_x.pk}/transition/", {"to": "selected"}, format="json")
    assert response.status_code == 409 and "cannot go from" in response.data["detail"]
    endorsed = f.ApplicationFactory(bulletin=f.BulletinFactory(mission=world.mission), officer=world.officer_x,
                                    status="endorsed")
    response = api_client(world.coord_a).post(f"/api/v1/applications/{endorsed.pk}/transition/",
                                              {"to": "shortlisted"}, format="json")
    assert response.status_code == 403 and response.data["code"] == "permission_denied"


def test_applying_twice_is_a_409(world):
    bulletin = f.BulletinFactory(mission=world.mission)
    client = api_client(world.user_x)
    data = {"bulletin": bulletin.pk, "confirm_ineligible": True}
    assert client.post("/api/v1/applications/", data, format="json").status_code == 201
    response = client.post("/api/v1/applications/", data, format="json")
    assert response.status_code == 409
    assert response.data["detail"] == "This officer has already applied to this bulletin."
    assert Application.objects.filter(bulletin=bulletin).count() == 1


def test_an_unknown_choice_is_the_form_s_message(world):
    response = api_client(world.user_x).post("/api/v1/applications/", {"bulletin": 987654}, format="json")
    assert response.status_code == 400
    assert response.data["fields"] == {
        "bulletin": ["Select a valid choice. That choice is not one of the available choices."]}


@pytest.mark.parametrize("body, content_type", [
    ("{not json", "application/json"),
    ("[1, 2]", "application/json"),
    ('"text"', "application/json"),
    ('{"to": {"nested": 1}}', "application/json"),
    ('{"to": ["shortlisted"]}', "application/json"),
    ('{"to": "shortlisted", "note": "\\u0000"}', "application/json"),
    ("to=shortlisted", "text/plain"),
])
def test_malformed_bodies_are_4xx_never_500(world, body, content_type):
    response = api_client(world.ipo).generic("POST", f"/api/v1/applications/{world.app_x.pk}/transition/", body,
                                             content_type=content_type)
    assert response.status_code in (400, 409, 415), response.content
    assert set(response.data) >= {"detail", "code"}


@pytest.mark.parametrize("path", [
    "/api/v1/officers/99999999999999999999999/",
    "/api/v1/officers/-1/",
    "/api/v1/officers/abc/",
    "/api/v1/officers/abc/clearances/",
    "/api/v1/officers/1/clearances/99999999999999999999/",
    "/api/v1/applications/0/events/",
    "/api/v1/applications/1/documents/99999999999999999999/",
])
def test_ids_no_record_can_have_are_404(world, path):
    response = api_client(world.ipo).get(path)
    assert response.status_code == 404
    assert response.data == {"detail": "Not found.", "code": "not_found"}


def test_a_record_you_may_not_see_is_a_404_as_if_it_did_not_exist(world):
    client = api_client(world.coord_b)
    hidden = client.get(f"/api/v1/applications/{world.app_x.pk}/")
    missing = client.get("/api/v1/applications/987654/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.data == missing.data


@pytest.mark.parametrize("query", [
    "status=nonsense", "bulletin=abc", "bulletin=99999999999", "updated_since=yesterday",
    "updated_since=0001-01-01T00:00:00%2B05:00", "officer=-3",
])
def test_bad_filter_values_are_400_with_the_field(world, query):
    response = api_client(world.ipo).get(f"/api/v1/applications/?{query}")
    assert response.status_code == 400, response.data
    assert query.split("=")[0] in response.data["fields"]


@pytest.mark.parametrize("cursor", ["garbage", "eyJhIjoxfQ", "W10", "WyJhIixbMSwyXV0", "WyJiIixbbnVsbCwxXV0",
                                    "x" * 5000])
def test_a_malformed_cursor_starts_from_the_first_page(world, cursor):
    client = api_client(world.ipo)
    first = client.get("/api/v1/applications/")
    response = client.get(f"/api/v1/applications/?cursor={cursor}")
    assert response.status_code == 200
    assert response.data["results"] == first.data["results"]


def test_a_json_true_for_a_date_is_the_date_s_error_not_a_crash(world):
    response = api_client(world.coord_a).patch(f"/api/v1/officers/{world.officer_x.pk}/",
                                               {"service_start": False, "date_of_birth": True}, format="json")
    assert response.status_code == 400
    assert response.data["fields"] == {"date_of_birth": ["Enter a valid date."],
                                       "service_start": ["Enter a valid date."]}


def test_a_body_that_does_not_parse_is_a_400_in_the_same_shape(world):
    response = api_client(world.coord_a).generic("PATCH", f"/api/v1/officers/{world.officer_x.pk}/",
                                                 b"v\x1d\xff\x9eu", content_type="application/json")
    assert response.status_code == 400
    assert response.data["code"] == "parse_error" and response.data["fields"] == {}
