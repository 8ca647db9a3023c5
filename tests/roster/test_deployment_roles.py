"""The catalogue of roles in missions (issue 14): IPO staff keep it in English and French; a deployment
takes one of its roles or writes its role out in both languages; every page, export and API answer
names the role in the reader's language; the free-text roles of earlier versions became entries."""

import csv
import datetime as dt
import importlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from roster import services
from roster.models import Deployment, DeploymentEvent, DeploymentRole
from roster.roles import services as role_services
from roster.roles.views import ROLES_PER_PAGE
from tests import factories as f
from tests.api.conftest import api_client
from tests.clock import TODAY
from tests.conftest import client_for
from tests.pages import page_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pin_today")]


def role(name_en="Training officer", name_fr="Agent de formation", **kw):
    return DeploymentRole.objects.create(name_en=name_en, name_fr=name_fr, **kw)


def url(name, **kwargs):
    return reverse(f"roster:{name}", kwargs=kwargs)


@pytest.fixture
def selected(world):
    """Officer X selected on a bulletin of the world's mission, free of dep_x."""
    bulletin = f.BulletinFactory(mission=world.mission, duration_months=12, required_clearances=[],
                                 deployment_start=TODAY + dt.timedelta(days=30))
    world.dep_x.delete()
    return f.ApplicationFactory(bulletin=bulletin, officer=world.officer_x, status="selected")


def deploy(application, actor, **kw):
    kw.setdefault("start_date", application.bulletin.deployment_start)
    return services.deployment_create(application=application, actor=actor, **kw)


# --- the catalogue: who keeps it -----------------------------------------------------------------------

def test_only_ipo_staff_reach_the_catalogue_pages(world, clients):
    trainer = role()
    pages = [("get", url("deployment-role-list"), {}), ("get", url("deployment-role-create"), {}),
             ("post", url("deployment-role-create"), {"name_en": "Spy", "name_fr": "Espion", "position": 1}),
             ("get", url("deployment-role-edit", pk=trainer.pk), {}),
             ("post", url("deployment-role-edit", pk=trainer.pk), {"name_en": "X", "name_fr": "Y", "position": 1}),
             ("post", url("deployment-role-active", pk=trainer.pk), {"active": "0"})]
    for client in (clients.coord_a, clients.coord_b, clients.officer_x, clients.officer_y):
        for method, address, data in pages:
            assert getattr(client, method)(address, data).status_code == 403, (method, address)
    for method, address, data in pages:
        assert getattr(clients.anonymous, method)(address, data).status_code == 302
    trainer.refresh_from_db()
    assert (trainer.name_en, trainer.name_fr, trainer.is_active) == ("Training officer", "Agent de formation", True)
    assert not DeploymentRole.objects.filter(name_en="Spy").exists()


def test_the_services_refuse_anyone_but_ipo_staff(world):
    trainer = role()
    for actor in (world.coord_a, world.user_x):
        with pytest.raises(PermissionDenied):
            role_services.deployment_role_save(actor=actor, role=DeploymentRole(name_en="A", name_fr="B"))
        with pytest.raises(PermissionDenied):
            role_services.deployment_role_set_active(actor=actor, role=trainer, active=False)


def test_ipo_staff_add_a_role_in_both_languages(world, clients):
    response = clients.ipo.post(url("deployment-role-create"),
                                {"name_en": "  Gender   adviser ", "name_fr": "Conseiller en matière de genre",
                                 "position": 5})
    assert response.status_code == 302
    added = DeploymentRole.objects.get()
    assert (added.name_en, added.name_fr, added.position, added.is_active) == (
        "Gender adviser", "Conseiller en matière de genre", 5, True)


