"""axe-core, in Chromium, finds no serious or critical violation on the welfare pages of each role, on the
demo data, in English and in French."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serious(axe, page):
    found = axe.run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in found
            if v["impact"] in ("serious", "critical")]


def test_the_welfare_pages_have_no_serious_accessibility_violation(live_server, browser):
    from axe_playwright_python.sync_playwright import Axe

    from roster.models import Deployment
    from welfare.models import CheckIn, ReturnPlan

    call_command("seed_demo", verbosity=0)
    urgent = CheckIn.objects.get(status="urgent", followed_up_at__isnull=True)
    plan = ReturnPlan.objects.order_by("ended_on").first()
    mission = urgent.deployment.mission_id
    ended = Deployment.objects.filter(officer__user__email="officer@demo.example", status="completed").first()
    pages = {
        "ipo@demo.example": ["/welfare/", "/welfare/?state=overdue", f"/welfare/deployments/{urgent.deployment_id}/",
                             f"/welfare/check-ins/{urgent.pk}/follow-up/", "/welfare/missions/",
                             f"/welfare/missions/{mission}/", "/welfare/returns/", f"/welfare/returns/{plan.pk}/",
                             "/welfare/impact/"],
        "coordinator@demo.example": ["/welfare/", f"/welfare/deployments/{urgent.deployment_id}/", "/welfare/impact/"],
        "officer@demo.example": ["/welfare/check-in/", "/welfare/my-returns/", f"/welfare/questionnaire/{ended.pk}/"],
        "in-mission@demo.example": ["/welfare/check-in/"],
    }
    axe = Axe()
    problems = {}
    for language in ("en-CA", "fr-CA"):
        context = browser.new_context(bypass_csp=True, locale=language)
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            for email, paths in pages.items():
                login(page, live_server.url, email)
                if language == "fr-CA":
                    page.get_by_role("button", name="Français").click()
                    page.wait_for_load_state()
                for path in paths:
                    page.goto(live_server.url + path)
                    assert page.locator("html").get_attribute("lang") == language[:2], path
                    found = serious(axe, page)
                    if found:
                        problems[f"{language} {email} {path}"] = found
                context.clear_cookies()
        finally:
            context.close()
    assert problems == {}
