"""The Privacy Act access archive: everything the roster holds on one officer, in one ZIP file.

- `officer_record(officer, user)`: the record as a dict (what `record.json` holds), read in a fixed
  number of queries whatever the number of applications, events, messages or audit entries.
- `write_archive(out, officer=, user=)`: the ZIP: `report.html` (readable, self-contained, in the
  requester's language), `record.json` and the application documents (`documents/...`).

Who may ask is `privacy.permissions.can_download_archive` (the officer themself, IPO staff);
details behind a need-to-know rule are shown through the same helpers as the pages
(`clearance_reference_for`, `repatriation_reason_for`, `repatriation_note_for`), so the archive
never shows more than its requester may read.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import zipfile
from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agencies.models import Clearance, Officer
from agencies.selectors import clearance_reference_for
from audit.models import AuditEntry
from audit.selectors import audit_entries
from roster.models import Application, ApplicationEvent, Deployment, DeploymentEvent, MedalAward
from roster.selectors import (
    cancellation_reason_for,
    deployment_event_note_for,
    repatriation_note_for,
    repatriation_reason_for,
)
from roster.views.deployments import EVENT_LABELS as DEPLOYMENT_EVENT_LABELS
from roster.views.deployments import describe_event

from .hooks import ArchiveLink, ArchiveSection, archive_sections
from .selectors import messages_to_officer

logger = logging.getLogger(__name__)

FORMAT = "deployment-roster/privacy-archive/1"
# Kept in memory up to this size, then on disk.
SPOOL_BYTES = 8 * 1024 * 1024


def _at(value: datetime | None) -> str | None:
    """A time in Ottawa time, ISO 8601."""
    return timezone.localtime(value).isoformat() if value else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _who(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.email


def safe_file_name(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name or "").strip("-.") or "document"
    stem = stem[:80]
    return stem if stem.lower().endswith(".pdf") else f"{stem}.pdf"


def document_path(application: Application, document) -> str:
    """Where a document goes in the ZIP: a folder per application, ASCII names only."""
    folder = f"{application.pk}-{safe_file_name(application.bulletin.reference).removesuffix('.pdf')}"
    return f"documents/{folder}/{document.pk}-{safe_file_name(document.original_name)}"


def _field_label(model, name: str) -> str:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed
        return name
    return str(getattr(field, "verbose_name", name))  # a reverse relation has none


def _changes(entry: AuditEntry) -> list[dict]:
    data = entry.changes if isinstance(entry.changes, dict) else {}
    model = entry.content_type.model_class() if entry.content_type_id else None
    out = []
    for field, values in data.items():
        old, new = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
        out.append({"field": field, "label": _field_label(model, field) if model else field, "old": old, "new": new})
    return out


def _profile(officer: Officer) -> dict:
    return {
        "id": officer.pk,
        "first_name": officer.first_name,
        "last_name": officer.last_name,
        "agency": officer.agency.name,
        "agency_slug": officer.agency.slug,
        "badge_number": officer.badge_number,
        "rank": officer.rank,
        "rank_label": officer.get_rank_display(),
        "gender": officer.gender,
        "gender_label": officer.get_gender_display(),
        "date_of_birth": _day(officer.date_of_birth),
        "service_start": _day(officer.service_start),
        "email": officer.email,
        "phone": officer.phone,
        "english_level": officer.english_level,
        "english_level_label": officer.get_english_level_display() if officer.english_level is not None else "",
        "french_level": officer.french_level,
        "french_level_label": officer.get_french_level_display() if officer.french_level is not None else "",
        "manual_driving": officer.manual_driving,
        "firearms_qualified": officer.firearms_qualified,
        "is_active": officer.is_active,
        "created_at": _at(officer.created_at),
        "updated_at": _at(officer.updated_at),
    }


def _login(officer: Officer) -> dict | None:
    user = officer.user
    if user is None:
        return None
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "preferred_language": user.preferred_language,
        "is_active": user.is_active,
        "date_joined": _at(user.date_joined),
        "last_login": _at(user.last_login),
    }


def _clearances(officer: Officer, user) -> list[dict]:
    clearances = Clearance.objects.filter(officer=officer).select_related("officer").order_by("kind", "id")
    return [
        {
            "kind": c.kind,
            "kind_label": c.get_kind_display(),
            "valid_until": _day(c.valid_until),
            "reference": str(clearance_reference_for(user, c)),
            "updated_at": _at(c.updated_at),
        }
        for c in clearances
    ]


def _applications(officer: Officer) -> list[tuple[Application, dict]]:
    applications = (
        Application.objects.filter(officer=officer)
        .select_related("bulletin", "bulletin__mission", "nominated_by")
        .prefetch_related("documents", Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")))
        .order_by("created_at", "id")
    )
    out = []
    for a in applications:
        out.append((a, {
            "id": a.pk,
            "bulletin": a.bulletin.reference,
            "title": a.bulletin.title,
            "mission": a.bulletin.mission.code,
            "status": a.status,
            "status_label": a.get_status_display(),
            "statement": a.statement,
            "nominated_by": _who(a.nominated_by),
            "release_confirmed": a.release_confirmed,
            "ineligible": a.ineligible,
            "submitted_at": _at(a.created_at),
            "updated_at": _at(a.updated_at),
            "documents": [
                {"id": d.pk, "name": d.original_name, "size": d.size, "uploaded_at": _at(d.uploaded_at),
                 "file": document_path(a, d)}
                for d in a.documents.all()
            ],
            "events": [
                {"at": _at(e.created_at), "from": e.from_status,
                 "from_label": e.get_from_status_display() if e.from_status else "",
                 "to": e.to_status, "to_label": e.get_to_status_display(), "by": _who(e.actor),
                 # a note the roster wrote itself (roster.notes) in words, in the reader's language
                 "note": "\n".join(t for t in (str(e.system_note or ""), e.note) if t)}
                for e in a.events.all()
            ],
        }))
    return out


def _deployments(officer: Officer, user) -> list[dict]:
    deployments = (
        Deployment.objects.filter(officer=officer)
        .select_related("officer", "mission", "catalogue_role", "application__bulletin")
        .prefetch_related(Prefetch("events", queryset=DeploymentEvent.objects.select_related("actor")))
        .order_by("start_date", "id")
    )
    out = []
    for d in deployments:
        out.append({
            "id": d.pk,
            "mission": d.mission.code,
            "mission_name": d.mission.name,
            "role": d.role,
            "application": d.application.bulletin.reference if d.application_id else "",
            "start_date": _day(d.start_date),
            "arrival_date": _day(d.actual_start_date),
            "planned_end_date": _day(d.planned_end_date),
            "actual_end_date": _day(d.actual_end_date),
            "status": d.status,
            "status_label": d.get_status_display(),
            "repatriation_reason": str(repatriation_reason_for(user, d)),
            "repatriation_note": repatriation_note_for(user, d),
            "override_reason": d.override_reason,
            "cancelled_at": _at(d.cancelled_at) if d.cancelled_at else None,
            "cancellation_reason": str(cancellation_reason_for(user, d)),
            "events": [
                {"at": _at(e.created_at), "action": e.action,
                 "label": str(DEPLOYMENT_EVENT_LABELS.get(e.action, e.action)),
                 "summary": str(describe_event(e, user=user, deployment=d)), "by": _who(e.actor),
                 "note": deployment_event_note_for(user, d, e)}
                for e in d.events.all()
            ],
        })
    return out


def _medals(officer: Officer) -> list[dict]:
    awards = MedalAward.objects.filter(officer=officer).select_related("mission", "recorded_by")
    return [
        {"medal": m.medal, "label": m.get_medal_display(), "mission": m.mission.code if m.mission_id else "",
         "awarded_on": _day(m.awarded_on), "recorded_by": _who(m.recorded_by)}
        for m in awards.order_by("awarded_on", "id")
    ]


def _messages(officer: Officer) -> list[dict]:
    mails = messages_to_officer(officer).only(
        "id", "to", "subject", "body_text", "language", "status", "created_at", "sent_at"
    )
    return [
        {"to": m.to, "subject": m.subject, "created_at": _at(m.created_at), "sent_at": _at(m.sent_at),
         "status": m.status, "status_label": m.get_status_display(), "language": m.language,
         "text": m.readable_text}
        for m in mails
    ]


def _audit(officer: Officer) -> list[dict]:
    entries = audit_entries(officer_ids=[officer.pk]).select_related("actor", "content_type")
    return [
        {
            "at": _at(e.timestamp),
            "kind": e.kind,
            "kind_label": e.get_kind_display(),
            "event": e.event,
            "action": str(e.action_label),
            "about": e.object_repr,
            "by": _who(e.actor) or (e.actor_email or ""),
            "by_email": e.actor_email or "",
            "rows": e.rows,
            "changes": _changes(e),
        }
        for e in entries
    ]


def _collect(officer: Officer, user) -> tuple[dict, list[tuple], list[ArchiveSection]]:
    officer = Officer.objects.select_related("agency", "user").get(pk=officer.pk)
    applications = _applications(officer)
    sections = archive_sections(officer, user)  # welfare, cost recovery... (privacy.hooks)
    record = {
        "format": FORMAT,
        "generated_at": _at(timezone.now()),
        "language": translation.get_language() or "en",
        "profile": _profile(officer),
        "login": _login(officer),
        "clearances": _clearances(officer, user),
        "applications": [data for _application, data in applications],
        "deployments": _deployments(officer, user),
        "medals": _medals(officer),
        "messages": _messages(officer),
        "audit": _audit(officer),
        **{section.key: section.data for section in sections},
    }
    documents = [(doc, document_path(a, doc)) for a, _data in applications for doc in a.documents.all()]
    documents += [file for section in sections for file in section.files]
    return record, documents, sections


def officer_record(officer: Officer, user) -> dict:
    """Everything the roster holds on `officer`, as `user` may read it. Labels are in the active
    language; codes, dates (ISO 8601) and times (Ottawa time) are as stored. A fixed number of
    queries, whatever the number of rows."""
    return _collect(officer, user)[0]


def archive_filename(officer: Officer, today: date | None = None) -> str:
    """No name of a person in the file name: it shows in download lists and logs."""
    return f"roster-record-{officer.pk}-{(today or timezone.localdate()).isoformat()}.zip"


def _report_html(record: dict, sections: list[ArchiveSection]) -> str:
    return render_to_string("privacy/archive_report.html",
                            {"record": record, "sections": sections, "lang": record["language"]})


def write_archive(out, *, officer: Officer, user) -> dict:
    """Write the ZIP to the binary file `out`; answer the record."""
    record, documents, sections = _collect(officer, user)
    missing = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for document, path in documents:
            try:
                with document.file.open("rb") as src, zf.open(_entry(path, zipfile.ZIP_STORED), "w") as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)
            except (FileNotFoundError, OSError, ValueError):
                logger.warning("%s %s is missing from storage", document._meta.label, document.pk)
                missing.add(path)
        for application in record["applications"]:
            for doc in application["documents"]:
                doc["missing"] = doc["file"] in missing
        for section in sections:
            for table in section.tables:
                for row in table.rows:
                    for cell in row:
                        if isinstance(cell, ArchiveLink):
                            cell.missing = cell.path in missing
        zf.writestr(_entry("record.json"), json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2))
        zf.writestr(_entry("report.html"), _report_html(record, sections))
        zf.writestr(_entry("README.txt"), _readme())
    return record


def _entry(path: str, compression: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    now = timezone.localtime()
    info = zipfile.ZipInfo(path, (now.year, now.month, now.day, now.hour, now.minute, now.second))
    info.compress_type = compression
    info.external_attr = 0o644 << 16  # readable once extracted
    return info


def _readme() -> str:
    return "\n".join([
        _("This archive holds everything the deployment roster keeps about one officer."),
        _("report.html: the record to read, in a web browser."),
        _("record.json: the same record in a machine-readable form."),
        _("documents/: the documents attached to the applications and to the other records."),
        "",
    ])


def archive_file(*, officer: Officer, user):
    """The ZIP as a file object positioned at its start (in memory while small, else on disk)."""
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    write_archive(out, officer=officer, user=user)
    out.seek(0)
    return out


def archive_zip(*, officer: Officer, user) -> bytes:
    with archive_file(officer=officer, user=user) as f:
        return f.read()
