"""Welfare in mission and reintegration on return (issue 12, items 1 and 2).

- `MissionWelfare`: a mission's own check-in interval (else ROSTER["WELFARE_CHECKIN_DAYS"]).
- `CheckIn`: an officer in mission says how they are (all well, concern, urgent), with a short note
  and how to reach them; IPO staff record a follow-up on a concern or an urgent one.
- `CheckInReminder`: one row per reminder or alert sent, so each goes out once per overdue period.
- `ReturnPlan` and its `ReturnStep`s: debriefing, medical check, psychological follow-ups at 3 and 6
  months after the tour ends.
- `ReturnQuestionnaire`: the officer's answers about their tour, one per ended deployment; read
  individually by the officer only, by everyone else in aggregate (welfare.selectors.impact_report).
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Officer
from config.choices import ChoiceLabels
from missions.models import Mission
from roster.models import Deployment

NOTE_MAX = 1000
CONTACT_MAX = 200
COMMENTS_MAX = 3000
CHECKIN_DAYS_MAX = 90


class MissionWelfare(models.Model):
    """Welfare settings of one mission (kept here so missions/ needs no migration)."""

    mission = models.OneToOneField(Mission, verbose_name=_("mission"), on_delete=models.CASCADE,
                                   related_name="welfare")
    checkin_days = models.PositiveSmallIntegerField(
        _("check-in interval (days)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(CHECKIN_DAYS_MAX)],
        help_text=_("Empty: the program's default interval."),
    )
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mission welfare setting")
        verbose_name_plural = _("mission welfare settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(checkin_days__isnull=True) | Q(checkin_days__gte=1, checkin_days__lte=CHECKIN_DAYS_MAX),
                name="missionwelfare_checkin_days_range",
            ),
        ]

    def __str__(self):
        return f"{self.mission.code}: {self.checkin_days or '-'}"


class CheckInStatus(models.TextChoices):
    WELL = "well", _("All well")
    CONCERN = "concern", _("Concern")
    URGENT = "urgent", _("Urgent")


class CheckIn(ChoiceLabels, models.Model):
    Status = CheckInStatus

    deployment = models.ForeignKey(Deployment, verbose_name=_("deployment"), on_delete=models.CASCADE,
                                   related_name="checkins")
    # the deployment's officer, kept on the row so the visibility rule (agencies.selectors.scope_to_user)
    # applies without a join through the deployment
    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.CASCADE,
                                related_name="checkins")
    status = models.CharField(_("status"), max_length=10, choices=CheckInStatus.choices)
    note = models.TextField(_("note"), max_length=NOTE_MAX, blank=True)
    contact = models.CharField(_("how to reach me"), max_length=CONTACT_MAX, blank=True)
    # The note and the contact are for IPO staff; the officer may share them with their agency's
    # coordinators (who always see the date and the status): welfare.permissions.can_read_checkin_note.
    shared = models.BooleanField(_("shared with my agency's coordinator"), default=False)
    # One per form shown: a second submission of the same form (a double tap) is the same check-in.
    token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    followed_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("followed up by"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="+")
    follow_up_note = models.TextField(_("follow-up"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [
            # a deployment's check-ins, newest first (the board's "last check-in", the history page)
            models.Index(fields=["deployment", "created_at", "id"], name="checkin_deployment_created"),
            # concerns and urgent check-ins nobody has followed up yet (the board, IPO's attention list): few
            models.Index(fields=["created_at"], name="checkin_open",
                         condition=Q(status__in=["concern", "urgent"], followed_up_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(followed_up_at__isnull=True) | ~Q(status="well"),
                name="checkin_follow_up_only_when_not_well",
            ),
        ]

    def __str__(self):
        return f"{self.get_status_display()} ({self.created_at:%Y-%m-%d})"

    def get_additional_data(self):
        return {"officer_id": self.officer_id}

    @property
    def is_urgent(self):
        return self.status == CheckInStatus.URGENT

    @property
    def needs_follow_up(self):
        return self.status != CheckInStatus.WELL and self.followed_up_at is None


class CheckInReminder(ChoiceLabels, models.Model):
    """A reminder to an officer whose check-in is overdue, or an alert to IPO staff about them. The
    unique key makes each go out once per overdue period, whatever the number of beat runs."""

    class Kind(models.TextChoices):
        OFFICER = "officer", _("Reminder to the officer")
        STAFF = "staff", _("Alert to IPO staff")

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="checkin_reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # the first day of the overdue period the message is about
    period_start = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("check-in reminder")
        verbose_name_plural = _("check-in reminders")
        constraints = [
            models.UniqueConstraint(fields=["deployment", "kind", "period_start"], name="checkinreminder_once"),
        ]

    def __str__(self):
        return f"{self.kind} {self.deployment_id} {self.period_start}"


class ReturnPlan(models.Model):
    """Started when a tour ends (completed or repatriated): welfare.services.return_plans_start."""

    deployment = models.OneToOneField(Deployment, verbose_name=_("deployment"), on_delete=models.CASCADE,
                                      related_name="return_plan")
    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.CASCADE,
                                related_name="return_plans")
    ended_on = models.DateField(_("tour ended on"))
    created_at = models.DateTimeField(default=timezone.now)
    # when the officer was invited to answer the return questionnaire (once)
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-ended_on", "-id"]
        verbose_name = _("return plan")
        verbose_name_plural = _("return plans")

    def __str__(self):
        return f"{self.officer} ({self.ended_on})"

    def get_additional_data(self):
        return {"officer_id": self.officer_id}


class ReturnStep(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        DEBRIEFING = "debriefing", _("Debriefing")
        MEDICAL = "medical", _("Medical check")
        PSYCH_3 = "psych_3m", _("Psychological follow-up at 3 months")
        PSYCH_6 = "psych_6m", _("Psychological follow-up at 6 months")

    plan = models.ForeignKey(ReturnPlan, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("step"), max_length=12, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(default=0)
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.CharField(_("done by"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("return plan step")
        verbose_name_plural = _("return plan steps")
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="returnstep_one_per_kind"),
            models.CheckConstraint(condition=Q(done_on__isnull=True) | ~Q(done_by=""),
                                   name="returnstep_done_by_whom"),
        ]
        indexes = [
            # steps still to do, by due date (overdue steps on IPO's home page)
            models.Index(fields=["due_on"], name="returnstep_open_due", condition=Q(done_on__isnull=True)),
        ]

    def __str__(self):
        return self.get_kind_display()

    def get_additional_data(self):
        return {"officer_id": self.plan.officer_id}

    def is_overdue(self, today) -> bool:
        return self.done_on is None and self.due_on < today


class Scale(models.IntegerChoices):
    """How much a skill developed during the tour."""

    NOT_AT_ALL = 1, _("Not at all")
    A_LITTLE = 2, _("A little")
    MODERATELY = 3, _("Moderately")
    CONSIDERABLY = 4, _("Considerably")
    GREATLY = 5, _("Greatly")


class SupportScale(models.IntegerChoices):
    VERY_POOR = 1, _("Very poor")
    POOR = 2, _("Poor")
    ADEQUATE = 3, _("Adequate")
    GOOD = 4, _("Good")
    EXCELLENT = 5, _("Excellent")


class Responsibilities(models.TextChoices):
    FEWER = "fewer", _("Fewer than at home")
    SAME = "same", _("About the same as at home")
    MORE = "more", _("More than at home")
    MUCH_MORE = "much_more", _("Much more than at home")


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    UNSURE = "unsure", _("Not sure")
    NO = "no", _("No")


# The skills the questionnaire asks about, in the order of the form and the report.
SKILLS = ("leadership", "mentoring", "training", "investigation", "languages", "intercultural")


def _skill(label):
    return models.PositiveSmallIntegerField(label, choices=Scale.choices)


class ReturnQuestionnaire(ChoiceLabels, models.Model):
    deployment = models.OneToOneField(Deployment, verbose_name=_("deployment"), on_delete=models.CASCADE,
                                      related_name="return_questionnaire")
    officer = models.ForeignKey(Officer, verbose_name=_("officer"), on_delete=models.CASCADE,
                                related_name="return_questionnaires")
    returned_on = models.DateField(_("tour ended on"))
    # the fiscal year (April to March) of the return, by its first year: 2025 is 2025-26
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year of the return"))
    leadership = _skill(_("Leadership"))
    mentoring = _skill(_("Mentoring and advising"))
    training = _skill(_("Training others"))
    investigation = _skill(_("Investigation"))
    languages = _skill(_("Languages"))
    intercultural = _skill(_("Working across cultures"))
    responsibilities = models.CharField(_("responsibilities compared with at home"), max_length=10,
                                        choices=Responsibilities.choices)
    support = models.PositiveSmallIntegerField(_("welfare support received"), choices=SupportScale.choices)
    go_again = models.CharField(_("would go again"), max_length=6, choices=YesNo.choices)
    recommend = models.CharField(_("would recommend it"), max_length=6, choices=YesNo.choices)
    comments = models.TextField(_("comments"), max_length=COMMENTS_MAX, blank=True)
    # the officer agrees that IPO staff may read the comments, without their name (the impact report)
    comments_shareable = models.BooleanField(_("IPO staff may read my comments, without my name"), default=False)
    language = models.CharField(_("language"), max_length=2, default="en")
    submitted_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("return questionnaire")
        verbose_name_plural = _("return questionnaires")
        indexes = [models.Index(fields=["fiscal_year"], name="questionnaire_fiscal_year")]
        constraints = [
            models.CheckConstraint(
                condition=Q(support__gte=1, support__lte=5)
                & Q(**{f"{s}__gte": 1 for s in SKILLS}) & Q(**{f"{s}__lte": 5 for s in SKILLS}),
                name="questionnaire_scales_1_to_5",
            ),
        ]

    def __str__(self):
        return f"{self.officer_id} / {self.deployment_id}"

    def get_additional_data(self):
        return {"officer_id": self.officer_id}


def fiscal_year_of(day) -> int:
    """The federal fiscal year (April to March) holding `day`, by its first year."""
    return day.year if day.month >= 4 else day.year - 1


def new_token() -> uuid.UUID:
    return uuid.uuid4()
