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
    # (no index of its own: outbox_user_created_id starts with it)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    language = models.CharField(_("language"), max_length=2, default="en")
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200)  # unique: see Meta
    # What the message is about, e.g. "notice:42" or "application:7"; lets higher apps
    # read delivery state without this app importing them.
    topic = models.CharField(_("topic"), max_length=100, blank=True)  # indexed: see Meta
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
    # Who claimed it: the Celery task id (or a token of one call). A redelivered task (its worker
    # child was killed) may take back the row its own earlier attempt left `sending`.
    claimed_by = models.CharField(max_length=64, blank=True)
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
            models.Index(fields=["topic"], name="outbox_topic"),
        ]
        # Every index is written again each time a row changes status (twice per message sent), so
        # there is none that nothing reads: the unique Message-ID and the topic get no LIKE index
        # (which `unique=True` and `db_index=True` would add on PostgreSQL), the login no index of
        # its own.
        constraints = [
            models.UniqueConstraint(fields=["message_id"], name="outbox_message_id_unique"),
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


class MailBatch(models.Model):
    """One compact record of many messages to send (a bulletin to every partner agency), committed
    with the change that caused it. A worker fans it out into outbox rows, in chunks, rendering
    each message in its recipient's language from the stored references (see
    `notifications.services.mail_batch_queue` and `mail_batch_fan_out`).

    `recipients` is a list of `[email, language, user_id, name, topic, ref]`; `ref` is what the
    context loader named `loader` turns into that recipient's template context, together with the
    batch's shared `context` (references too, e.g. {"bulletin": 5}). With an `audience` (the name
    of a registered resolver), the request stores no recipients: the worker's first step asks the
    resolver for them and stores them (`total` is None until then; `topics` lists the topics the
    messages will have, meanwhile). The n-th recipient's message has the Message-ID
    `<key.n@domain>`, so fanning out again never makes a second row. `done` counts the recipients
    whose rows exist; the lists are emptied once all do (`finished_at`)."""

    key = models.CharField(max_length=32, unique=True)
    template = models.CharField(max_length=100)
    kind = models.CharField(max_length=50, blank=True)
    loader = models.CharField(max_length=50)
    context = models.JSONField(default=dict)
    audience = models.CharField(max_length=50, blank=True)
    recipients = models.JSONField(default=list)
    topics = models.JSONField(default=list)
    total = models.PositiveIntegerField(null=True, blank=True)
    done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # last progress: the sweeper takes over a batch that has not moved for a while
    updated_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("batch of messages")
        verbose_name_plural = _("batches of messages")
        indexes = [
            models.Index(
                fields=["updated_at"], condition=models.Q(finished_at__isnull=True), name="mailbatch_unfinished"
            ),
        ]

    def __str__(self):
        return f"{self.template} x {'?' if self.total is None else self.total}"
