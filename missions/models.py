from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Clearance, Language, LanguageLevel, localized
from agencies.validators import validate_plausible_date
from config.choices import ChoiceLabels


class Mission(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        UN = "un", _("United Nations")
        BILATERAL = "bilateral", _("Bilateral")
        MULTILATERAL = "multilateral", _("Multilateral")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country_en = models.CharField(_("country (English)"), max_length=100)
    country_fr = models.CharField(_("country (French)"), max_length=100)
    language = models.CharField(_("working language"), max_length=2, choices=Language.choices)
    armed = models.BooleanField(_("armed"), default=False)
    authorized_strength = models.PositiveSmallIntegerField(
        _("authorised strength"), help_text=_("Canadian police officers authorised at once.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def name(self):
        return localized(self, "name")

    @property
    def country(self):
        return localized(self, "country")

    @property
    def description(self):
        return localized(self, "description")


class Bulletin(ChoiceLabels, models.Model):
    """A job posting bulletin (JPB)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    reference = models.CharField(_("reference"), max_length=30, unique=True)
    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.PROTECT, related_name="bulletins"
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    positions = models.PositiveSmallIntegerField(_("positions"), default=1)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), default=12, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )
    deployment_start = models.DateField(_("deployment start"), validators=[validate_plausible_date])
    closes_at = models.DateTimeField(_("closes at"), validators=[validate_plausible_date])
    # Requirements
    min_years_service = models.PositiveSmallIntegerField(_("minimum years of service"), default=0)
    required_language = models.CharField(
        _("required language"), max_length=2, choices=Language.choices, blank=True
    )
    min_language_level = models.PositiveSmallIntegerField(
        _("minimum language level"), choices=LanguageLevel.choices, null=True, blank=True
    )
    requires_firearms = models.BooleanField(_("firearms qualification required"), default=False)
    requires_manual_driving = models.BooleanField(_("manual driving required"), default=False)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, help_text=_("Applicants must be younger than this age.")
    )
    required_clearances = models.JSONField(
        _("required clearances"), default=list, blank=True, help_text=_("Kinds of clearance required.")
    )
    women_priority = models.BooleanField(_("priority to women"), default=False)

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-closes_at", "-id"]
        verbose_name = _("job posting bulletin")
        verbose_name_plural = _("job posting bulletins")
        constraints = [
            models.CheckConstraint(
                condition=Q(positions__gte=1),
                name="bulletin_positions_at_least_one",
                violation_error_message=_("A bulletin offers at least one position."),
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(max_age__gt=F("min_age")),
                name="bulletin_age_range_valid",
                violation_error_message=_("The maximum age must be above the minimum age."),
            ),
        ]
        # The list's order, latest closing first with the id as tie-break (keyset pagination): every
        # bulletin, one status (also the open ones: published, closing after now), one mission.
        indexes = [
            models.Index(fields=["closes_at", "id"], name="bulletin_closes_id"),
            models.Index(fields=["status", "closes_at", "id"], name="bulletin_status_closes_id"),
            models.Index(fields=["mission", "closes_at", "id"], name="bulletin_mission_closes_id"),
            # the agency applications' order (latest closing first, then the reference)
            models.Index(F("closes_at").desc(), "reference", name="bulletin_closes_desc_ref"),
        ]

    def __str__(self):
        return f"{self.reference} — {self.title}"

    @property
    def title(self):
        return localized(self, "title") or self.reference

    @property
    def description(self):
        return localized(self, "description")

    @property
    def is_open(self):
        return self.status == self.Status.PUBLISHED and self.closes_at > timezone.now()

    def required_clearance_labels(self):
        labels = dict(Clearance.Kind.choices)
        return [labels.get(k, k) for k in self.required_clearances]


class BulletinNotice(ChoiceLabels, models.Model):
    """One per (bulletin, partner agency): was the agency told, and did it acknowledge?

    Its delivery state (queued, sent, failed) is read from the outbox rows whose topic is
    `outbox_key` (see missions.selectors), so it can never disagree with what was sent.
    """

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="notices")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="bulletin_notices")
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    circulated_at = models.DateTimeField(_("circulated to officers at"), null=True, blank=True)
    circulated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("circulated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    circulated_count = models.PositiveIntegerField(_("officers the bulletin was circulated to"), default=0)

    class Meta:
        ordering = ["agency__name_en"]
        verbose_name = _("bulletin notice")
        verbose_name_plural = _("bulletin notices")
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "agency"], name="notice_one_per_agency"),
        ]

    def __str__(self):
        return f"{self.bulletin.reference} → {self.agency.slug}"

    @property
    def outbox_key(self):
        return f"notice:{self.pk}"
