"""The standing talent pool: officers who say they are interested in future missions, with where,
in which languages, what they bring and from when; their agency's coordinator confirms the agency's
support. One entry per officer (an officer no longer interested leaves the pool: the entry goes)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Officer
from config.choices import ChoiceLabels


class Region(models.TextChoices):
    AMERICAS = "americas", _("Americas and the Caribbean")
    EUROPE = "europe", _("Europe")
    MIDDLE_EAST = "middle_east", _("Middle East")
    AFRICA = "africa", _("Africa")
    ASIA_PACIFIC = "asia_pacific", _("Asia and the Pacific")


class PoolLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    ARABIC = "ar", _("Arabic")
    HAITIAN_CREOLE = "ht", _("Haitian Creole")
    UKRAINIAN = "uk", _("Ukrainian")
    RUSSIAN = "ru", _("Russian")
    PORTUGUESE = "pt", _("Portuguese")


class Speciality(models.TextChoices):
    INVESTIGATIONS = "investigations", _("Investigations")
    TRAINING = "training", _("Training and mentoring")
    GENDER = "gender", _("Gender and sexual violence")
    COMMUNITY = "community", _("Community policing")
    LEADERSHIP = "leadership", _("Command and leadership")
    FORENSICS = "forensics", _("Forensics")
    CYBER = "cyber", _("Cybercrime")
    PUBLIC_ORDER = "public_order", _("Public order")
    BORDER = "border", _("Border and migration")
    INTELLIGENCE = "intelligence", _("Criminal intelligence")


class AgencySupport(models.TextChoices):
    PENDING = "pending", _("Awaiting the agency")
    SUPPORTED = "supported", _("Supported by the agency")
    NOT_SUPPORTED = "not_supported", _("Not supported by the agency")


class PoolEntry(ChoiceLabels, models.Model):
    Support = AgencySupport

    officer = models.OneToOneField(Officer, verbose_name=_("officer"), on_delete=models.CASCADE,
                                   related_name="pool_entry")
    # lists of the codes above (JSON: the same on SQLite and PostgreSQL)
    regions = models.JSONField(_("regions"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    specialities = models.JSONField(_("specialities"), default=list, blank=True)
    available_from = models.DateField(_("available from"))
    note = models.TextField(_("note"), max_length=1000, blank=True)
    support = models.CharField(_("agency support"), max_length=16, choices=AgencySupport.choices,
                               default=AgencySupport.PENDING)
    support_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("support recorded by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    support_at = models.DateTimeField(_("support recorded at"), null=True, blank=True)
    support_note = models.TextField(_("agency's note"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["available_from", "id"]
        verbose_name = _("talent pool entry")
        verbose_name_plural = _("talent pool entries")
        indexes = [models.Index(fields=["available_from"], name="poolentry_available")]

    def __str__(self):
        return f"{self.officer} ({self.available_from})"

    def get_additional_data(self):
        return {"officer_id": self.officer_id}
