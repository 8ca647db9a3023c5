"""Demo data of the ledger (roster.demo_hooks; `manage.py seed_demo` calls `seed` once, after the
roster's data, in its transaction):

- cost claims of the partner agencies (not the RCMP) for their officers' tours, one per quarter
  that has ended: the older ones paid, then approved or partly approved and not yet paid, the
  last quarter awaiting review or not yet claimed, and a few rejected or withdrawn. The demo
  agency (Ottawa) has a claim in every state, and a tour with a quarter left to claim;
- requests to join the program: one pending, one declined.

Amounts are plausible for a constable to a sergeant: about $95,000 to $120,000 a year, benefits
about a quarter of that, some overtime, and mission allowances.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, PartnerRequest, Role, User
from roster.models import Deployment

from . import periods
from .models import Claim, ClaimEvent, ClaimStatus
from .permissions import CLAIMABLE_DEPLOYMENT_STATES

S = ClaimStatus
DEMO_AGENCY = "ottawa-police"
CENT = Decimal("0.01")
# The demo agency's most recent ended quarters get these states, newest first, so its ledger
# shows each one.
DEMO_STATES = [S.SUBMITTED, S.APPROVED, S.PARTLY_APPROVED, S.REJECTED, S.PAID, S.WITHDRAWN]
REJECT_REASONS = [
    "The pay statements attached cover another officer's period; file the claim again with the right ones.",
    "Overtime worked before the deployment started is not reimbursed by the program.",
]
PARTIAL_REASONS = [
    "Overtime above the mission's approved hours is not reimbursed.",
    "Allowances paid twice for the month of the rotation; one payment approved.",
    "Les heures supplémentaires sans autorisation préalable ne sont pas remboursées.",
]


def _money(rng, low: float, high: float) -> Decimal:
    return Decimal(rng.randint(int(low * 100), int(high * 100))) * CENT


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed(*, today, now, rng) -> list[tuple[str, object]]:
    claims, by_state = _seed_claims(today=today, rng=rng)
    requests = _seed_partner_requests(now=now)
    summary = ", ".join(f"{n} {state}" for state, n in sorted(by_state.items()))
    return [("cost claims", f"{claims} ({summary})"), ("requests to join", requests)]


def _state_for(period, *, today, rng) -> str | None:
    """The state of a demo claim of `period`, by how long ago the period ended; None: not claimed."""
    ended = (today - period.end).days
    roll = rng.random()
    if ended < 0:
        return None  # under way
    if ended < 75:
        return None if roll < 0.4 else S.SUBMITTED
    if ended < 200:
        return S.REJECTED if roll < 0.04 else S.PARTLY_APPROVED if roll < 0.2 else S.APPROVED if roll < 0.55 \
            else S.PAID
    return S.WITHDRAWN if roll < 0.02 else S.REJECTED if roll < 0.05 else S.PAID


def _seed_claims(*, today, rng):
    deployments = list(
        Deployment.objects.filter(status__in=sorted(CLAIMABLE_DEPLOYMENT_STATES), officer__agency__is_partner=True)
        .exclude(officer__agency__kind=Agency.Kind.RCMP)
        .select_related("officer", "officer__agency", "mission")
        .order_by("pk")
    )
    coordinators = {u.agency_id: u for u in User.objects.filter(role=Role.COORDINATOR).order_by("-pk")}
    staff = list(User.objects.filter(role=Role.IPO_STAFF, email__endswith="@demo.example").order_by("pk"))
    planned = []  # (deployment, period, state)
    demo_ended = []
    for dep in deployments:
        for period in periods.deployment_periods(dep, today=today):
            state = _state_for(period, today=today, rng=rng)
            planned.append([dep, period, state])
            if dep.officer.agency.slug == DEMO_AGENCY and period.end < today:
                demo_ended.append(planned[-1])
    # The demo agency: its most recent ended quarters in every state, and one quarter left unclaimed.
    demo_ended.sort(key=lambda p: (p[1].end, p[0].pk), reverse=True)
    if demo_ended:
        demo_ended[0][2] = None
    for item, state in zip(demo_ended[1:], DEMO_STATES, strict=False):
        item[2] = state
    claims, events = [], []
    for dep, period, state in planned:
        if state is None:
            continue
        months = ((period.end - period.start).days + 1) / 30.44
        salary = _money(rng, 7800, 10000) * Decimal(str(round(months, 3)))
        salary = salary.quantize(CENT)
        benefits = (salary * Decimal("0.24")).quantize(CENT)
        overtime = _money(rng, 0, 3500) if rng.random() < 0.6 else Decimal("0.00")
        allowances = _money(rng, 1200, 2400) * Decimal(max(1, round(months)))
        total = salary + benefits + overtime + allowances
        submitted = min(today, period.end + timedelta(days=rng.randint(5, 40)))
        decided = min(today, submitted + timedelta(days=rng.randint(7, 30)))
        paid_on = min(today, decided + timedelta(days=rng.randint(10, 35)))
        reviewer = staff[rng.randrange(len(staff))] if staff else None
        claim = Claim(
            agency=dep.officer.agency, deployment=dep, period_start=period.start, period_end=period.end,
            fiscal_year=period.fiscal_year, salary=salary, benefits=benefits, overtime=overtime,
            allowances=allowances, claimed_amount=total, status=state,
            submitted_by=coordinators.get(dep.officer.agency_id),
        )
        claim.demo_created = _at(submitted, 9)
        steps = [("", S.SUBMITTED, claim.submitted_by, "", total, claim.demo_created)]
        if state in (S.APPROVED, S.PAID, S.PARTLY_APPROVED, S.REJECTED):
            decision = state
            if state == S.PAID:  # paid after a whole approval, now and then after a partial one
                decision = S.APPROVED if rng.random() < 0.85 else S.PARTLY_APPROVED
            claim.decided_by, claim.decided_at = reviewer, _at(decided, 14)
            if decision == S.PARTLY_APPROVED:
                claim.approved_amount = (total - overtime if overtime else total - allowances / 2).quantize(CENT)
                claim.decision_reason = PARTIAL_REASONS[rng.randrange(len(PARTIAL_REASONS))]
            elif decision == S.REJECTED:
                claim.decision_reason = REJECT_REASONS[rng.randrange(len(REJECT_REASONS))]
            else:
                claim.approved_amount = total
            steps.append((S.SUBMITTED, decision, reviewer, claim.decision_reason, claim.approved_amount,
                          claim.decided_at))
            if state == S.PAID:
                claim.paid_on = paid_on
                claim.payment_reference = f"PSC-{paid_on:%Y%m}-{rng.randint(10000, 99999)}"
                steps.append((decision, S.PAID, reviewer, claim.payment_reference, claim.approved_amount,
                              _at(paid_on, 11)))
        elif state == S.WITHDRAWN:
            steps.append((S.SUBMITTED, S.WITHDRAWN, claim.submitted_by, "Filed twice by mistake.", None,
                          _at(decided, 10)))
        claim.demo_steps = steps
        claims.append(claim)
    Claim.objects.bulk_create(claims, batch_size=500)
    for claim in claims:  # auto_now_add wrote the time of the seed
        claim.created_at = claim.demo_created
    Claim.objects.bulk_update(claims, ["created_at"], batch_size=500)
    for claim in claims:
        for from_status, to_status, actor, note, amount, when in claim.demo_steps:
            events.append((ClaimEvent(claim=claim, from_status=from_status, to_status=to_status, actor=actor,
                                      note=note, amount=amount), when))
    ClaimEvent.objects.bulk_create([e for e, _when in events], batch_size=1000)
    for event, when in events:
        event.created_at = when
    ClaimEvent.objects.bulk_update([e for e, _when in events], ["created_at"], batch_size=1000)
    by_state: dict[str, int] = {}
    for claim in claims:
        by_state[claim.status] = by_state.get(claim.status, 0) + 1
    return len(claims), by_state


def _seed_partner_requests(*, now) -> int:
    if PartnerRequest.objects.filter(Q(contact_email__endswith="@demo.example")).exists():
        return 0
    ipo = User.objects.filter(role=Role.IPO_STAFF, email="ipo@demo.example").first()
    pending = PartnerRequest.objects.create(
        name="Lakeview Regional Police Service", kind=Agency.Kind.REGIONAL, province="ON",
        contact_name="Sandra Whitfield", contact_email="s.whitfield@lakeview-police.demo.example",
        contact_phone="705 555 0187", language="en", officers_interested=12,
        message="Our chief would like to know more about releasing officers for tours, and about the "
                "pre-deployment training. Two of our sergeants served abroad with the military.",
    )
    declined = PartnerRequest.objects.create(
        name="Service de sécurité du Parc industriel", kind=Agency.Kind.MUNICIPAL, province="QC",
        contact_name="Luc Bérubé", contact_email="l.berube@parc-industriel.demo.example", language="fr",
        officers_interested=2, status=PartnerRequest.Status.DECLINED, decided_by=ipo,
        decided_at=now - timedelta(days=40),
        reason="Le programme s'adresse aux services de police; un service de sécurité privé ne peut pas en être "
               "partenaire.",
    )
    PartnerRequest.objects.filter(pk=pending.pk).update(created_at=now - timedelta(days=3))
    PartnerRequest.objects.filter(pk=declined.pk).update(created_at=now - timedelta(days=52))
    return 2
