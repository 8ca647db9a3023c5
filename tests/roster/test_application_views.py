"""Application pages: officers apply, agencies endorse or nominate, IPO staff select, everyone
follows the timeline. Each behaviour with its forbidden cases (403 for a visible object and a
forbidden action, 404 for what the user may not see)."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from missions.models import Bulletin
from roster.models import Application, ApplicationEvent
from tests import factories as f
from tests.pages import page_text

pytestmark = pytest.mark.django_db

PDF = f.minimal_pdf_bytes()


def pdf(name="cv.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def notpdf(name="photo.pdf"):
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n not a pdf", content_type="application/pdf")


def open_bulletin(world, **kwargs):
    """Its tour begins the day officer X's current one (world.dep_x) ends, so X is available for it."""
    kwargs.setdefault("deployment_start", world.dep_x.planned_end_date)
    return f.BulletinFactory(mission=world.mission, **kwargs)


def demanding_bulletin(world, **kwargs):
    """Officer X (no clearance on file) fails the medical requirement."""
    return open_bulletin(world, required_clearances=["medical"], **kwargs)


def flashed(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def url(name, **kwargs):
    return reverse(f"roster:{name}", kwargs=kwargs)


# --- applying -------------------------------------------------------------------------------

def test_it_shows_the_officer_each_rule_on_the_bulletin_page_and_the_apply_page(clients, world):
    bulletin = demanding_bulletin(world, min_years_service=5)
    page = clients.officer_x.get(reverse("missions:bulletin-detail", kwargs={"pk": bulletin.pk}))
    html = page.content.decode()
    assert 'data-testid="bulletin-apply-panel"' in html
    assert "No Medical on file." in html
    assert "years of service; this bulletin asks for 5." in html
    assert url("application-create", bulletin_pk=bulletin.pk) in html
    form = clients.officer_x.get(url("application-create", bulletin_pk=bulletin.pk))
    assert form.status_code == 200
    assert "No Medical on file." in form.content.decode()
    assert 'name="confirm_ineligible"' in form.content.decode()
    assert 'accept="application/pdf"' in form.content.decode() and "multiple" in form.content.decode()


def test_it_lets_an_eligible_officer_apply(clients, world):
    bulletin = open_bulletin(world)
    form = clients.officer_x.get(url("application-create", bulletin_pk=bulletin.pk))
    assert 'name="confirm_ineligible"' not in form.content.decode()
    response = clients.officer_x.post(
        url("application-create", bulletin_pk=bulletin.pk),
        {"statement": "Ten years of community policing.", "documents": [pdf()]},
    )
    application = Application.objects.get(bulletin=bulletin, officer=world.officer_x)
    assert response.status_code == 302
    assert response["Location"] == url("application-detail", pk=application.pk)
    assert (application.status, application.ineligible) == ("submitted", False)
    assert application.statement == "Ten years of community policing."
    assert [d.original_name for d in application.documents.all()] == ["cv.pdf"]
    assert list(application.events.values_list("from_status", "to_status", "actor")) == [
        ("", "submitted", world.user_x.pk)
    ]
    assert any("was submitted" in m for m in flashed(response))


def test_it_refuses_an_ineligible_officer_who_did_not_confirm_next_to_the_field(clients, world):
    bulletin = demanding_bulletin(world)
    response = clients.officer_x.post(
        url("application-create", bulletin_pk=bulletin.pk), {"statement": "Please", "documents": [pdf()]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["confirm_ineligible"] == [
        "You do not meet every requirement. Confirm to apply anyway."
    ]
    assert 'data-testid="ineligible-warning"' in response.content.decode()
    assert not Application.objects.filter(bulletin=bulletin).exists()


def test_it_flags_an_ineligible_officer_who_confirmed_everywhere(clients, world):
    bulletin = demanding_bulletin(world)
    response = clients.officer_x.post(
        url("application-create", bulletin_pk=bulletin.pk), {"statement": "Please", "confirm_ineligible": "on"}
    )
    assert response.status_code == 302
    application = Application.objects.get(bulletin=bulletin, officer=world.officer_x)
    assert application.ineligible is True
    pages = [
        clients.officer_x.get(url("application-detail", pk=application.pk)),
        clients.officer_x.get(url("my-applications")),
        clients.coord_a.get(url("agency-applications")),
        clients.ipo.get(url("bulletin-pipeline", bulletin_pk=bulletin.pk)),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "Requirements not met" in page.content.decode()


def test_it_refuses_a_duplicate_application_with_a_message(clients, world):
    # Officer X already applied to the world's bulletin (app_x).
    again = clients.officer_x.post(url("application-create", bulletin_pk=world.bulletin.pk), {"statement": "Again"})
    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == ["This officer has already applied to this bulletin."]
    assert Application.objects.filter(bulletin=world.bulletin, officer=world.officer_x).count() == 1
    # the page itself sends them to their application
    page = clients.officer_x.get(url("application-create", bulletin_pk=world.bulletin.pk))
    assert page["Location"] == url("application-detail", pk=world.app_x.pk)
    assert "You have already applied to this bulletin." in flashed(page)


def test_it_refuses_applying_to_a_closed_bulletin(clients, world):
    bulletin = open_bulletin(world, status=Bulletin.Status.CLOSED, closes_at=timezone.now() - dt.timedelta(days=1))
    page = clients.officer_x.get(url("application-create", bulletin_pk=bulletin.pk))
    assert page.status_code == 302 and "This bulletin is not open for applications." in flashed(page)
    post = clients.officer_x.post(url("application-create", bulletin_pk=bulletin.pk), {"statement": "Late"})
    assert post.status_code == 200
    assert post.context["form"].non_field_errors() == ["This bulletin is not open for applications."]
    assert not Application.objects.filter(bulletin=bulletin).exists()


def test_it_lets_only_officers_apply_and_hides_drafts(clients, world):
    bulletin = open_bulletin(world)
    for client in (clients.ipo, clients.coord_a):
        assert client.post(url("application-create", bulletin_pk=bulletin.pk), {"statement": "x"}).status_code == 403
    draft = open_bulletin(world, status=Bulletin.Status.DRAFT)
    assert clients.officer_x.get(url("application-create", bulletin_pk=draft.pk)).status_code == 404
    assert not Application.objects.filter(bulletin__in=[bulletin, draft]).exists()


# --- editing and withdrawing --------------------------------------------------------------------

def test_it_lets_the_officer_edit_while_submitted(clients, world):
    app = world.app_x
    keep = app.documents.create(file=pdf("keep.pdf"), original_name="keep.pdf", size=len(PDF))
    drop = app.documents.create(file=pdf("drop.pdf"), original_name="drop.pdf", size=len(PDF))
    page = clients.officer_x.get(url("application-edit", pk=app.pk))
    assert page.status_code == 200 and "drop.pdf" in page.content.decode()
    response = clients.officer_x.post(
        url("application-edit", pk=app.pk),
        {"statement": "Updated statement", "remove_documents": [drop.pk], "documents": [pdf("new.pdf")]},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.statement == "Updated statement"
    assert sorted(app.documents.values_list("original_name", flat=True)) == ["keep.pdf", "new.pdf"]
    assert app.documents.filter(pk=keep.pk).exists()


def test_it_refuses_editing_once_endorsed(clients, world):
    app = world.app_x
    app.status = "endorsed"
    app.save()
    page = clients.officer_x.get(url("application-edit", pk=app.pk))
    assert page.status_code == 302
    assert "The application can no longer be edited: it is Endorsed by agency." in flashed(page)
    post = clients.officer_x.post(url("application-edit", pk=app.pk), {"statement": "Sneaky"})
    assert post.status_code == 200
    assert post.context["form"].non_field_errors() == [
        "The application can no longer be edited: it is Endorsed by agency."
    ]
    app.refresh_from_db()
    assert app.statement != "Sneaky"


def test_it_lets_only_the_officer_edit(clients, world):
    target = url("application-edit", pk=world.app_x.pk)
    assert clients.coord_a.post(target, {"statement": "By the coordinator"}).status_code == 403
    assert clients.ipo.post(target, {"statement": "By IPO"}).status_code == 403
    assert clients.officer_y.post(target, {"statement": "By officer Y"}).status_code == 404
    assert clients.coord_b.get(target).status_code == 404
    world.app_x.refresh_from_db()
    assert world.app_x.statement == "I would like to serve."


def test_it_withdraws_with_a_reason(clients, world):
    target = url("application-withdraw", pk=world.app_x.pk)
    page = clients.officer_x.get(target)
    assert page.status_code == 200 and 'name="note"' in page.content.decode()
    missing = clients.officer_x.post(target, {"note": "  "})
    assert missing.status_code == 200
    assert missing.context["form"].errors["note"] == ["Give a reason."]
    world.app_x.refresh_from_db()
    assert world.app_x.status == "submitted"
    done = clients.officer_x.post(target, {"note": "Family reasons"})
    assert done.status_code == 302
    world.app_x.refresh_from_db()
    assert world.app_x.status == "withdrawn"
    event = ApplicationEvent.objects.get(application=world.app_x)
    assert (event.from_status, event.to_status, event.note, event.actor) == (
        "submitted", "withdrawn", "Family reasons", world.user_x)


def test_it_refuses_withdrawing_to_others(clients, world):
    target = url("application-withdraw", pk=world.app_x.pk)
    assert clients.ipo.post(target, {"note": "No"}).status_code == 403
    assert clients.officer_y.post(target, {"note": "No"}).status_code == 404
    assert clients.coord_b.post(target, {"note": "No"}).status_code == 404
    world.app_x.refresh_from_db()
    assert world.app_x.status == "submitted"


# --- the agency: endorse, decline, nominate, follow ---------------------------------------------

def test_it_shows_the_coordinator_the_eligibility_when_endorsing(clients, world):
    app = f.ApplicationFactory(bulletin=demanding_bulletin(world), officer=world.officer_x)
    page = clients.coord_a.get(url("application-endorse", pk=app.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "No Medical on file." in html and 'data-outcome="fail"' in html
    assert "The agency releases the officer for the tour (chief&#x27;s release)" in html


def test_it_requires_the_release_to_endorse(clients, world):
    target = url("application-endorse", pk=world.app_x.pk)
    refused = clients.coord_a.post(target, {"note": "Good officer"})
    assert refused.status_code == 200
    assert refused.context["form"].errors["release_confirmed"] == [
        "Confirm that your agency releases the officer for the tour."
    ]
    world.app_x.refresh_from_db()
    assert world.app_x.status == "submitted"
    done = clients.coord_a.post(target, {"note": "Good officer", "release_confirmed": "on"})
    assert done.status_code == 302
    world.app_x.refresh_from_db()
    assert (world.app_x.status, world.app_x.release_confirmed) == ("endorsed", True)
    assert world.app_x.events.get().note == "Good officer"


def test_it_hides_another_agencys_application_from_the_endorse_page(clients, world):
    target = url("application-endorse", pk=world.app_x.pk)
    assert clients.coord_b.get(target).status_code == 404
    assert clients.coord_b.post(target, {"release_confirmed": "on"}).status_code == 404
    assert clients.officer_x.get(target).status_code == 403
    assert clients.officer_x.post(target, {"release_confirmed": "on"}).status_code == 403
    assert clients.ipo.post(target, {"release_confirmed": "on"}).status_code == 403
    world.app_x.refresh_from_db()
    assert world.app_x.status == "submitted"


def test_it_declines_with_a_reason(clients, world):
    target = url("application-decline", pk=world.app_x.pk)
    missing = clients.coord_a.post(target, {"note": ""})
    assert missing.context["form"].errors["note"] == ["Give a reason."]
    assert clients.officer_x.post(target, {"note": "Me"}).status_code == 403
    assert clients.coord_b.post(target, {"note": "Them"}).status_code == 404
    assert clients.coord_a.post(target, {"note": "Operational needs"}).status_code == 302
    world.app_x.refresh_from_db()
    assert world.app_x.status == "agency_declined"


def test_it_nominates_an_officer_of_the_agency(clients, world):
    bulletin = open_bulletin(world)
    page = clients.coord_a.get(url("application-nominate", bulletin_pk=bulletin.pk))
    assert page.status_code == 200
    assert "Xavier, Xena" in page.content.decode() and "Young, Yves" not in page.content.decode()
    response = clients.coord_a.post(
        url("application-nominate", bulletin_pk=bulletin.pk),
        {"officer": world.officer_x.pk, "statement": "Our best", "release_confirmed": "on", "documents": [pdf()]},
    )
    assert response.status_code == 302
    app = Application.objects.get(bulletin=bulletin, officer=world.officer_x)
    assert (app.status, app.nominated_by, app.release_confirmed) == ("endorsed", world.coord_a, True)
    assert app.documents.count() == 1
    listing = clients.coord_a.get(url("agency-applications"))
    assert 'data-testid="agency-application"' in listing.content.decode()
    assert "Nominated" in listing.content.decode()


def test_it_refuses_nominating_another_agencys_officer(clients, world):
    bulletin = open_bulletin(world)
    response = clients.coord_a.post(
        url("application-nominate", bulletin_pk=bulletin.pk),
        {"officer": world.officer_y.pk, "release_confirmed": "on"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["officer"]
    assert not Application.objects.filter(bulletin=bulletin).exists()


def test_it_requires_the_release_to_nominate(clients, world):
    bulletin = open_bulletin(world)
    target = url("application-nominate", bulletin_pk=bulletin.pk)
    response = clients.coord_a.post(target, {"officer": world.officer_x.pk})
    assert response.context["form"].errors["release_confirmed"] == [
        "Confirm that your agency releases the officer for the tour."
    ]
    assert not Application.objects.filter(bulletin=bulletin).exists()


def test_it_lets_only_coordinators_nominate(clients, world):
    bulletin = open_bulletin(world)
    data = {"officer": world.officer_x.pk, "release_confirmed": "on"}
    assert clients.officer_x.post(url("application-nominate", bulletin_pk=bulletin.pk), data).status_code == 403
    assert clients.ipo.post(url("application-nominate", bulletin_pk=bulletin.pk), data).status_code == 403
    assert not Application.objects.filter(bulletin=bulletin).exists()


def test_it_lists_the_agencys_applications_grouped_by_bulletin_with_a_status_filter(clients, world):
    second = open_bulletin(world, reference="JPB-2026-900")
    f.ApplicationFactory(bulletin=second, officer=world.officer_x, status="endorsed", nominated_by=world.coord_a)
    page = clients.coord_a.get(url("agency-applications"))
    html = page.content.decode()
    assert html.count('data-testid="bulletin-group"') == 2
    assert "JPB-2026-900" in html and world.bulletin.reference in html
    assert "Yves Young" not in html
    endorsed = clients.coord_a.get(url("agency-applications"), {"status": "endorsed"})
    assert [a.bulletin for a in endorsed.context["applications"]] == [second]
    one = clients.coord_a.get(url("agency-applications"), {"bulletin": world.bulletin.pk})
    assert [a.pk for a in one.context["applications"]] == [world.app_x.pk]
    assert clients.coord_b.get(url("agency-applications")).context["applications"] == [world.app_y]


# --- IPO staff: the pipeline -------------------------------------------------------------------

def test_it_groups_the_pipeline_by_state_with_the_positions_counter(clients, world):
    bulletin = demanding_bulletin(world, positions=3)
    for status in ["selected", "shortlisted", "endorsed", "withdrawn", "submitted"]:
        f.ApplicationFactory(bulletin=bulletin, officer=f.OfficerFactory(agency=world.agency_a), status=status)
    page = clients.ipo.get(url("bulletin-pipeline", bulletin_pk=bulletin.pk))
    assert page.status_code == 200
    # by default the applicants in the running, by state; the ones out of the running have their tab
    assert [s["status"] for s in page.context["sections"]] == ["endorsed", "shortlisted", "selected", "submitted"]
    html = page.content.decode()
    assert "1 of 3 positions filled" in html and "5 applicants" in html
    assert "1 of 2 requirements not met" in html  # medical missing; available
    # only the states IPO staff can move have a checkbox
    assert html.count('name="applications"') == 2
    # a tab per view, each with its count
    tabs = [(t["key"], t["count"], t["current"]) for t in page.context["tabs"]]
    assert tabs == [("open", 4, True), ("endorsed", 1, False), ("shortlisted", 1, False), ("selected", 1, False),
                    ("submitted", 1, False), ("withdrawn", 1, False), ("all", 5, False)]
    assert '<a class="nav-link py-1 px-2 border active" aria-current="page" href="?status=open"' in html
    assert 'href="?status=withdrawn" data-testid="tab-withdrawn">Withdrawn (1)</a>' in html
    withdrawn = clients.ipo.get(url("bulletin-pipeline", bulletin_pk=bulletin.pk), {"status": "withdrawn"})
    assert [s["status"] for s in withdrawn.context["sections"]] == ["withdrawn"]
    everyone = clients.ipo.get(url("bulletin-pipeline", bulletin_pk=bulletin.pk), {"status": "all"})
    assert [s["status"] for s in everyone.context["sections"]] == [
        "endorsed", "shortlisted", "selected", "submitted", "withdrawn"
    ]


def test_it_shortlists_in_bulk(clients, world):
    bulletin = open_bulletin(world)
    apps = [f.ApplicationFactory(bulletin=bulletin, status="endorsed") for _ in range(3)]
    response = clients.ipo.post(
        url("bulletin-pipeline-action", bulletin_pk=bulletin.pk),
        {"action": "shortlist", "note": "Strong files", "applications": [a.pk for a in apps[:2]]},
    )
    assert response.status_code == 302
    assert "2 applications moved to “Shortlisted”." in flashed(response)
    assert [Application.objects.get(pk=a.pk).status for a in apps] == ["shortlisted", "shortlisted", "endorsed"]
    event = ApplicationEvent.objects.get(application=apps[0])
    assert (event.note, event.note_shared) == ("Strong files", False)  # internal by default


def test_it_reports_the_refusals_when_selecting_beyond_the_positions(clients, world):
    bulletin = open_bulletin(world, positions=1)
    first = f.ApplicationFactory(bulletin=bulletin, status="shortlisted", officer=f.OfficerFactory(last_name="Adams"))
    second = f.ApplicationFactory(bulletin=bulletin, status="shortlisted", officer=f.OfficerFactory(last_name="Brown"))
    response = clients.ipo.post(
        url("bulletin-pipeline-action", bulletin_pk=bulletin.pk),
        {"action": "select", "applications": [first.pk, second.pk]},
    )
    messages = flashed(response)
    assert "1 application moved to “Selected”." in messages
    assert "1 application was not moved to “Selected”:" in messages
    assert (
        f"{second.officer.full_name}: All 1 positions of this bulletin are filled; waitlist the applicant instead."
        in messages
    )
    assert Application.objects.get(pk=second.pk).status == "shortlisted"
    assert Application.objects.get(pk=first.pk).status == "selected"


def test_it_reports_moves_not_in_the_table_and_other_bulletins_applicants(clients, world):
    bulletin = open_bulletin(world)
    submitted = f.ApplicationFactory(bulletin=bulletin, status="submitted")
    target = url("bulletin-pipeline-action", bulletin_pk=bulletin.pk)
    refused = clients.ipo.post(target, {"action": "shortlist", "applications": [submitted.pk]})
    assert any("cannot go from “Submitted” to “Shortlisted”" in m for m in flashed(refused))
    other = clients.ipo.post(target, {"action": "shortlist", "applications": [world.app_x.pk]})
    assert other.status_code == 200 and other.context["form"].errors["applications"]
    nothing = clients.ipo.post(target, {"action": "shortlist"})
    assert nothing.context["form"].errors["applications"] == ["Tick at least one applicant."]


def test_it_keeps_the_pipeline_to_ipo_staff(clients, world):
    endorsed = f.ApplicationFactory(bulletin=world.bulletin, status="endorsed", officer=f.OfficerFactory(
        agency=world.agency_a))
    for client in (clients.coord_a, clients.coord_b, clients.officer_x, clients.officer_y):
        assert client.get(url("bulletin-pipeline", bulletin_pk=world.bulletin.pk)).status_code == 403
        assert client.post(
            url("bulletin-pipeline-action", bulletin_pk=world.bulletin.pk),
            {"action": "shortlist", "applications": [endorsed.pk]},
        ).status_code == 403
    assert Application.objects.get(pk=endorsed.pk).status == "endorsed"
    assert clients.anonymous.get(url("bulletin-pipeline", bulletin_pk=world.bulletin.pk)).status_code == 302


# --- the application page -------------------------------------------------------------------------

def test_it_shows_everything_on_the_application_page(clients, world):
    app = world.app_x
    f.ApplicationEventFactory(application=app, actor=world.user_x)
    f.ApplicationEventFactory(application=app, from_status="submitted", to_status="endorsed", actor=world.coord_a,
                              note="Released by the chief", note_shared=True)
    app.status, app.release_confirmed = "endorsed", True
    app.save()
    page = clients.ipo.get(url("application-detail", pk=app.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Released by the chief" in html and "Submitted → Endorsed by agency" in html
    assert "Agency A Police" in html and "I would like to serve." in html
    assert [str(label) for _, label in page.context["move_buttons"]] == ["Shortlist", "Screen out"]
    assert 'value="shortlisted"' in html
    # the officer sees the same timeline without IPO's buttons
    mine = clients.officer_x.get(url("application-detail", pk=app.pk))
    assert "Released by the chief" in mine.content.decode()
    assert 'data-testid="transition-form"' not in mine.content.decode()


def test_it_moves_one_application_from_its_page(clients, world):
    app = f.ApplicationFactory(
        bulletin=world.bulletin, officer=f.OfficerFactory(agency=world.agency_a), status="endorsed"
    )
    assert clients.coord_a.post(url("application-transition", pk=app.pk), {"to": "shortlisted"}).status_code == 403
    assert clients.coord_b.post(url("application-transition", pk=app.pk), {"to": "shortlisted"}).status_code == 404
    response = clients.ipo.post(url("application-transition", pk=app.pk), {"to": "shortlisted", "note": "Good"})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == "shortlisted"
    refused = clients.ipo.post(url("application-transition", pk=app.pk), {"to": "shortlisted"})
    assert any("cannot go from" in m for m in flashed(refused))
    assert clients.ipo.get(url("application-transition", pk=app.pk)).status_code == 405


# --- my applications: the officer's timeline ------------------------------------------------------

def test_it_shows_the_officer_each_application_with_its_timeline(clients, world):
    f.ApplicationEventFactory(application=world.app_x, actor=world.user_x)
    f.ApplicationEventFactory(application=world.app_x, from_status="submitted", to_status="endorsed",
                              actor=world.coord_a, note="Released", note_shared=True)
    page = clients.officer_x.get(url("my-applications"))
    html = page_text(page)
    assert page.context["applications"] == [world.app_x]
    assert "Submitted → Endorsed by agency" in html and "Released" in html
    assert "by Pat User" in html  # who
    assert world.app_y.bulletin.reference in html  # same bulletin, but
    assert "Yves" not in html


def test_it_links_the_officer_home_to_my_applications(clients, world):
    assert url("my-applications") in clients.officer_x.get("/").content.decode()


def test_it_shows_status_labels_in_the_users_language(clients, world):
    from django.utils import translation

    with translation.override("fr"):
        expected = str(Application.Status.SUBMITTED.label)
    f.ApplicationEventFactory(application=world.app_x, actor=world.user_x)
    world.user_x.preferred_language = "fr"
    world.user_x.save()
    page = clients.officer_x.get(url("my-applications"))
    assert page.content.decode().count(expected) >= 1
    assert '<html lang="fr">' in page.content.decode()


def test_it_asks_the_coordinator_to_confirm_nominating_an_officer_who_misses_a_requirement(clients, world):
    bulletin = open_bulletin(world)
    bulletin.min_years_service = 40
    bulletin.save()
    target = url("application-nominate", bulletin_pk=bulletin.pk)
    data = {"officer": world.officer_x.pk, "release_confirmed": "on", "documents": [pdf(), notpdf()]}
    response = clients.coord_a.post(target, data)
    errors = response.context["form"].errors
    assert "Confirm to nominate anyway." in errors["confirm_ineligible"][0]
    assert errors["documents"]  # every problem at once, not one per attempt
    assert not Application.objects.filter(bulletin=bulletin).exists()
    response = clients.coord_a.post(target, {**data, "documents": [pdf()], "confirm_ineligible": "on"})
    assert response.status_code == 302
    app = Application.objects.get(bulletin=bulletin, officer=world.officer_x)
    assert app.ineligible
    page = clients.coord_a.get(url("application-detail", pk=app.pk)).content.decode().replace("&#x27;", "'")
    assert "the coordinator confirmed the nomination" in page


def test_it_says_already_applied_next_to_the_officer_when_nominating(clients, world):
    response = clients.coord_a.post(
        url("application-nominate", bulletin_pk=world.bulletin.pk),
        {"officer": world.officer_x.pk, "release_confirmed": "on"},
    )
    assert response.context["form"].errors["officer"] == ["This officer has already applied to this bulletin."]


def test_it_tells_the_officer_every_problem_at_once(clients, world):
    bulletin = demanding_bulletin(world)
    response = clients.officer_x.post(
        url("application-create", bulletin_pk=bulletin.pk), {"statement": "Keen", "documents": [notpdf()]}
    )
    errors = response.context["form"].errors
    assert "confirm_ineligible" in errors and "photo.pdf is not a PDF document." in errors["documents"]
    assert not Application.objects.filter(bulletin=bulletin).exists()
