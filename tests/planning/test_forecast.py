"""The strength forecast (planning.forecast): the figures day by day on hand-made data with known answers,
across month ends; the rotation advice and its lead time; the alert and its weekly email; the women
shares; the talent pool supply; who sees the pages; pinned query counts; the demo's alert.

A tour's end date is the day the officer leaves: NOT a day in mission (the roster's tours are [start, end),
so a relief can start the day the officer it replaces leaves). Today, every tour in mission or planned
counts, as on the mission pages."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Officer
from missions.models import Bulletin, Mission
from missions.selectors import mission_strength, program_strength
from notifications.models import OutgoingMail
from planning.forecast import selectors, services
from planning.models import AgencySupport, PoolEntry
from roster.models import Application, ApplicationStatus, Deployment
from tests import factories as f

pytestmark = pytest.mark.django_db
S = ApplicationStatus
D = Deployment.Status


def tour(mission, end, *, start=date(2026, 3, 1), status=D.IN_MISSION, gender=Officer.Gender.MAN, **kw):
    officer = f.OfficerFactory(gender=gender)
    return f.DeploymentFactory(officer=officer, mission=mission, start_date=start, planned_end_date=end,
                               status=status, **kw)


def on(fc, mission, day):
    return fc.mission(mission.pk).series.on(day)


@pytest.fixture
def rules(settings):
    settings.ROSTER = {**settings.ROSTER, "FORECAST_MONTHS": 12, "FORECAST_ALERT_SHARE_PERCENT": 80,
                       "FORECAST_ALERT_HORIZON_MONTHS": 6, "FORECAST_LEAD_TIME_DAYS": 100,
                       "FORECAST_LEAD_TIME_MIN_SAMPLES": 3, "FORECAST_NOMINEE_MONTHS": 12}
    return settings.ROSTER


# --- day by day ---------------------------------------------------------------------------------------------

TODAY = date(2027, 1, 30)


@pytest.fixture
def hand_made(rules):
    m = f.MissionFactory(code="HAND", authorized_strength=10)
    other = f.MissionFactory(code="OTHER", authorized_strength=5)
    tours = {
        "jan31": tour(m, date(2027, 1, 31)),  # last day in mission: Jan 30
        "feb1": tour(m, date(2027, 2, 1)),  # last day: Jan 31
        "feb28": tour(m, date(2027, 2, 28)),  # ends on the last day of February: last day in mission Feb 27
        "planned": tour(m, date(2028, 3, 1), start=date(2027, 3, 1), status=D.PLANNED),  # counts from today
        "overdue": tour(m, date(2027, 1, 20)),  # past its planned end, return not recorded: today only
        "done": tour(m, date(2027, 1, 10), status=D.COMPLETED, actual_end_date=date(2027, 1, 10)),
        "other": tour(other, date(2027, 6, 1)),
    }
    # a selection of a closed bulletin: arrives Feb 15 for 6 months (leaves Aug 15)
    closed = f.BulletinFactory(mission=m, status=Bulletin.Status.CLOSED, positions=1, duration_months=6,
                               deployment_start=date(2027, 2, 15))
    f.ApplicationFactory(bulletin=closed, status=S.SELECTED)
    # an open bulletin of 3 positions, 1 already deployed: 2 expected from Mar 1 for 3 months (leave Jun 1)
    open_b = f.BulletinFactory(mission=m, positions=3, duration_months=3, deployment_start=date(2027, 3, 1))
    f.ApplicationFactory(bulletin=open_b, status=S.DEPLOYED)
    f.ApplicationFactory(bulletin=open_b, status=S.SHORTLISTED)  # does not fill a position
    # neither a draft nor a cancelled bulletin counts
    f.BulletinFactory(mission=m, status=Bulletin.Status.DRAFT, positions=5, deployment_start=date(2027, 3, 1))
    f.BulletinFactory(mission=m, status=Bulletin.Status.CANCELLED, positions=5, deployment_start=date(2027, 3, 1))
    return m, other, tours


@pytest.mark.parametrize("day, sure, expected", [
    (date(2027, 1, 30), 5, 0),  # today: every tour in mission or planned, the overdue one too
    (date(2027, 1, 31), 3, 0),  # the tour ending Jan 31 is gone, and the overdue one
    (date(2027, 2, 1), 2, 0),  # across the month end: the tour ending Feb 1 is gone
    (date(2027, 2, 14), 2, 0),
    (date(2027, 2, 15), 2, 1),  # the selection arrives
    (date(2027, 2, 27), 2, 1),  # the last day in mission of the tour ending Feb 28
    (date(2027, 2, 28), 1, 1),
    (date(2027, 3, 1), 1, 3),  # the open bulletin's two unfilled positions arrive
    (date(2027, 5, 31), 1, 3),
    (date(2027, 6, 1), 1, 1),  # ...and leave after 3 months
    (date(2027, 8, 14), 1, 1),
    (date(2027, 8, 15), 1, 0),  # the selection's 6 months are over
])
def test_the_forecast_day_by_day_across_month_ends(hand_made, day, sure, expected):
    m, _, _ = hand_made
    got = on(selectors.forecast(today=TODAY), m, day)
    assert (got.sure, got.expected, got.total) == (sure, expected, sure + expected)


def test_the_program_is_the_sum_of_the_missions(hand_made):
    m, other, _ = hand_made
    fc = selectors.forecast(today=TODAY)
    for day in (date(2027, 1, 30), date(2027, 1, 31), date(2027, 3, 1), date(2027, 6, 1)):
        assert fc.program.on(day).total == on(fc, m, day).total + on(fc, other, day).total
    assert fc.program.on(date(2027, 6, 1)).sure == 1  # the tour in OTHER ends Jun 1
    assert fc.program.authorised == 150


def test_strength_on_any_day(hand_made):
    m, _, _ = hand_made
    assert selectors.strength_on(date(2027, 2, 1), mission_id=m.pk, today=TODAY).sure == 2
    assert selectors.strength_on(date(2027, 3, 1), today=TODAY).total == 1 + 3 + 1
    with pytest.raises(ValueError):
        selectors.forecast(today=TODAY).program.on(date(2027, 1, 29))


def test_the_changes_and_the_monthly_points(hand_made):
    m, _, _ = hand_made
    series = selectors.forecast(today=TODAY).mission(m.pk).series
    changes = [(c.day, c.sure, c.expected) for c in series.changes()]
    assert changes == [
        (date(2027, 1, 30), 5, 0), (date(2027, 1, 31), 3, 0), (date(2027, 2, 1), 2, 0), (date(2027, 2, 15), 2, 1),
        (date(2027, 2, 28), 1, 1), (date(2027, 3, 1), 1, 3), (date(2027, 6, 1), 1, 1), (date(2027, 8, 15), 1, 0),
    ]
    months = series.months()
    assert months[0].month == date(2027, 1, 1) and months[-1].month == date(2028, 1, 1)  # Jan 30 2027 -> Jan 29 2028
    assert (months[0].first.day, months[0].first.total) == (date(2027, 1, 30), 5)
    assert (months[0].low.day, months[0].low.total) == (date(2027, 1, 31), 3)
    feb = months[1]
    assert (feb.first.day, feb.first.total) == (date(2027, 2, 1), 2)
    assert (feb.low.day, feb.low.total) == (date(2027, 2, 1), 2)  # first reached on the 1st (again on the 28th)
    assert (months[2].first.total, months[2].low.total) == (4, 4)  # March
    assert (months[5].first.day, months[5].first.total) == (date(2027, 6, 1), 2)


def test_a_leap_february():
    m = f.MissionFactory(code="LEAP", authorized_strength=3)
    tour(m, date(2028, 2, 29))  # leaves on Feb 29: last day in mission Feb 28
    tour(m, date(2028, 3, 1))  # last day in mission Feb 29
    b = f.BulletinFactory(mission=m, positions=1, duration_months=1, deployment_start=date(2028, 1, 31))
    assert b.status == Bulletin.Status.PUBLISHED
    fc = selectors.forecast(today=date(2028, 1, 30))
    assert [on(fc, m, date(2028, 2, d)).sure for d in (27, 28, 29)] == [2, 2, 1]
    assert on(fc, m, date(2028, 3, 1)).sure == 0
    # the open position arrives Jan 31 for one month: Jan 31 + 1 month = Feb 29, its leaving day
    assert [on(fc, m, day).expected for day in (date(2028, 1, 30), date(2028, 1, 31), date(2028, 2, 28),
                                                   date(2028, 2, 29))] == [0, 1, 1, 0]


def test_across_a_year_end():
    m = f.MissionFactory(code="YEAR", authorized_strength=2)
    tour(m, date(2028, 1, 1))  # leaves Jan 1: last day in mission Dec 31
    tour(m, date(2028, 1, 2))
    b = f.BulletinFactory(mission=m, positions=1, duration_months=2, deployment_start=date(2027, 12, 31))
    assert b.status == Bulletin.Status.PUBLISHED
    fc = selectors.forecast(today=date(2027, 12, 30), months=3)
    got = [(d, on(fc, m, d).sure, on(fc, m, d).expected)
           for d in (date(2027, 12, 30), date(2027, 12, 31), date(2028, 1, 1), date(2028, 1, 2), date(2028, 2, 28),
                     date(2028, 2, 29), date(2028, 3, 1))]
    # the open position arrives Dec 31 for two months: Dec 31 + 2 months = Feb 29 2028, its leaving day
    assert got == [(date(2027, 12, 30), 2, 0), (date(2027, 12, 31), 2, 1), (date(2028, 1, 1), 1, 1),
                   (date(2028, 1, 2), 0, 1), (date(2028, 2, 28), 0, 1), (date(2028, 2, 29), 0, 0),
                   (date(2028, 3, 1), 0, 0)]
    months = fc.mission(m.pk).series.months()
    assert [p.month for p in months] == [date(2027, 12, 1), date(2028, 1, 1), date(2028, 2, 1), date(2028, 3, 1)]
    assert [(p.first.total, p.low.total, p.low.day) for p in months] == [
        (2, 2, date(2027, 12, 30)), (2, 1, date(2028, 1, 2)), (1, 0, date(2028, 2, 29)), (0, 0, date(2028, 3, 1))]


def test_today_agrees_with_the_mission_pages(hand_made):
    m, other, _ = hand_made
    fc = selectors.forecast(today=timezone.localdate())
    strengths = mission_strength()
    for mission in (m, other):
        assert fc.mission(mission.pk).series.on(fc.today).sure == strengths[mission.pk].filled
        assert fc.mission(mission.pk).authorised == strengths[mission.pk].authorised
    assert fc.program.on(fc.today).sure == program_strength().filled
    assert fc.program.authorised == program_strength().authorised


def test_an_extension_moves_the_end(hand_made, world):
    from roster.services import deployment_extend

    m, _, tours = hand_made
    deployment_extend(deployment=tours["feb1"], actor=world.ipo, new_end=date(2027, 4, 1), reason="Handover",
                      override_strength=True)
    fc = selectors.forecast(today=TODAY)
    assert on(fc, m, date(2027, 3, 31)).sure == 2 and on(fc, m, date(2027, 4, 1)).sure == 1


def test_a_closed_mission_authorises_nobody():
    m = f.MissionFactory(code="GONE", authorized_strength=20, status=Mission.Status.CLOSED)
    tour(m, date(2027, 6, 1))
    fc = selectors.forecast(today=TODAY)
    assert fc.mission(m.pk).authorised == 0
    assert selectors.rotation_advice(fc) == []


# --- the lead time ------------------------------------------------------------------------------------------


def published_bulletin(mission, published: date, arrivals, **kw):
    b = f.BulletinFactory(mission=mission, status=Bulletin.Status.CLOSED, **kw,
                          published_at=timezone.make_aware(datetime.combine(published, time(10))))
    for arrival in arrivals:
        app = f.ApplicationFactory(bulletin=b, status=S.DEPLOYED)
        f.DeploymentFactory(officer=app.officer, mission=mission, application=app, **arrival)
    return b


def test_the_lead_time_is_the_median_from_publication_to_first_arrival(rules):
    m = f.MissionFactory(code="LEAD")
    start = date(2026, 1, 1)
    # 30 days: the arrival recorded (actual_start_date) wins over the planned start
    published_bulletin(m, start, [{"start_date": start + timedelta(days=20), "actual_start_date":
                                   start + timedelta(days=30), "planned_end_date": date(2026, 12, 1)}])
    # 60 days: the first arrival of two
    published_bulletin(m, start, [{"start_date": start + timedelta(days=60), "planned_end_date": date(2026, 12, 1)},
                                  {"start_date": start + timedelta(days=75), "planned_end_date": date(2026, 12, 1)}])
    # 200 days
    published_bulletin(m, start, [{"start_date": start + timedelta(days=200), "planned_end_date": date(2027, 12, 1)}])
    # not samples: a cancelled tour, a bulletin published today, one without deployments
    published_bulletin(m, start, [{"start_date": start + timedelta(days=5), "planned_end_date": date(2026, 12, 1),
                                   "status": D.CANCELLED, "cancelled_at": timezone.now(),
                                   "cancellation_reason": "Called off"}])
    published_bulletin(m, date(2026, 9, 1), [{"start_date": date(2026, 9, 2), "planned_end_date": date(2027, 1, 1)}])
    published_bulletin(m, start, [])
    lead = selectors.lead_time(today=date(2026, 9, 1))
    assert (lead.days, lead.samples, lead.from_history) == (60, 3, True)


def test_the_lead_time_of_an_even_number_of_bulletins_is_the_mean_of_the_middle_two(rules):
    m = f.MissionFactory(code="EVEN")
    start = date(2026, 1, 1)
    for days in (30, 60, 90, 300):  # median 75: neither a middle sample (60, 90) nor the mean (120)
        published_bulletin(m, start, [{"start_date": start + timedelta(days=days),
                                       "planned_end_date": start + timedelta(days=days + 200)}])
    lead = selectors.lead_time(today=date(2026, 9, 1))
    assert (lead.days, lead.samples, lead.from_history) == (75, 4, True)


def test_too_few_past_bulletins_fall_back_on_the_setting(rules):
    m = f.MissionFactory(code="FEW")
    published_bulletin(m, date(2026, 1, 1), [{"start_date": date(2026, 3, 1), "planned_end_date": date(2027, 1, 1)}])
    lead = selectors.lead_time(today=date(2026, 9, 1))
    assert (lead.days, lead.samples, lead.from_history) == (100, 1, False)


# --- rotation advice and the alert --------------------------------------------------------------------------


@pytest.fixture
def short(rules):
    """A mission of 5, two tours leaving in 60 days: 3 of 5 (60%) is below 80% from then on."""
    today = timezone.localdate()
    m = f.MissionFactory(code="SHORT", language="en", authorized_strength=5)
    for _ in range(3):
        tour(m, today + timedelta(days=400), start=today - timedelta(days=100))
    for _ in range(2):
        tour(m, today + timedelta(days=60), start=today - timedelta(days=300))
    return m, today


def test_the_rotation_advice_says_when_to_post(short):
    m, today = short
    fc = selectors.forecast(today=today)
    [advice] = selectors.rotation_advice(fc)
    assert advice.mission == m and advice.below.day == today + timedelta(days=60) and advice.below.total == 3
    assert advice.threshold == 4
    assert advice.lead.days == 100 and not advice.lead.from_history
    assert advice.post_by == today - timedelta(days=40) and advice.overdue and not advice.already_below
    assert selectors.alerts([advice]) == [advice]


def test_beyond_the_horizon_there_is_no_advice(short, rules):
    m, today = short
    rules["FORECAST_ALERT_HORIZON_MONTHS"] = 1  # 60 days is past a month
    assert selectors.rotation_advice(selectors.forecast(today=today)) == []


def test_an_open_bulletin_covers_the_mission(short):
    m, today = short
    # arriving after the drop: the forecast still falls below, but a bulletin is open, so no alert
    f.BulletinFactory(mission=m, positions=1, deployment_start=today + timedelta(days=150))
    [advice] = selectors.rotation_advice(selectors.forecast(today=today))
    assert advice.covered and selectors.alerts([advice]) == []


def test_a_bulletin_filling_the_gap_in_time_removes_the_advice(short):
    m, today = short
    f.BulletinFactory(mission=m, positions=2, deployment_start=today + timedelta(days=50))
    assert selectors.rotation_advice(selectors.forecast(today=today)) == []


def test_a_closed_or_draft_bulletin_does_not_cover_it(short):
    m, today = short
    f.BulletinFactory(mission=m, status=Bulletin.Status.CLOSED, deployment_start=today + timedelta(days=150))
    f.BulletinFactory(mission=m, status=Bulletin.Status.DRAFT, deployment_start=today + timedelta(days=50))
    assert [a.mission for a in selectors.alerts(selectors.rotation_advice(selectors.forecast(today=today)))] == [m]


def test_the_talent_pool_counts_by_language_and_date(short):
    m, today = short
    [advice] = selectors.rotation_advice(selectors.forecast(today=today), lead=selectors.LeadTime(30, 9, True))
    assert advice.post_by == today + timedelta(days=30)

    def entry(languages, days, support=AgencySupport.PENDING):
        return PoolEntry.objects.create(officer=f.OfficerFactory(), languages=languages, support=support,
                                        available_from=today + timedelta(days=days))

    entry(["en"], -10)
    entry(["fr", "en"], 30)
    entry(["en"], 31)  # too late
    entry(["fr"], 0)  # not the mission's language
    entry(["en"], 0, AgencySupport.NOT_SUPPORTED)  # the agency said no
    selectors.pool_supply([advice], today=today)
    assert advice.pool_available == 2
    assert selectors.pool_by_language(by=today) == {"en": 1, "fr": 1}


# --- the weekly email ---------------------------------------------------------------------------------------


def test_the_weekly_email_goes_once_a_week(short, world):
    cache.clear()
    world.ipo.preferred_language = "fr"
    world.ipo.save()
    f.IpoStaffFactory(email="ipo2@example.test")
    monday = date(2027, 1, 4)  # the advice is computed for `today` (the data are relative to the real today)
    first = services.forecast_alerts_send(today=monday)
    assert first["sent"] == 2
    mails = OutgoingMail.objects.filter(topic="forecast-alerts:2027-W01")
    assert sorted(mails.values_list("to", "language")) == [("ipo2@example.test", "en"), ("ipo@example.test", "fr")]
    assert "SHORT" in mails.get(to="ipo2@example.test").body_text
    assert services.forecast_alerts_send(today=monday)["sent"] == 0  # beat running twice
    assert services.forecast_alerts_send(today=date(2027, 1, 10))["sent"] == 0  # Sunday: same ISO week
    assert services.forecast_alerts_send(today=date(2027, 1, 11))["sent"] == 2  # the next week
    assert OutgoingMail.objects.filter(kind="forecast_alerts").count() == 4


@pytest.mark.parametrize("day, topic", [
    (date(2027, 1, 3), "forecast-alerts:2026-W53"),  # a Sunday: still the ISO week of 2026
    (date(2027, 1, 4), "forecast-alerts:2027-W01"),
    (date(2029, 12, 31), "forecast-alerts:2030-W01"),  # a Monday in December: week 1 of 2030
    (date(2030, 1, 6), "forecast-alerts:2030-W01"),
])
def test_the_week_of_the_email_is_the_iso_week(day, topic):
    assert services.week_topic(day) == topic


def test_the_weekly_email_goes_once_across_a_year_end(short, world):
    cache.clear()
    assert services.forecast_alerts_send(today=date(2029, 12, 31))["sent"] == 1
    assert services.forecast_alerts_send(today=date(2030, 1, 2))["sent"] == 0
    assert OutgoingMail.objects.filter(kind="forecast_alerts").count() == 1


def test_no_alert_no_email(rules, world):
    cache.clear()
    assert services.forecast_alerts_send(today=date(2027, 1, 4)) == {"sent": 0, "alerts": 0, "reason": "no alert"}
    assert not OutgoingMail.objects.filter(kind="forecast_alerts").exists()


def test_the_beat_task_is_scheduled_weekly(settings):
    from planning.forecast.tasks import forecast_alerts_send

    entry = settings.CELERY_BEAT_SCHEDULE["forecast-alerts"]
    assert entry["task"] == forecast_alerts_send.name
    assert entry["schedule"].day_of_week == {1}


# --- women ------------------------------------------------------------------------------------------------


def test_the_share_of_women_among_deployed_officers_and_nominees(rules):
    m = f.MissionFactory(code="WPS")
    today = timezone.localdate()
    W, M = Officer.Gender.WOMAN, Officer.Gender.MAN
    tour(m, today + timedelta(days=90), gender=W)
    tour(m, today + timedelta(days=90), gender=M)
    tour(m, today + timedelta(days=90), gender=M)
    tour(m, today + timedelta(days=90), gender=W, status=D.PLANNED)  # not in mission yet
    b = f.BulletinFactory(mission=m)
    woman, man = f.OfficerFactory(gender=W), f.OfficerFactory(gender=M)
    f.ApplicationFactory(bulletin=b, officer=woman, status=S.ENDORSED)
    f.ApplicationFactory(bulletin=f.BulletinFactory(mission=m), officer=woman, status=S.SHORTLISTED)  # counted once
    f.ApplicationFactory(bulletin=b, officer=man, status=S.NOT_SELECTED)
    f.ApplicationFactory(bulletin=b, officer=f.OfficerFactory(gender=W), status=S.SUBMITTED)  # not nominated yet
    f.ApplicationFactory(bulletin=b, officer=f.OfficerFactory(gender=W), status=S.AGENCY_DECLINED)
    old = f.ApplicationFactory(bulletin=b, officer=f.OfficerFactory(gender=W), status=S.ENDORSED)
    Application.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    shares = selectors.women_shares(today=today)
    assert (shares["deployed"].women, shares["deployed"].total, shares["deployed"].percent) == (1, 3, 33.3)
    assert shares["deployed"].meets  # 33.3% >= 30%
    assert (shares["nominees"].women, shares["nominees"].total, shares["nominees"].percent) == (1, 2, 50.0)
    assert selectors.women_deployed_by_mission()[m.pk].total == 3


# --- pages, visibility and query counts -------------------------------------------------------------------


def test_ipo_staff_see_every_mission_the_advice_and_the_chart(short, clients, world):
    m, today = short
    r = clients.ipo.get(reverse("planning:forecast"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="advice-SHORT" data-alert="yes"' in html
    assert "Post a rotation bulletin for SHORT now: it was due by" in html
    assert 'role="img"' in html and 'aria-label="The program: the lowest forecast strength' in html
    assert 'data-testid="forecast-table-program"' in html and f'data-testid="forecast-table-m{m.pk}"' in html
    # the data table comes right after its chart
    assert html.index('data-testid="forecast-chart-program"') < html.index('data-testid="forecast-table-program"')
    assert 'data-testid="forecast-women"' in html


def test_coordinators_see_the_program_without_missions_or_names(short, clients, world):
    r = clients.coord_a.get(reverse("planning:forecast"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="forecast-table-program"' in html and 'data-testid="forecast-women"' in html
    assert "SHORT" not in html and "forecast-advice" not in html and world.officer_x.last_name not in html
    assert clients.coord_a.get(reverse("planning:forecast-mission", args=[short[0].pk])).status_code == 403


def test_officers_are_refused_and_strangers_sent_to_sign_in(short, clients):
    assert clients.officer_x.get(reverse("planning:forecast")).status_code == 403
    assert clients.officer_x.get(reverse("planning:forecast-mission", args=[short[0].pk])).status_code == 403
    assert clients.anonymous.get(reverse("planning:forecast")).status_code == 302


def test_the_mission_page_lists_each_change(short, clients):
    m, today = short
    r = clients.ipo.get(reverse("planning:forecast-mission", args=[m.pk]))
    assert r.status_code == 200
    assert r.context["changes"][1]["total"] == 3 and r.context["changes"][1]["below"]
    assert clients.ipo.get(reverse("planning:forecast-mission", args=[99999])).status_code == 404


def test_both_languages_render(short, clients, world):
    world.ipo.preferred_language = "fr"
    world.ipo.save()
    r = clients.ipo.get(reverse("planning:forecast"))
    assert r.status_code == 200 and r.headers["Content-Language"] == "fr"
    assert '<html lang="fr"' in r.content.decode()
    world.ipo.preferred_language = "en"
    world.ipo.save()
    assert clients.ipo.get(reverse("planning:forecast")).status_code == 200


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _panel_queries(user, today):
    from django.core.cache import cache

    from planning.forecast.panels import dashboard_panel, home_panel

    cache.clear()  # the home panel's alerts as worked out, not as kept from an earlier call
    with CaptureQueriesContext(connection) as ctx:
        home_panel(user, today=today)
        dashboard_panel(user, today=today)
    return len(ctx)


def test_the_pages_and_panels_run_a_constant_number_of_queries(short, clients, world):
    m, today = short
    urls = [reverse("planning:forecast"), reverse("planning:forecast-mission", args=[m.pk])]
    _queries(clients.ipo, urls[0])  # warm the per-process caches (menus)
    few = [_queries(clients.ipo, u) for u in urls] + [_panel_queries(world.ipo, today)]
    other = f.MissionFactory(code="MANY", authorized_strength=40)
    for i in range(30):
        tour(other, today + timedelta(days=30 + i * 10), status=D.IN_MISSION if i % 3 else D.PLANNED)
        b = f.BulletinFactory(mission=other, positions=2)
        f.ApplicationFactory(bulletin=b, status=S.SELECTED if i % 2 else S.ENDORSED)
        PoolEntry.objects.create(officer=f.OfficerFactory(), languages=["en"], available_from=today)
    many = [_queries(clients.ipo, u) for u in urls] + [_panel_queries(world.ipo, today)]
    # the forecast page: session and user (2), the forecast (4), the women shares (2), the lead time (1),
    # the pool supply and per language (2), the women per mission (1); the mission page: 2 + 4 + 1 + 1 + 1;
    # the panels: the forecast (4) and the lead time (1), the women shares (2)
    assert few == many == [12, 9, 7]


def test_the_home_panel_works_the_alerts_out_at_most_every_few_minutes(short, world, settings):
    from planning.forecast.panels import home_panel

    settings.ROSTER = {**settings.ROSTER, "PLANNING_PANEL_CACHE_SECONDS": 600}
    today = timezone.localdate()
    assert home_panel(world.ipo, today=today)["attention"] == 1
    f.BulletinFactory(mission=short[0], status="published")  # the gap is now covered...
    with CaptureQueriesContext(connection) as ctx:
        assert home_panel(world.ipo, today=today)["attention"] == 1  # ...but the panel keeps its figures
    assert len(ctx) == 0
    settings.ROSTER = {**settings.ROSTER, "PLANNING_PANEL_CACHE_SECONDS": 0}
    from django.core.cache import cache

    cache.clear()
    assert home_panel(world.ipo, today=today)["attention"] == 0


def test_the_home_panel_names_the_alerts_and_asks_for_attention(short, world):
    from planning.forecast.panels import dashboard_panel, home_panel

    panel = home_panel(world.ipo, today=timezone.localdate())
    assert panel["attention"] == 1 and [a.mission.code for a in panel["context"]["forecast_alerts"]] == ["SHORT"]
    assert home_panel(world.coord_a) is None and home_panel(world.user_x) is None
    assert dashboard_panel(world.coord_a) is not None and dashboard_panel(world.user_x) is None


def test_ipo_home_and_dashboard_show_the_panels(short, clients):
    html = clients.ipo.get("/").content.decode()
    assert 'data-testid="forecast-panel"' in html and "Post a rotation bulletin for SHORT" in html
    assert 'data-testid="forecast-dashboard-panel"' in clients.coord_a.get(reverse("roster:dashboard")).content.decode()


# --- the demo -----------------------------------------------------------------------------------------------


def test_the_demo_has_a_mission_forecast_to_fall_below_strength_without_a_bulletin(db):
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    alerted = selectors.alerts(selectors.rotation_advice(selectors.forecast()))
    assert [a.mission.code for a in alerted] == ["NMI"]
    assert not alerted[0].already_below


def test_the_advice_in_words():
    from django.template.loader import render_to_string

    m = f.MissionFactory(code="BINUH", authorized_strength=48)
    today = date(2026, 10, 1)

    def advice(below, lead):
        return selectors.Advice(mission=m, authorised=48, threshold=39, below=selectors.DayStrength(below, 30, 0),
                                post_by=below - timedelta(days=lead.days), lead=lead, open_bulletins=[], today=today)

    def words(a):
        return render_to_string("planning/forecast/_advice_text.txt", {"a": a})

    history = selectors.LeadTime(94, 23, True)
    assert words(advice(date(2027, 4, 16), history)) == (
        "Post a rotation bulletin for BINUH by January 12, 2027 (lead time 94 days, from 23 past bulletins).")
    assert words(advice(date(2026, 12, 1), history)) == (
        "Post a rotation bulletin for BINUH now: it was due by August 29, 2026 (lead time 94 days, from 23 past "
        "bulletins).")
    assert words(advice(today, selectors.LeadTime(120, 2, False))) == (
        "Post a rotation bulletin for BINUH now (lead time 120 days: the set default, too few past bulletins to "
        "measure it).")


def test_a_worker_knows_the_weekly_task():
    """Celery's autodiscovery imports `<app>.tasks` (planning.tasks), not planning.forecast.tasks: the area's
    hooks import it when Django starts, as a worker does. Checked in a fresh process."""
    import subprocess
    import sys

    code = ("import django; django.setup(); from config.celery import app; app.loader.import_default_modules(); "
            "print('planning.forecast.tasks.forecast_alerts_send' in app.tasks)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"})
    assert out.stdout.strip().endswith("True"), out.stderr[-2000:]


def test_the_task_sends_through_the_service(short, world):
    from planning.forecast.tasks import forecast_alerts_send

    cache.clear()
    assert forecast_alerts_send()["sent"] == 1
    assert forecast_alerts_send()["sent"] == 0


def test_a_huge_mission_id_is_not_found(clients):
    assert clients.ipo.get("/planning/forecast/missions/99999999999999999999/").status_code == 404


def test_coordinators_of_either_agency_see_the_same_program_figures(short, clients):
    a = clients.coord_a.get(reverse("planning:forecast"))
    b = clients.coord_b.get(reverse("planning:forecast"))
    assert a.status_code == b.status_code == 200
    assert a.context["program"]["rows"] == b.context["program"]["rows"]
    assert a.context["shares"] == b.context["shares"]
