"""Writes of the privacy app: anonymising an officer past the retention period.

Erased: the officer's names (ANON <id>), email, phone, badge number (ANON-<id>, unique within the
agency), date of birth and login link; clearance references; application statements, documents
(files and rows) and event notes; repatriation notes, override reasons and deployment event notes;
the login's names, email and password (the login is deactivated, not deleted); the address, subject
and text of the messages sent to the officer.
Kept, so the dashboard, histories and exports count the same: the officer's agency, gender, rank,
police service start, language levels, driving and firearms; clearance kinds and dates;
applications' bulletins, statuses and event times; deployments' missions, roles, dates, statuses
and reason codes; medals.

`officer_anonymise(officer=, actor=)` does it in one transaction, with the change trail switched
off (`audit.services.untracked`) so the erased values are not copied into it; one
"retention.anonymised" entry records that it happened, with counts only. The document files are
deleted once the transaction has committed (a rollback keeps them).

`retention_run(dry_run, today)` anonymises every officer due (privacy.selectors) and reports who
(officer ids and agencies, no names). It runs nightly (privacy.tasks, CELERY_BEAT_SCHEDULE), from
`manage.py retention`, and one officer at a time from the Retention page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Clearance, Officer, User
from audit.models import AuditEntry
from audit.services import untracked
from roster.models import Application, ApplicationDocument, ApplicationEvent, Deployment, DeploymentEvent

from .hooks import officer_erasers
from .permissions import can_manage_retention
from .selectors import (
    DueOfficer,
    due_rows,
    is_due_for_retention,
    messages_to_officer,
    officers_due_for_retention,
    retention_cutoff,
    retention_years,
)

logger = logging.getLogger(__name__)

ANONYMOUS = "ANON"
EVENT = "retention.anonymised"


def anonymous_badge(officer_id: int) -> str:
    """Unique within the agency: officer ids are unique."""
    return f"{ANONYMOUS}-{officer_id}"


def anonymous_email(user_id: int) -> str:
    """Unique among logins, and undeliverable (RFC 2606 reserves .invalid)."""
    return f"anonymised-{user_id}@anonymised.invalid"


def _delete_files(names: list[str], storage) -> None:
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("could not delete the document file %s of an anonymised officer", name)


def officer_anonymise(*, officer: Officer, actor=None, today: date | None = None) -> bool:
    """Erase the officer's personal data (the retention period is over). `actor`: the IPO staff
    member who asked, or None for the nightly run. Answers True when done now, False when the
    officer was already anonymised (nothing changes, nothing is recorded); refuses an officer who
    is not due (ValidationError)."""
    if actor is not None and not can_manage_retention(actor):
        raise PermissionDenied(_("Only IPO staff may anonymise an officer."))
    with transaction.atomic():
        locked = Officer.objects.select_for_update().get(pk=officer.pk)
        if locked.anonymised_at is not None:
            return False
        if not is_due_for_retention(locked, today):
            raise ValidationError(
                _("This officer is not due for anonymisation: they have recent or open activity.")
            )
        documents = ApplicationDocument.objects.filter(application__officer=locked)
        files = [name for name in documents.values_list("file", flat=True) if name]
        storage = ApplicationDocument._meta.get_field("file").storage
        user = User.objects.select_for_update().filter(pk=locked.user_id).first() if locked.user_id else None
        with untracked():
            mails = messages_to_officer(_with_user(locked, user))
            erased_messages = mails.update(
                to=anonymous_email(user.pk) if user else f"anonymised-officer-{locked.pk}@anonymised.invalid",
                subject="", body_text="", body_html="", last_error="",
            )
            deleted_documents = documents.delete()[1].get(ApplicationDocument._meta.label, 0)
            Clearance.objects.filter(officer=locked).update(reference="")
            # updated_at too: the API's incremental sync (?updated_since=) must see the erasure
            Application.objects.filter(officer=locked).update(statement="", updated_at=timezone.now())
            ApplicationEvent.objects.filter(application__officer=locked).update(note="")
            Deployment.objects.filter(officer=locked).update(repatriation_note="", override_reason="",
                                                             updated_at=timezone.now())
            Deployment.objects.filter(officer=locked, status=Deployment.Status.CANCELLED).update(
                cancellation_reason="—")  # a cancelled row keeps a reason (constraint), never its words
            DeploymentEvent.objects.filter(deployment__officer=locked).update(note="")
            for erase in officer_erasers():  # what the apps above keep (privacy.hooks)
                erase(officer_id=locked.pk)
            locked.first_name = ANONYMOUS
            locked.last_name = str(locked.pk)
            locked.email = ""
            locked.phone = ""
            locked.badge_number = anonymous_badge(locked.pk)
            locked.date_of_birth = None
            locked.user = None
            locked.is_active = False
            locked.anonymised_at = timezone.now()
            locked.save()
            if user is not None:
                user.email = anonymous_email(user.pk)
                user.first_name = ""
                user.last_name = ""
                user.is_active = False
                user.set_unusable_password()
                user.save()
        AuditEntry.objects.create(
            kind=AuditEntry.Kind.CHANGE,
            action=AuditEntry.Action.UPDATE,
            event=EVENT,
            content_type=ContentType.objects.get_for_model(Officer),
            object_pk=str(locked.pk),
            object_id=locked.pk,
            object_repr=f"Officer #{locked.pk} (anonymised)",
            officer_id=locked.pk,
            subject_user_id=user.pk if user is not None else None,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            changes=None,
            additional_data={
                "documents_deleted": deleted_documents,
                "messages_erased": erased_messages,
                "login_deactivated": user is not None,
            },
        )
        if files:
            transaction.on_commit(lambda: _delete_files(files, storage))
    officer.refresh_from_db()
    return True


def _with_user(officer: Officer, user) -> Officer:
    """The officer with their login attached (its address is one of theirs), read before unlinking."""
    officer.user = user
    return officer


@dataclass
class RetentionReport:
    today: date
    years: int
    cutoff: date
    dry_run: bool
    due: list[DueOfficer] = field(default_factory=list)
    anonymised: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # no longer due when their turn came
    failed: list[int] = field(default_factory=list)


def retention_run(dry_run: bool, today: date | None = None) -> RetentionReport:
    """Anonymise every officer due on `today` (only list them when `dry_run`). Each officer is
    anonymised in a transaction of their own: one failure does not hold back the others."""
    today = today or timezone.localdate()
    officers = list(officers_due_for_retention(today))
    report = RetentionReport(today=today, years=retention_years(), cutoff=retention_cutoff(today),
                             dry_run=dry_run, due=due_rows(officers))
    if dry_run:
        return report
    for officer in officers:
        try:
            done = officer_anonymise(officer=officer, actor=None, today=today)
        except ValidationError:
            report.skipped.append(officer.pk)
        except Exception:
            logger.exception("retention: officer %s could not be anonymised", officer.pk)
            report.failed.append(officer.pk)
        else:
            (report.anonymised if done else report.skipped).append(officer.pk)
    return report
