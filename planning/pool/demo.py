"""Demo data of the talent pool (roster.demo_hooks): a dozen officers of several agencies interested in
future missions, most supported by their agency, one declined with a note; the demo officer (Sarah Morin)
joined recently and awaits her coordinator's answer."""

from __future__ import annotations

from datetime import timedelta

from agencies.models import Officer, User

from .models import AgencySupport, PoolEntry, PoolLanguage, Region, Speciality

OFFICER_EMAIL = "officer@demo.example"
COORDINATOR_EMAIL = "coordinator@demo.example"


def seed(*, today, now, rng) -> list[tuple[str, object]]:
    demo_user = User.objects.filter(email=OFFICER_EMAIL).first()
    demo_officer = Officer.objects.filter(user=demo_user).first() if demo_user else None
    coordinators = {u.agency_id: u for u in User.objects.filter(role="coordinator").order_by("-pk")}
    officers = list(Officer.objects.filter(is_active=True, anonymised_at__isnull=True)
                    .exclude(pk=getattr(demo_officer, "pk", None)).order_by("pk"))
    rng.shuffle(officers)
    # a few per agency, across agencies
    chosen, per_agency = [], {}
    for o in officers:
        if per_agency.get(o.agency_id, 0) < 2:
            chosen.append(o)
            per_agency[o.agency_id] = per_agency.get(o.agency_id, 0) + 1
        if len(chosen) == 12:
            break
    regions, specialities = list(Region.values), list(Speciality.values)
    entries = []
    for n, o in enumerate(chosen):
        languages = ["en"] + (["fr"] if (o.french_level or 0) >= 3 else []) + (["es"] if n % 5 == 0 else [])
        support = AgencySupport.NOT_SUPPORTED if n == 3 else (
            AgencySupport.PENDING if n in (7, 10) else AgencySupport.SUPPORTED)
        answered = support != AgencySupport.PENDING
        entries.append(PoolEntry(
            officer=o, regions=sorted(rng.sample(regions, rng.randint(1, 3)), key=regions.index),
            languages=[c for c in PoolLanguage.values if c in languages],
            specialities=sorted(rng.sample(specialities, rng.randint(1, 3)), key=specialities.index),
            available_from=today + timedelta(days=rng.randint(0, 240)),
            note="" if n % 3 else "Available for a 12-month tour; family agrees.",
            support=support, support_by=coordinators.get(o.agency_id) if answered else None,
            support_at=now - timedelta(days=rng.randint(2, 40)) if answered else None,
            support_note=("Operational needs: the unit cannot release the officer before next year."
                          if support == AgencySupport.NOT_SUPPORTED else ""),
            created_at=now - timedelta(days=rng.randint(41, 200))))
    if demo_officer is not None:
        entries.append(PoolEntry(
            officer=demo_officer, regions=["americas", "africa"], languages=["en", "fr"],
            specialities=["gender", "community"], available_from=today + timedelta(days=90),
            note="Interested in BINUH or MONUSCO; registered for the pre-SAAT.", created_at=now - timedelta(days=3)))
    PoolEntry.objects.bulk_create(entries)
    supported = sum(1 for e in entries if e.support == AgencySupport.SUPPORTED)
    pending = sum(1 for e in entries if e.support == AgencySupport.PENDING)
    return [("talent pool", f"{len(entries)} officers ({supported} supported, {pending} awaiting their agency)")]