def test_both_names_are_required_and_unique_in_their_language(world, clients):
    role("Gender adviser", "Conseiller en matière de genre")
    response = clients.ipo.post(url("deployment-role-create"), {"name_en": "", "name_fr": " ", "position": 1})
    assert response.status_code == 200
    assert response.context["form"].errors == {"name_en": ["Give the role's English name."],
                                               "name_fr": ["Give the role's French name."]}
    response = clients.ipo.post(url("deployment-role-create"),
                                {"name_en": "GENDER ADVISER", "name_fr": "conseiller en matière de genre",
                                 "position": 1})
    assert response.context["form"].errors == {
        "name_en": ["A role with this English name already exists."],
        "name_fr": ["A role with this French name already exists."]}
    assert DeploymentRole.objects.count() == 1


def test_saving_a_role_made_from_free_text_marks_its_french_name_as_checked(world, clients):
    legacy = role("Electoral adviser", "Electoral adviser", needs_review=True)
    page = page_text(clients.ipo.get(url("deployment-role-list")))
    assert "French name to check" in page
    assert "its French name is the English one" in page_text(clients.ipo.get(url("deployment-role-edit",
                                                                                   pk=legacy.pk)))
    response = clients.ipo.post(url("deployment-role-edit", pk=legacy.pk),
                                {"name_en": "Electoral adviser", "name_fr": "Conseiller électoral", "position": 3})
    assert response.status_code == 302
    legacy.refresh_from_db()
    assert (legacy.name_fr, legacy.needs_review) == ("Conseiller électoral", False)


def test_a_role_no_longer_offered_stays_on_its_tours_and_leaves_the_form(world, clients, selected):
    trainer, mentor = role(), role("Investigations mentor", "Mentor en enquêtes")
    world.dep_y.role = trainer
    world.dep_y.save()
    assert clients.ipo.post(url("deployment-role-active", pk=trainer.pk), {"active": "0"}).status_code == 302
    trainer.refresh_from_db()
    assert not trainer.is_active
    world.dep_y.refresh_from_db()
    assert world.dep_y.catalogue_role == trainer  # the tour keeps it
    form = clients.ipo.get(url("deployment-create", application_pk=selected.pk)).context["form"]
    assert list(form.fields["role_id"].queryset) == [mentor]
    with pytest.raises(ValidationError) as exc:
        deploy(selected, world.ipo, role=trainer)
    assert list(exc.value.message_dict) == ["role"]
    clients.ipo.post(url("deployment-role-active", pk=trainer.pk), {"active": "1"})
    trainer.refresh_from_db()
    assert trainer.is_active


def test_a_tour_s_role_cannot_be_deleted(world):
    from django.db.models import ProtectedError

    trainer = role()
    world.dep_y.role = trainer
    world.dep_y.save()
    with pytest.raises(ProtectedError):
        trainer.delete()


def test_the_list_is_paged(world, clients):
    for i in range(ROLES_PER_PAGE + 3):
        role(f"Role {i:02d}", f"Rôle {i:02d}", position=i)
    first = clients.ipo.get(url("deployment-role-list"))
    assert len(first.context["page"].object_list) == ROLES_PER_PAGE
    second = clients.ipo.get(url("deployment-role-list"), {"page": 2})
    assert [r.name_en for r in second.context["page"]] == [f"Role {i:02d}" for i in range(ROLES_PER_PAGE,
                                                                                            ROLES_PER_PAGE + 3)]
    html = page_text(first)
    assert 'lang="fr">Rôle 00' in html and 'lang="en">Role 00' in html


# --- a deployment's role ---------------------------------------------------------------------------------

def test_a_deployment_takes_a_role_of_the_catalogue(world, clients, selected):
    trainer = role()
    response = clients.ipo.post(url("deployment-create", application_pk=selected.pk), {
        "role_id": trainer.pk, "role_other_en": "", "role_other_fr": "", "mission": world.mission.pk,
        "start_date": selected.bulletin.deployment_start.isoformat(), "planned_end_date": "", "replaces": "",
        "override_reason": ""})
    assert response.status_code == 302
    d = Deployment.objects.get(application=selected)
    assert (d.catalogue_role, d.role_other_en, d.role_other_fr) == (trainer, "", "")
    assert d.role_names == {"en": "Training officer", "fr": "Agent de formation"}


