"""Forms of the welfare pages. They parse input; welfare.services decides."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from roster.forms_deployments import DateField

from .models import (
    CHECKIN_DAYS_MAX,
    CONTACT_MAX,
    NOTE_MAX,
    SKILLS,
    CheckInStatus,
    Responsibilities,
    ReturnQuestionnaire,
    Scale,
    SupportScale,
    YesNo,
)
from .services import FOLLOW_UP_MAX

# What each status means, under its button on the check-in form.
STATUS_HELP = {
    CheckInStatus.WELL: _("Nothing to report."),
    CheckInStatus.CONCERN: _("Something worries me; IPO staff will get back to me."),
    CheckInStatus.URGENT: _("I need help now: the IPO duty desk and my coordinator are told at once."),
}


class CheckInForm(forms.Form):
    """Rendered by hand (templates/welfare/checkin.html): three large buttons first, for a phone."""

    status = forms.ChoiceField(
        label=_("How are you?"), choices=CheckInStatus.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you are: all well, a concern or urgent."),
                        "invalid_choice": _("Choose how you are: all well, a concern or urgent.")},
    )
    note = forms.CharField(label=_("Short note"), required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))
    contact = forms.CharField(
        label=_("How to reach you"), required=False, max_length=CONTACT_MAX,
        help_text=_("A phone number, a messaging app or where you are, if IPO staff should reach you."),
    )
    shared = forms.BooleanField(
        label=_("Share my note and how to reach me with my agency's coordinator"), required=False,
        help_text=_("Your coordinator always sees the date and the status of your check-ins, never the note "
                    "unless you share it."),
    )
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label=_("Follow-up"), max_length=FOLLOW_UP_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who reached the officer, how, and what was agreed. Seen by IPO staff only."),
        error_messages={"required": _("Say how you followed up: who was reached, and what was agreed.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Record the follow-up")))


class MissionIntervalForm(forms.Form):
    checkin_days = forms.IntegerField(
        label=_("Check-in interval (days)"), required=False, min_value=1, max_value=CHECKIN_DAYS_MAX,
        help_text=_("Leave empty for the program's default."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Save")))


class StepForm(forms.Form):
    done_on = DateField(label=_("Done on"))
    done_by = forms.CharField(label=_("Done by"), max_length=200,
                              help_text=_("The person who held the debriefing, the check or the follow-up."))


def _choice(label, choices, **kwargs):
    return forms.TypedChoiceField(label=label, choices=choices, widget=forms.RadioSelect, **kwargs)


class QuestionnaireForm(forms.Form):
    """The return questionnaire. Rendered by hand (templates/welfare/questionnaire.html): one group
    of choices per question."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = ReturnQuestionnaire._meta
        required = _("Choose an answer.")
        for skill in SKILLS:
            self.fields[skill] = _choice(model.get_field(skill).verbose_name, Scale.choices, coerce=int,
                                         error_messages={"required": required})
        self.fields["responsibilities"] = _choice(
            _("Compared with your work at home, the responsibilities you held in mission were:"),
            Responsibilities.choices, error_messages={"required": required})
        self.fields["support"] = _choice(
            _("How would you rate the welfare support you received, before, during and after the tour?"),
            SupportScale.choices, coerce=int, error_messages={"required": required})
        self.fields["go_again"] = _choice(_("Would you go on a peace operation again?"), YesNo.choices,
                                          error_messages={"required": required})
        self.fields["recommend"] = _choice(_("Would you recommend it to a colleague?"), YesNo.choices,
                                           error_messages={"required": required})
        self.fields["comments"] = forms.CharField(
            label=_("Anything else you want to tell us"), required=False,
            max_length=model.get_field("comments").max_length, widget=forms.Textarea(attrs={"rows": 4}))
        self.fields["comments_shareable"] = forms.BooleanField(
            label=_("IPO staff may read my comments, without my name"), required=False,
            help_text=_("Your agency never reads them. Without this, only you can read your comments."))

    def choice_groups(self):
        """The questions with choices, each group under its heading: (heading, bound fields)."""
        return [
            (_("Skills you developed during the tour"), [self[name] for name in SKILLS]),
            (_("Your tour"), [self[name] for name in ("responsibilities", "support", "go_again", "recommend")]),
        ]
