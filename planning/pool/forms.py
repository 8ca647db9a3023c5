"""Forms of the talent pool pages. They parse input; planning.pool.services decides."""

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from roster.forms_deployments import DateField

from .models import AgencySupport, PoolLanguage, Region, Speciality
from .services import NOTE_MAX


class PoolEntryForm(forms.Form):
    regions = forms.MultipleChoiceField(
        label=_("Regions where you would serve"), choices=Region.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one region.")})
    languages = forms.MultipleChoiceField(
        label=_("Languages you work in"), choices=PoolLanguage.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one language.")})
    specialities = forms.MultipleChoiceField(
        label=_("What you bring"), choices=Speciality.choices, widget=forms.CheckboxSelectMultiple, required=False)
    available_from = DateField(label=_("Available from"),
                               help_text=_("The earliest day you could leave for a mission."),
                               error_messages={"required": _("Say from when you could leave.")})
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Seen by your coordinator and IPO staff."))

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label or _("Join the talent pool")))


SUPPORT_CHOICES = [(AgencySupport.SUPPORTED, _("The agency supports this officer")),
                   (AgencySupport.NOT_SUPPORTED, _("The agency does not support this officer"))]


class SupportForm(forms.Form):
    support = forms.ChoiceField(label=_("Agency support"), choices=SUPPORT_CHOICES, widget=forms.RadioSelect,
                                error_messages={"required": _("Choose whether the agency supports the officer.")})
    note = forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Required when the agency does not support the officer; the officer "
                                       "reads it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Record the agency's answer")))


def _any(choices):
    return [("", _("Any"))] + list(choices)


class PoolFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), required=False, choices=_any(Region.choices))
    language = forms.ChoiceField(label=_("Language"), required=False, choices=_any(PoolLanguage.choices))
    speciality = forms.ChoiceField(label=_("Speciality"), required=False, choices=_any(Speciality.choices))
    available_by = DateField(label=_("Available by"), required=False)
    support = forms.ChoiceField(label=_("Agency support"), required=False, choices=_any(AgencySupport.choices))
    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        columns = ["region", "language", "speciality", "available_by", "support"]
        if agencies is None:
            del self.fields["agency"]
        else:
            self.fields["agency"].choices = _any((a.pk, a.name) for a in agencies)
            columns.append("agency")
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = True
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Row(
            *[Column(c, css_class="col-md-4 col-lg-2") for c in columns],
            Column(StrictButton(_("Filter"), type="submit", css_class="btn-outline-primary"),
                   css_class="col-md-4 col-lg-2 align-self-end mb-3")))
