"""Forms for the application pages. They parse input; roster.services decide.

A rule the service enforces (a reason, the chief's release, the ineligibility warning, the
documents' type, size and number) is not repeated here: the service's ValidationError is
shown next to the field it names (see roster.views.applications.add_service_errors). Inputs
that must be filled carry the HTML `required` attribute so the browser asks first.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from agencies.validators import bounded_id

from .models import ApplicationStatus
from .selectors import PIPELINE_ACTIONS

S = ApplicationStatus


class MultiplePdfInput(forms.FileInput):
    """`<input type=file multiple accept="application/pdf">`."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__({"accept": "application/pdf", "multiple": True, **(attrs or {})})


class MultipleFileField(forms.FileField):
    """Several files under one name; cleans to a list (possibly empty)."""

    widget = MultiplePdfInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def documents_help() -> str:
    rules = settings.ROSTER
    return _("PDF only, at most %(mb)d MB each, %(n)d documents per application.") % {
        "mb": rules["DOCUMENT_MAX_BYTES"] // (1024 * 1024),
        "n": rules["DOCUMENTS_PER_APPLICATION"],
    }


def documents_field(label=None) -> MultipleFileField:
    return MultipleFileField(label=label or _("Documents"), help_text=documents_help())


def _helper(label, css_class="btn-primary") -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label, css_class=css_class))
    return helper


