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


# --- the applications tables of the home pages, and the code in the key -------------------------------


def table_row(html, application):
    """The applications table's row of `application`, its whitespace folded."""
    import re

    start = html.rindex("<tr>", 0, html.index(f'href="/applications/{application.pk}/"'))
    return re.sub(r"\s+", " ", html[start:html.index("</tr>", start) + 5])


def test_the_latest_applications_rows_say_bulletin_officer_agency_state_flags_and_day(world):
    from accounts.models import User
    from roster.models import Application

    world.officer_x.last_name = "<i>Xavier</i>"
    world.officer_x.save()
    Application.objects.filter(pk=world.app_x.pk).update(
        ineligible=True, nominated_by=world.coord_a, created_at=dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC))
    ref, title = world.bulletin.reference, world.bulletin.title_en
    assert table_row(view(signed_in(world.ipo))[0].content.decode(), world.app_x) == (
        f'<tr> <td data-label="Bulletin"><a href="/applications/{world.app_x.pk}/">{ref}</a> — {title}</td> '
        '<td data-label="Officer">Xena &lt;i&gt;Xavier&lt;/i&gt;</td> <td data-label="Agency">Agency A Police</td> '
        '<td data-label="Status"><span class="badge text-bg-secondary" data-testid="status">Submitted</span> '
        '<span class="badge text-bg-warning" data-testid="ineligible">Requirements not met</span> '
        '<span class="badge text-bg-info" data-testid="nominated">Nominated</span></td> '
        '<td data-label="Submitted">2026-03-04</td> </tr>')
    User.objects.filter(pk=world.user_x.pk).update(preferred_language="fr")
    officer_html = view(signed_in(world.user_x))[0].content.decode()
    assert table_row(officer_html, world.app_x) == (
        f'<tr> <td data-label="Avis"><a href="/applications/{world.app_x.pk}/">{ref}</a> — '
        f'{world.bulletin.title_fr or title}</td> '
        '<td data-label="Statut"><span class="badge text-bg-secondary" data-testid="status">Soumise</span> '
        '<span class="badge text-bg-warning" data-testid="ineligible">Exigences non satisfaites</span> '
        '<span class="badge text-bg-info" data-testid="nominated">Proposée</span></td> '
        '<td data-label="Soumise">2026-03-04</td> </tr>')


def test_an_officer_with_no_application_is_told_so(world):
    world.app_x.delete()
    assert "No applications yet." in view(signed_in(world.user_x))[0].content.decode()


def test_what_another_release_kept_is_never_read(world, monkeypatch):
    """The code's stamp is in the key: a kept entry of other code (its shape may differ) is worked out again."""
    from roster import freshness

    client = signed_in(world.ipo)
    monkeypatch.setattr(freshness, "code_stamp", lambda: "release-1")
    view(client)
    kept = view(client)[1]
    monkeypatch.setattr(freshness, "code_stamp", lambda: "release-2")
    assert view(client)[1] >= kept + 6  # the home's figures and lists, and the panels kept with them
    assert view(client)[1] == kept


def test_the_code_stamp_moves_with_any_source_of_the_project(monkeypatch):
    from pathlib import Path

    from roster import freshness

    freshness.code_stamp.cache_clear()
    before = freshness.code_stamp()
    read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes",
                        lambda self: read(self) + (b"#" if self.name == "selectors.py" and self.parent.name == "ledger"
                                                   else b""))
    freshness.code_stamp.cache_clear()
    try:
        assert freshness.code_stamp() != before
    finally:
        monkeypatch.undo()
        freshness.code_stamp.cache_clear()
    assert freshness.code_stamp() == before
