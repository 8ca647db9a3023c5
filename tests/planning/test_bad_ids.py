"""An id out of any column's range, posted or in a query string, is a 404 or ignored: never a 500."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from planning.sessions.models import AssessmentSession

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


def test_registering_an_officer_of_a_huge_id_answers_404(world, clients):
    start = timezone.localdate() + dt.timedelta(days=20)
    session = AssessmentSession.objects.create(kind="saat", starts_on=start, ends_on=start + dt.timedelta(days=3),
                                               place="Ottawa", capacity=5, created_by=world.ipo)
    url = reverse("planning:session-register", kwargs={"pk": session.pk})
    assert clients.coord_a.post(url, {"officer": HUGE}).status_code == 404
    assert not session.registrations.exists()


def test_nominating_an_officer_of_a_huge_id_answers_404(world, clients):
    url = reverse("planning:candidates-nominate", kwargs={"pk": world.bulletin.pk})
    assert clients.coord_a.post(url, {"officer": HUGE}).status_code == 404


@pytest.mark.parametrize("param", ["mission", "agency"])
def test_the_welfare_board_ignores_a_huge_filter_id(world, clients, param):
    assert clients.ipo.get(reverse("welfare:board"), {param: HUGE}).status_code == 200
