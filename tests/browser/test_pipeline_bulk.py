"""A real Chromium: the pipeline's bulk actions enable only the moves that apply to the ticked
applicants, each labelled with how many it applies to, and one is applied with the keyboard."""

import pytest
from playwright.sync_api import expect

from roster.models import Application
from tests import factories as f
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def option_states(page):
    """{action: (text, disabled)} of the bulk action list."""
    return page.get_by_test_id("bulk-action").evaluate(
        "s => Object.fromEntries(Array.from(s.options).filter(o => o.value)"
        ".map(o => [o.value, [o.textContent.trim(), o.disabled]]))"
    )


def test_only_the_valid_moves_are_enabled_with_their_counts(live_server, page):
    f.IpoStaffFactory(email="hq@example.test")
    agency = f.AgencyFactory(name_en="Ottawa Police Service")
    mission = f.MissionFactory(code="BINUH", authorized_strength=48)
    bulletin = f.BulletinFactory(mission=mission, positions=3)

    def applicant(status, first, last):
        officer = f.OfficerFactory(agency=agency, first_name=first, last_name=last)
        return f.ApplicationFactory(bulletin=bulletin, officer=officer, status=status)

    adams = applicant("endorsed", "Ann", "Adams")
    brown = applicant("shortlisted", "Bob", "Brown")
    clark = applicant("waitlisted", "Cleo", "Clark")
    base = live_server.url

    login(page, base, "hq@example.test", "pw-roster-test")
    page.goto(f"{base}/bulletins/{bulletin.pk}/pipeline/")
    group = page.get_by_role("group", name="Move the ticked applicants")
    expect(group).to_be_visible()
    status = page.get_by_test_id("bulk-status")

    # nothing ticked: no move applies yet
    expect(status).to_have_text("No applicant ticked: tick applicants to see the moves that apply to them.")
    assert all(disabled for _, disabled in option_states(page).values())

    # a mixed set ticked with the keyboard: a shortlisted and a waitlisted applicant
    for name in ("Tick Bob Brown", "Tick Cleo Clark"):
        page.get_by_label(name).focus()
        page.keyboard.press("Space")
    expect(status).to_have_text("2 applicants ticked: each move says how many of them it applies to.")
    assert option_states(page) == {
        "shortlist": ["Shortlist (0 of 2)", True],  # disabled, and it says why
        "screen_out": ["Screen out (0 of 2)", True],
        "select": ["Select (2 of 2)", False],
        "waitlist": ["Waitlist (1 of 2)", False],
        "not_select": ["Do not select (2 of 2)", False],
    }

    # one more, endorsed: its moves become available for it alone
    page.get_by_label("Tick Ann Adams").check()
    states = option_states(page)
    assert states["shortlist"] == ["Shortlist (1 of 3)", False]
    assert states["select"] == ["Select (2 of 3)", False]
    # a move chosen that no longer applies is cleared
    page.get_by_test_id("bulk-action").select_option("shortlist")
    page.get_by_label("Tick Ann Adams").uncheck()
    expect(page.get_by_test_id("bulk-action")).to_have_value("")

    # choose Select with the keyboard (typing its first letter skips the disabled moves) and apply
    page.get_by_test_id("bulk-action").focus()
    page.keyboard.type("Se")
    expect(page.get_by_test_id("bulk-action")).to_have_value("select")
    page.get_by_role("button", name="Apply").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("2 applications moved to “Selected”.")
    statuses = dict(Application.objects.filter(bulletin=bulletin).values_list("pk", "status"))
    assert statuses == {adams.pk: "endorsed", brown.pk: "selected", clark.pk: "selected"}
    expect(page.get_by_test_id("positions-counter")).to_contain_text("2 of 3 positions filled")
