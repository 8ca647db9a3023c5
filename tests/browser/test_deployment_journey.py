"""A real Chromium: IPO staff turn a selected application into a deployment, record the arrival,
extend the tour and repatriate the officer; the deployment's history shows each step."""

import datetime as dt

import pytest
from django.utils import formats, timezone

from roster.models import DeploymentRole
from tests import factories as f
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ipo_staff_deploy_start_extend_and_repatriate(live_server, page):
    today = timezone.localdate()
    f.IpoStaffFactory(email="hq@example.test")
    agency = f.AgencyFactory(name_en="Ottawa Police Service")
    officer = f.OfficerFactory(agency=agency, first_name="Nadia", last_name="Roy")
    for kind in ("medical", "passport"):
        f.ClearanceFactory(officer=officer, kind=kind, valid_until=today + dt.timedelta(days=900))
    mission = f.MissionFactory(code="BINUH", authorized_strength=48)
    # the tour was planned to begin two days ago: the arrival is recorded on the planned start
    planned_start = today - dt.timedelta(days=2)
    bulletin = f.BulletinFactory(mission=mission, duration_months=9, required_clearances=["medical", "passport"],
                                 deployment_start=planned_start)
    application = f.ApplicationFactory(bulletin=bulletin, officer=officer, status="selected")
    DeploymentRole.objects.create(name_en="Community policing adviser", name_fr="Conseiller en police communautaire")
    base = live_server.url

    login(page, base, "hq@example.test", "pw-roster-test")
    page.goto(f"{base}/applications/{application.pk}/deploy/")
    assert page.get_by_role("heading", level=1).inner_text() == "Deploy Nadia Roy"
    assert "no override needed" in page.get_by_test_id("deployment-checks").inner_text()
    # a role of the catalogue (the bulletin's title is offered written out when none has its name)
    page.get_by_label("Role in the mission").select_option(label="Community policing adviser")
    page.get_by_role("button", name="Create the deployment").click()
    page.wait_for_url(f"{base}/deployments/*/")
    assert page.get_by_test_id("deployment-status").inner_text() == "Planned"
    assert "is deployed to BINUH" in page.get_by_role("status").inner_text()
    assert "Community policing adviser" in page.get_by_role("main").inner_text()

    # the arrival date defaults to the planned start; the button works from the keyboard
    assert page.get_by_label("Arrival date").input_value() == planned_start.isoformat()
    page.get_by_role("button", name="Record the arrival in mission").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_test_id("deployment-status").inner_text() == "In mission"

    old_end = page.get_by_test_id("planned-end").inner_text()
    new_end = today + dt.timedelta(days=400)
    page.get_by_role("link", name="Extend").click()
    page.get_by_label("New planned end date").fill(new_end.isoformat())
    page.get_by_label("Reason for the extension").fill("Mandate renewed by the Security Council")
    page.get_by_role("button", name="Extend the deployment").click()
    page.wait_for_url(f"{base}/deployments/*/")
    assert page.get_by_test_id("planned-end").inner_text() == formats.date_format(new_end, "DATE_FORMAT")

    page.get_by_role("link", name="Repatriate").click()
    page.get_by_role("combobox", name="Reason").select_option(label="Medical")
    page.get_by_label("Note").fill("Injured on patrol")
    page.get_by_role("button", name="Repatriate the officer").click()
    page.wait_for_url(f"{base}/deployments/*/")
    assert page.get_by_test_id("deployment-status").inner_text() == "Repatriated"
    assert page.get_by_role("heading", name="Actions").count() == 0

    log = page.get_by_test_id("event-log")
    steps = log.locator("tbody th[scope=row]").all_inner_texts()
    assert steps == ["Deployment created", "Arrived in mission", "Extended", "Repatriated"]
    text = log.inner_text()
    assert f"Extended from {old_end} to {formats.date_format(new_end, 'DATE_FORMAT')}." in text
    assert "Mandate renewed by the Security Council" in text
    assert f"Repatriated on {formats.date_format(today, 'DATE_FORMAT')} (Medical)." in text
    assert "Injured on patrol" in text
