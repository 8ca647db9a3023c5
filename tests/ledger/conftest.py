"""Ledger fixtures on top of the shared personas (tests/conftest.py `world`): finished 2024 tours of
officer X (agency A) and officer Y (agency B), and an RCMP officer's; claims made through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agencies.models import Agency
from ledger import services
from ledger.models import ClaimStatus
from tests import factories as f

S = ClaimStatus
Q1, Q2, Q3, Q4 = dt.date(2024, 1, 15), dt.date(2024, 4, 1), dt.date(2024, 7, 1), dt.date(2024, 10, 1)


def pdf(name="pay-statement.pdf"):
    return SimpleUploadedFile(name, f.minimal_pdf_bytes(), content_type="application/pdf")


def amounts(salary="20000.00", benefits="5000.50", overtime="1234.25", allowances="1500.00"):
    return {"salary": Decimal(salary), "benefits": Decimal(benefits), "overtime": Decimal(overtime),
            "allowances": Decimal(allowances)}


def file_claim(tour, coordinator, period_start=Q2, documents=(), **kwargs):
    return services.claim_submit(deployment=tour, actor=coordinator, period_start=period_start,
                                 documents=documents, **{**amounts(), **kwargs})


def move(claim, to, actor, **kwargs):
    if to == S.PARTLY_APPROVED:
        kwargs.setdefault("approved_amount", Decimal("100.00"))
        kwargs.setdefault("reason", "Overtime not approved.")
    if to == S.REJECTED:
        kwargs.setdefault("reason", "Wrong officer.")
    if to == S.PAID:
        kwargs.setdefault("paid_on", dt.date.today())
    return services.claim_transition(claim=claim, to=to, actor=actor, **kwargs)


@pytest.fixture
def tours(world):
    """Completed 2024 tours: X's (agency A) from 15 January to 20 December, Y's (agency B) the same,
    and an RCMP officer's (whose costs are not claimed)."""
    rcmp = f.AgencyFactory(slug="rcmp", name_en="RCMP", name_fr="GRC", kind=Agency.Kind.RCMP)
    rcmp_coord = f.CoordinatorFactory(email="coord-rcmp@example.test", agency=rcmp)
    rcmp_officer = f.OfficerFactory(agency=rcmp)

    def tour(officer):
        return f.DeploymentFactory(officer=officer, mission=world.mission, status="completed",
                                   start_date=Q1, planned_end_date=dt.date(2024, 12, 20),
                                   actual_end_date=dt.date(2024, 12, 20))

    world.tour_x, world.tour_y, world.tour_rcmp = tour(world.officer_x), tour(world.officer_y), tour(rcmp_officer)
    world.rcmp, world.rcmp_coord = rcmp, rcmp_coord
    return world
