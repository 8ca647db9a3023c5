"""In Chromium: a coordinator files a claim with its PDF using the keyboard-reachable form, IPO staff
partly approve it and mark it paid; and axe-core finds no serious accessibility violation on the
ledger's, the partner pages' and the medal ceremony's pages, in English and in French."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import minimal_pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tab(browser):
    context = browser.new_context(bypass_csp=True, locale="en-CA")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def serious(page):
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in found
            if v["impact"] in ("serious", "critical")]


def test_a_claim_from_filing_to_payment(live_server, tab, tmp_path):
    from ledger.models import Claim

    call_command("seed_demo", verbosity=0)
    base = live_server.url
    login(tab, base, "coordinator@demo.example")
    tab.goto(base + "/ledger/tours/")
    tab.locator("[data-testid^=tour-] a.btn").first.click()
    tab.get_by_label("Salary (CAD)").fill("21000.00")
    tab.get_by_label("Benefits (CAD)").fill("5040")
    tab.get_by_label("Overtime (CAD)").fill("0")
    tab.get_by_label("Allowances (CAD)").fill("1800.55")
    pdf = tmp_path / "pay-statement.pdf"
    pdf.write_bytes(minimal_pdf_bytes())
    tab.get_by_label("Supporting documents").set_input_files(str(pdf))
    tab.get_by_role("button", name="File the claim").click()
    expect(tab.get_by_test_id("claim-status")).to_have_text("Awaiting review")
    expect(tab.get_by_test_id("claimed")).to_have_text("$27,840.55")
    claim_url = tab.url
    tab.context.clear_cookies()

    login(tab, base, "ipo@demo.example")
    tab.goto(claim_url)
    tab.get_by_label("Approve part of it").check()
    tab.get_by_label("Amount approved (CAD)").fill("27000")
    tab.get_by_label("Reason").fill("Allowances above the mission rate.")
    tab.get_by_role("button", name="Record the decision").click()
    expect(tab.get_by_test_id("claim-status")).to_have_text("Partly approved")
    tab.get_by_label("Payment reference").fill("PSC-2026-0001")
    tab.get_by_role("button", name="Mark paid").click()
    expect(tab.get_by_test_id("claim-status")).to_have_text("Paid")
    claim = Claim.objects.get(pk=int(claim_url.rstrip("/").rsplit("/", 1)[1]))
    assert (str(claim.approved_amount), claim.payment_reference) == ("27000.00", "PSC-2026-0001")


def test_the_pages_have_no_serious_accessibility_violation(live_server, tab):
    from agencies.models import PartnerRequest
    from ledger.models import Claim

    call_command("seed_demo", verbosity=0)
    base = live_server.url
    pending = Claim.objects.filter(status="submitted", agency__slug="ottawa-police").first()
    request = PartnerRequest.objects.filter(status="pending").first()
    pages = {
        "ipo@demo.example": ["/ledger/", "/ledger/summary/?by=agency", f"/ledger/claims/{pending.pk}/",
                             "/partners/requests/", f"/partners/requests/{request.pk}/", "/reports/medal-ceremony/"],
        "coordinator@demo.example": ["/ledger/", "/ledger/summary/", "/ledger/tours/",
                                     f"/ledger/claims/{pending.pk}/"],
    }
    problems = {}
    for path in ("/partners/join/",):
        tab.goto(base + path)
        problems.update({f"anonymous {path}": p for p in [serious(tab)] if p})
        tab.get_by_role("button", name="Français").click()
        expect(tab.locator("html")).to_have_attribute("lang", "fr")
        problems.update({f"anonymous {path} (fr)": p for p in [serious(tab)] if p})
        tab.context.clear_cookies()
    for email, paths in pages.items():
        login(tab, base, email)
        for path in paths:
            tab.goto(base + path)
            found = serious(tab)
            if found:
                problems[f"{email} {path}"] = found
        tab.context.clear_cookies()
    assert problems == {}
