"""Retention: an officer with no application or deployment activity for ROSTER["RETENTION_YEARS"]
(2 here) is anonymised: what identifies them is erased, what the program's statistics count is kept
(the dashboard figures do not move), and the change trail gets one "retention.anonymised" entry
that holds none of the erased values."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Clearance, Officer, User
from audit.models import AuditEntry
from notifications.models import OutgoingMail
from privacy.selectors import due_since, officers_due_for_retention, years_before
from privacy.services import officer_anonymise, retention_run
from roster.dashboard import agency_history, dashboard_summary
from roster.models import Application, ApplicationDocument, ApplicationEvent, Deployment, DeploymentEvent, MedalAward
from tests import factories as f
from tests.clock import TODAY, noon_of
from tests.pages import page_text

DAY = dt.timedelta(days=1)
# a fixed day for the boundaries; the cutoff of a 2-year period is 2024-06-15
ON = dt.date(2026, 6, 15)
CUTOFF = dt.date(2024, 6, 15)

FIRST, LAST = "Zelda", "Zimmerman-Quist"
EMAIL, PHONE, BADGE, LOGIN = "zelda.zq@police-a.example", "613-555-0142", "ZQ-77121", "zelda.login@police-a.example"
DOB = dt.date(1979, 3, 14)
REFERENCE, STATEMENT = "PSY-ZQ-99812", "Fifteen years in community policing; fluent in Kreyol."
APP_NOTE, DEP_NOTE, REPAT_NOTE, OVERRIDE = "Release signed by Chief Ramirez.", "Handover with Cst. Bolduc.", \
    "Back home for surgery at the Civic.", "Strength waived by the Director."
MAIL_SUBJECT, MAIL_TEXT = "Zelda, your tour ends", "Dear Zelda Zimmerman-Quist, your tour ends soon."
ERASED_VALUES = (FIRST, LAST, EMAIL, PHONE, BADGE, LOGIN, DOB.isoformat(), REFERENCE, STATEMENT, APP_NOTE, DEP_NOTE,
                 REPAT_NOTE, OVERRIDE, MAIL_SUBJECT, MAIL_TEXT)


def at(day: dt.date) -> dt.datetime:
    return noon_of(day)


def created_on(officer, day):
    Officer.objects.filter(pk=officer.pk).update(created_at=at(day))


def officer_created_on(day, **kw):
    officer = f.OfficerFactory(**kw)
    created_on(officer, day)
    return officer


def tour_ended_on(day, *, officer=None, status=Deployment.Status.COMPLETED, actual=True):
    officer = officer or officer_created_on(day - 800 * DAY)
    f.DeploymentFactory(officer=officer, status=status, start_date=day - 180 * DAY,
                        planned_end_date=day if not actual else day + 30 * DAY,
                        actual_end_date=day if actual else None)
    return officer


def application_closed_on(day, *, officer=None, status=Application.Status.WITHDRAWN):
    officer = officer or officer_created_on(day - 800 * DAY)
    application = f.ApplicationFactory(officer=officer, status=status)
    ApplicationEvent.objects.create(application=application, to_status="submitted")
    ApplicationEvent.objects.create(application=application, from_status="submitted", to_status=status)
    events = ApplicationEvent.objects.filter(application=application)
    events.filter(to_status="submitted").update(created_at=at(day - 20 * DAY))
    events.exclude(to_status="submitted").update(created_at=at(day))
    return officer


def due_ids(today=ON):
    return set(officers_due_for_retention(today).values_list("pk", flat=True))


# --- who is due: the boundaries ----------------------------------------------------------------------

def test_the_cutoff_is_n_years_before_today():
    assert years_before(ON, 2) == CUTOFF
    assert years_before(dt.date(2028, 2, 29), 2) == dt.date(2026, 2, 28)
    assert due_since(dt.date(2024, 6, 14)) == dt.date(2026, 6, 15)


@pytest.mark.parametrize("make", [
    officer_created_on,
    tour_ended_on,
    lambda day: tour_ended_on(day, actual=False),  # a completed tour without an actual end: its planned end
    lambda day: tour_ended_on(day, status=Deployment.Status.REPATRIATED),
    application_closed_on,
    lambda day: application_closed_on(day, status=Application.Status.NOT_SELECTED),
], ids=["profile-created", "tour-ended", "tour-planned-end", "repatriated", "withdrawn", "not-selected"])
def test_an_officer_is_due_one_day_after_n_years_and_not_before(db, make):
    older = make(CUTOFF - DAY)  # n years and a day
    exactly = make(CUTOFF)  # n years to the day
    younger = make(CUTOFF + DAY)  # a day short of n years
    assert due_ids() == {older.pk}
    assert exactly.pk in due_ids(ON + DAY) and younger.pk not in due_ids(ON + DAY)
    assert younger.pk in due_ids(ON + 2 * DAY)


def test_the_later_of_the_last_tour_and_the_last_application_counts(db):
    old_tour_recent_application = application_closed_on(CUTOFF + DAY, officer=tour_ended_on(CUTOFF - 300 * DAY))
    old_application_recent_tour = tour_ended_on(CUTOFF + DAY, officer=application_closed_on(CUTOFF - 300 * DAY))
    both_old = tour_ended_on(CUTOFF - 3 * DAY, officer=application_closed_on(CUTOFF - 2 * DAY))
    assert due_ids() == {both_old.pk}
    (row,) = officers_due_for_retention(ON)
    assert row.last_activity == CUTOFF - 2 * DAY
    assert {old_tour_recent_application.pk, old_application_recent_tour.pk}.isdisjoint(due_ids())


def test_an_application_closure_is_its_last_event_not_its_creation(db):
    officer = application_closed_on(CUTOFF + DAY)
    Application.objects.filter(officer=officer).update(created_at=at(CUTOFF - 400 * DAY))
    assert officer.pk not in due_ids()


@pytest.mark.parametrize("status", sorted(s for s in Application.Status.values
                                          if s in {"submitted", "endorsed", "shortlisted", "waitlisted", "selected"}))
def test_an_open_application_keeps_the_record_however_old(db, status):
    officer = tour_ended_on(CUTOFF - 500 * DAY)
    application = f.ApplicationFactory(officer=officer, status=status)
    Application.objects.filter(pk=application.pk).update(created_at=at(CUTOFF - 400 * DAY))
    assert due_ids() == set()


@pytest.mark.parametrize("status", [Deployment.Status.PLANNED, Deployment.Status.IN_MISSION])
def test_a_current_deployment_keeps_the_record_however_old(db, status):
    officer = application_closed_on(CUTOFF - 500 * DAY)
    f.DeploymentFactory(officer=officer, status=status, start_date=CUTOFF - 450 * DAY,
                        planned_end_date=CUTOFF - 100 * DAY)
    assert due_ids() == set()


def test_an_anonymised_officer_is_never_due_again(db):
    officer = officer_created_on(CUTOFF - DAY)
    Officer.objects.filter(pk=officer.pk).update(anonymised_at=at(ON))
    assert due_ids() == set()


def test_the_period_is_the_setting(db, settings):
    officer = officer_created_on(years_before(ON, 3) + DAY)
    assert officer.pk in due_ids()
    settings.ROSTER = {**settings.ROSTER, "RETENTION_YEARS": 3}
    assert officer.pk not in due_ids()


# --- anonymising --------------------------------------------------------------------------------------

@pytest.fixture
def old(world, pin_today):
    """Officer Z of agency A (a woman, a sergeant, with a login): everything last happened three years ago."""
    back = years_before(TODAY, 3)
    user = f.UserFactory(email=LOGIN, first_name=FIRST, last_name=LAST, agency=world.agency_a)
    z = f.OfficerFactory(agency=world.agency_a, user=user, first_name=FIRST, last_name=LAST, email=EMAIL, phone=PHONE,
                         badge_number=BADGE, date_of_birth=DOB, rank=Officer.Rank.SERGEANT,
                         gender=Officer.Gender.WOMAN, service_start=dt.date(2005, 9, 1), english_level=4,
                         french_level=3)
    created_on(z, back - 900 * DAY)
    clearance = f.ClearanceFactory(officer=z, kind=Clearance.Kind.PSYCHOLOGICAL, reference=REFERENCE)
    bulletin = f.BulletinFactory(mission=world.mission)
    application = f.ApplicationFactory(officer=z, bulletin=bulletin, statement=STATEMENT,
                                       status=Application.Status.DEPLOYED)
    Application.objects.filter(pk=application.pk).update(created_at=at(back - 200 * DAY))
    pdf = f.minimal_pdf_bytes()
    document = application.documents.create(file=ContentFile(pdf, name="cv.pdf"), original_name="Zelda CV.pdf",
                                            size=len(pdf))
    ApplicationEvent.objects.create(application=application, to_status="submitted")
    ApplicationEvent.objects.create(application=application, from_status="submitted", to_status="endorsed",
                                    actor=world.coord_a, note=APP_NOTE)
    ApplicationEvent.objects.filter(application=application).update(created_at=at(back - 190 * DAY))
    deployment = f.DeploymentFactory(
        officer=z, mission=world.mission, application=application, status=Deployment.Status.REPATRIATED,
        start_date=back - 150 * DAY, planned_end_date=back + 200 * DAY, actual_end_date=back,
        repatriation_reason=Deployment.RepatriationReason.MEDICAL, repatriation_note=REPAT_NOTE,
        override_reason=OVERRIDE,
    )
    DeploymentEvent.objects.create(deployment=deployment, action="repatriated", actor=world.ipo, note=DEP_NOTE,
                                   data={"on": back.isoformat(), "reason": "medical"})
    MedalAward.objects.create(officer=z, medal="un_mission", mission=world.mission, awarded_on=back)
    mail = OutgoingMail.objects.create(to=EMAIL, subject=MAIL_SUBJECT, body_text=MAIL_TEXT,
                                       body_html=f"<p>{MAIL_TEXT}</p>", message_id="<z-1@test>",
                                       status=OutgoingMail.Status.SENT)
    login_mail = OutgoingMail.objects.create(to=LOGIN, user=user, subject=MAIL_SUBJECT, body_text=MAIL_TEXT,
                                             message_id="<z-2@test>", status=OutgoingMail.Status.SENT)
    world.z, world.z_user, world.z_clearance, world.z_application = z, user, clearance, application
    world.z_document, world.z_deployment, world.z_mails = document, deployment, [mail, login_mail]
    world.z_file = document.file.name
    return world


def anonymise(world, django_capture_on_commit_callbacks, *, actor=None):
    with django_capture_on_commit_callbacks(execute=True):
        return officer_anonymise(officer=world.z, actor=actor)


def test_z_is_due_and_the_world_officers_are_not(old):
    assert due_ids(TODAY) == {old.z.pk}


def test_anonymising_erases_every_personal_field(old, django_capture_on_commit_callbacks):
    storage = old.z_document.file.storage
    assert storage.exists(old.z_file)
    assert anonymise(old, django_capture_on_commit_callbacks, actor=old.ipo) is True

    z = Officer.objects.get(pk=old.z.pk)
    assert (z.first_name, z.last_name) == ("ANON", str(z.pk))
    assert z.email == "" and z.phone == "" and z.date_of_birth is None
    assert z.badge_number == f"ANON-{z.pk}"
    assert z.user_id is None and z.is_active is False and z.anonymised_at is not None
    assert Clearance.objects.get(pk=old.z_clearance.pk).reference == ""
    assert Application.objects.get(pk=old.z_application.pk).statement == ""
    assert set(ApplicationEvent.objects.filter(application=old.z_application).values_list("note", flat=True)) == {""}
    d = Deployment.objects.get(pk=old.z_deployment.pk)
    assert d.repatriation_note == "" and d.override_reason == ""
    assert set(DeploymentEvent.objects.filter(deployment=d).values_list("note", flat=True)) == {""}
    # documents: rows and files
    assert not ApplicationDocument.objects.filter(application=old.z_application).exists()
    assert not storage.exists(old.z_file)
    # the login: kept (the trail refers to it), deactivated, nothing left to identify or sign in with
    user = User.objects.get(pk=old.z_user.pk)
    assert not user.is_active and not user.has_usable_password()
    assert LOGIN != user.email and user.email.endswith(".invalid") and user.first_name == user.last_name == ""
    # the messages sent to Z
    for mail in OutgoingMail.objects.filter(pk__in=[m.pk for m in old.z_mails]):
        assert (mail.subject, mail.body_text, mail.body_html) == ("", "", "")
        assert mail.to not in (EMAIL, LOGIN)
    # nothing of it is left anywhere a page reads
    for model, fields in ((Officer, ("first_name", "last_name", "email", "phone", "badge_number")),
                          (User, ("email", "first_name", "last_name")),
                          (OutgoingMail, ("to", "subject", "body_text", "body_html"))):
        for value in model.objects.values_list(*fields):
            assert not {FIRST, LAST, EMAIL, LOGIN, PHONE, BADGE} & set(value)


def test_anonymising_keeps_what_the_statistics_count(old, django_capture_on_commit_callbacks):
    before = Officer.objects.get(pk=old.z.pk)
    deployment_before = Deployment.objects.values().get(pk=old.z_deployment.pk)
    anonymise(old, django_capture_on_commit_callbacks)
    z = Officer.objects.get(pk=old.z.pk)
    for field in ("agency_id", "gender", "rank", "service_start", "english_level", "french_level", "manual_driving",
                  "firearms_qualified"):
        assert getattr(z, field) == getattr(before, field), field
    deployment_after = Deployment.objects.values().get(pk=old.z_deployment.pk)
    for field in ("mission_id", "application_id", "catalogue_role_id", "role_other_en", "role_other_fr", "start_date",
                  "planned_end_date", "actual_end_date", "status", "repatriation_reason"):
        assert deployment_after[field] == deployment_before[field], field
    application = Application.objects.get(pk=old.z_application.pk)
    assert (application.status, application.bulletin_id) == (Application.Status.DEPLOYED, old.z_application.bulletin_id)
    assert z.medals.count() == 1
    assert Clearance.objects.get(pk=old.z_clearance.pk).kind == Clearance.Kind.PSYCHOLOGICAL


def _figures(world):
    """The dashboard today and on a day of Z's time (when Z was a nominee), and the agency's history."""
    back = years_before(TODAY, 3)
    history = agency_history(world.ipo, world.agency_a)
    return {
        "today": dashboard_summary(world.ipo),
        "back then": dashboard_summary(world.ipo, today=back - 100 * DAY),
        "history": [(t.officer.pk, t.deployments, t.days, t.cpsm_eligible, t.un_medal_missions)
                    for t in history["totals"]],
        "history days": history["total_days"],
        "past": [d.pk for d in history["past"]],
    }


def test_the_dashboard_figures_are_the_same_after_anonymisation(old, django_capture_on_commit_callbacks):
    before = _figures(old)
    assert before["back then"]["women_nominees"] >= 1  # Z counts in them
    anonymise(old, django_capture_on_commit_callbacks)
    after = _figures(old)
    assert after == before


def test_the_trail_records_the_anonymisation_and_none_of_the_erased_values(old, django_capture_on_commit_callbacks):
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    anonymise(old, django_capture_on_commit_callbacks, actor=old.ipo)
    created = list(AuditEntry.objects.filter(id__gt=last))
    assert [(e.event, e.kind, e.officer_id, e.actor_id) for e in created] == [
        ("retention.anonymised", AuditEntry.Kind.CHANGE, old.z.pk, old.ipo.pk)]
    (entry,) = created
    assert entry.object_repr == f"Officer #{old.z.pk} (anonymised)" and entry.changes is None
    for e in created:
        dumped = " ".join(str(getattr(e, field.attname)) for field in AuditEntry._meta.concrete_fields)
        for value in ERASED_VALUES:
            assert value not in dumped, value


def test_anonymising_twice_changes_nothing_more(old, django_capture_on_commit_callbacks):
    anonymise(old, django_capture_on_commit_callbacks)
    first = Officer.objects.values().get(pk=old.z.pk)
    entries = AuditEntry.objects.count()
    assert anonymise(old, django_capture_on_commit_callbacks) is False
    assert Officer.objects.values().get(pk=old.z.pk) == first
    assert AuditEntry.objects.count() == entries
    assert retention_run(dry_run=False).anonymised == []


def test_an_officer_who_is_not_due_is_refused(old, django_capture_on_commit_callbacks):
    with pytest.raises(ValidationError):
        officer_anonymise(officer=old.officer_x, actor=old.ipo)
    x = Officer.objects.get(pk=old.officer_x.pk)
    assert x.last_name == "Xavier" and x.anonymised_at is None
    assert not AuditEntry.objects.filter(event="retention.anonymised").exists()


@pytest.mark.parametrize("persona", ["coord_a", "user_x"])
def test_only_ipo_staff_anonymise(old, persona):
    with pytest.raises(PermissionDenied):
        officer_anonymise(officer=old.z, actor=getattr(old, persona))
    assert Officer.objects.get(pk=old.z.pk).last_name == LAST


def test_a_failure_rolls_everything_back(old, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AuditEntry.objects, "create", boom)
    with pytest.raises(RuntimeError):
        officer_anonymise(officer=old.z)
    z = Officer.objects.get(pk=old.z.pk)
    assert z.last_name == LAST and z.anonymised_at is None
    assert ApplicationDocument.objects.filter(pk=old.z_document.pk).exists()
    assert old.z_document.file.storage.exists(old.z_file)


# --- the run: service, dry run, command, task ----------------------------------------------------------

def test_a_dry_run_lists_who_is_due_and_changes_nothing(old):
    entries = AuditEntry.objects.count()
    report = retention_run(dry_run=True)
    assert [(r.officer_id, r.agency) for r in report.due] == [(old.z.pk, "agency-a")]
    assert report.anonymised == []
    assert Officer.objects.get(pk=old.z.pk).last_name == LAST
    assert ApplicationDocument.objects.filter(pk=old.z_document.pk).exists()
    assert AuditEntry.objects.count() == entries


def test_the_run_anonymises_everyone_due(old, django_capture_on_commit_callbacks):
    other = officer_created_on(years_before(TODAY, 2) - DAY, agency=old.agency_b)
    with django_capture_on_commit_callbacks(execute=True):
        report = retention_run(dry_run=False)
    assert sorted(report.anonymised) == sorted([old.z.pk, other.pk])
    assert Officer.objects.filter(anonymised_at__isnull=False).count() == 2
    assert AuditEntry.objects.filter(event="retention.anonymised").count() == 2
    assert not officers_due_for_retention().exists()


def test_the_command_dry_run_prints_ids_and_agencies_and_no_names(old):
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Dry run: 1 officer due" in text
    assert f"officer {old.z.pk}" in text and "agency agency-a" in text
    assert FIRST not in text and LAST not in text and BADGE not in text
    assert Officer.objects.get(pk=old.z.pk).last_name == LAST


def test_the_command_anonymises(old):
    out = StringIO()
    call_command("retention", stdout=out)
    assert "1 officer due; 1 anonymised." in out.getvalue()
    assert Officer.objects.get(pk=old.z.pk).anonymised_at is not None


def test_the_command_counts_to_another_day(old):
    out = StringIO()
    call_command("retention", "--dry-run", "--today", years_before(TODAY, 1).isoformat(), stdout=out)
    assert "Dry run: 0 officers due" in out.getvalue()


def test_the_nightly_task_runs_the_service(old, settings):
    from privacy.tasks import retention_run as task

    schedule = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert schedule["task"] == task.name == "privacy.tasks.retention_run"
    assert task.delay() is not None
    assert Officer.objects.get(pk=old.z.pk).anonymised_at is not None


# --- the Retention page -------------------------------------------------------------------------------------

RETENTION = reverse("privacy:retention")


def anonymise_url(officer):
    return reverse("privacy:retention-anonymise", args=[officer.pk])


def test_ipo_staff_see_who_is_due(old, clients):
    html = page_text(clients.ipo.get(RETENTION))
    assert f'data-testid="due-{old.z.pk}"' in html and LAST in html and "Agency A Police" in html
    assert f'data-testid="due-{old.officer_x.pk}"' not in html
    assert anonymise_url(old.z) in html


@pytest.mark.parametrize("persona", ["coord_a", "coord_b", "officer_x"])
def test_the_retention_pages_are_for_ipo_staff_only(old, clients, persona):
    client = getattr(clients, persona)
    assert client.get(RETENTION).status_code == 403
    assert client.get(anonymise_url(old.z)).status_code == 403
    assert client.post(anonymise_url(old.z)).status_code == 403
    assert Officer.objects.get(pk=old.z.pk).anonymised_at is None


def test_anonymising_from_the_page_asks_for_confirmation_first(old, clients, django_capture_on_commit_callbacks):
    html = page_text(clients.ipo.get(anonymise_url(old.z)))
    assert "Yes, anonymise" in html and 'method="post"' in html
    assert Officer.objects.get(pk=old.z.pk).anonymised_at is None  # a GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = clients.ipo.post(anonymise_url(old.z))
    assert response.status_code == 302 and response["Location"] == RETENTION
    assert Officer.objects.get(pk=old.z.pk).anonymised_at is not None
    assert AuditEntry.objects.get(event="retention.anonymised").actor_id == old.ipo.pk
    assert LAST not in page_text(clients.ipo.get(RETENTION))


def test_the_page_refuses_an_officer_who_is_not_due(old, clients):
    response = clients.ipo.post(anonymise_url(old.officer_x), follow=True)
    assert "not due for anonymisation" in page_text(response)
    assert Officer.objects.get(pk=old.officer_x.pk).anonymised_at is None


def _due_officers(agency, n):
    for _ in range(n):
        officer_created_on(years_before(TODAY, 2) - 10 * DAY, agency=agency)


def _retention_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(RETENTION).status_code == 200
    return len(ctx.captured_queries)


RETENTION_QUERIES = 4  # session, user, count, the page of officers with their agency and last activity


def test_the_retention_page_has_a_pinned_query_count(pin_today, world, clients):
    _due_officers(world.agency_a, 2)
    assert _retention_queries(clients.ipo) == RETENTION_QUERIES
    _due_officers(world.agency_b, 18)
    assert officers_due_for_retention().count() == 20
    assert _retention_queries(clients.ipo) == RETENTION_QUERIES


def test_the_retention_page_is_paginated(pin_today, world, clients):
    from privacy.views import RETENTION_PER_PAGE

    _due_officers(world.agency_a, RETENTION_PER_PAGE + 1)
    html = page_text(clients.ipo.get(RETENTION))
    assert html.count('data-testid="due-') == RETENTION_PER_PAGE
    assert page_text(clients.ipo.get(RETENTION + "?page=2")).count('data-testid="due-') == 1


def test_anonymising_erases_the_words_of_a_cancellation(old, django_capture_on_commit_callbacks):
    from django.utils import timezone

    back = years_before(TODAY, 3)
    cancelled = f.DeploymentFactory(
        officer=old.z, mission=old.mission, status=Deployment.Status.CANCELLED, start_date=back - 500 * DAY,
        planned_end_date=back - 200 * DAY, cancelled_at=timezone.now(), cancellation_reason="Family illness abroad",
    )
    anonymise(old, django_capture_on_commit_callbacks)
    cancelled.refresh_from_db()
    assert cancelled.status == Deployment.Status.CANCELLED
    assert "Family illness" not in cancelled.cancellation_reason


def test_anonymising_runs_what_the_apps_above_registered_in_the_same_transaction(
        old, django_capture_on_commit_callbacks, monkeypatch):
    from privacy import hooks

    calls = []
    monkeypatch.setattr(hooks, "_ERASERS", {"test": lambda *, officer_id: calls.append(officer_id)})
    assert anonymise(old, django_capture_on_commit_callbacks, actor=old.ipo) is True
    assert calls == [old.z.pk]


def test_welfare_free_text_is_among_what_anonymising_erases():
    from privacy.hooks import officer_erasers
    from welfare.services import officer_welfare_erase

    assert officer_welfare_erase in officer_erasers()