def test_another_role_is_written_out_in_both_languages(world, clients, selected):
    data = {"role_id": "", "role_other_en": "Senior adviser", "role_other_fr": "", "mission": world.mission.pk,
            "start_date": selected.bulletin.deployment_start.isoformat(), "planned_end_date": "", "replaces": "",
            "override_reason": ""}
    response = clients.ipo.post(url("deployment-create", application_pk=selected.pk), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"role_other_fr": ["Give the role in French too."]}
    response = clients.ipo.post(url("deployment-create", application_pk=selected.pk), {**data, "role_other_en": ""})
    assert response.context["form"].errors == {"role_id": ["Give the officer's role in the mission."]}
    response = clients.ipo.post(url("deployment-create", application_pk=selected.pk),
                                {**data, "role_other_fr": "Conseiller principal"})
    assert response.status_code == 302
    d = Deployment.objects.get(application=selected)
    assert (d.catalogue_role, d.role_names) == (None, {"en": "Senior adviser", "fr": "Conseiller principal"})


def test_the_form_offers_the_catalogue_role_named_as_the_bulletin(world, clients, selected):
    selected.bulletin.title_en, selected.bulletin.title_fr = "Training officer — community policing", "Formation"
    selected.bulletin.save()
    trainer = role()
    form = clients.ipo.get(url("deployment-create", application_pk=selected.pk)).context["form"]
    assert form.initial["role_id"] == trainer.pk
    trainer.delete()
    form = clients.ipo.get(url("deployment-create", application_pk=selected.pk)).context["form"]
    assert (form.initial["role_other_en"], form.initial["role_other_fr"]) == (
        "Training officer — community policing", "Formation")


def test_an_older_caller_s_text_is_the_catalogue_s_role_of_that_name_else_the_text_in_both_languages(world, selected):
    trainer = role()
    d = deploy(selected, world.ipo, role="  agent de FORMATION ")
    assert d.catalogue_role == trainer
    services.deployment_cancel(deployment=d, actor=world.ipo, reason="Visa refused")
    again = deploy(selected, world.ipo, role="Liaison officer")
    assert (again.catalogue_role, again.role_names) == (None, {"en": "Liaison officer", "fr": "Liaison officer"})


def test_a_rotation_in_the_same_catalogue_role_needs_no_confirmation(world, selected):
    trainer = role()
    world.dep_y.role = trainer
    world.dep_y.save()
    d = deploy(selected, world.ipo, role=trainer, replaces=world.dep_y)
    assert "role_change_confirmed" not in DeploymentEvent.objects.get(deployment=d).data


def test_a_change_of_role_is_kept_in_both_languages_and_read_in_the_reader_s(world, selected):
    trainer, mentor = role(), role("Investigations mentor", "Mentor en enquêtes")
    world.dep_y.role = mentor
    world.dep_y.save()
    with pytest.raises(ValidationError) as exc:
        deploy(selected, world.ipo, role=trainer, replaces=world.dep_y)
    assert exc.value.message_dict["confirm_role_change"] == [
        "The role differs from the one it replaces: Training officer replaces Investigations mentor. Tick to "
        "confirm this rotation."]
    d = deploy(selected, world.ipo, role=trainer, replaces=world.dep_y, confirm_role_change=True)
    assert DeploymentEvent.objects.get(deployment=d).data["role_change_confirmed"] == [
        {"en": "Investigations mentor", "fr": "Mentor en enquêtes"},
        {"en": "Training officer", "fr": "Agent de formation"}]
    world.ipo.preferred_language = "fr"
    world.ipo.save()
    html = page_text(client_for(world.ipo).get(url("deployment-detail", pk=d.pk)))
    assert "Agent de formation" in html and "Mentor en enquêtes" in html
    assert "Training officer" not in html


# --- in the reader's language ---------------------------------------------------------------------------

