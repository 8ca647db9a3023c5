"""The IPO staff home says what needs acting on next: applications to decide, selected officers
to deploy, bulletins closing that some agency has not acknowledged, tours ending with no relief,
and emails that failed. Checked against a hand-built fixture: each list holds exactly the rows
that qualify."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutgoingMail
from roster.dashboard import staff_worklist
from roster.models import Application
from tests import factories as f
from tests.pages import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(world):
    now, today = timezone.now(), timezone.localdate()
    closing = f.BulletinFactory(mission=world.mission, title_en="Gender adviser", positions=2,
                                closes_at=now + dt.timedelta(days=3))
    later = f.BulletinFactory(mission=world.mission, closes_at=now + dt.timedelta(days=10))
    acknowledged = f.BulletinFactory(mission=world.mission, closes_at=now + dt.timedelta(days=2))
    draft = f.BulletinFactory(mission=world.mission, status="draft", closes_at=now + dt.timedelta(days=2))
    f.BulletinNoticeFactory(bulletin=closing, agency=world.agency_a, acknowledged_at=now)
    f.BulletinNoticeFactory(bulletin=closing, agency=world.agency_b)
    f.BulletinNoticeFactory(bulletin=later, agency=world.agency_b)  # closes in 10 days: not yet urgent
    f.BulletinNoticeFactory(bulletin=acknowledged, agency=world.agency_a, acknowledged_at=now)
    f.BulletinNoticeFactory(bulletin=draft, agency=world.agency_a)  # a draft was never sent

    # to decide: endorsed, shortlisted or waitlisted; submitted ones wait for the agency, not for staff
    f.ApplicationFactory(bulletin=closing, status="endorsed")
    f.ApplicationFactory(bulletin=closing, status="shortlisted")
    f.ApplicationFactory(bulletin=closing, status="selected")
    f.ApplicationFactory(bulletin=later, status="submitted")
    to_deploy = f.ApplicationFactory(bulletin=closing, status="selected", officer=f.OfficerFactory(
        first_name="Nadia", last_name="Roy", agency=world.agency_b))

    # tours: world's two end in about 11 months; one ends in 20 days, another has its relief
    world.dep_x.delete()
    world.dep_y.delete()
    ending = f.DeploymentFactory(mission=world.mission, start_date=today - dt.timedelta(days=345),
                                 planned_end_date=today + dt.timedelta(days=20))
    relieved = f.DeploymentFactory(mission=world.mission, start_date=today - dt.timedelta(days=345),
                                   planned_end_date=today + dt.timedelta(days=25))
    f.DeploymentFactory(mission=world.mission, status="planned", replaces=relieved,
                        start_date=today + dt.timedelta(days=20), planned_end_date=today + dt.timedelta(days=385))

    OutgoingMail.objects.create(to="a@example.test", subject="s", body_text="b", message_id="<1@t>",
                                status=OutgoingMail.Status.FAILED)
    OutgoingMail.objects.create(to="b@example.test", subject="s", body_text="b", message_id="<2@t>",
                                status=OutgoingMail.Status.SENT)
    return locals()


def test_each_list_holds_exactly_what_needs_acting_on(world, desk):
    w = staff_worklist(world.ipo)
    assert [b.pk for b in w["to_decide"]] == [desk["closing"].pk] and w["to_decide_count"] == 1
    assert w["to_decide"][0].applications_awaiting == 2 and w["to_decide"][0].positions_filled == 2
    selected = set(Application.objects.filter(status="selected").values_list("pk", flat=True))
    assert {a.pk for a in w["to_deploy"]} == selected and w["to_deploy_count"] == 2
    assert [b.pk for b in w["unacknowledged"]] == [desk["closing"].pk] and w["unacknowledged_count"] == 1
    assert (w["unacknowledged"][0].notices_acknowledged, w["unacknowledged"][0].notices_total) == (1, 2)
    assert [d.pk for d in w["ending_soon"]] == [desk["ending"].pk] and w["ending_soon"][0].days_left == 20
    assert w["ending_soon_count"] == 1
    assert w["failed_mail_count"] == 1


def test_the_staff_home_shows_the_worklist_with_its_links(clients, world, desk):
    html = page_text(clients.ipo.get(reverse("home")))
    closing = desk["closing"]
    assert "Needs your attention" in html
    assert "1 bulletin has applications to decide" in html
    assert reverse("roster:bulletin-pipeline", kwargs={"bulletin_pk": closing.pk}) in html
    assert "2 to decide;" in html and "2 of 2 positions filled" in html
    assert "2 selected officers to deploy" in html
    assert reverse("roster:deployment-create", kwargs={"application_pk": desk["to_deploy"].pk}) in html
    assert "Deploy Nadia Roy" in html
    assert "1 bulletin closing within 7 days is not acknowledged by every agency" in html
    assert "1 of 2 agencies acknowledged" in html
    assert "1 tour ends within 90 days with no relief yet" in html and "(in 20 days)" in html
    assert "1 email could not be delivered." in html and "/outbox/?status=failed" in html


def test_it_says_when_nothing_is_waiting(clients, world):
    world.dep_x.delete()
    world.dep_y.delete()
    html = clients.ipo.get(reverse("home")).content.decode()
    assert "Nothing is waiting for you." in html


def test_it_is_in_french_for_a_french_reader(clients, world, desk):
    world.ipo.preferred_language = "fr"
    world.ipo.save()
    html = clients.ipo.get(reverse("home")).content.decode()
    assert "À traiter" in html and "2 personnes sélectionnées à déployer" in html


@pytest.mark.parametrize("persona", ["coord_a", "officer_x"])
def test_only_ipo_staff_get_the_worklist(clients, world, desk, persona):
    html = getattr(clients, persona).get(reverse("home")).content.decode()
    assert 'data-testid="worklist"' not in html


# --- the coordinator's queue ------------------------------------------------------------------------

def test_the_coordinator_home_lists_the_applications_awaiting_endorsement(clients, world):
    now = timezone.now()
    soon = f.BulletinFactory(mission=world.mission, closes_at=now + dt.timedelta(days=2))
    first = f.ApplicationFactory(bulletin=soon, status="submitted",
                                 officer=f.OfficerFactory(agency=world.agency_a, first_name="Amélie", last_name="Roy"))
    f.ApplicationFactory(bulletin=soon, status="endorsed", officer=f.OfficerFactory(agency=world.agency_a))
    f.ApplicationFactory(bulletin=soon, status="submitted", officer=f.OfficerFactory(
        agency=world.agency_b, first_name="Bruno", last_name="Other"))
    response = clients.coord_a.get(reverse("home"))
    # the soonest closing first; only agency A's, only submitted ones (world.app_x closes in 20 days)
    assert response.context["to_endorse"] == [first, world.app_x]
    assert response.context["to_endorse_count"] == 2
    html = page_text(response)
    assert reverse("roster:application-endorse", kwargs={"pk": first.pk}) in html
    assert "Amélie Roy" in html and "Bruno Other" not in html
    assert "applications awaiting endorsement</a>" not in html  # every one is listed: no "all N" link
    # each status of the agency's applications opens that list
    assert f'href="{reverse("roster:agency-applications")}?status=endorsed"' in html


def test_the_coordinator_queue_links_to_the_rest_when_it_is_long(clients, world, settings):
    for _ in range(11):
        f.ApplicationFactory(bulletin=f.BulletinFactory(mission=world.mission), status="submitted",
                             officer=f.OfficerFactory(agency=world.agency_a))
    html = clients.coord_a.get(reverse("home")).content.decode()
    assert html.count("Endorse or decline<span") == 10
    assert "All 12 applications awaiting endorsement" in html
    assert reverse("roster:agency-applications") + "?status=submitted" in html


def test_the_coordinator_queue_says_when_it_is_empty(clients, world):
    world.app_x.status = "endorsed"
    world.app_x.save()
    html = clients.coord_a.get(reverse("home")).content.decode()
    assert "No application is waiting for your endorsement." in html
