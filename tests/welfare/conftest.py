"""Helpers for the welfare tests. The shared `world` (tests/conftest.py) has officers X (agency A) and Y
(agency B) in mission on BINUH (dep_x, dep_y), started 30 days ago."""

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories as f
from welfare.models import CheckIn, ReturnQuestionnaire, fiscal_year_of


def make_checkin(deployment, status="well", *, days_ago=0, hours_ago=0, **fields) -> CheckIn:
    return CheckIn.objects.create(
        deployment=deployment, officer=deployment.officer, status=status,
        created_at=timezone.now() - dt.timedelta(days=days_ago, hours=hours_ago), **fields,
    )


def ended_tour(officer, *, mission=None, ended_days_ago=40, length=270, status="completed"):
    """A tour of `officer` that ended `ended_days_ago` days ago."""
    end = timezone.localdate() - dt.timedelta(days=ended_days_ago)
    start = end - dt.timedelta(days=length)
    return f.DeploymentFactory(officer=officer, mission=mission or f.MissionFactory(code="BINUH"), status=status,
                               start_date=start, planned_end_date=end + dt.timedelta(days=30), actual_end_date=end)


ANSWERS = {"leadership": 4, "mentoring": 5, "training": 3, "investigation": 2, "languages": 1, "intercultural": 5,
           "responsibilities": "more", "support": 4, "go_again": "yes", "recommend": "yes"}


def answered(officer, *, ended_on=None, **answers) -> ReturnQuestionnaire:
    """A questionnaire answered by `officer` about a tour of theirs ended on `ended_on` (each call a new tour,
    a year apart, so they never overlap)."""
    ended_on = ended_on or (timezone.localdate() - dt.timedelta(days=60))
    count = officer.deployments.count()
    end = ended_on - dt.timedelta(days=0)
    start = end - dt.timedelta(days=200)
    # later calls for the same officer go back in time, clear of the earlier tours
    shift = dt.timedelta(days=400 * count)
    deployment = f.DeploymentFactory(officer=officer, mission=f.MissionFactory(code="BINUH"), status="completed",
                                     start_date=start - shift, planned_end_date=end - shift,
                                     actual_end_date=end - shift)
    values = {**ANSWERS, **answers}
    return ReturnQuestionnaire.objects.create(
        deployment=deployment, officer=officer, returned_on=deployment.actual_end_date,
        fiscal_year=fiscal_year_of(deployment.actual_end_date), **values,
    )


@pytest.fixture
def outbox():
    from notifications.models import OutgoingMail

    def messages(kind=None):
        qs = OutgoingMail.objects.order_by("pk")
        return list(qs.filter(kind=kind) if kind else qs)

    return messages
