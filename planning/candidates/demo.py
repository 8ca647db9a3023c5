"""Demo data of "who could go?" (roster.demo_hooks; `manage.py seed_demo` calls `seed` once, after the
roster's data): the demo's drafts and open bulletins already show the counts and the what-if; so that the
gender-balance flag shows too, a few more men apply to the open bulletin with the most eligible women,
just enough for it to be flagged (women eligible but not applying, selectors.is_flagged)."""

from __future__ import annotations

from agencies.models import Officer
from roster.models import Application, ApplicationEvent, ApplicationStatus

from . import selectors
from .evaluate import active_officers

MAX_EXTRA = 12  # applicants added at most


def seed(*, today, now, rng) -> list[tuple[str, object]]:
    rows = selectors.gender_balance(today=today)
    if not rows or any(r.flagged for r in rows):
        return []
    for row in sorted(rows, key=lambda r: (-r.eligible_women, r.bulletin.pk)):
        extra = next((k for k in range(1, MAX_EXTRA + 1) if selectors.is_flagged(
            eligible=row.eligible, eligible_women=row.eligible_women, applicants=row.applicants + k,
            applicant_women=row.applicant_women)), None)
        if extra is None:
            continue
        men = list(active_officers().filter(gender=Officer.Gender.MAN).exclude(applications__bulletin=row.bulletin)
                   .select_related("user").order_by("pk"))
        if len(men) < extra:
            continue
        rng.shuffle(men)
        chosen = men[:extra]
        eligible = selectors.who_could_go(row.bulletin, today=today, breakdowns=False).eligible_ids
        apps = Application.objects.bulk_create([
            Application(bulletin=row.bulletin, officer=o, status=ApplicationStatus.SUBMITTED,
                        statement="I would like to serve on this mission.", ineligible=o.pk not in eligible)
            for o in chosen])
        ApplicationEvent.objects.bulk_create([
            ApplicationEvent(application=a, from_status="", to_status=ApplicationStatus.SUBMITTED,
                             actor=o.user if o.user_id else None, note="", note_shared=True)
            for a, o in zip(apps, chosen, strict=True)])
        return [("gender balance flag", f"{row.bulletin.reference} ({extra} more applicants, all men)")]
    return []
