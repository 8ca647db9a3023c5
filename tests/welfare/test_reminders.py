"""Reminders to officers whose check-in is overdue (once per overdue period) and alerts to the IPO duty
desk when it is several days overdue (once per officer and due date)."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.welfare.conftest import make_checkin
from welfare import services, tasks
from welfare.models import CheckInReminder

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(settings):
    settings.ROSTER = {**settings.ROSTER, "IPO_DUTY_EMAIL": "duty@ipo.example", "WELFARE_ALERT_DAYS": 7,
                       "WELFARE_CHECKIN_DAYS": 14}
    return "duty@ipo.example"


def to(outbox, kind):
    return sorted(m.to for m in outbox(kind))


def test_an_overdue_officer_is_reminded_once_per_overdue_period(world, outbox, duty):
    today = timezone.localdate()
    make_checkin(world.dep_x, "well", days_ago=15)   # due yesterday: 1 day overdue
    make_checkin(world.dep_y, "well", days_ago=3)    # on time
    assert services.checkin_reminders_send(today=today) == {"reminded": 1, "alerted": 0}
    assert to(outbox, "welfare_checkin_reminder") == ["officer-x@example.test"]
    mail = outbox("welfare_checkin_reminder")[0]
    assert "/welfare/check-in/" in mail.body_text and "1 day ago" in mail.body_text
    # the hourly beat runs again, and again the next days: nothing new until the next period
    for later in range(0, 14):
        services.checkin_reminders_send(today=today + dt.timedelta(days=later))
    assert to(outbox, "welfare_checkin_reminder").count("officer-x@example.test") == 1
    # still silent one whole interval later: a second reminder
    services.checkin_reminders_send(today=today + dt.timedelta(days=14))
    assert to(outbox, "welfare_checkin_reminder").count("officer-x@example.test") == 2


def test_the_duty_desk_is_alerted_once_when_a_check_in_is_several_days_overdue(world, outbox, duty):
    today = timezone.localdate()
    make_checkin(world.dep_x, "well", days_ago=20)   # 6 days overdue: a reminder, no alert yet
    make_checkin(world.dep_y, "well", days_ago=3)
    assert services.checkin_reminders_send(today=today)["alerted"] == 0
    result = services.checkin_reminders_send(today=today + dt.timedelta(days=1))  # 7 days overdue
    assert result == {"reminded": 0, "alerted": 1}
    alerts = outbox("welfare_overdue_alert")
    assert [m.to for m in alerts] == [duty]
    assert "Xena Xavier" in alerts[0].body_text and "Yves Young" not in alerts[0].body_text
    for later in range(2, 30):
        services.checkin_reminders_send(today=today + dt.timedelta(days=later))
    alerts = outbox("welfare_overdue_alert")  # Y's own alert came later, in another message
    assert sum("Xena Xavier" in m.body_text for m in alerts) == 1  # once for this due date, however long it lasts


def test_one_alert_lists_every_officer_newly_overdue(world, outbox, duty):
    today = timezone.localdate()
    # dep_x and dep_y never checked in: 30 days in mission, 16 days overdue
    services.checkin_reminders_send(today=today)
    alerts = outbox("welfare_overdue_alert")
    assert len(alerts) == 1 and "Xena Xavier" in alerts[0].body_text and "Yves Young" in alerts[0].body_text


def test_checking_in_starts_a_new_period(world, outbox, duty):
    today = timezone.localdate()
    services.checkin_reminders_send(today=today)
    assert len(outbox("welfare_checkin_reminder")) == 2
    services.checkin_create(user=world.user_x, status="well")
    services.checkin_reminders_send(today=today + dt.timedelta(days=1))
    assert len(outbox("welfare_checkin_reminder")) == 2  # X checked in; Y is still in the same period
    services.checkin_reminders_send(today=today + dt.timedelta(days=15))  # X overdue again
    assert to(outbox, "welfare_checkin_reminder").count("officer-x@example.test") == 2


def test_an_officer_without_a_login_is_reminded_at_their_profile_address(world, outbox, duty):
    world.officer_x.user = None
    world.officer_x.save()
    services.checkin_reminders_send(today=timezone.localdate())
    assert world.officer_x.email in to(outbox, "welfare_checkin_reminder")


def test_no_reminder_for_tours_not_in_mission(world, outbox, duty):
    for deployment in (world.dep_x, world.dep_y):
        deployment.status, deployment.actual_end_date = "completed", timezone.localdate()
        deployment.save()
    assert services.checkin_reminders_send() == {"reminded": 0, "alerted": 0}
    assert not CheckInReminder.objects.exists()


def test_the_beat_task_calls_the_service(world, outbox, duty):
    tasks.checkin_reminders_send.delay()
    assert len(outbox("welfare_checkin_reminder")) == 2 and len(outbox("welfare_overdue_alert")) == 1


def test_the_beat_schedule_runs_both_welfare_tasks(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"welfare.tasks.checkin_reminders_send", "welfare.tasks.return_plans_start"} <= tasks_scheduled
