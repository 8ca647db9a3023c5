"""Forms of the session pages. They parse input; planning.sessions.services decides."""

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Language
from config.typography import label_value
from roster.forms_deployments import DateField

from .models import NOTE_MAX, NOTES_MAX, ResultValue, SessionKind


class SessionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionKind.choices)
    starts_on = DateField(label=_("First day"))
    ends_on = DateField(label=_("Last day"))
    place = forms.CharField(label=_("Place"), max_length=200,
                            help_text=_("For example: Canadian Police College, Ottawa."))
    language = forms.ChoiceField(label=_("Language of the session"), choices=Language.choices)
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=500)
    women_only = forms.BooleanField(label=_("Women only"), required=False,
                                    help_text=_("For example, the pre-assessment training for francophone women."))
    includes_firearms = forms.BooleanField(label=_("Includes the firearms test"), required=False,
                                           help_text=_("For candidates to armed missions."))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=NOTES_MAX,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label or _("Schedule the session")))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=NOTE_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Sent to the registered officers and their coordinators."),
                             error_messages={"required": _("Say why the session is cancelled.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Cancel the session"), css_class="btn-danger"))


class RegisterForm(forms.Form):
    officer = forms.TypedChoiceField(label=_("Officer"), coerce=int,
                                     error_messages={"required": _("Choose the officer to register.")})
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("For IPO staff: anything the session's organisers should know."))

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [("", _("Choose an officer"))] + [
            (o.pk, f"{o.last_name}, {o.first_name} ({o.badge_number})") for o in officers]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Register")))


class OfficerFindForm(forms.Form):
    """Find the officer to register by badge number or name, among the active officers the user may see
    (IPO staff see thousands: a select of all of them is no way to find one)."""

    find = forms.CharField(label=_("Find the officer: badge number or name"), max_length=100, required=False)

    def __init__(self, *args, action="", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_action = action
        self.helper.disable_csrf = True
        # a plain button: no name in the URL, no id shared with the register form's button
        self.helper.layout = Layout("find", StrictButton(_("Find"), type="submit",
                                                         css_class="btn-outline-primary mb-3"))


RESULT_CHOICES = [("", _("Not recorded"))] + list(ResultValue.choices)


def result_field_name(registration_id: int, component: str) -> str:
    return f"r{registration_id}-{component}"


class ResultsForm(forms.Form):
    """One select per registered officer and component assessed; rendered as a table."""

    def __init__(self, *args, registrations=(), components=(), labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for reg in registrations:
            current = {r.component: r.result for r in reg.results.all()}
            names = []
            for component in components:
                name = result_field_name(reg.pk, component)
                self.fields[name] = forms.ChoiceField(
                    label=label_value(reg.officer.full_name, labels.get(component, component) if labels else component),
                    choices=RESULT_CHOICES, required=False, initial=current.get(component, ""))
                names.append(name)
            self.rows.append((reg, names))

    def results(self) -> dict[int, dict[str, str]]:
        out = {}
        for reg, names in self.rows:
            out[reg.pk] = {name.split("-", 1)[1]: self.cleaned_data.get(name, "") for name in names}
        return out

    def table(self):
        """(registration, [bound fields]) per row, for the template."""
        return [(reg, [self[name] for name in names]) for reg, names in self.rows]
