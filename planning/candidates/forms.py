"""The what-if form: a bulletin's requirements, changed on the page without saving the bulletin (GET)."""

from __future__ import annotations

import copy

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Clearance, Language, LanguageLevel
from agencies.validators import validate_plausible_date
from missions.models import Bulletin

# The field names the form changes (the Bulletin's own): anything else of the bulletin stays as saved.
FIELDS = ("min_years_service", "required_language", "min_language_level", "requires_firearms",
          "requires_manual_driving", "min_age", "max_age", "required_clearances", "deployment_start",
          "duration_months")
SUBMIT = "whatif"  # the button's name: its presence in the query says the form was sent


class WhatIfForm(forms.Form):
    min_years_service = forms.IntegerField(label=_("Minimum years of service"), min_value=0, max_value=45)
    required_language = forms.ChoiceField(label=_("Required language"), required=False,
                                          choices=[("", _("None"))] + list(Language.choices))
    min_language_level = forms.TypedChoiceField(
        label=_("Minimum language level"), required=False, coerce=int, empty_value=None,
        choices=[("", _("Intermediate (the default)"))] + list(LanguageLevel.choices))
    requires_firearms = forms.BooleanField(label=_("Firearms qualification required"), required=False)
    requires_manual_driving = forms.BooleanField(label=_("Manual driving required"), required=False)
    min_age = forms.IntegerField(label=_("Minimum age"), required=False, min_value=18, max_value=70)
    max_age = forms.IntegerField(label=_("Maximum age"), required=False, min_value=19, max_value=75,
                                 help_text=_("Applicants must be younger than this age."))
    required_clearances = forms.MultipleChoiceField(label=_("Required clearances"), required=False,
                                                    choices=Clearance.Kind.choices,
                                                    widget=forms.CheckboxSelectMultiple)
    deployment_start = forms.DateField(
        label=_("Deployment start"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"], validators=[validate_plausible_date])
    duration_months = forms.IntegerField(label=_("Duration (months)"), min_value=1, max_value=36)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_id = "what-if"
        self.helper.add_input(Submit(SUBMIT, _("Show the effect"), css_class="btn-primary"))
        self.helper.layout = Layout(
            Fieldset(
                _("Requirements"),
                Row(Column("min_years_service", css_class="col-md-4"), Column("min_age", css_class="col-md-4"),
                    Column("max_age", css_class="col-md-4")),
                Row(Column("required_language", css_class="col-md-6"),
                    Column("min_language_level", css_class="col-md-6")),
                Row(Column("requires_firearms", css_class="col-md-6"),
                    Column("requires_manual_driving", css_class="col-md-6")),
                "required_clearances",
            ),
            Fieldset(
                _("Tour"),
                Row(Column("deployment_start", css_class="col-md-6"), Column("duration_months", css_class="col-md-6")),
            ),
        )

    @classmethod
    def initial_of(cls, bulletin: Bulletin) -> dict:
        return {name: getattr(bulletin, name) for name in FIELDS}

    def clean(self):
        data = super().clean()
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and high <= low:
            self.add_error("max_age", _("The maximum age must be above the minimum age."))
        if data.get("min_language_level") is not None and not data.get("required_language"):
            self.add_error("min_language_level", _("Choose the required language for this level."))
        return data

    def variant_of(self, bulletin: Bulletin) -> Bulletin:
        """An unsaved copy of the bulletin with the form's values (same pk: its own selections never clash)."""
        variant = copy.copy(bulletin)
        for name in FIELDS:
            value = self.cleaned_data[name]
            setattr(variant, name, list(dict.fromkeys(value)) if name == "required_clearances" else value)
        return variant