def test_pages_name_the_role_in_the_reader_s_language(world):
    trainer = role()
    world.dep_x.role = trainer
    world.dep_x.save()
    world.dep_y.role_other_en, world.dep_y.role_other_fr = "Liaison officer", "Agent de liaison"
    world.dep_y.save()
    for lang, expected, other in (("en", "Training officer", "Liaison officer"),
                                  ("fr", "Agent de formation", "Agent de liaison")):
        world.ipo.preferred_language = lang
        world.ipo.save()
        client = client_for(world.ipo)
        for page in (url("deployment-detail", pk=world.dep_x.pk), url("roster"),
                     url("mission-timeline", mission_pk=world.mission.pk),
                     url("officer-history", officer_pk=world.officer_x.pk)):
            response = client.get(page)
            assert response.status_code == 200, page
            assert expected in page_text(response), (lang, page)
        assert other in page_text(client.get(url("roster")))


def test_a_role_written_out_in_one_language_only_reads_in_it_in_the_other(world):
    world.dep_x.role_other_en, world.dep_x.role_other_fr = "Liaison officer", ""
    world.dep_x.save()
    from django.utils import translation

    with translation.override("fr"):
        assert world.dep_x.role == "Liaison officer"


def test_the_roster_export_names_the_role_in_the_reader_s_language(world):
    world.dep_x.role = role()
    world.dep_x.save()
    world.ipo.preferred_language = "fr"
    world.ipo.save()
    response = client_for(world.ipo).get(url("export-roster", fmt="csv"))
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert any("Agent de formation" in r for r in rows)
    assert not any("Training officer" in r for r in rows)


def test_the_api_keeps_role_as_the_name_in_the_request_s_language_and_adds_role_id(world):
    trainer = role()
    world.dep_x.role = trainer
    world.dep_x.save()
    for lang, name in (("en", "Training officer"), ("fr", "Agent de formation")):
        data = api_client(world.ipo, language=lang).get(f"/api/v1/deployments/{world.dep_x.pk}/").json()
        assert (data["role"], data["role_id"]) == (name, trainer.pk)
    data = api_client(world.ipo, language="fr").get(f"/api/v1/deployments/{world.dep_y.pk}/").json()
    assert (data["role"], data["role_id"]) == ("Police adviser", None)
    roles = api_client(world.user_x, language="fr").get("/api/v1/deployment-roles/").json()["results"]
    assert roles == [{"id": trainer.pk, "name": "Agent de formation", "name_en": "Training officer",
                      "name_fr": "Agent de formation"}]


