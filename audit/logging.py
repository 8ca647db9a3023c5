"""The audit trail's log lines: every entry written to it is also one log line, written with it (a
change whose transaction is then rolled back keeps its line; the failure that rolled it back is logged
with the same request or task id).

- A change (django-auditlog's entries for the tracked models, and the few written by hand, e.g. an
  anonymisation): `model_changed`, with the model, the object's id, the action, and for an update
  the NAMES of the fields that changed, never their values.
- A security event (`audit_security`: sign-in, failure, lockout, MFA, reset...): `security_event`,
  with its code, the account's id and the client address; failures and lockouts at WARNING.
- A read of personal data: `personal_data_read` at DEBUG (the trail itself is the record).

Each names the actor by id and role, never by name or email. A service whose change no tracked
model records calls `log_event` (ids only).
"""

import logging

import structlog
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save

from .models import AuditEntry

logger = structlog.get_logger("audit")

ACTIONS = {
    AuditEntry.Action.CREATE: "create",
    AuditEntry.Action.UPDATE: "update",
    AuditEntry.Action.DELETE: "delete",
    AuditEntry.Action.ACCESS: "access",
}
# Security events that refuse someone: logged at WARNING.
REFUSALS = {"login.failed", "login.locked_out", "mfa.failed", "reauth.failed"}


def _actor(actor_id, actor=None) -> dict:
    fields = {"actor_id": actor_id}
    role = getattr(actor, "role", None)
    if role:
        fields["actor_role"] = role
    return fields


def _cached_actor(entry: AuditEntry):
    """The entry's actor if already loaded (never a query for the role)."""
    return entry.actor if AuditEntry._meta.get_field("actor").is_cached(entry) else None


def _model(entry: AuditEntry) -> str:
    content_type = ContentType.objects.get_for_id(entry.content_type_id)  # cached
    return f"{content_type.app_label}.{content_type.model}"


def entry_saved(sender, instance: AuditEntry, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw:
        return
    entry = instance
    Kind = AuditEntry.Kind
    if entry.kind == Kind.READ:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("personal_data_read", read=entry.event, model=_model(entry), object_id=entry.object_id,
                         rows=entry.rows, **_actor(entry.actor_id, _cached_actor(entry)))
        return
    if entry.kind == Kind.SECURITY:
        level = logging.WARNING if entry.event in REFUSALS else logging.INFO
        logger.log(level, "security_event", security_event=entry.event, subject_user_id=entry.subject_user_id,
                   ip=entry.remote_addr, **_actor(entry.actor_id, _cached_actor(entry)))
        return
    fields = {
        "model": _model(entry),
        "object_id": entry.object_id if entry.object_id is not None else entry.object_pk,
        "action": ACTIONS.get(entry.action, str(entry.action)),
    }
    if entry.event:
        fields["change"] = entry.event
    if entry.action == AuditEntry.Action.UPDATE and isinstance(entry.changes, dict):
        fields["fields"] = sorted(entry.changes)
    if entry.officer_id:
        fields["officer_id"] = entry.officer_id
    logger.info("model_changed", **fields, **_actor(entry.actor_id, _cached_actor(entry)))


def log_event(event: str, *, actor=None, **ids) -> None:
    """A state change that no tracked model records: `ids` are ids and counts only (never names,
    addresses or free text)."""
    logger.info(event, **ids, **_actor(getattr(actor, "pk", None), actor))


def connect() -> None:
    post_save.connect(entry_saved, sender=AuditEntry, dispatch_uid="audit.logging.entry_saved")
