"""Demo data of the forecast area (roster.demo_hooks; `manage.py seed_demo` calls `seed` once, after the
roster's data, in its transaction): one mission forecast to fall below the alert share of its authorised
strength within the horizon, with no open bulletin to cover it, so that the forecast page, IPO staff's
home panel and the weekly email have an alert to show.

Every active mission of the roster's demo has an open bulletin, so the alert gets its own small mission:
NATO Mission Iraq (NMI, English, unarmed, authorised 4), with four planned deployments arriving in two
weeks, two for a year and two for a short-term tour of four months. From the day the short tours end the
forecast is 2 of 4 (50%), below the 80% share, and no bulletin covers it. The officers are the first
ones, by id, with no deployment, no application and no login (two from the RCMP, two from partner
agencies). Idempotent: a second run finds the mission and its tours and adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from agencies.models import Agency, Officer
from missions.models import Mission
from roster.models import Deployment
from roster.roles.selectors import deployment_role_matching
from roster.services.deployments import add_months

from . import selectors

CODE = "NMI"


def seed(*, today, now, rng):
    mission, _ = Mission.objects.get_or_create(code=CODE, defaults={
        "name_en": "NATO Mission Iraq", "name_fr": "Mission de l'OTAN en Iraq", "kind": Mission.Kind.MULTILATERAL,
        "country_en": "Iraq", "country_fr": "Iraq", "language": "en", "armed": False, "authorized_strength": 4,
        "status": Mission.Status.ACTIVE,
        "description_en": "Canadian police officers advise the Iraqi Federal Police on training and "
                          "institution building, within NATO's non-combat advisory mission.",
        "description_fr": "Des policiers canadiens conseillent la Police fédérale irakienne en formation et en "
                          "renforcement des institutions, au sein de la mission consultative non combattante "
                          "de l'OTAN.",
    })
    if not mission.deployments.exists():
        free = (Officer.objects.filter(is_active=True, user__isnull=True, deployments__isnull=True,
                                       applications__isnull=True).order_by("pk"))
        rcmp = list(free.filter(agency__kind=Agency.Kind.RCMP)[:2])
        partners = list(free.exclude(agency__kind=Agency.Kind.RCMP)[:2])
        start = today + timedelta(days=14)
        rows = []
        for i, officer in enumerate(rcmp + partners):
            months = 12 if i % 2 == 0 else 4
            # a role of the catalogue, or one written out in both languages (a short-term post it lacks)
            role = {"role": deployment_role_matching("Training officer") or "Training officer"} if months == 12 else {
                "role_other_en": "Senior adviser (short-term)", "role_other_fr": "Conseiller principal (courte durée)"}
            rows.append(Deployment(
                officer=officer, mission=mission, start_date=start, planned_end_date=add_months(start, months),
                status=Deployment.Status.PLANNED, **role,
            ))
        Deployment.objects.bulk_create(rows)
    rules = selectors.rules()
    below = selectors.forecast(today=today).mission(mission.pk).series.first_below(
        rules["share"], add_months(today, rules["horizon"]))
    return [("forecast alert", f"{CODE} falls below {rules['share']}% of its strength on {below.day}"
             if below else f"{CODE}: no alert")]