def test_the_api_creates_a_deployment_by_role_id_or_by_an_older_client_s_text(world, selected):
    trainer = role()
    start = selected.bulletin.deployment_start.isoformat()
    response = api_client(world.ipo).post("/api/v1/deployments/", {
        "application": selected.pk, "role_id": trainer.pk, "mission": world.mission.pk, "start_date": start},
        format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["role"], response.json()["role_id"]) == ("Training officer", trainer.pk)
    services.deployment_cancel(deployment=Deployment.objects.get(application=selected), actor=world.ipo,
                               reason="Visa refused")
    response = api_client(world.ipo).post("/api/v1/deployments/", {
        "application": selected.pk, "role": "Agent de formation", "mission": world.mission.pk, "start_date": start},
        format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["role_id"] == trainer.pk


# --- the admin ---------------------------------------------------------------------------------------------

def test_the_admin_shows_both_language_fields(world):
    world.ipo.is_staff = True
    world.ipo.save()
    role("Training officer", "Agent de formation")
    world.bulletin.title_fr = "Conseiller de police"
    world.bulletin.save()
    client = client_for(world.ipo)
    roles = page_text(client.get("/admin/roster/deploymentrole/"))
    assert "Agent de formation" in roles and "Training officer" in roles
    missions = page_text(client.get("/admin/missions/mission/"))
    assert world.mission.name_fr in missions and world.mission.country_fr in missions
    assert "Conseiller de police" in page_text(client.get("/admin/missions/bulletin/"))
    assert world.agency_a.name_fr in page_text(client.get("/admin/agencies/agency/"))
    deployments = page_text(client.get("/admin/roster/deployment/"))
    assert "Role (English)" in deployments and "Role (French)" in deployments


@pytest.mark.parametrize("name_en, name_fr, field", [
    ("Training  officer", "Formateur", "name_en"),  # the same as another once its spaces are tidied
    ("Mentor", "  ", "name_fr"),
])
def test_the_admin_says_why_it_cannot_save_a_role_and_saves_nothing(world, name_en, name_fr, field):
    world.ipo.is_staff = True
    world.ipo.save()
    role("Training officer", "Agent de formation")
    before = list(DeploymentRole.objects.values_list("name_en", "name_fr"))
    response = client_for(world.ipo).post("/admin/roster/deploymentrole/add/", {
        "name_en": name_en, "name_fr": name_fr, "position": 5, "is_active": "on"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]
    assert list(DeploymentRole.objects.values_list("name_en", "name_fr")) == before


def test_the_admin_saves_a_role_with_its_names_tidied(world):
    world.ipo.is_staff = True
    world.ipo.save()
    response = client_for(world.ipo).post("/admin/roster/deploymentrole/add/", {
        "name_en": " Police   mentor ", "name_fr": "Mentor  de police", "position": 5, "is_active": "on"})
    assert response.status_code == 302
    assert DeploymentRole.objects.filter(name_en="Police mentor", name_fr="Mentor de police").exists()


# --- the free-text roles of earlier versions ------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_the_migration_turns_free_text_roles_into_entries_and_system_notes_into_codes():
    """From the schema before the data step (roster 0009: the old text kept as role_text) to the end."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("roster", "0009_deployment_roles_and_system_notes"), ("agencies", "0009_officer_preferred_language")]
    after = [("roster", "0011_deployment_role_text_removed")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        Agency, Officer = old.get_model("agencies", "Agency"), old.get_model("agencies", "Officer")
        Mission, Bulletin = old.get_model("missions", "Mission"), old.get_model("missions", "Bulletin")
        Application = old.get_model("roster", "Application")
        Event, Dep = old.get_model("roster", "ApplicationEvent"), old.get_model("roster", "Deployment")
        DepEvent = old.get_model("roster", "DeploymentEvent")
        agency = Agency.objects.create(slug="a", name_en="A", name_fr="A", kind="regional", province="ON")
        mission = Mission.objects.create(code="BINUH", name_en="B", name_fr="B", kind="un", country_en="Haiti",
                                         country_fr="Haïti", language="fr", authorized_strength=5)
        bulletin = Bulletin.objects.create(reference="JPB-2026-001", mission=mission, title_en="T",
                                           deployment_start=dt.date(2027, 1, 1), closes_at="2026-12-01T12:00Z")
        texts = ["Training officer", "training  OFFICER", "Liaison officer", "Police adviser"]
        deps = []
        for i, text in enumerate(texts):
            officer = Officer.objects.create(agency=agency, badge_number=f"B{i}", first_name="A", last_name=f"O{i}")
            app = Application.objects.create(bulletin=bulletin, officer=officer, status="deployed")
            deps.append(Dep.objects.create(officer=officer, mission=mission, application=app, role_text=text,
                                           start_date=dt.date(2027, 1, 1), planned_end_date=dt.date(2028, 1, 1)))
            Event.objects.create(application=app, to_status="deployed", note="Deployed to BINUH", note_shared=True)
            Event.objects.create(application=app, to_status="selected", note="Déploiement à BINUH annulé avant le "
                                                                              "départ.", note_shared=True)
            Event.objects.create(application=app, to_status="selected", note="Deployed to BINUH, said the chief")
        DepEvent.objects.create(deployment=deps[0], action="created", data={
            "overrides": {"clearances": ["Medical is missing.", "Passport expires on 2027-06-01, before the planned "
                                         "end.", "Something else."],
                          "strength": ["BINUH would exceed its authorised strength of 5 (5 deployed or planned)."]},
            "role_change_confirmed": ["Police adviser", "Training officer"]})
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())

    roles = {r.name_en: r for r in DeploymentRole.objects.all()}
    assert set(roles) == {"Training officer", "Liaison officer", "Police adviser"}
    assert (roles["Training officer"].name_fr, roles["Training officer"].needs_review) == ("Agent de formation", False)
    assert (roles["Liaison officer"].name_fr, roles["Liaison officer"].needs_review) == ("Liaison officer", True)
    assert [d.catalogue_role.name_en for d in Deployment.objects.order_by("id")] == [
        "Training officer", "Training officer", "Liaison officer", "Police adviser"]
    from roster.models import ApplicationEvent

    events = list(ApplicationEvent.objects.filter(application__officer__badge_number="B0").order_by("id"))
    assert [(e.note, e.note_code, e.note_params) for e in events] == [
        ("", "application.deployed", {"mission": "BINUH"}),
        ("", "application.deployment_cancelled", {"mission": "BINUH"}),
        ("Deployed to BINUH, said the chief", "", {})]  # a person's words stay as typed
    data = DeploymentEvent.objects.get().data
    assert data["overrides"] == {
        "clearances": [{"code": "clearance.missing", "params": {"kind": "medical"}},
                       {"code": "clearance.expires", "params": {"kind": "passport", "date": "2027-06-01"}},
                       "Something else."],
        "strength": [{"code": "strength.mission", "params": {"mission": "BINUH", "n": 5, "now": 5}}]}
    assert data["role_change_confirmed"] == [{"en": "Police adviser", "fr": "Conseiller de police"},
                                             {"en": "Training officer", "fr": "Agent de formation"}]


def test_the_migration_s_dictionary_covers_the_demo_s_roles():
    migration = importlib.import_module("roster.migrations.0010_deployment_roles_and_system_notes_data")
    from roster.management.commands import _demo_data as data

    for name_en, name_fr in data.ROLE_CATALOGUE:
        if name_en not in data.RETIRED_ROLES:
            assert migration.KNOWN_FRENCH[name_en.casefold()] == name_fr


def test_the_roster_links_ipo_staff_to_the_catalogue(clients):
    link = f'href="{url("deployment-role-list")}"'
    assert link in page_text(clients.ipo.get(url("roster")))
    assert link not in page_text(clients.coord_a.get(url("roster")))


def test_the_list_costs_the_same_queries_whatever_the_number_of_roles(world, clients):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert clients.ipo.get(url("deployment-role-list")).status_code == 200
        return len(ctx.captured_queries)

    role("Role A", "Rôle A")
    clients.ipo.get(url("deployment-role-list"))  # the first request of a session warms its caches
    few = queries()
    for i in range(12):
        trainer = role(f"Role {i}", f"Rôle {i}")
        f.DeploymentFactory(mission=world.mission, role=trainer, status="completed",
                            start_date=TODAY - dt.timedelta(days=900 + 400 * i),
                            planned_end_date=TODAY - dt.timedelta(days=700 + 400 * i),
                            actual_end_date=TODAY - dt.timedelta(days=700 + 400 * i))
    assert queries() == few


# session + user, then the page of roles with their tours counted, and the paginator's count
ROLE_LIST_QUERIES = 4


@pytest.mark.parametrize("rows", [1, 15])
def test_the_roles_list_runs_a_constant_number_of_queries(world, django_assert_num_queries, rows):
    for i in range(rows):
        held = role(f"Role {i}", f"Rôle {i}")
        f.DeploymentFactory(officer=f.OfficerFactory(agency=world.agency_a), mission=world.mission, catalogue_role=held)
    client = client_for(world.ipo)
    with django_assert_num_queries(ROLE_LIST_QUERIES):
        response = client.get(reverse("roster:deployment-role-list"))
    assert response.status_code == 200 and len(response.context["page"].object_list) >= rows
