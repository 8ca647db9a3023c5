"""The resources follow the apps' rules: the same services, the same need-to-know, the same timeline
notes as the pages."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from roster import services
from roster.models import Application
from tests import factories as f
from tests.api.conftest import api_client
from tests.factories import minimal_pdf_bytes


def test_an_officer_applies_with_a_pdf_through_the_service(world):
    bulletin = f.BulletinFactory(mission=world.mission)
    pdf = SimpleUploadedFile("cv.pdf", minimal_pdf_bytes(), content_type="application/pdf")
    response = api_client(world.user_x).post("/api/v1/applications/", {
        "bulletin": bulletin.pk, "statement": "Ten years of community policing.", "confirm_ineligible": "true",
        "documents": [pdf]}, format="multipart")
    assert response.status_code == 201, response.data
    application = Application.objects.get(pk=response.data["id"])
    assert application.status == "submitted" and application.events.count() == 1
    assert [d["original_name"] for d in response.data["documents"]] == ["cv.pdf"]
    download = api_client(world.coord_a).get(response.data["documents"][0]["url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_document_that_is_not_a_plain_pdf_is_refused_with_the_page_s_message(world):
    bulletin = f.BulletinFactory(mission=world.mission)
    fake = SimpleUploadedFile("cv.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = api_client(world.user_x).post("/api/v1/applications/", {
        "bulletin": bulletin.pk, "confirm_ineligible": "true", "documents": [fake]}, format="multipart")
    assert response.status_code == 400
    assert response.data["fields"] == {"documents": ["cv.pdf is not a PDF document."]}
    assert not Application.objects.filter(bulletin=bulletin).exists()


def test_an_ineligible_officer_must_confirm(world):
    bulletin = f.BulletinFactory(mission=world.mission, min_years_service=40)
    client = api_client(world.user_x)
    response = client.post("/api/v1/applications/", {"bulletin": bulletin.pk}, format="json")
    assert response.status_code == 400 and "confirm_ineligible" in response.data["fields"]
    assert client.post("/api/v1/applications/", {"bulletin": bulletin.pk, "confirm_ineligible": True},
                       format="json").status_code == 201
    assert Application.objects.get(bulletin=bulletin).ineligible


def test_the_bulletin_tells_an_officer_whether_they_meet_each_requirement(world):
    bulletin = f.BulletinFactory(mission=world.mission, min_years_service=40)
    data = api_client(world.user_x).get(f"/api/v1/bulletins/{bulletin.pk}/").data
    assert data["eligibility"]["eligible"] is False
    assert any(r["rule"] == "service" and r["outcome"] == "fail" for r in data["eligibility"]["rules"])
    assert data["requirements"]["min_years_service"] == 40
    assert api_client(world.coord_a).get(f"/api/v1/bulletins/{bulletin.pk}/").data["eligibility"] is None


def test_internal_notes_stay_with_ipo_staff(world):
    services.application_transition(application=world.app_x, to="endorsed", actor=world.coord_a,
                                    release_confirmed=True, note="Chief agrees")
    services.application_transition(application=world.app_x, to="shortlisted", actor=world.ipo,
                                    note="Weak French, internal")
    services.application_transition(application=world.app_x, to="waitlisted", actor=world.ipo,
                                    note="Next in line", share_note=True)
    url = f"/api/v1/applications/{world.app_x.pk}/events/"
    staff = api_client(world.ipo).get(url).data["results"]
    assert [(e["to_status"], e["note"], e["note_audience"]) for e in staff] == [
        ("endorsed", "Chief agrees", "shared"), ("shortlisted", "Weak French, internal", "internal"),
        ("waitlisted", "Next in line", "shared")]
    for reader in (world.user_x, world.coord_a):
        events = api_client(reader).get(url).data["results"]
        assert [(e["note"], e["note_audience"]) for e in events] == [
            ("Chief agrees", ""), ("", ""), ("Next in line", "")]


def test_a_coordinator_reads_valid_until_but_not_a_medical_reference(world):
    medical = f.ClearanceFactory(officer=world.officer_x, kind="medical", reference="MED-42")
    passport = f.ClearanceFactory(officer=world.officer_x, kind="passport", reference="P-7")
    url = f"/api/v1/officers/{world.officer_x.pk}/clearances/"
    by_kind = {c["kind"]: c for c in api_client(world.coord_a).get(url).data["results"]}
    assert by_kind["medical"]["reference"] == "Confidential" and by_kind["passport"]["reference"] == "P-7"
    assert {c["kind"]: c["reference"] for c in api_client(world.ipo).get(url).data["results"]} == {
        "medical": "MED-42", "passport": "P-7"}
    assert api_client(world.user_x).get(f"{url}{medical.pk}/").data["reference"] == "MED-42"
    # the coordinator renews the date; the stored reference stays
    response = api_client(world.coord_a).patch(f"{url}{medical.pk}/", {"valid_until": "2034-01-01",
                                                                       "reference": "x"}, format="json")
    assert response.status_code == 200
    medical.refresh_from_db()
    assert (medical.valid_until, medical.reference) == (dt.date(2034, 1, 1), "MED-42")
    assert passport.pk


def test_a_medical_repatriation_reads_repatriated_early_for_the_coordinator(world):
    services.deployment_repatriate(deployment=world.dep_x, actor=world.ipo, reason="medical", note="Surgery")
    url = f"/api/v1/deployments/{world.dep_x.pk}/"
    coordinator = api_client(world.coord_a).get(url).data
    assert (coordinator["repatriation_reason"], coordinator["repatriation_reason_label"],
            coordinator["repatriation_note"]) == (None, "Repatriated early", "")
    officer = api_client(world.user_x).get(url).data
    assert (officer["repatriation_reason"], officer["repatriation_note"]) == ("medical", "Surgery")
    events = {e["action"]: e["note"] for e in coordinator["events"]}
    assert events == {"repatriated": ""}


def test_a_partial_update_changes_only_the_fields_sent(world):
    before = world.officer_x
    response = api_client(world.coord_a).patch(f"/api/v1/officers/{before.pk}/", {"phone": "613 555 0142"},
                                               format="json")
    assert response.status_code == 200
    before.refresh_from_db()
    assert before.phone == "613 555 0142" and before.last_name == "Xavier" and before.rank == "cst"
    assert response.data["phone"] == "613 555 0142"


def test_a_coordinator_cannot_move_an_officer_to_another_agency(world):
    response = api_client(world.coord_a).patch(f"/api/v1/officers/{world.officer_x.pk}/",
                                               {"agency": world.agency_b.pk}, format="json")
    assert response.status_code == 200
    world.officer_x.refresh_from_db()
    assert world.officer_x.agency_id == world.agency_a.pk


def test_the_deployment_lifecycle_through_the_api(world):
    bulletin = f.BulletinFactory(mission=world.mission)
    application = f.ApplicationFactory(bulletin=bulletin, officer=world.officer_y, status="selected")
    client = api_client(world.ipo)
    start = timezone.localdate() + dt.timedelta(days=400)
    created = client.post("/api/v1/deployments/", {"application": application.pk, "role": "Adviser",
                                                   "mission": world.mission.pk, "start_date": start.isoformat()},
                          format="json")
    assert created.status_code == 201, created.data
    application.refresh_from_db()
    assert application.status == "deployed"
    pk = created.data["id"]
    # arriving today, long before the planned start, would overlap Y's tour in mission: the service's
    # refusal names the arrival (its start_date, as the page shows it)
    early = client.post(f"/api/v1/deployments/{pk}/start/", {"arrived_on": timezone.localdate().isoformat()},
                        format="json")
    assert early.status_code == 400 and list(early.data["fields"]) == ["arrived_on"]
    cancelled = client.post(f"/api/v1/deployments/{pk}/cancel/", {"reason": "Visa refused"}, format="json")
    assert cancelled.status_code == 200 and cancelled.data["status"] == "cancelled"
    application.refresh_from_db()
    assert application.status == "selected"
    again = client.post(f"/api/v1/deployments/{pk}/cancel/", {"reason": "again"}, format="json")
    assert again.status_code == 409


def test_publishing_a_bulletin_that_is_not_ready_is_a_409_saying_why(world):
    draft = f.BulletinFactory(mission=world.mission, status="draft", title_fr="")
    response = api_client(world.ipo).post(f"/api/v1/bulletins/{draft.pk}/publish/")
    assert response.status_code == 409 and "French" in response.data["detail"]


def test_acknowledging_a_notice(world):
    notice = world.bulletin.notices.create(agency=world.agency_a)
    response = api_client(world.coord_a).post(f"/api/v1/notices/{notice.pk}/acknowledge/")
    assert response.status_code == 200
    assert response.data["acknowledged_by"]["id"] == world.coord_a.pk and response.data["acknowledged_at"]
    listed = api_client(world.coord_a).get("/api/v1/notices/", {"acknowledged": "true"}).data["results"]
    assert [n["id"] for n in listed] == [notice.pk]


def test_the_dashboard_answers_the_dashboard_s_figures(world):
    from roster.dashboard import dashboard_summary

    data = api_client(world.coord_a).get("/api/v1/dashboard/").data
    figures = dashboard_summary(world.coord_a)
    assert data["deployed"] == figures["deployed"] and data["planned"] == figures["planned"]
    assert data["program"]["authorised"] == figures["program"].authorised
    assert [m["mission"]["code"] for m in data["missions"]] == [r.mission.code for r in figures["missions"]]
    assert data["share"] == {"in_mission": figures["share"].in_mission, "planned": figures["share"].planned,
                             "filled": figures["share"].filled}
    assert api_client(world.ipo).get("/api/v1/dashboard/").data["share"] is None


def test_me_says_who_calls(world):
    data = api_client(world.user_x, scope="read").get("/api/v1/me/").data
    assert (data["role"], data["officer"], data["agency"]["id"], data["token"]["scope"]) == (
        "officer", world.officer_x.pk, world.agency_a.pk, "read")
