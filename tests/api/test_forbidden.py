"""What a caller may not do or keep: a read-only, revoked or expired token changes nothing; another
agency's coordinator and another officer find nothing (404); every answer to a signed-in caller,
a token's included, is kept by no cache; a detail costs the same queries whatever its rows."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import ApiToken
from agencies.models import Clearance
from roster.models import Application, ApplicationEvent, Deployment, DeploymentEvent
from tests import factories as f
from tests.api.conftest import api_client, token_for
from tests.factories import minimal_pdf_bytes


def _document(application, name="cv.pdf"):
    pdf = minimal_pdf_bytes()
    return application.documents.create(file=ContentFile(pdf, name=name), original_name=name, size=len(pdf))


def _no_store(response):
    cache_control = response.get("Cache-Control", "")
    return "no-store" in cache_control and "private" in cache_control


# --- no cache keeps what a token reads -------------------------------------------------------------

def _personal_urls(w):
    document = _document(w.app_x)
    return [
        f"/api/v1/officers/{w.officer_x.pk}/",
        "/api/v1/officers/",
        f"/api/v1/officers/{w.officer_x.pk}/clearances/",
        f"/api/v1/applications/{w.app_x.pk}/",
        f"/api/v1/applications/{w.app_x.pk}/events/",
        f"/api/v1/applications/{w.app_x.pk}/documents/{document.pk}/",
        f"/api/v1/deployments/{w.dep_x.pk}/",
        "/api/v1/me/",
    ]


def test_a_token_s_reads_of_personal_data_are_never_cached(world):
    client = api_client(world.ipo)
    for url in _personal_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response), (url, response.get("Cache-Control"))


def test_the_api_marks_a_token_s_answers_itself(world, monkeypatch):
    """accounts.middleware.NoStoreMiddleware sees the session's user: the API names the token's caller
    to it rather than rely on DRF copying its user onto the request the middleware reads."""
    from rest_framework.request import Request

    def set_user_without_copy(self, value):
        self._user = value

    monkeypatch.setattr(Request, "user", property(Request.user.fget, set_user_without_copy))
    client = api_client(world.ipo)
    response = client.get(f"/api/v1/officers/{world.officer_x.pk}/")
    assert response.status_code == 200 and response.data["last_name"] == "Xavier"
    assert _no_store(response), response.get("Cache-Control")


def test_an_earlier_error_with_a_bad_token_is_a_4xx_not_a_crash(world):
    """The answer is marked from the caller DRF found, never by authenticating again after an error."""
    response = api_client(token="rst_00000000_nothing").get(f"/api/v1/officers/{world.officer_x.pk}/",
                                                            HTTP_ACCEPT="text/xml")
    assert response.status_code == 406


# --- a token that may not write ---------------------------------------------------------------------

def test_a_read_only_token_changes_nothing_anywhere(world):
    clearance = f.ClearanceFactory(officer=world.officer_x, kind="passport")
    coordinator = api_client(world.coord_a, scope="read")
    officer = api_client(world.user_x, scope="read")
    bulletin = f.BulletinFactory(mission=world.mission)
    refused = [
        coordinator.patch(f"/api/v1/officers/{world.officer_x.pk}/", {"phone": "613 555 0000"}, format="json"),
        coordinator.delete(f"/api/v1/officers/{world.officer_x.pk}/clearances/{clearance.pk}/"),
        coordinator.post(f"/api/v1/applications/{world.app_x.pk}/endorse/", {"release_confirmed": True},
                         format="json"),
        officer.post("/api/v1/applications/", {"bulletin": bulletin.pk, "confirm_ineligible": True}, format="json"),
        officer.post(f"/api/v1/applications/{world.app_x.pk}/withdraw/", {"note": "No"}, format="json"),
    ]
    for response in refused:
        assert response.status_code == 403 and "read-only" in response.data["detail"], response.data
    world.officer_x.refresh_from_db()
    world.app_x.refresh_from_db()
    assert world.officer_x.phone != "613 555 0000" and world.app_x.status == "submitted"
    assert Clearance.objects.filter(pk=clearance.pk).exists()
    assert not Application.objects.filter(bulletin=bulletin).exists()
    # the same logins with a read-and-write token may
    assert api_client(world.coord_a).patch(f"/api/v1/officers/{world.officer_x.pk}/", {"phone": "613 555 0000"},
                                           format="json").status_code == 200


@pytest.mark.parametrize("state", ["revoked", "expired"])
def test_a_revoked_or_expired_token_changes_nothing(world, state):
    raw = token_for(world.coord_a)
    if state == "revoked":
        ApiToken.objects.update(revoked_at=timezone.now())
    else:
        ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    client = api_client(token=raw)
    response = client.patch(f"/api/v1/officers/{world.officer_x.pk}/", {"phone": "613 555 0000"}, format="json")
    assert response.status_code == 401 and state in response.data["detail"]
    assert client.post(f"/api/v1/applications/{world.app_x.pk}/endorse/", {"release_confirmed": True},
                       format="json").status_code == 401
    assert client.get(f"/api/v1/officers/{world.officer_x.pk}/").status_code == 401
    world.officer_x.refresh_from_db()
    world.app_x.refresh_from_db()
    assert world.officer_x.phone != "613 555 0000" and world.app_x.status == "submitted"


# --- records of another agency, of another officer --------------------------------------------------

def test_another_agency_s_coordinator_finds_nothing_of_agency_a(world):
    document = _document(world.app_x)
    clearance = f.ClearanceFactory(officer=world.officer_x, kind="passport")
    client = api_client(world.coord_b)
    for url in [f"/api/v1/officers/{world.officer_x.pk}/", f"/api/v1/officers/{world.officer_x.pk}/clearances/",
                f"/api/v1/applications/{world.app_x.pk}/", f"/api/v1/applications/{world.app_x.pk}/events/",
                f"/api/v1/applications/{world.app_x.pk}/documents/{document.pk}/",
                f"/api/v1/deployments/{world.dep_x.pk}/"]:
        assert client.get(url).status_code == 404, url
    assert client.patch(f"/api/v1/officers/{world.officer_x.pk}/", {"phone": "1"}, format="json").status_code == 404
    assert client.delete(f"/api/v1/officers/{world.officer_x.pk}/clearances/{clearance.pk}/").status_code == 404
    assert client.post(f"/api/v1/applications/{world.app_x.pk}/decline/", {"note": "No"},
                       format="json").status_code == 404
    assert client.post(f"/api/v1/applications/{world.app_x.pk}/withdraw/", {"note": "No"},
                       format="json").status_code == 404
    assert [o["id"] for o in client.get("/api/v1/officers/").data["results"]] == [world.officer_y.pk]
    assert [a["id"] for a in client.get("/api/v1/applications/").data["results"]] == [world.app_y.pk]
    assert [d["id"] for d in client.get("/api/v1/deployments/").data["results"]] == [world.dep_y.pk]
    world.bulletin.notices.create(agency=world.agency_a)
    own = world.bulletin.notices.create(agency=world.agency_b)
    assert [n["id"] for n in client.get("/api/v1/notices/").data["results"]] == [own.pk]
    world.app_x.refresh_from_db()
    assert world.app_x.status == "submitted" and Clearance.objects.filter(pk=clearance.pk).exists()


def test_an_officer_finds_nothing_of_another_officer_s(world):
    document = _document(world.app_y)
    client = api_client(world.user_x)
    for url in [f"/api/v1/applications/{world.app_y.pk}/", f"/api/v1/applications/{world.app_y.pk}/events/",
                f"/api/v1/applications/{world.app_y.pk}/documents/{document.pk}/",
                f"/api/v1/deployments/{world.dep_y.pk}/", f"/api/v1/officers/{world.officer_y.pk}/",
                f"/api/v1/officers/{world.officer_y.pk}/clearances/"]:
        assert client.get(url).status_code == 404, url
    for action, data in [("withdraw", {"note": "Not mine"}), ("endorse", {"release_confirmed": True}),
                         ("decline", {"note": "No"}), ("transition", {"to": "endorsed"})]:
        response = client.post(f"/api/v1/applications/{world.app_y.pk}/{action}/", data, format="json")
        assert response.status_code == 404, (action, response.data)
    # a document of their own application's id with another application's document: not theirs either
    assert client.get(f"/api/v1/applications/{world.app_x.pk}/documents/{document.pk}/").status_code == 404
    assert [a["id"] for a in client.get("/api/v1/applications/").data["results"]] == [world.app_x.pk]
    assert [d["id"] for d in client.get("/api/v1/deployments/").data["results"]] == [world.dep_x.pk]
    world.app_y.refresh_from_db()
    assert world.app_y.status == "submitted"


# --- a detail's queries do not grow with its rows ---------------------------------------------------

DETAILS = {
    "application": (lambda w: f"/api/v1/applications/{w.app_x.pk}/", 8),
    "deployment": (lambda w: f"/api/v1/deployments/{w.dep_x.pk}/", 5),
    "officer": (lambda w: f"/api/v1/officers/{w.officer_x.pk}/", 3),
}


def _grow_detail(w, n):
    done = Deployment.objects.filter(replaces=w.dep_x).count()  # each later tour a year after the last
    for i in range(done, done + n):
        _document(w.app_x, name=f"doc{i}.pdf")
        ApplicationEvent.objects.create(application=w.app_x, to_status="submitted", note=f"note {i}")
        DeploymentEvent.objects.create(deployment=w.dep_x, action="extended", note=f"note {i}")
        f.DeploymentFactory(officer=w.officer_x, mission=w.mission, replaces=w.dep_x,
                            start_date=w.dep_x.planned_end_date + dt.timedelta(days=400 * (i + 1)),
                            planned_end_date=w.dep_x.planned_end_date + dt.timedelta(days=400 * (i + 1) + 200),
                            status="planned")


@pytest.mark.parametrize("name", sorted(DETAILS))
def test_a_detail_costs_the_same_queries_with_one_row_and_many(world, name, django_assert_num_queries):
    url, queries = DETAILS[name]
    client = api_client(world.ipo)
    client.get("/api/v1/me/")  # the token's first use is recorded once; not part of the count
    _grow_detail(world, 1)
    f.ClearanceFactory(officer=world.officer_x, kind="passport")
    with django_assert_num_queries(queries):
        few = client.get(url(world))
    assert few.status_code == 200
    _grow_detail(world, 6)
    for kind in ("security", "medical", "firearms"):
        f.ClearanceFactory(officer=world.officer_x, kind=kind)
    with django_assert_num_queries(queries):
        many = client.get(url(world))
    assert many.status_code == 200
    if name == "application":
        assert len(many.data["documents"]) == 7 > len(few.data["documents"])
    if name == "deployment":
        assert len(many.data["events"]) == 7 and len(many.data["replaced_by"]) == 7


# --- a rule shared with the pages -------------------------------------------------------------------

def test_a_deployment_goes_to_its_bulletin_s_mission_or_one_not_closed(world):
    from roster.selectors import deployment_missions_for

    closed = f.MissionFactory(code="OLDMIS", status="closed")
    other = f.MissionFactory(code="NEWMIS")
    bulletin = f.BulletinFactory(mission=world.mission)
    world.mission.status = "closed"
    world.mission.save()
    assert set(deployment_missions_for(world.ipo, bulletin)) == {world.mission, other}
    application = f.ApplicationFactory(bulletin=bulletin, officer=world.officer_y, status="selected")
    start = (timezone.localdate() + dt.timedelta(days=400)).isoformat()
    response = api_client(world.ipo).post("/api/v1/deployments/", {
        "application": application.pk, "role": "Adviser", "mission": closed.pk, "start_date": start}, format="json")
    assert response.status_code == 400 and list(response.data["fields"]) == ["mission"]
    assert not Deployment.objects.filter(application=application).exists()
