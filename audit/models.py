"""The audit trail: one append-only table for changes (recorded by django-auditlog, whose
log entry model this is), reads of personal data and security events.

Append-only: the model refuses to update or delete a saved entry, the admin offers neither,
and on PostgreSQL a trigger makes the table refuse UPDATE and DELETE (migration 0002).
The actor and the officer are kept as plain ids (no cascading update when a login or an
officer is removed or anonymised), with the actor's email copied at the time.
"""

from auditlog.models import AbstractLogEntry
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit entry."""


class AuditEntry(AbstractLogEntry):
    class Kind(models.TextChoices):
        CHANGE = "change", _("Change")
        READ = "read", _("Read of personal data")
        SECURITY = "security", _("Security event")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        blank=True,
        null=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CHANGE)
    event = models.CharField(_("event"), max_length=60, blank=True)
    officer_id = models.BigIntegerField(_("officer"), null=True, blank=True)
    subject_user_id = models.BigIntegerField(_("user concerned"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)

    class Meta(AbstractLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["kind", "-timestamp", "-id"], name="audit_kind_time"),
            models.Index(fields=["officer_id", "-timestamp", "-id"], name="audit_officer_time"),
            models.Index(fields=["actor", "-timestamp", "-id"], name="audit_actor_time"),
            models.Index(fields=["subject_user_id", "-timestamp", "-id"], name="audit_subject_time"),
            models.Index(fields=["-timestamp", "-id"], name="audit_time"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        extra = self.additional_data if isinstance(self.additional_data, dict) else {}
        if self.officer_id is None and extra.get("officer_id"):
            self.officer_id = extra["officer_id"]
        if self.subject_user_id is None and extra.get("user_id"):
            self.subject_user_id = extra["user_id"]
        if self.actor_id and not self.actor_email:
            self.actor_email = getattr(self.actor, "email", None)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    @property
    def action_label(self):
        if self.kind != self.Kind.CHANGE or self.event:
            return event_label(self.event)
        return CHANGE_LABELS.get(self.action, "")


CHANGE_LABELS = {
    AbstractLogEntry.Action.CREATE: _("Created"),
    AbstractLogEntry.Action.UPDATE: _("Changed"),
    AbstractLogEntry.Action.DELETE: _("Deleted"),
}

# Human labels for events (reads and security); unknown codes show as they are.
EVENT_LABELS = {
    "read.officer": _("Officer profile read"),
    "read.application": _("Application read"),
    "read.document": _("Document downloaded"),
    "read.deployment": _("Deployment read"),
    "read.export": _("Export"),
    "read.message": _("Message read in the outbox"),
    "read.privacy_archive": _("Privacy Act archive downloaded"),
    "read.welfare_checkins": _("Welfare check-ins read"),
    "read.return_plan": _("Return plan read"),
    "login.succeeded": _("Signed in"),
    "login.failed": _("Sign-in failed"),
    "login.locked_out": _("Sign-in locked out"),
    "login.unlocked": _("Sign-in lock lifted"),
    "logout": _("Signed out"),
    "session.expired": _("Session expired"),
    "password.reset_asked": _("Password reset asked"),
    "password.reset_used": _("Password reset used"),
    "password.changed": _("Password changed"),
    "password.set_by_admin": _("Password set by an administrator"),
    "account.access_changed": _("Role, agency or access changed"),
    "account.invited": _("Invitation sent"),
    "mfa.enrolled": _("Two-step verification set up"),
    "mfa.verified": _("Two-step verification passed"),
    "mfa.failed": _("Two-step verification failed"),
    "mfa.backup_codes": _("New backup codes made"),
    "mfa.backup_code_used": _("Backup code used"),
    "mfa.reset": _("Two-step verification reset"),
    "reauth.succeeded": _("Identity confirmed again"),
    "reauth.failed": _("Identity confirmation failed"),
    "retention.anonymised": _("Anonymised after the retention period"),
    "api_token.created": _("API token created"),
    "api_token.revoked": _("API token revoked"),
}


def event_label(code: str) -> str:
    return EVENT_LABELS.get(code, code)
