"""What this area registers with the apps below (roster.home_hooks, roster.demo_hooks, privacy.hooks...),
called once from planning.apps.PlanningConfig.ready(): the dashboard panel of the gender balance, the
count of each agency's eligible officers in the bulletin's publication notice (missions.notice_hooks)
and the demo's gender-balance flag (roster.demo_hooks)."""

from django.urls import reverse


def notice_counts(bulletin, agency_ids) -> dict:
    """{agency id: {"candidates_eligible": its active officers meeting every requirement, "candidates_url":
    the coordinator's page listing them}}: one evaluation for every agency of the chunk."""
    from .selectors import eligible_per_agency

    url = reverse("planning:candidates-agency", kwargs={"pk": bulletin.pk})
    return {agency_id: {"candidates_eligible": n, "candidates_url": url}
            for agency_id, n in eligible_per_agency(bulletin, agency_ids).items()}


def register() -> None:
    from missions.notice_hooks import register_notice_context
    from roster.demo_hooks import register_demo_seeder
    from roster.home_hooks import register_dashboard_panel

    from . import demo
    from .panels import dashboard_panel

    register_dashboard_panel("planning-candidates", dashboard_panel)
    register_demo_seeder("planning-candidates", demo.seed)
    register_notice_context("planning-candidates", notice_counts, templates=("bulletin_published",))
