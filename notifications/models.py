from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from config.choices import ChoiceLabels

from .kinds import kind_label

SECRET_LINK_PLACEHOLDER = "ROSTER-SECRET-LINK"


class OutgoingMail(ChoiceLabels, models.Model):
    """The outbox: one row per recipient, committed with the change that caused it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.EmailField(_("to"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(_("language"), max_length=2, default="en")
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True)
    # What the message is about, e.g. "notice:42" or "application:7"; lets higher apps
    # read delivery state without this app importing them.
    topic = models.CharField(_("topic"), max_length=100, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=50, blank=True)
    # A message that carries a secret link (a password reset or an invitation) is stored with
    # SECRET_LINK_PLACEHOLDER in its bodies; the link is made at send time by the renderer
    # registered under this name, so nobody can read it here, in the admin or in the database.
    secret_link = models.CharField(_("secret link"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        # Each list's filter and order, newest first with the id as tie-break (keyset pagination):
        # the outbox (all, or one status), and a person's messages (by login, or by address).
        indexes = [
            models.Index(fields=["created_at", "id"], name="outbox_created_id"),
            models.Index(fields=["status", "created_at", "id"], name="outbox_status_created_id"),
            models.Index(fields=["user", "created_at", "id"], name="outbox_user_created_id"),
            models.Index(Upper("to"), "created_at", "id", name="outbox_to_upper_created_id"),
        ]

    def __str__(self):
        return f"{self.to}: {self.subject}"

    @property
    def kind_label(self):
        """What the message is, in words (see notifications.kinds)."""
        return kind_label(self.kind)

    @property
    def language_label(self):
        """The recipient's language, in words ("English", "French")."""
        return dict(settings.LANGUAGES).get(self.language, self.language)

    @property
    def has_secret_link(self) -> bool:
        return bool(self.secret_link)

    @property
    def readable_text(self) -> str:
        """The text as stored, with a secret link shown as a note: the link itself is only in
        the email the recipient received."""
        if SECRET_LINK_PLACEHOLDER not in self.body_text:
            return self.body_text
        from django.utils import translation
        from django.utils.translation import gettext

        with translation.override(self.language or "en"):
            note = gettext("[the link is only in the email you received]")
        return self.body_text.replace(SECRET_LINK_PLACEHOLDER, note)