def statement_field(help_text=None) -> forms.CharField:
    return forms.CharField(
        label=_("Statement of interest"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=help_text or _("Why you and why this mission: experience, languages, previous deployments."),
    )


class ApplicationForm(forms.Form):
    """An officer applies. `ask_confirmation` adds the warning checkbox for an ineligible officer."""

    def __init__(self, *args, ask_confirmation=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statement"] = statement_field()
        self.fields["documents"] = documents_field()
        if ask_confirmation:
            self.fields["confirm_ineligible"] = forms.BooleanField(
                label=_("I do not meet every requirement listed above and apply anyway."),
                required=False,
            )
        self.helper = _helper(_("Submit my application"))


class ApplicationEditForm(forms.Form):
    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statement"] = statement_field()
        self.fields["statement"].initial = application.statement
        documents = list(application.documents.all())
        if documents:
            self.fields["remove_documents"] = forms.TypedMultipleChoiceField(
                label=_("Remove documents"),
                choices=[(d.pk, d.original_name) for d in documents],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        self.fields["documents"] = documents_field(_("Add documents"))
        self.helper = _helper(_("Save changes"))


class ReasonForm(forms.Form):
    """A required reason (withdrawing, declining); the service gives the error when it is missing."""

    def __init__(self, *args, label, submit, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"] = forms.CharField(
            label=label,
            required=False,
            help_text=help_text,
            widget=forms.Textarea(attrs={"rows": 4, "required": True}),
        )
        self.helper = _helper(submit, "btn-danger")


class EndorseForm(forms.Form):
    release_confirmed = forms.BooleanField(
        label=_("The agency releases the officer for the tour (chief's release)"),
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The officer and IPO staff see this note on the timeline."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("Endorse the application"), "btn-success")


class NominateForm(forms.Form):
    """A coordinator nominates one of their agency's active officers (`officers`, each with
    `eligibility` and `has_applied`, from roster.selectors.officers_for_nomination)."""

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self._officers = {str(o.pk): o for o in officers}
        choices = [("", _("Choose an officer"))]
        for o in officers:
            label = f"{o.last_name}, {o.first_name} ({o.badge_number}) — {o.eligibility.summary}"
            if o.has_applied:
                label += " — " + str(_("already applied"))
            choices.append((str(o.pk), label))
        self.fields["officer"] = forms.ChoiceField(label=_("Officer"), choices=choices)
        self.fields["statement"] = statement_field(
            _("Why this officer and why this mission: experience, languages, previous deployments.")
        )
        self.fields["documents"] = documents_field()
        self.fields["release_confirmed"] = forms.BooleanField(
            label=_("The agency releases the officer for the tour (chief's release)"),
            required=False,
            widget=forms.CheckboxInput(attrs={"required": True}),
        )
        self.fields["confirm_ineligible"] = forms.BooleanField(
            label=_("Nominate even if the officer does not meet every requirement"),
            required=False,
            help_text=_("The application is then flagged for IPO staff."),
        )
        self.helper = _helper(_("Nominate the officer"))

    def clean_officer(self):
        return self._officers[self.cleaned_data["officer"]]


# What the button for each of IPO staff's moves says.
MOVE_LABELS = {
    S.SHORTLISTED: _("Shortlist"),
    S.SCREENED_OUT: _("Screen out"),
    S.SELECTED: _("Select"),
    S.WAITLISTED: _("Waitlist"),
    S.NOT_SELECTED: _("Do not select"),
}


def move_buttons(moves) -> list[tuple[str, str]]:
    """(status, button label) for each move of `moves`."""
    return [(to, MOVE_LABELS.get(to, S(to).label)) for to in moves]


def confirm_unavailable_field() -> forms.BooleanField:
    """Selecting an officer committed elsewhere over the tour (the service refuses without it)."""
    return forms.BooleanField(
        label=_("Select even if the officer is deployed, planned or selected elsewhere during the tour"),
        required=False,
    )


# Who reads a note IPO staff write on a move: internal unless they choose to share it
# (roster.services.note_is_shared; roster.permissions.can_read_event_note).
NOTE_INTERNAL, NOTE_SHARED = "internal", "shared"
NOTE_AUDIENCES = [
    (NOTE_INTERNAL, _("Only IPO staff (internal note)")),
    (NOTE_SHARED, _("IPO staff, the officer and their agency's coordinators (shared: also in the status email)")),
]


class NoteAudienceField(forms.ChoiceField):
    """Radio buttons saying who reads the note; cleans to True when the note is shared. Missing
    or empty means internal, the default."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Who reads the note?"))
        super().__init__(choices=NOTE_AUDIENCES, required=False, initial=NOTE_INTERNAL, **kwargs)

    def clean(self, value):
        return super().clean(value) == NOTE_SHARED


class TransitionForm(forms.Form):
    """One move from the application page (the moves with their own page excluded)."""

    to = forms.ChoiceField(label=_("New status"), choices=[(s, S(s).label) for s in MOVE_LABELS])
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    share_note = NoteAudienceField()
    confirm_unavailable = confirm_unavailable_field()


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids no row can have before they reach the database (no overflow, no 500)."""

    def _check_values(self, value):
        for pk in value:
            if bounded_id(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class PipelineActionForm(forms.Form):
    """A bulk move of the checked applicants of one bulletin."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("", _("Choose an action"))] + [(key, MOVE_LABELS[to]) for key, to in PIPELINE_ACTIONS.items()],
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    share_note = NoteAudienceField()
    confirm_unavailable = confirm_unavailable_field()

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"] = BoundedModelMultipleChoiceField(
            label=_("Applicants"),
            queryset=queryset,
            error_messages={"required": _("Tick at least one applicant.")},
        )

    @property
    def target(self):
        return PIPELINE_ACTIONS[self.cleaned_data["action"]]


def bulk_moves(move_rows: dict[str, int]) -> dict:
    """What the pipeline's bulk-action group offers: the moves that apply to at least one row of
    the page (`move_rows`: action key -> rows, from roster.selectors.bulletin_pipeline), each with
    its label, and the texts static/js/pipeline-bulk.js fills in with the ticked rows ({label},
    {n}, {total}; one text per plural form it may need)."""
    placeholders = {"label": "{label}", "n": "{n}", "total": "{total}"}
    return {
        "options": [
            {"key": key, "label": MOVE_LABELS[PIPELINE_ACTIONS[key]], "rows": n} for key, n in move_rows.items() if n
        ],
        "count_format": gettext("%(label)s (%(n)s of %(total)s)") % placeholders,
        "status_none": gettext("No applicant ticked: tick applicants to see the moves that apply to them."),
        "status_one": ngettext(
            "%(total)s applicant ticked: each move says how many of them it applies to.",
            "%(total)s applicants ticked: each move says how many of them it applies to.",
            1,
        ) % placeholders,
        "status_many": ngettext(
            "%(total)s applicant ticked: each move says how many of them it applies to.",
            "%(total)s applicants ticked: each move says how many of them it applies to.",
            2,
        ) % placeholders,
    }


class AgencyApplicationFilter(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses"))] + list(S.choices)
    )
    bulletin = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
