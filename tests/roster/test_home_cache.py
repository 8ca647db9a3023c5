"""IPO staff's home keeps its figures and worklist until a change is recorded or the clock moves a
bulletin (roster.freshness, roster.views._staff_home); the failed emails are counted on every view. A
coordinator's home keeps its agency's figures and lists the same way (roster.views._coordinator_home)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.services import untracked
from missions.services import notice_acknowledge
from notifications.models import OutgoingMail
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def view(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return response, len(queries)


def signed_in(user):
    """A client signed in without a trace in the audit trail (a sign-in records last_login, which is
    a change, and would give the next view new figures by itself)."""
    with untracked():
        return client_for(user)


def worklist(client):
    return view(client)[0].context["worklist"]


def test_a_second_view_reads_the_worklist_from_the_cache(world):
    client = client_for(world.ipo)
    first, first_queries = view(client)
    second, second_queries = view(client)
    # the worklist's counting passes and lists, and the latest applications, are not run again
    assert second_queries <= first_queries - 6
    assert second.context["worklist"]["to_decide_rows"] == first.context["worklist"]["to_decide_rows"]
    assert second.context["open_bulletins"] == first.context["open_bulletins"] == 1


def test_a_recorded_change_shows_on_the_next_view(world):
    client = client_for(world.ipo)
    assert worklist(client)["to_decide_count"] == 0
    world.app_x.status = "endorsed"
    world.app_x.save()
    assert worklist(client)["to_decide_count"] == 1


@pytest.fixture
def kept_long(settings):
    """Entries kept longer than the tests' jumps in time, so that only the key can make them new."""
    settings.ROSTER = {**settings.ROSTER, "FIGURES_CACHE_SECONDS": 3600}


def test_a_bulletin_that_closes_by_the_clock_leaves_the_open_ones(world, kept_long):
    world.bulletin.closes_at = timezone.now() + dt.timedelta(minutes=2)
    world.bulletin.save()
    assert view(signed_in(world.ipo))[0].context["open_bulletins"] == 1
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3), tick=False):
        # nothing recorded in between: the next closing time in the key has passed
        assert view(signed_in(world.ipo))[0].context["open_bulletins"] == 0


def test_a_bulletin_coming_within_the_week_joins_those_not_acknowledged(world, kept_long):
    world.bulletin.closes_at = timezone.now() + dt.timedelta(days=7, minutes=2)
    world.bulletin.save()
    f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    assert worklist(signed_in(world.ipo))["unacknowledged_count"] == 0
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3), tick=False):
        assert worklist(signed_in(world.ipo))["unacknowledged_count"] == 1


def test_an_acknowledgement_shows_on_the_next_view(world):
    world.bulletin.closes_at = timezone.now() + dt.timedelta(days=3)
    world.bulletin.save()
    f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    client = client_for(world.ipo)
    assert worklist(client)["unacknowledged_count"] == 1
    notice_acknowledge(bulletin=world.bulletin, actor=world.coord_a)
    assert worklist(client)["unacknowledged_count"] == 0


def test_failed_emails_are_counted_on_every_view(world):
    client = client_for(world.ipo)
    assert worklist(client)["failed_mail_count"] == 0
    OutgoingMail.objects.create(to="x@example.test", subject="s", body_text="b", message_id="<f@t>",
                                status=OutgoingMail.Status.FAILED)
    response, _ = view(client)
    assert response.context["worklist"]["failed_mail_count"] == 1
    assert "1 email could not be delivered." in response.content.decode()


def test_each_language_gets_its_own_rows(world):
    world.app_x.status = "endorsed"
    world.app_x.save()
    client = client_for(world.ipo)
    assert "to decide" in worklist(client)["to_decide_rows"][0]["awaiting"]
    client.cookies.load({"django_language": "fr"})
    world.ipo.preferred_language = "fr"
    world.ipo.save()
    assert "to decide" not in worklist(client)["to_decide_rows"][0]["awaiting"]


# --- a coordinator's home: kept the same way, for their agency --------------------------------------


def coordinator_view(client):
    return view(client)[0].context


def test_a_coordinators_second_view_reads_their_lists_from_the_cache(world):
    client = client_for(world.coord_a)
    first, first_queries = view(client)
    second, second_queries = view(client)
    # the applications by status, the current deployments, the officers, the notices, the open bulletins and
    # the applications to endorse are not run again; the stamp and the clock are
    assert second_queries <= first_queries - 5
    assert second.context["status_rows"] == first.context["status_rows"]
    assert second.context["officer_count"] == first.context["officer_count"] == 1


def test_a_change_shows_on_the_coordinators_next_view(world):
    client = client_for(world.coord_a)
    assert coordinator_view(client)["to_endorse_count"] == 1  # app_x, submitted
    world.app_x.status = "endorsed"
    world.app_x.save()
    context = coordinator_view(client)
    assert context["to_endorse_count"] == 0 and context["to_endorse_rows"] == []


def test_each_agency_gets_its_own_home(world):
    world.app_y.status = "endorsed"
    world.app_y.save()
    rows = coordinator_view(client_for(world.coord_a))["to_endorse_rows"]
    assert [r["name"] for r in rows] == ["Xena Xavier"]
    context = coordinator_view(client_for(world.coord_b))
    assert context["to_endorse_count"] == 0 and context["agency"] == world.agency_b


def test_a_bulletin_that_closes_by_the_clock_leaves_the_coordinators_lists(world, kept_long):
    world.bulletin.closes_at = timezone.now() + dt.timedelta(minutes=2)
    world.bulletin.save()
    f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    context = coordinator_view(signed_in(world.coord_a))
    assert context["open_bulletins"] == 1 and len(context["notice_rows"]) == 1
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3), tick=False):
        context = coordinator_view(signed_in(world.coord_a))
        assert context["open_bulletins"] == 0 and context["notice_rows"] == []


def test_an_acknowledgement_leaves_the_coordinators_notices(world):
    world.bulletin.closes_at = timezone.now() + dt.timedelta(days=3)
    world.bulletin.save()
    f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    client = client_for(world.coord_a)
    assert len(coordinator_view(client)["notice_rows"]) == 1
    notice_acknowledge(bulletin=world.bulletin, actor=world.coord_a)
    assert coordinator_view(client)["notice_rows"] == []
