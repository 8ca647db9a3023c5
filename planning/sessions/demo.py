"""Demo data of the assessment sessions (roster.demo_hooks; `manage.py seed_demo` calls `seed` once, after
the roster's data, in its transaction):

- an upcoming SAAT in Ottawa with the firearms test, full, with two officers on the waiting list;
- a women-only pre-SAAT in French for francophone women officers, the demo officer (Sarah Morin) among
  them;
- a SAAT held two months ago with its results recorded (passes, a failed driving test, an absence), and
  the UN assessment clearances of those who passed renewed.
"""

from __future__ import annotations

from datetime import timedelta

from agencies.models import Officer, Role, User

from .models import AssessmentResult, AssessmentSession, Outcome, Registration, RegistrationState, ResultValue
from .services import outcome_of, un_assessment_renew

OFFICER_EMAIL = "officer@demo.example"
IPO_EMAIL = "ipo@demo.example"


def _register(session, officers, *, by, at, waitlisted=0):
    rows = []
    seats = len(officers) - waitlisted
    for n, officer in enumerate(officers):
        waiting = n >= seats
        rows.append(Registration(
            session=session, officer=officer, registered_by=by, created_at=at + timedelta(hours=n),
            state=RegistrationState.WAITLISTED if waiting else RegistrationState.REGISTERED,
            position=(n - seats + 1) if waiting else None))
    return Registration.objects.bulk_create(rows)


def seed(*, today, now, rng) -> list[tuple[str, object]]:
    ipo = User.objects.filter(email=IPO_EMAIL).first() or User.objects.filter(role=Role.IPO_STAFF).first()
    demo_user = User.objects.filter(email=OFFICER_EMAIL).first()
    demo_officer = Officer.objects.filter(user=demo_user).first() if demo_user else None
    active = Officer.objects.filter(is_active=True, anonymised_at__isnull=True).select_related("agency")
    pool = [o for o in active.order_by("pk") if o.pk != getattr(demo_officer, "pk", None)]
    rng.shuffle(pool)

    # 1. an upcoming SAAT, full, two on the waiting list
    saat = AssessmentSession.objects.create(
        kind=AssessmentSession.Kind.SAAT, starts_on=today + timedelta(days=24), ends_on=today + timedelta(days=28),
        place="Canadian Police College, Ottawa", language="en", capacity=8, includes_firearms=True,
        notes="Candidates for BINUH (armed) and the unarmed missions.", created_by=ipo,
        created_at=now - timedelta(days=30))
    full = pool[:10]
    _register(saat, full, by=ipo, at=now - timedelta(days=20), waitlisted=2)

    # 2. a women-only pre-SAAT in French, for francophone women
    women = [o for o in pool[10:] if o.gender == Officer.Gender.WOMAN and (o.french_level or 0) >= 3][:5]
    if demo_officer is not None and demo_officer.gender == Officer.Gender.WOMAN:
        women.insert(0, demo_officer)
    pre = AssessmentSession.objects.create(
        kind=AssessmentSession.Kind.PRE_SAAT, starts_on=today + timedelta(days=45),
        ends_on=today + timedelta(days=49), place="École nationale de police du Québec, Nicolet", language="fr",
        capacity=12, women_only=True, notes="Formation préparatoire pour policières francophones.",
        created_by=ipo, created_at=now - timedelta(days=25))
    _register(pre, women, by=ipo, at=now - timedelta(days=15))

    # 3. a SAAT held two months ago, results recorded
    past = AssessmentSession.objects.create(
        kind=AssessmentSession.Kind.SAAT, starts_on=today - timedelta(days=64), ends_on=today - timedelta(days=60),
        place="RCMP Depot Division, Regina", language="en", capacity=8, created_by=ipo,
        created_at=now - timedelta(days=120))
    taken = {o.pk for o in full + women}
    held = [o for o in pool[10:] if o.pk not in taken][:7]
    registrations = _register(past, held, by=ipo, at=now - timedelta(days=90))
    components = past.required_components()
    results, passed = [], 0
    recorded_at = now - timedelta(days=58)
    for n, registration in enumerate(registrations):
        values = dict.fromkeys(components, ResultValue.PASS)
        if n == 4:
            values["driving"] = ResultValue.FAIL
        elif n == 5:
            values = {"language": ResultValue.PASS, "interview": ResultValue.ABSENT}
        elif n == 6:
            values = {"language": ResultValue.FAIL}
        for component, value in values.items():
            results.append(AssessmentResult(registration=registration, component=component, result=value,
                                            recorded_by=ipo, recorded_at=recorded_at))
        registration.outcome = outcome_of(past, values)
        registration.outcome_at = recorded_at
        if registration.outcome == Outcome.PASS:
            un_assessment_renew(officer_id=registration.officer_id, session=past)
            passed += 1
    AssessmentResult.objects.bulk_create(results)
    Registration.objects.bulk_update(registrations, ["outcome", "outcome_at"])
    return [
        ("assessment sessions", f"3 (SAAT full with 2 waiting; women-only pre-SAAT with {len(women)}; "
                                f"past SAAT with {passed} passes of {len(registrations)})"),
    ]
