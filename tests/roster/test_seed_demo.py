"""`manage.py seed_demo`: realistic, consistent, idempotent demo data; `demo_logins` prints the logins."""

from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from agencies.models import Agency, Clearance, Officer, User
from missions.models import Bulletin, BulletinNotice, Mission
from notifications.models import OutgoingMail
from roster.models import TRANSITIONS, Application, ApplicationEvent, ApplicationStatus, Deployment

pytestmark = pytest.mark.django_db

PASSWORD = "demo-roster-2026"
DEMO_LOGINS = ["ipo@demo.example", "coordinator@demo.example", "officer@demo.example"]
MODELS = [Agency, User, Officer, Clearance, Mission, Bulletin, BulletinNotice, OutgoingMail, Application,
          ApplicationEvent, Deployment]
CURRENT = [Deployment.Status.PLANNED, Deployment.Status.IN_MISSION]


def seed():
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def seeded():
    seed()


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_it_can_run_twice_without_creating_anything(seeded):
    before = counts()
    passwords = dict(User.objects.values_list("email", "password"))
    output = seed()
    assert "already present" in output
    assert counts() == before
    assert dict(User.objects.values_list("email", "password")) == passwords


def test_it_resets_a_changed_demo_password_on_the_next_run(seeded):
    user = User.objects.get(email="ipo@demo.example")
    user.set_password("something-else")
    user.save()
    seed()
    login = RequestFactory().post("/accounts/login/")
    assert authenticate(login, email="ipo@demo.example", password=PASSWORD) is not None


def test_it_creates_the_partner_agencies_and_the_rcmp(seeded):
    partners = Agency.objects.filter(is_partner=True).exclude(kind=Agency.Kind.RCMP)
    assert partners.count() == 33
    assert partners.filter(province="ON").count() == 9
    assert set(partners.values_list("kind", flat=True)) >= {"provincial", "regional", "municipal", "indigenous"}
    assert partners.get(slug="spvm").language == "fr"
    rcmp = Agency.objects.get(slug="rcmp")
    assert (rcmp.kind, rcmp.province, rcmp.is_partner) == ("rcmp", "CA", True)
    assert not Agency.objects.filter(is_demo=False).exists()


def test_it_creates_the_missions_with_their_authorised_strengths(seeded):
    strengths = dict(Mission.objects.values_list("code", "authorized_strength"))
    assert {k: strengths[k] for k in ("BINUH", "UKR-CPM", "EUPOL-COPPS", "MONUSCO")} == {
        "BINUH": 48, "UKR-CPM": 45, "EUPOL-COPPS": 12, "MONUSCO": 25,
    }
    assert Mission.objects.get(code="BINUH").armed
    assert Mission.objects.filter(status=Mission.Status.CLOSED).count() == 2


def test_it_creates_about_300_officers_a_third_of_them_women(seeded):
    total = Officer.objects.count()
    assert 280 <= total <= 320
    women = Officer.objects.filter(gender=Officer.Gender.WOMAN).count()
    assert 0.25 <= women / total <= 0.42
    assert 0.35 <= Officer.objects.filter(agency__slug="rcmp").count() / total <= 0.45
    assert Clearance.objects.filter(officer__isnull=False).count() >= 2 * total


def test_every_application_and_bulletin_status_is_present(seeded):
    assert set(Application.objects.values_list("status", flat=True)) == set(ApplicationStatus.values)
    assert set(Bulletin.objects.values_list("status", flat=True)) == set(Bulletin.Status.values)


def test_each_application_history_follows_the_transition_table(seeded):
    for app in Application.objects.prefetch_related("events"):
        events = list(app.events.all())
        assert events[0].from_status == ""
        assert events[0].to_status == (ApplicationStatus.ENDORSED if app.nominated_by_id else "submitted")
        for before, after in zip(events, events[1:], strict=False):
            assert after.from_status == before.to_status
            assert after.to_status in TRANSITIONS[before.to_status]
            assert after.created_at >= before.created_at
        assert events[-1].to_status == app.status


def test_no_bulletin_selects_more_officers_than_its_positions(seeded):
    for bulletin in Bulletin.objects.all():
        filled = bulletin.applications.filter(status__in=["selected", "deployed"]).count()
        assert filled <= bulletin.positions, bulletin.reference


def test_the_three_demo_logins_authenticate(seeded):
    for email in DEMO_LOGINS:
        login = RequestFactory().post("/accounts/login/")
        assert authenticate(login, email=email, password=PASSWORD) is not None, email
    coordinator = User.objects.get(email="coordinator@demo.example")
    officer = User.objects.get(email="officer@demo.example")
    assert coordinator.agency.slug == officer.agency.slug == "ottawa-police"
    assert officer.officer.gender == Officer.Gender.WOMAN
    assert len(set(officer.officer.applications.values_list("status", flat=True))) >= 4
    assert User.objects.get(email="ipo@demo.example").is_staff


def test_no_mission_has_more_current_deployments_than_its_authorised_strength(seeded):
    current = Counter(Deployment.objects.filter(status__in=CURRENT).values_list("mission_id", flat=True))
    assert 60 <= sum(current.values()) <= 80
    for mission in Mission.objects.all():
        assert current[mission.pk] <= mission.authorized_strength, mission.code


def test_no_officer_has_overlapping_deployments(seeded):
    ranges = defaultdict(list)
    for d in Deployment.objects.all():
        ranges[d.officer_id].append((d.start_date, d.end_date))
    for tours in ranges.values():
        tours.sort()
        for (_, end), (start, _) in zip(tours, tours[1:], strict=False):
            assert end <= start


def test_about_60_percent_of_deployments_come_from_partner_agencies(seeded):
    total = Deployment.objects.count()
    partners = Deployment.objects.exclude(officer__agency__kind=Agency.Kind.RCMP).count()
    assert 0.55 <= partners / total <= 0.65


def test_demo_logins_prints_the_logins_and_the_url(seeded, monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/" in text
    assert PASSWORD in text
    for email in DEMO_LOGINS:
        assert email in text
