"""The demo data of assessment sessions and the talent pool (planning.sessions.demo, planning.pool.demo):
a full session with a waiting list, a women-only pre-SAAT in French with the demo officer, results on a
past session, and talent-pool officers across agencies (some supported, some awaiting their agency)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Clearance, User
from planning.pool.models import PoolEntry
from planning.sessions.models import AssessmentSession, Registration
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)


def test_the_demo_shows_sessions_the_pool_and_the_demo_officer_in_both(seeded):
    full = AssessmentSession.objects.get(kind="saat", includes_firearms=True)
    assert full.registrations.filter(state="registered").count() == full.capacity
    assert list(full.registrations.filter(state="waitlisted").order_by("position").values_list("position", flat=True)) \
        == [1, 2]
    women = AssessmentSession.objects.get(women_only=True)
    assert women.kind == "pre_saat" and women.language == "fr"
    assert {r.officer.gender for r in women.registrations.select_related("officer")} == {"woman"}
    past = AssessmentSession.objects.exclude(pk__in=[full.pk, women.pk]).get()
    passed = Registration.objects.filter(session=past, outcome="pass")
    assert passed.exists() and Registration.objects.filter(session=past, outcome="fail").exists()
    cleared = Clearance.objects.filter(kind="un_assessment", officer__in=passed.values("officer"))
    assert cleared.count() == passed.count()

    entries = PoolEntry.objects.select_related("officer")
    assert len({e.officer.agency_id for e in entries}) >= 3
    assert entries.filter(support="supported").exists() and entries.filter(support="pending").exists()

    officer = User.objects.get(email="officer@demo.example")
    assert Registration.objects.filter(officer__user=officer, session=women).exists()
    assert PoolEntry.objects.filter(officer__user=officer).exists()
    html = client_for(officer).get(reverse("planning:session-mine")).content.decode()
    assert "Nicolet" in html
    coordinator = User.objects.get(email="coordinator@demo.example")
    html = client_for(coordinator).get(reverse("planning:pool-list")).content.decode()
    assert "Awaiting the agency" in html
