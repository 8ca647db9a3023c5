"""Assessment sessions (SAAT / pre-SAAT): models owned by the sessions area.

- `AssessmentSession`: IPO staff schedule it (dates, place, language, capacity, optionally women-only and
  with the firearms test for armed missions).
- `Registration`: a coordinator registers one of their agency's officers; beyond the capacity the officer
  waits in line (`position`), and a withdrawal moves the first in line up (planning.sessions.services).
- `AssessmentResult`: one per component assessed (language, interview, driving, firearms when the session
  includes it); the registration's `outcome` sums them up, and a pass on a SAAT creates or renews the
  officer's UN assessment clearance.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Language, Officer
from config.choices import ChoiceLabels

NOTES_MAX = 2000
NOTE_MAX = 1000


class SessionKind(models.TextChoices):
    SAAT = "saat", _("SAAT (UN assessment for mission service)")
    PRE_SAAT = "pre_saat", _("Pre-SAAT (preparation for the assessment)")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class AssessmentSession(ChoiceLabels, models.Model):
    Kind = SessionKind
    Status = SessionStatus

    kind = models.CharField(_("kind"), max_length=10, choices=SessionKind.choices, default=SessionKind.SAAT)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    place = models.CharField(_("place"), max_length=200)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.EN)
    capacity = models.PositiveSmallIntegerField(_("seats"))
    women_only = models.BooleanField(_("women only"), default=False)
    includes_firearms = models.BooleanField(
        _("includes the firearms test"), default=False,
        help_text=_("For candidates to armed missions."))
    status = models.CharField(_("status"), max_length=10, choices=SessionStatus.choices,
                              default=SessionStatus.SCHEDULED)
    notes = models.TextField(_("notes"), max_length=NOTES_MAX, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), max_length=NOTE_MAX, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("scheduled by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("assessment session")
        verbose_name_plural = _("assessment sessions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="assessmentsession_ends_after_start",
                                   violation_error_message=_("The last day cannot be before the first day.")),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="assessmentsession_capacity_positive",
                                   violation_error_message=_("A session has at least one seat.")),
            models.CheckConstraint(condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                                   name="assessmentsession_cancelled_has_reason",
                                   violation_error_message=_("A cancelled session has a reason.")),
        ]
        indexes = [
            # the session list: upcoming by first day, past by last day
            models.Index(fields=["starts_on", "id"], name="assessmentsession_starts"),
            models.Index(fields=["ends_on", "id"], name="assessmentsession_ends"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.place} ({self.starts_on:%Y-%m-%d})"

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    @property
    def grants_clearance(self) -> bool:
        """A pass on a SAAT is the UN assessment; a pre-SAAT prepares for it."""
        return self.kind == SessionKind.SAAT

    def required_components(self) -> list[str]:
        """The components assessed, in the SAAT's order: language, interview, driving, then firearms when
        the session includes it (armed missions)."""
        parts = [Component.LANGUAGE, Component.INTERVIEW, Component.DRIVING]
        if self.includes_firearms:
            parts.append(Component.FIREARMS)
        return [str(p) for p in parts]

    def has_started(self, today=None) -> bool:
        return self.starts_on <= (today or timezone.localdate())

    def is_past(self, today=None) -> bool:
        return self.ends_on < (today or timezone.localdate())


class RegistrationState(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waiting list")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Outcome(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class Registration(ChoiceLabels, models.Model):
    State = RegistrationState
    Outcome = Outcome

    session = models.ForeignKey(AssessmentSession, verbose_name=_("session"), on_delete=models.CASCADE,
                                related_name="registrations")
    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.CASCADE,
                                related_name="assessment_registrations")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(_("state"), max_length=12, choices=RegistrationState.choices,
                             default=RegistrationState.REGISTERED)
    # the place in the waiting list (lowest first); only while waitlisted
    position = models.PositiveIntegerField(_("place on the waiting list"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    promoted_at = models.DateTimeField(_("moved up from the waiting list at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("withdrawn by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    # the sum of the components' results (planning.sessions.services.results_record); empty until known
    outcome = models.CharField(_("outcome"), max_length=4, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)

    class Meta:
        ordering = ["session", "created_at", "id"]
        verbose_name = _("session registration")
        verbose_name_plural = _("session registrations")
        constraints = [
            models.UniqueConstraint(fields=["session", "officer"], name="registration_once_per_session",
                                    violation_error_message=_("This officer is already registered for this "
                                                              "session.")),
            models.CheckConstraint(condition=Q(state="waitlisted", position__isnull=False)
                                   | (~Q(state="waitlisted") & Q(position__isnull=True)),
                                   name="registration_position_only_waitlisted"),
            models.UniqueConstraint(fields=["session", "position"], condition=Q(state="waitlisted"),
                                    name="registration_waitlist_position_unique"),
            models.CheckConstraint(condition=Q(outcome="") | Q(state="registered"),
                                   name="registration_outcome_only_registered"),
        ]
        indexes = [
            models.Index(fields=["officer", "session"], name="registration_officer"),
        ]

    def __str__(self):
        return f"{self.officer} - {self.session}"

    def get_additional_data(self):
        return {"officer_id": self.officer_id}

    @property
    def is_active(self) -> bool:
        return self.state in (RegistrationState.REGISTERED, RegistrationState.WAITLISTED)


class Component(models.TextChoices):
    LANGUAGE = "language", _("Language")
    INTERVIEW = "interview", _("Interview")
    DRIVING = "driving", _("Driving")
    FIREARMS = "firearms", _("Firearms")


class ResultValue(models.TextChoices):
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")
    ABSENT = "absent", _("Absent")


class AssessmentResult(ChoiceLabels, models.Model):
    Component = Component
    Value = ResultValue

    registration = models.ForeignKey(Registration, verbose_name=_("registration"), on_delete=models.CASCADE,
                                     related_name="results")
    component = models.CharField(_("component"), max_length=10, choices=Component.choices)
    result = models.CharField(_("result"), max_length=6, choices=ResultValue.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["registration", "id"]
        verbose_name = _("assessment result")
        verbose_name_plural = _("assessment results")
        constraints = [
            models.UniqueConstraint(fields=["registration", "component"], name="assessmentresult_one_per_component",
                                    violation_error_message=_("This component already has a result.")),
        ]

    def __str__(self):
        return f"{self.get_component_display()}: {self.get_result_display()}"

    def get_additional_data(self):
        return {"registration_id": self.registration_id}


__all__ = ["AssessmentResult", "AssessmentSession", "Component", "Outcome", "Registration",
           "RegistrationState", "ResultValue", "SessionKind", "SessionStatus"]
