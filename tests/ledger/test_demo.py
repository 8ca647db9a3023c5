"""The demo data: claims in every state for the demo agency, none for the RCMP, and a pending
request to join (ledger.demo, run by seed_demo through roster.demo_hooks)."""

from io import StringIO

import pytest
from django.core.management import call_command

from agencies.models import PartnerRequest
from ledger.models import Claim, ClaimStatus

pytestmark = pytest.mark.django_db


def test_the_demo_has_claims_in_every_state_and_a_pending_request_to_join():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "cost claims" in out.getvalue() and "requests to join" in out.getvalue()
    ottawa = set(Claim.objects.filter(agency__slug="ottawa-police").values_list("status", flat=True))
    assert ottawa == set(ClaimStatus.values)
    assert not Claim.objects.filter(agency__kind="rcmp").exists()
    for claim in Claim.objects.all():
        assert claim.claimed_amount == claim.salary + claim.benefits + claim.overtime + claim.allowances
        assert claim.events.count() == {"submitted": 1, "withdrawn": 2, "paid": 3}.get(claim.status, 2)
        assert claim.period_start <= claim.period_end
    assert PartnerRequest.objects.filter(status="pending").count() == 1
