"""Forms for missions and bulletins. They parse input; the services decide."""

from datetime import datetime
from zoneinfo import ZoneInfo

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Clearance
from agencies.validators import validate_plausible_date

from .models import Bulletin, Mission

DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def ottawa_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


class OttawaDateTimeField(forms.DateTimeField):
    """A `datetime-local` input read and shown in Ottawa time, whatever the active time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT)

    default_validators = [validate_plausible_date]

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATETIME_LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)

    def prepare_value(self, value):
        with timezone.override(ottawa_zone()):
            return super().prepare_value(value)

    def to_python(self, value):
        with timezone.override(ottawa_zone()):
            return super().to_python(value)


def _submit_helper(label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", label))
    return helper


class MissionForm(forms.ModelForm):
    class Meta:
        model = Mission
        fields = [
            "code",
            "name_en",
            "name_fr",
            "kind",
            "status",
            "country_en",
            "country_fr",
            "language",
            "armed",
            "authorized_strength",
            "description_en",
            "description_fr",
        ]
        widgets = {
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "description_fr": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _submit_helper(_("Save mission"))
        self.helper.layout = Layout(
            Row(Column("code", css_class="col-md-3"), Column("kind", css_class="col-md-3"),
                Column("status", css_class="col-md-3"), Column("language", css_class="col-md-3")),
            Row(Column("name_en", css_class="col-md-6"), Column("name_fr", css_class="col-md-6")),
            Row(Column("country_en", css_class="col-md-6"), Column("country_fr", css_class="col-md-6")),
            Row(Column("authorized_strength", css_class="col-md-3"), Column("armed", css_class="col-md-3 pt-md-4")),
            Row(Column("description_en", css_class="col-md-6"), Column("description_fr", css_class="col-md-6")),
        )


class BulletinForm(forms.ModelForm):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=30,
        required=False,
        help_text=_("Leave blank to get the next number (JPB-year-number)."),
    )
    positions = forms.IntegerField(label=_("Positions"), min_value=1, initial=1)
    deployment_start = forms.DateField(
        label=_("Deployment start"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        validators=[validate_plausible_date],
    )
    closes_at = OttawaDateTimeField(label=_("Closes at"), help_text=_("Ottawa time."))
    required_clearances = forms.MultipleChoiceField(
        label=_("Required clearances"),
        choices=Clearance.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Bulletin
        fields = [
            "reference",
            "mission",
            "title_en",
            "title_fr",
            "description_en",
            "description_fr",
            "positions",
            "duration_months",
            "deployment_start",
            "closes_at",
            "women_priority",
            "min_years_service",
            "required_language",
            "min_language_level",
            "requires_firearms",
            "requires_manual_driving",
            "min_age",
            "max_age",
            "required_clearances",
        ]
        widgets = {
            "description_en": forms.Textarea(attrs={"rows": 6}),
            "description_fr": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mission"].queryset = Mission.objects.order_by("code")
        self.helper = _submit_helper(_("Save draft"))
        self.helper.layout = Layout(
            Fieldset(
                _("Posting"),
                Row(Column("reference", css_class="col-md-4"), Column("mission", css_class="col-md-8")),
                Row(Column("title_en", css_class="col-md-6"), Column("title_fr", css_class="col-md-6")),
                Row(Column("description_en", css_class="col-md-6"), Column("description_fr", css_class="col-md-6")),
                Row(
                    Column("positions", css_class="col-md-3"),
                    Column("duration_months", css_class="col-md-3"),
                    Column("deployment_start", css_class="col-md-3"),
                    Column("closes_at", css_class="col-md-3"),
                ),
                "women_priority",
            ),
            Fieldset(
                _("Requirements"),
                Row(
                    Column("min_years_service", css_class="col-md-4"),
                    Column("required_language", css_class="col-md-4"),
                    Column("min_language_level", css_class="col-md-4"),
                ),
                Row(Column("min_age", css_class="col-md-3"), Column("max_age", css_class="col-md-3")),
                "requires_firearms",
                "requires_manual_driving",
                "required_clearances",
            ),
        )

    @classmethod
    def bound_to_instance(cls, bulletin: Bulletin, **kwargs) -> "BulletinForm":
        """A bound form holding the bulletin's saved values, to show errors next to its fields."""
        unbound = cls(instance=bulletin, **kwargs)
        data = {}
        for name, field in unbound.fields.items():
            value = unbound[name].value()
            if value is None or value is False:
                continue
            if isinstance(field, forms.MultipleChoiceField):
                data[name] = list(value)
            elif isinstance(value, datetime):
                data[name] = value.strftime(DATETIME_LOCAL_FORMAT)
            else:
                data[name] = value
        return cls(data=data, instance=bulletin, **kwargs)

    def clean(self):
        cleaned = super().clean()
        min_age, max_age = cleaned.get("min_age"), cleaned.get("max_age")
        if min_age is not None and max_age is not None and max_age <= min_age:
            self.add_error("max_age", _("The maximum age must be above the minimum age."))
        if cleaned.get("min_language_level") and not cleaned.get("required_language"):
            self.add_error("required_language", _("Choose the language the minimum level applies to."))
        return cleaned


class BulletinCancelForm(forms.Form):
    # Required in the browser; the service gives the reason when it is missing.
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "required": True}),
        help_text=_("The partner agencies that were notified receive this reason."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Cancel the bulletin"), css_class="btn-danger"))
