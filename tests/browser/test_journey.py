"""The whole application journey in a real Chromium: the officer applies with a PDF, the agency
coordinator endorses (with the chief's release), IPO staff shortlist and select in the pipeline,
and the officer follows each step on their timeline and in their mailbox."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from notifications.models import OutgoingMail
from roster.models import Application
from tests import factories as f
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-roster-test"
PDF = f.minimal_pdf_bytes()


@pytest.fixture
def journey(db):
    agency = f.AgencyFactory(slug="gatineau-police", name_en="Gatineau Police Service",
                             name_fr="Service de police de la Ville de Gatineau", province="QC", language="fr")
    coordinator = f.CoordinatorFactory(email="coord@journey.test", agency=agency, first_name="Marc",
                                       last_name="Tremblay")
    user = f.UserFactory(email="claire@journey.test", agency=agency, first_name="Claire", last_name="Dubois")
    officer = f.OfficerFactory(agency=agency, user=user, first_name="Claire", last_name="Dubois",
                               email=user.email, french_level=4, english_level=4,
                               service_start=dt.date(2008, 3, 1), date_of_birth=dt.date(1984, 6, 2))
    for kind in ("medical", "passport", "security"):
        f.ClearanceFactory(officer=officer, kind=kind)
    ipo = f.IpoStaffFactory(email="ipo@journey.test", first_name="Ines", last_name="Roy")
    mission = f.MissionFactory(code="BINUH", language="fr", armed=False)
    bulletin = f.BulletinFactory(
        reference="JPB-2026-777", mission=mission, positions=1, min_years_service=5,
        required_language="fr", min_language_level=3, required_clearances=["medical", "passport", "security"],
        closes_at=timezone.now() + dt.timedelta(days=15),
    )
    return {"coordinator": coordinator, "user": user, "officer": officer, "ipo": ipo, "bulletin": bulletin}


@pytest.fixture
def signed_in(browser):
    """A page of its own browser context (own cookies) per user, closed after the test."""
    contexts = []

    def open_page(base, email):
        context = browser.new_context(locale="en-CA")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        login(page, base, email, PASSWORD)
        return page

    yield open_page
    for context in contexts:
        context.close()


def timeline_steps(page, base):
    page.goto(f"{base}/my/applications/")
    return [s.strip() for s in page.get_by_test_id("timeline").locator("li strong").all_inner_texts()]


def test_the_whole_journey_from_application_to_selection(live_server, signed_in, journey):
    base = live_server.url
    bulletin = journey["bulletin"]
    officer_page = signed_in(base, "claire@journey.test")
    coord_page = signed_in(base, "coord@journey.test")
    ipo_page = signed_in(base, "ipo@journey.test")

    # 1. The officer reads the bulletin, sees they meet each requirement, and applies with a PDF.
    officer_page.get_by_role("link", name="Follow each application's timeline").click()
    expect(officer_page.get_by_role("heading", level=1)).to_have_text("My applications")
    officer_page.goto(f"{base}/bulletins/{bulletin.pk}/")
    panel = officer_page.get_by_test_id("bulletin-apply-panel")
    expect(panel.get_by_test_id("eligibility-summary")).to_contain_text("Meets every requirement")
    expect(panel.locator('[data-outcome="pass"]')).to_have_count(6)  # availability included
    panel.get_by_role("link", name="Apply", exact=True).click()
    officer_page.get_by_label("Statement of interest").fill("Fifteen years of community policing in French.")
    officer_page.get_by_label("Documents").set_input_files(
        [{"name": "cv-dubois.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    officer_page.get_by_role("button", name="Submit my application").click()
    expect(officer_page.get_by_role("heading", level=1)).to_contain_text("Application of Claire Dubois to JPB-2026-777")
    expect(officer_page.get_by_test_id("status").first).to_have_text("Submitted")
    expect(officer_page.get_by_role("link", name="cv-dubois.pdf")).to_be_visible()
    assert timeline_steps(officer_page, base) == ["Submitted"]
    application = Application.objects.get(bulletin=bulletin, officer=journey["officer"])

    # 2. The coordinator finds it in the agency's list, reads the requirements and endorses it.
    coord_page.goto(f"{base}/agency/applications/")
    expect(coord_page.get_by_role("heading", level=2, name=re.compile("JPB-2026-777"))).to_be_visible()
    coord_page.get_by_role("link", name="Claire Dubois").click()
    coord_page.get_by_role("link", name="Endorse", exact=True).click()
    expect(coord_page.get_by_test_id("eligibility-summary")).to_contain_text("Meets every requirement")
    coord_page.get_by_label("The agency releases the officer for the tour").check()
    coord_page.get_by_label("Note (optional)").fill("Released by the chief for twelve months.")
    coord_page.get_by_role("button", name="Endorse the application").click()
    expect(coord_page.get_by_role("status").first).to_contain_text("endorsed and sent to IPO staff")
    expect(coord_page.get_by_test_id("release")).to_have_text("Yes")
    assert timeline_steps(officer_page, base)[-1] == "Submitted → Endorsed by agency"
    expect(officer_page.get_by_test_id("timeline").first).to_contain_text("Released by the chief for twelve months.")

    # 3. IPO staff shortlist, then select, from the pipeline.
    ipo_page.goto(f"{base}/bulletins/{bulletin.pk}/")
    ipo_page.get_by_role("link", name="Open the pipeline").click()
    expect(ipo_page.get_by_test_id("positions-counter")).to_contain_text("0 of 1 positions filled")
    ipo_page.get_by_label("Tick Claire Dubois").check()
    ipo_page.get_by_label("Action").select_option("shortlist")
    # a note is internal unless shared: the officer will not read this one
    ipo_page.get_by_label("Note (optional)").fill("Shortlist: meets every requirement.")
    expect(ipo_page.get_by_label("Only IPO staff (internal note)")).to_be_checked()
    ipo_page.get_by_role("button", name="Apply").click()
    expect(ipo_page.get_by_role("status").first).to_contain_text("1 application moved to “Shortlisted”.")
    expect(ipo_page.get_by_test_id("section-shortlisted")).to_contain_text("Claire Dubois")
    assert timeline_steps(officer_page, base)[-1] == "Endorsed by agency → Shortlisted"

    ipo_page.get_by_label("Tick Claire Dubois").check()
    ipo_page.get_by_label("Action").select_option("select")
    ipo_page.get_by_label("Note (optional)").fill("Selected for the Port-au-Prince team.")
    ipo_page.get_by_label("IPO staff, the officer and their agency's coordinators").check()
    ipo_page.get_by_role("button", name="Apply").click()
    expect(ipo_page.get_by_role("status").first).to_contain_text("1 application moved to “Selected”.")
    expect(ipo_page.get_by_test_id("positions-counter")).to_contain_text("1 of 1 positions filled")
    expect(ipo_page.get_by_test_id("section-selected")).to_contain_text("Claire Dubois")

    # 4. The officer's timeline shows every step, with who and the notes.
    assert timeline_steps(officer_page, base) == [
        "Submitted",
        "Submitted → Endorsed by agency",
        "Endorsed by agency → Shortlisted",
        "Shortlisted → Selected",
    ]
    timeline = officer_page.get_by_test_id("timeline").first
    expect(timeline).to_contain_text("by Marc Tremblay")
    expect(timeline).to_contain_text("by Ines Roy")
    expect(timeline).to_contain_text("Selected for the Port-au-Prince team.")  # shared
    expect(timeline).not_to_contain_text("Shortlist: meets every requirement.")  # internal
    application.refresh_from_db()
    assert (application.status, application.release_confirmed) == ("selected", True)

    # 5. ...and in their mailbox: one message per transition, each sent.
    mails = OutgoingMail.objects.filter(to="claire@journey.test").order_by("created_at", "id")
    assert mails.count() == 4
    assert all(m.status == OutgoingMail.Status.SENT for m in mails)
    for mail, status in zip(mails, ["Submitted", "Endorsed by agency", "Shortlisted", "Selected"], strict=True):
        assert status in mail.subject
    assert OutgoingMail.objects.filter(to="coord@journey.test").count() == 4
