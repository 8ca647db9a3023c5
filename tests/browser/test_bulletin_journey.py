"""A real Chromium: IPO staff write a bilingual bulletin, are told what is missing, publish
it, and watch each agency's notice go to sent and then acknowledged by the coordinator,
who reads the page in French."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from missions.models import Bulletin
from notifications.models import OutgoingMail
from tests import factories as f
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ipo_staff_publish_a_bulletin_and_watch_it_acknowledged(live_server, browser):
    f.IpoStaffFactory(email="hq@example.test")
    mission = f.MissionFactory(code="BINUH", name_en="United Nations Integrated Office in Haiti")
    montreal = f.AgencyFactory(slug="spvm", name_en="Montréal Police Service",
                               name_fr="Service de police de la Ville de Montréal", language="fr")
    f.CoordinatorFactory(email="coord@spvm.example", agency=montreal, preferred_language="fr")
    for i in range(3):
        f.CoordinatorFactory(email=f"coord{i}@example.test", agency=f.AgencyFactory())
    base = live_server.url
    staff = browser.new_context(locale="en-CA").new_page()
    login(staff, base, "hq@example.test", "pw-roster-test")

    staff.goto(f"{base}/bulletins/new/")
    staff.get_by_label("Mission").select_option(label=str(mission))
    staff.get_by_label("Title (English)").fill("Police adviser — community policing")
    staff.get_by_label("Description (English)").fill("Advise the Haitian National Police.")
    staff.get_by_label("Positions").fill("3")
    staff.get_by_label("Deployment start").fill((timezone.localdate() + dt.timedelta(days=120)).isoformat())
    # a fixed hour: never in a daylight-saving gap or overlap
    closes = timezone.localdate() + dt.timedelta(days=21)
    staff.get_by_label("Closes at").fill(f"{closes.isoformat()}T17:00")
    staff.get_by_role("button", name="Save").first.click()
    staff.wait_for_url(re.compile(r"/bulletins/\d+/$"))
    bulletin = Bulletin.objects.get(title_en__startswith="Police adviser")
    assert bulletin.status == "draft"

    # the preview says the French text is missing; publishing is refused next to the field
    staff.goto(f"{base}/bulletins/{bulletin.pk}/preview/")
    assert "French" in staff.get_by_test_id("publish-problems").inner_text()
    staff.goto(f"{base}/bulletins/{bulletin.pk}/edit/")
    staff.get_by_label("Title (French)").fill("Conseiller de police — police de proximité")
    staff.get_by_label("Description (French)").fill("Conseiller la Police nationale d'Haïti.")
    staff.get_by_role("button", name="Save").first.click()
    staff.wait_for_url(f"{base}/bulletins/{bulletin.pk}/")
    with staff.expect_navigation(url=f"{base}/bulletins/{bulletin.pk}/publish/"):
        staff.get_by_role("link", name="Publish and notify the agencies").first.click()
    # the confirmation says who will be notified before anything is sent
    assert "This will notify 4 agencies" in staff.get_by_test_id("audience").inner_text()
    assert OutgoingMail.objects.count() == 0
    with staff.expect_navigation(url=f"{base}/bulletins/{bulletin.pk}/"):
        staff.get_by_role("button", name="Publish and notify the agencies").first.click()
    summary = staff.get_by_test_id("delivery-summary").inner_text()
    assert "4 agencies notified: 4 sent, 0 failed, 0 queued; 0 acknowledged" in summary
    assert OutgoingMail.objects.filter(status="sent").count() == 4
    french = OutgoingMail.objects.get(to="coord@spvm.example")
    assert french.language == "fr" and "Conseiller de police" in french.subject

    # the Montréal coordinator reads the bulletin in French and acknowledges in one click
    coordinator = browser.new_context(locale="fr-CA").new_page()
    login(coordinator, base, "coord@spvm.example", "pw-roster-test")
    coordinator.goto(f"{base}/bulletins/{bulletin.pk}/")
    expect(coordinator.locator("html")).to_have_attribute("lang", "fr")
    assert "Conseiller de police" in coordinator.get_by_role("heading", level=1).inner_text()
    with coordinator.expect_navigation(url=f"{base}/bulletins/{bulletin.pk}/"):
        coordinator.get_by_role(
            "button", name="Accuser réception pour Service de police de la Ville de Montréal").click()
    expect(coordinator.get_by_test_id("acknowledged")).to_be_visible()

    staff.reload()
    assert "1 acknowledged" in staff.get_by_test_id("delivery-summary").inner_text()
