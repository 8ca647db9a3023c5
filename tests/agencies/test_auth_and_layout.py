import re

import pytest
from django.db import IntegrityError
from django.urls import reverse

from agencies.models import Role, User
from tests import factories as f
from tests.pages import page_text

pytestmark = pytest.mark.django_db


def test_it_logs_in_by_email_case_insensitively(client, world):
    response = client.post(
        reverse("login"), {"username": "COORD-A@example.test", "password": "pw-roster-test"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_says_why_a_login_failed(client, world):
    response = client.post(reverse("login"), {"username": "coord-a@example.test", "password": "wrong"})
    assert response.status_code == 200
    assert "correct email address and password" in response.content.decode()


def test_it_refuses_a_coordinator_without_an_agency(db):
    with pytest.raises(IntegrityError):
        User.objects.create_user("lost@example.test", "x", role=Role.COORDINATOR, agency=None)


def test_it_lets_ipo_staff_exist_without_an_agency(db):
    assert User.objects.create_user("hq@example.test", "x", role=Role.IPO_STAFF).agency is None


@pytest.mark.parametrize(
    "persona,text",
    [("ipo", "Open bulletins"), ("coord_a", "Agency A Police"), ("officer_x", "My applications")],
)
def test_it_gives_each_role_its_home_page(clients, persona, text):
    response = getattr(clients, persona).get("/")
    assert response.status_code == 200
    assert text in response.content.decode()


def test_it_counts_for_ipo_staff(clients, world):
    f.DeploymentFactory(mission=world.mission, status="completed")
    response = clients.ipo.get("/")
    assert response.context["open_bulletins"] == 1
    assert response.context["pending_applications"] == 2
    assert response.context["current_deployments"] == 2


def test_its_layout_has_a_skip_link_lang_and_no_cdn(clients):
    html = page_text(clients.ipo.get("/"))
    assert '<html lang="en">' in html
    assert 'href="#main"' in html and 'id="main"' in html
    # every stylesheet, script and image comes from our own /static/, never from another host
    assets = re.findall(r'<(?:link|script|img)\b[^>]*\b(?:href|src)="([^"]+)"', html)
    assert assets and all(a.startswith("/static/") or a.startswith("/favicon") for a in assets), assets
    assert "https://" not in html


def test_it_switches_to_french(clients):
    response = clients.coord_a.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    html = clients.coord_a.get("/").content.decode()
    assert '<html lang="fr">' in html
    assert "Passer au contenu principal" in html


def test_it_uses_the_preferred_language_of_the_user(client, world):
    world.coord_a.preferred_language = "fr"
    world.coord_a.save()
    client.force_login(world.coord_a)
    assert '<html lang="fr">' in client.get("/").content.decode()


def test_it_lets_only_ipo_staff_into_the_admin(clients):
    assert clients.ipo.get("/admin/agencies/officer/").status_code == 200
    assert clients.coord_a.get("/admin/agencies/officer/").status_code == 302


def test_its_admin_shows_workflow_records_without_letting_staff_change_them(clients, world):
    app_url = f"/admin/roster/application/{world.app_x.pk}/change/"
    assert clients.ipo.get(app_url).status_code == 200  # view only
    response = clients.ipo.post(app_url, {"status": "selected"})
    assert response.status_code == 403
    world.app_x.refresh_from_db()
    assert world.app_x.status == "submitted"
    assert clients.ipo.get("/admin/roster/deployment/add/").status_code == 403
    assert clients.ipo.post(f"/admin/roster/deployment/{world.dep_x.pk}/delete/", {"post": "yes"}).status_code == 403


def test_its_admin_lets_only_a_superuser_grant_superuser(clients, world):
    url = f"/admin/agencies/user/{world.coord_a.pk}/change/"
    html = clients.ipo.get(url).content.decode()
    assert 'name="is_superuser"' not in html


def test_the_switcher_remembers_the_language_so_emails_follow(clients, world):
    clients.coord_a.post(reverse("set_language"), {"language": "fr", "next": "/"})
    world.coord_a.refresh_from_db()
    assert world.coord_a.preferred_language == "fr"
    clients.coord_a.post(reverse("set_language"), {"language": "xx", "next": "/"})
    world.coord_a.refresh_from_db()
    assert world.coord_a.preferred_language == "fr"  # an unknown language changes nothing
    response = clients.anonymous.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302


def test_its_health_check_says_when_the_database_is_down(client, monkeypatch):
    from django.db import connection

    assert client.get("/healthz").content == b"ok"

    def broken():
        raise RuntimeError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503 and b"unavailable" in response.content


def test_it_sends_a_content_security_policy(clients):
    policy = clients.ipo.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
