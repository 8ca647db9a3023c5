import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from agencies.models import Officer, localized
from agencies.validators import validate_plausible_date
from config.choices import ChoiceLabels
from missions.models import Bulletin, Mission


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ENDORSED = "endorsed", _("Endorsed by agency")
    AGENCY_DECLINED = "agency_declined", _("Declined by agency")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    SCREENED_OUT = "screened_out", _("Screened out")
    SELECTED = "selected", _("Selected")
    WAITLISTED = "waitlisted", _("Waitlisted")
    NOT_SELECTED = "not_selected", _("Not selected")
    DEPLOYED = "deployed", _("Deployed")


S = ApplicationStatus

# Who may apply which move: the single transition table (DESIGN.md).
# to-state -> roles allowed. "officer" means the application's own officer;
# "coordinator" means a coordinator of the officer's agency.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    S.SUBMITTED: {
        S.ENDORSED: frozenset({"coordinator"}),
        S.AGENCY_DECLINED: frozenset({"coordinator"}),
        S.WITHDRAWN: frozenset({"officer", "coordinator"}),
    },
    S.ENDORSED: {
        S.SHORTLISTED: frozenset({"ipo_staff"}),
        S.SCREENED_OUT: frozenset({"ipo_staff"}),
        S.WITHDRAWN: frozenset({"officer", "coordinator"}),
    },
    S.SHORTLISTED: {
        S.SELECTED: frozenset({"ipo_staff"}),
        S.WAITLISTED: frozenset({"ipo_staff"}),
        S.NOT_SELECTED: frozenset({"ipo_staff"}),
        S.WITHDRAWN: frozenset({"officer", "coordinator"}),
    },
    S.WAITLISTED: {
        S.SELECTED: frozenset({"ipo_staff"}),
        S.NOT_SELECTED: frozenset({"ipo_staff"}),
        S.WITHDRAWN: frozenset({"officer", "coordinator"}),
    },
    S.SELECTED: {
        # deployed is applied only by deployment_create
        S.DEPLOYED: frozenset({"ipo_staff"}),
        S.WITHDRAWN: frozenset({"officer", "coordinator"}),
    },
    S.DEPLOYED: {
        # back to selected only by deployment_cancel: the tour was called off before departure
        S.SELECTED: frozenset({"ipo_staff"}),
    },
}
# Moves of the table that only the deployment services apply; never offered to users.
SERVICE_ONLY_MOVES = frozenset({(S.SELECTED, S.DEPLOYED), (S.DEPLOYED, S.SELECTED)})
OPEN_STATES = frozenset({S.SUBMITTED, S.ENDORSED, S.SHORTLISTED, S.WAITLISTED, S.SELECTED})
EDITABLE_STATES = frozenset({S.SUBMITTED})


def document_upload_to(instance, filename):
    return f"applications/{instance.application_id}/{uuid.uuid4().hex}.pdf"


class Application(ChoiceLabels, models.Model):
    Status = ApplicationStatus

    bulletin = models.ForeignKey(
        Bulletin, verbose_name=_("bulletin"), on_delete=models.PROTECT, related_name="applications"
    )
    officer = models.ForeignKey(
        Officer, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="applications"
    )
    statement = models.TextField(_("statement of interest"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=S.choices, default=S.SUBMITTED)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    release_confirmed = models.BooleanField(_("agency releases the officer for the tour"), default=False)
    ineligible = models.BooleanField(
        _("does not meet every requirement"), default=False, help_text=_("Set when the officer applied.")
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["bulletin", "officer"],
                name="application_one_per_officer_and_bulletin",
                violation_error_message=_("This officer has already applied to this bulletin."),
            ),
        ]
        indexes = [
            models.Index(fields=["bulletin", "status"]),
            # an officer's applications, newest first with the id as tie-break (keyset pagination)
            models.Index(fields=["officer", "created_at", "id"], name="application_officer_created_id"),
            # an agency's applications counted per state (the coordinator's tabs), from the index alone
            models.Index(fields=["officer", "status"], name="application_officer_status"),
            # open applications by state and bulletin (homes, strength, the worklist's "to decide")
            models.Index(fields=["status", "bulletin"], name="application_status_bulletin"),
            # the latest applications (IPO home) and the nominees of the last 12 months
            models.Index(fields=["created_at", "id"], name="application_created_id"),
            # incremental sync (?updated_since= in the API): what changed after a moment, oldest first
            models.Index(fields=["updated_at", "id"], name="application_updated_id"),
        ]

    def __str__(self):
        return f"{self.officer} → {self.bulletin.reference}"

    def get_additional_data(self):
        return {"officer_id": self.officer_id}

    @property
    def is_open(self):
        return self.status in OPEN_STATES

    @property
    def deployment(self):
        """The deployment this application became and that was not cancelled, if any (one query)."""
        return self.deployments.exclude(status="cancelled").first()


class ApplicationDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=document_upload_to)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.original_name


class StatusEvent(ChoiceLabels, models.Model):
    """One row per change of an object's state, written by the service that applies its transition
    table: from, to, who, why, when. A subclass adds the object's foreign key and gives the two
    states their choices (an application's here, a cost claim's in ledger.models)."""

    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


class ApplicationEvent(StatusEvent):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(_("from"), max_length=20, choices=S.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=S.choices)
    # Internal (IPO staff only) unless shared with the officer and their agency's coordinators:
    # the rule is roster.permissions.can_read_event_note, applied by roster.selectors.
    note_shared = models.BooleanField(_("note shared with the officer"), default=False)
    # A note the roster wrote itself ("Deployed to BINUH"): a code of roster.notes with its parameters,
    # put into words in the reader's language. `note` holds only what a person typed.
    note_code = models.CharField(_("system note"), max_length=60, blank=True)
    note_params = models.JSONField(_("system note parameters"), default=dict, blank=True)

    class Meta(StatusEvent.Meta):
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    @property
    def system_note(self):
        """The system note (roster.notes.SystemNote, in words when shown), or None."""
        from .notes import SystemNote

        return SystemNote(self.note_code, self.note_params) if self.note_code else None


class DeploymentRole(models.Model):
    """The catalogue of roles a deployed officer holds in a mission, in English and French, kept by
    IPO staff (roster.roles). A role no longer offered is deactivated, never deleted: the tours that
    had it keep it. `needs_review`: made from a free-text role of an earlier version, its French
    name still to be checked."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    is_active = models.BooleanField(_("offered"), default=True)
    position = models.PositiveSmallIntegerField(
        _("position in the list"), default=100, help_text=_("Lower numbers come first.")
    )
    needs_review = models.BooleanField(_("French name to check"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name_en", "id"]
        verbose_name = _("deployment role")
        verbose_name_plural = _("deployment roles")
        constraints = [
            models.UniqueConstraint(
                Lower("name_en"), name="deployment_role_name_en_unique",
                violation_error_message=_("A role with this English name already exists."),
            ),
            models.UniqueConstraint(
                Lower("name_fr"), name="deployment_role_name_fr_unique",
                violation_error_message=_("A role with this French name already exists."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return localized(self, "name")


class Deployment(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_MISSION = "in_mission", _("In mission")
        COMPLETED = "completed", _("Completed")
        REPATRIATED = "repatriated", _("Repatriated")
        CANCELLED = "cancelled", _("Cancelled")

    class RepatriationReason(models.TextChoices):
        MEDICAL = "medical", _("Medical")
        COMPASSIONATE = "compassionate", _("Compassionate")
        DISCIPLINARY = "disciplinary", _("Disciplinary")
        SECURITY = "security", _("Security")
        MISSION_CLOSURE = "mission_closure", _("Mission closure")
        OTHER = "other", _("Other")

    officer = models.ForeignKey(
        Officer, verbose_name=_("officer"), on_delete=models.PROTECT, related_name="deployments"
    )
    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.PROTECT, related_name="deployments"
    )
    # The origin application. A cancelled tour keeps it, and the application may then be deployed
    # again: at most one deployment per application that is not cancelled (constraint below).
    application = models.ForeignKey(
        Application, verbose_name=_("application"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="deployments",
    )
    # The role: one of the catalogue's, or else written out in both languages ("other"). Read it as
    # `role` (in the active language) or `role_names` (both).
    catalogue_role = models.ForeignKey(
        DeploymentRole, verbose_name=_("role"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="deployments",
    )
    role_other_en = models.CharField(_("other role (English)"), max_length=200, blank=True)
    role_other_fr = models.CharField(_("other role (French)"), max_length=200, blank=True)
    # The planned start: recording the arrival never changes it (see actual_start_date).
    start_date = models.DateField(_("start date"), validators=[validate_plausible_date])
    planned_end_date = models.DateField(_("planned end date"), validators=[validate_plausible_date])
    # The day the officer arrived in mission, recorded by deployment_start. Empty until then, and on
    # tours started before this field existed (deployment_start then overwrote start_date).
    actual_start_date = models.DateField(
        _("arrival date"), null=True, blank=True, validators=[validate_plausible_date]
    )
    actual_end_date = models.DateField(
        _("actual end date"), null=True, blank=True, validators=[validate_plausible_date]
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    repatriation_reason = models.CharField(
        _("repatriation reason"), max_length=20, choices=RepatriationReason.choices, blank=True
    )
    repatriation_note = models.TextField(_("repatriation note"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # Need to know: for IPO staff and the officer concerned (roster.permissions).
    cancellation_reason = models.TextField(_("reason for the cancellation"), blank=True)
    replaces = models.ForeignKey(
        "self", verbose_name=_("replaces"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="replaced_by",
    )
    override_reason = models.TextField(_("override reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_date__gt=F("start_date")),
                name="deployment_end_after_start",
                violation_error_message=_("The planned end must come after the start."),
            ),
            models.CheckConstraint(
                condition=Q(actual_end_date__isnull=True)
                | Q(actual_start_date__isnull=True, actual_end_date__gte=F("start_date"))
                | Q(actual_start_date__isnull=False, actual_end_date__gte=F("actual_start_date")),
                name="deployment_actual_end_after_start",
                violation_error_message=_("The actual end cannot come before the start."),
            ),
            models.CheckConstraint(
                condition=Q(actual_start_date__isnull=True) | Q(actual_start_date__lt=F("planned_end_date")),
                name="deployment_arrival_before_planned_end",
                violation_error_message=_("The arrival must come before the planned end."),
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled")
                | (Q(cancelled_at__isnull=False, actual_start_date__isnull=True, actual_end_date__isnull=True)
                   & ~Q(cancellation_reason="")),
                name="deployment_cancelled_before_arrival_with_reason",
                violation_error_message=_("A cancelled deployment has a reason and no arrival or end."),
            ),
            models.CheckConstraint(
                condition=Q(catalogue_role__isnull=False) | ~Q(role_other_en="") | ~Q(role_other_fr=""),
                name="deployment_has_a_role",
                violation_error_message=_("Give the officer's role in the mission."),
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=~Q(status="cancelled"),
                name="deployment_one_live_per_application",
                violation_error_message=_("This application already has a deployment."),
            ),
        ]
        # On PostgreSQL an exclusion constraint (migrations 0002, then 0004) also forbids overlapping
        # deployments of one officer over [arrival or planned start, actual or planned end), cancelled
        # ones excepted.
        indexes = [
            models.Index(fields=["status", "mission"]),
            # incremental sync (?updated_since= in the API): what changed after a moment, oldest first
            models.Index(fields=["updated_at", "id"], name="deployment_updated_id"),
        ]

    def __str__(self):
        return f"{self.officer} @ {self.mission.code} ({self.effective_start_date} → {self.end_date})"

    def get_additional_data(self):
        return {"officer_id": self.officer_id}

    @property
    def role(self) -> str:
        """The role in the active language: the catalogue's name, else the role written out (in the
        other language when this one was left empty). Lists select `catalogue_role` with the rows."""
        if self.catalogue_role_id:
            return self.catalogue_role.name
        return localized(self, "role_other")

    @role.setter
    def role(self, value) -> None:
        """A catalogue entry, or a text written out (the same in both languages: the free-text role of
        earlier versions, still accepted from older callers)."""
        if isinstance(value, DeploymentRole):
            self.catalogue_role, self.role_other_en, self.role_other_fr = value, "", ""
        else:
            text = " ".join(str(value or "").split())
            self.catalogue_role, self.role_other_en, self.role_other_fr = None, text, text

    @property
    def role_names(self) -> dict[str, str]:
        """The role in both languages: {"en": ..., "fr": ...}."""
        if self.catalogue_role_id:
            return {"en": self.catalogue_role.name_en, "fr": self.catalogue_role.name_fr}
        en, fr = self.role_other_en.strip(), self.role_other_fr.strip()
        return {"en": en or fr, "fr": fr or en}

    @property
    def effective_start_date(self):
        """The first day of the tour: the arrival once recorded, else the planned start."""
        return self.actual_start_date or self.start_date

    @property
    def end_date(self):
        return self.actual_end_date or self.planned_end_date

    @property
    def is_current(self):
        return self.status in (self.Status.PLANNED, self.Status.IN_MISSION)

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED


class DeploymentEvent(ChoiceLabels, models.Model):
    """Every change to a deployment: who, when, what."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("date"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("deployment event")
        verbose_name_plural = _("deployment events")

    def __str__(self):
        return self.action


class MedalAward(ChoiceLabels, models.Model):
    class Medal(models.TextChoices):
        UN_MISSION = "un_mission", _("UN mission medal")
        CPSM = "cpsm", _("Canadian Peacekeeping Service Medal")

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="medals")
    medal = models.CharField(_("medal"), max_length=20, choices=Medal.choices)
    mission = models.ForeignKey(Mission, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    awarded_on = models.DateField(_("awarded on"), validators=[validate_plausible_date])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-awarded_on"]
        verbose_name = _("medal award")
        verbose_name_plural = _("medal awards")

    def __str__(self):
        return self.get_medal_display()
