"""Days served and medal eligibility (roster.medals), the officer and agency histories, and recording awards."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from missions.models import Mission
from roster.medals import days_served, medal_award_record, officer_service_record, service_record
from roster.models import Deployment, MedalAward
from tests import factories as f

pytestmark = pytest.mark.django_db

S = Deployment.Status
D = dt.date(2024, 1, 1)
TODAY = dt.date(2026, 1, 1)
AWARDED = dt.date(2025, 6, 1)


def tour(officer, mission, start, days, *, status=S.COMPLETED):
    """A finished tour of exactly `days` days served (start inclusive, end exclusive)."""
    end = start + dt.timedelta(days=days)
    return f.DeploymentFactory(
        officer=officer, mission=mission, status=status, start_date=start,
        planned_end_date=end, actual_end_date=end if status != S.IN_MISSION else None,
    )


@pytest.fixture(autouse=True)
def english():
    """The messages below are matched in English, whatever an earlier request activated."""
    with translation.override("en"):
        yield


@pytest.fixture
def un():
    return f.MissionFactory(code="MONUSCO", kind=Mission.Kind.UN)


@pytest.fixture
def bilateral():
    return f.MissionFactory(code="UKR", kind=Mission.Kind.BILATERAL)


def test_it_counts_days_from_the_start_up_to_but_not_including_the_end():
    dep = Deployment(start_date=dt.date(2025, 3, 1), planned_end_date=dt.date(2025, 5, 31), status=S.COMPLETED)
    assert days_served(dep, today=TODAY) == 91
    dep.actual_end_date = dt.date(2025, 3, 2)  # repatriated the day after arriving
    assert days_served(dep, today=TODAY) == 1
    current = Deployment(start_date=dt.date(2025, 12, 1), planned_end_date=dt.date(2026, 12, 1), status=S.IN_MISSION)
    assert days_served(current, today=TODAY) == 31  # capped at today
    assert days_served(current, today=dt.date(2025, 12, 1)) == 0  # arrived today
    planned = Deployment(start_date=dt.date(2025, 12, 1), planned_end_date=dt.date(2026, 12, 1), status=S.PLANNED)
    assert days_served(planned, today=TODAY) == 0


@pytest.mark.parametrize("days,eligible", [(89, False), (90, True)])
def test_the_un_medal_needs_90_consecutive_days_on_a_un_mission(un, days, eligible):
    officer = f.OfficerFactory()
    tour(officer, un, D, days)
    record = officer_service_record(officer, today=TODAY)
    assert record.total_days == days
    assert record.is_eligible(MedalAward.Medal.UN_MISSION, un) is eligible
    assert (record.un_medal_missions == [un]) is eligible


def test_a_non_un_mission_does_not_count_for_the_un_medal(bilateral, un):
    officer = f.OfficerFactory()
    tour(officer, bilateral, D, 200)
    record = officer_service_record(officer, today=TODAY)
    assert not record.is_eligible(MedalAward.Medal.UN_MISSION, bilateral)
    assert not record.is_eligible(MedalAward.Medal.UN_MISSION, un)
    assert record.un_medal_missions == []
    assert record.cpsm_eligible  # but it counts for the CPSM


def test_back_to_back_tours_on_one_mission_are_consecutive_and_a_gap_breaks_them(un):
    joined, broken = f.OfficerFactory(), f.OfficerFactory()
    first = tour(joined, un, D, 45)
    tour(joined, un, first.actual_end_date, 45)
    first = tour(broken, un, D, 45)
    tour(broken, un, first.actual_end_date + dt.timedelta(days=1), 45)
    assert officer_service_record(joined, today=TODAY).un_medal_missions == [un]
    record = officer_service_record(broken, today=TODAY)
    assert record.un_medal_missions == [] and record.missions[0].longest_run == 45


def test_a_run_on_one_mission_is_not_joined_by_a_tour_on_another(un):
    officer = f.OfficerFactory()
    other_un = f.MissionFactory(code="UNMISS", kind=Mission.Kind.UN)
    first = tour(officer, un, D, 60)
    tour(officer, other_un, first.actual_end_date, 60)
    assert officer_service_record(officer, today=TODAY).un_medal_missions == []


@pytest.mark.parametrize("second,eligible", [(15, True), (14, False)])
def test_the_cpsm_needs_30_days_accumulated_over_every_tour(bilateral, un, second, eligible):
    officer = f.OfficerFactory()
    tour(officer, bilateral, D, 15)
    tour(officer, un, D + dt.timedelta(days=200), second)
    record = officer_service_record(officer, today=TODAY)
    assert record.total_days == 15 + second
    assert record.cpsm_eligible is eligible


def test_the_limits_are_settings(settings, un):
    settings.ROSTER = {**settings.ROSTER, "UN_MEDAL_CONSECUTIVE_DAYS": 120, "CPSM_ACCUMULATED_DAYS": 200}
    officer = f.OfficerFactory()
    tour(officer, un, D, 100)
    record = service_record(Deployment.objects.filter(officer=officer).select_related("mission"), today=TODAY)
    assert not record.cpsm_eligible and record.un_medal_missions == []


# --- recording awards ---------------------------------------------------------------------------


def test_ipo_staff_record_an_award_the_officer_is_eligible_for(world, un):
    officer = f.OfficerFactory(agency=world.agency_a)
    tour(officer, un, D, 90)
    award = medal_award_record(
        officer=officer, medal=MedalAward.Medal.UN_MISSION, mission=un, awarded_on=AWARDED, actor=world.ipo
    )
    assert (award.officer, award.mission, award.recorded_by) == (officer, un, world.ipo)
    with pytest.raises(ValidationError, match="already recorded"):
        medal_award_record(officer=officer, medal="un_mission", mission=un, awarded_on=AWARDED, actor=world.ipo)


def test_it_refuses_an_award_the_officer_is_not_eligible_for(world, un):
    officer = f.OfficerFactory(agency=world.agency_a)
    tour(officer, un, D, 89)
    with pytest.raises(ValidationError, match="not eligible for the UN mission medal"):
        medal_award_record(officer=officer, medal="un_mission", mission=un, awarded_on=AWARDED, actor=world.ipo)
    with pytest.raises(ValidationError, match="Choose the mission"):
        medal_award_record(officer=officer, medal="un_mission", mission=None, awarded_on=AWARDED, actor=world.ipo)
    assert not MedalAward.objects.exists()


def test_it_refuses_the_cpsm_below_30_days_and_any_award_dated_in_the_future(world, un):
    officer = f.OfficerFactory(agency=world.agency_a)
    tour(officer, un, D, 29)
    with pytest.raises(ValidationError, match="29 served"):
        medal_award_record(officer=officer, medal="cpsm", awarded_on=AWARDED, actor=world.ipo)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        medal_award_record(officer=world.officer_x, medal="cpsm", awarded_on=tomorrow, actor=world.ipo)
    assert not MedalAward.objects.exists()


@pytest.mark.parametrize("actor", ["coord_a", "user_x"])
def test_only_ipo_staff_record_an_award(world, actor):
    # officer X has served 30 days on dep_x: eligible for the CPSM
    with pytest.raises(PermissionDenied):
        medal_award_record(officer=world.officer_x, medal="cpsm", awarded_on=AWARDED, actor=getattr(world, actor))
    assert not MedalAward.objects.exists()


def test_the_award_page_records_refuses_and_forbids(world, clients, un):
    url = reverse("roster:medal-award", kwargs={"officer_pk": world.officer_x.pk})
    refused = clients.ipo.post(url, {"medal": "un_mission", "mission": "", "awarded_on": "2025-06-01"})
    assert refused.status_code == 400 and "Choose the mission" in refused.content.decode()
    response = clients.ipo.post(url, {"medal": "cpsm", "awarded_on": "2025-06-01"}, follow=True)
    history = reverse("roster:officer-history", kwargs={"officer_pk": world.officer_x.pk})
    assert response.redirect_chain[-1][0] == history
    assert "Canadian Peacekeeping Service Medal recorded" in response.content.decode()
    assert MedalAward.objects.filter(officer=world.officer_x, medal="cpsm").count() == 1
    assert clients.coord_a.post(url, {"medal": "cpsm", "awarded_on": "2025-06-01"}).status_code == 403
    assert clients.coord_b.post(url, {"medal": "cpsm", "awarded_on": "2025-06-01"}).status_code == 404
    assert clients.officer_x.post(url, {"medal": "cpsm", "awarded_on": "2025-06-01"}).status_code == 403
    assert clients.ipo.get(url).status_code == 405
    assert MedalAward.objects.count() == 1


def test_the_award_page_says_why_an_award_is_refused(world, clients):
    world.dep_x.start_date = timezone.localdate() - dt.timedelta(days=10)
    world.dep_x.save()
    url = reverse("roster:medal-award", kwargs={"officer_pk": world.officer_x.pk})
    response = clients.ipo.post(url, {"medal": "cpsm", "awarded_on": "2025-06-01"})
    assert response.status_code == 400
    assert "not eligible for the Canadian Peacekeeping Service Medal" in response.content.decode()
    assert not MedalAward.objects.exists()


# --- history pages ------------------------------------------------------------------------------


def test_the_officer_history_shows_days_served_and_eligibility(world, clients, un):
    tour(world.officer_x, un, D, 90)
    url = reverse("roster:officer-history", kwargs={"officer_pk": world.officer_x.pk})
    html = clients.officer_x.get(url).content.decode()
    assert html.count("<h1") == 1
    assert 'data-testid="total-days">120<' in html  # 90 + 30 days on dep_x
    assert 'data-testid="un-eligible-MONUSCO">Yes<' in html
    assert 'data-testid="cpsm-eligible">Yes<' in html
    assert "Record a medal award" not in html  # officers cannot record
    assert "Record a medal award" in clients.ipo.get(url).content.decode()
    assert clients.coord_b.get(url).status_code == 404


def test_the_agency_history_totals_days_per_officer(world, clients, un):
    tour(world.officer_x, un, D, 90)
    other = f.OfficerFactory(agency=world.agency_a, first_name="Zoe", last_name="Zed")
    tour(other, un, D, 10)
    tour(world.officer_y, un, D, 500)  # agency B: not in A's history
    url = reverse("roster:agency-history", kwargs={"agency_pk": world.agency_a.pk})
    html = clients.coord_a.get(url).content.decode()
    assert 'data-testid="agency-total-days">130<' in html  # 90 + 30 + 10
    assert "Zoe Zed" in html and "Yves Young" not in html
    assert clients.coord_b.get(url).status_code == 404
    assert clients.officer_x.get(url).status_code == 403
    assert clients.ipo.get(url).status_code == 200
