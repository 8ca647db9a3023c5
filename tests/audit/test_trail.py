"""The audit trail: changes (who, when, before and after), reads of personal data, security
events; searchable by IPO staff; an officer sees who read their record; append-only."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.urls import reverse

from audit.models import AppendOnlyError, AuditEntry
from tests import factories as f
from tests.pages import page_text

pytestmark = pytest.mark.django_db


def test_a_change_to_an_officer_records_who_when_and_before_and_after(world, clients):
    o = world.officer_x
    response = clients.coord_a.post(reverse("agencies:officer-edit", args=[o.pk]), {
        "first_name": o.first_name, "last_name": "Xander", "badge_number": o.badge_number, "rank": o.rank,
        "gender": o.gender, "email": o.email, "phone": "", "english_level": "", "french_level": "",
        "manual_driving": "unknown", "firearms_qualified": "unknown", "is_active": "on",
    })
    assert response.status_code == 302, page_text(response)
    entry = AuditEntry.objects.filter(kind="change", officer_id=o.pk, action=AuditEntry.Action.UPDATE).latest("id")
    assert entry.actor_id == world.coord_a.pk and entry.actor_email == world.coord_a.email
    assert entry.changes["last_name"] == ["Xavier", "Xander"]
    assert entry.timestamp is not None


@pytest.mark.parametrize("model_factory", ["clearance", "application", "deployment", "bulletin", "mission", "user"])
def test_each_audited_model_records_its_changes(world, model_factory):
    before = AuditEntry.objects.count()
    if model_factory == "clearance":
        f.ClearanceFactory(officer=world.officer_x, kind="security")
    elif model_factory == "application":
        world.app_x.statement = "Changed"
        world.app_x.save()
    elif model_factory == "deployment":
        world.dep_x.role = "Changed"
        world.dep_x.save()
    elif model_factory == "bulletin":
        world.bulletin.title_en = "Changed"
        world.bulletin.save()
    elif model_factory == "mission":
        world.mission.authorized_strength = 47
        world.mission.save()
    elif model_factory == "user":
        world.coord_b.first_name = "Changed"
        world.coord_b.save()
    assert AuditEntry.objects.count() == before + 1


def test_a_passwords_hash_never_enters_the_trail(world):
    world.coord_b.set_password("Another-pass-2027")
    world.coord_b.save()
    assert not AuditEntry.objects.filter(changes__has_key="password").exists()


def test_reads_of_personal_data_are_recorded_but_not_a_persons_own(world, clients):
    clients.coord_a.get(reverse("agencies:officer-detail", args=[world.officer_x.pk]))
    clients.officer_x.get(reverse("agencies:officer-detail", args=[world.officer_x.pk]))
    clients.ipo.get(reverse("roster:application-detail", args=[world.app_x.pk]))
    clients.ipo.get(reverse("roster:deployment-detail", args=[world.dep_x.pk]))
    reads = AuditEntry.objects.filter(kind="read", officer_id=world.officer_x.pk)
    assert sorted(reads.values_list("event", "actor_id")) == sorted([
        ("read.officer", world.coord_a.pk), ("read.application", world.ipo.pk), ("read.deployment", world.ipo.pk),
    ])


def test_an_officer_sees_who_read_their_record_and_nobody_elses(world, clients):
    clients.coord_a.get(reverse("agencies:officer-detail", args=[world.officer_x.pk]))
    mine = page_text(clients.officer_x.get(reverse("accounts:my-record-reads")))
    assert world.coord_a.get_full_name() in mine and "Officer profile read" in mine
    theirs = page_text(clients.officer_y.get(reverse("accounts:my-record-reads")))
    assert world.coord_a.get_full_name() not in theirs


def test_ipo_staff_search_the_trail_by_officer_user_date_and_kind(world, clients):
    clients.coord_a.get(reverse("agencies:officer-detail", args=[world.officer_x.pk]))
    clients.coord_b.get(reverse("agencies:officer-detail", args=[world.officer_y.pk]))
    url = reverse("accounts:audit")
    by_officer = clients.ipo.get(url, {"officer": "Xavier", "kind": "read"})
    assert by_officer.status_code == 200
    rows = by_officer.context["rows"]
    assert rows and all(r.officer_id == world.officer_x.pk and r.kind == "read" for r in rows)
    by_user = clients.ipo.get(url, {"user": world.coord_b.email, "kind": "read"}).context["rows"]
    assert by_user and all(r.actor_id == world.coord_b.pk for r in by_user)
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    assert clients.ipo.get(url, {"since": tomorrow}).context["rows"] == []
    bad = clients.ipo.get(url, {"since": "2026-12-10", "until": "2026-12-01"})
    assert bad.status_code == 200 and "The end date comes before the start date." in page_text(bad)


def test_the_trail_pages_through_by_key(world, clients):
    from audit.services import audit_read

    for _ in range(60):
        audit_read(actor=world.ipo, obj=world.officer_x, event="read.officer", officer_id=world.officer_x.pk)
    first = clients.ipo.get(reverse("accounts:audit"), {"kind": "read"})
    assert len(first.context["rows"]) == 50 and first.context["next_cursor"]
    second = clients.ipo.get(reverse("accounts:audit"), {"kind": "read", "after": first.context["next_cursor"]})
    assert len(second.context["rows"]) == 10
    assert not {r.pk for r in first.context["rows"]} & {r.pk for r in second.context["rows"]}


def test_the_trail_is_for_ipo_staff_only(clients):
    for persona in ("coord_a", "officer_x"):
        assert getattr(clients, persona).get(reverse("accounts:audit")).status_code == 403


def test_nothing_in_the_app_changes_or_deletes_an_entry(world):
    from audit.services import audit_security

    entry = audit_security(event="login.succeeded", user=world.coord_a)
    entry.event = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_the_admin_offers_no_change_or_delete_even_to_a_superuser(world):
    from tests.conftest import client_for

    root = f.IpoStaffFactory(email="root@example.test", is_superuser=True)
    from audit.services import audit_security

    entry = audit_security(event="login.succeeded", user=world.coord_a)
    c = client_for(root)
    assert c.get(reverse("admin:audit_auditentry_changelist")).status_code == 200
    page = c.post(reverse("admin:audit_auditentry_change", args=[entry.pk]), {"event": "tampered"})
    assert page.status_code in (200, 403)
    assert c.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    entry.refresh_from_db()
    assert entry.event == "login.succeeded"
    # plain IPO staff do not open it in the admin (they have the search page)
    assert client_for(world.ipo).get(reverse("admin:audit_auditentry_changelist")).status_code == 403


@pytest.mark.postgres
def test_postgresql_refuses_update_and_delete_on_the_trail(world):
    from django.db.utils import DatabaseError

    from audit.services import audit_security

    entry = audit_security(event="login.succeeded", user=world.coord_a)
    for sql in ("UPDATE audit_auditentry SET event = 'x' WHERE id = %s", "DELETE FROM audit_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, event="login.succeeded").exists()
