"""Forms and filters of the deployment pages. They parse input; roster.services.deployments decides."""

import datetime as dt

import django_filters
from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agencies.permissions import is_ipo_staff
from agencies.selectors import agency_visible_to
from agencies.validators import validate_plausible_date
from missions.models import Mission
from missions.selectors import mission_visible_to

from .models import Deployment
from .roles.selectors import deployment_roles_offered

ISO_DATE = "%Y-%m-%d"


class DateField(forms.DateField):
    """A native date picker read and written as ISO dates, whatever the language."""

    widget = forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)
    default_validators = [validate_plausible_date]

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [ISO_DATE])
        super().__init__(**kwargs)


def _show(day: dt.date | None) -> str:
    return formats.date_format(day, "DATE_FORMAT") if day else ""


class DeploymentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(officer)s — %(role)s (ends %(end)s)") % {
            "officer": obj.officer.full_name, "role": obj.role, "end": _show(obj.end_date)
        }


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class DeploymentCreateForm(forms.Form):
    """The role is one of the catalogue's (`role_id`), or else written out in English and French
    (`role_other_en`, `role_other_fr`). `role`, a text, is the API's field of the free-text days: the
    catalogue's role of that name, or that text in both languages (roster.services.deployments)."""

    role_id = RoleChoiceField(
        label=_("Role in the mission"), queryset=deployment_roles_offered().none(), required=False,
        empty_label=_("Another role: write it out below"),
    )
    role_other_en = forms.CharField(
        label=_("Other role, in English"), max_length=200, required=False,
        help_text=_("Only for a role that is not in the list, in both languages."),
    )
    role_other_fr = forms.CharField(label=_("Other role, in French"), max_length=200, required=False)
    role = forms.CharField(
        label=_("Role (text)"), max_length=200, required=False,
        help_text=_("Older clients' field: the role of the catalogue with this English or French name, else this "
                    "text in both languages. Send role_id, or role_other_en and role_other_fr, instead."),
    )
    mission = forms.ModelChoiceField(label=_("Mission"), queryset=Mission.objects.none(), empty_label=None)
    start_date = DateField(label=_("Start date"))
    planned_end_date = DateField(label=_("Planned end date"), required=False)
    replaces = DeploymentChoiceField(
        label=_("Replaces (rotation)"),
        queryset=Deployment.objects.none(),
        required=False,
        empty_label=_("Nobody: a new position"),
        help_text=_("The current deployment on this mission that this officer takes over, if any."),
    )
    override_clearances = forms.BooleanField(
        label=_("Deploy although clearances are missing or expire before the planned end"), required=False
    )
    override_strength = forms.BooleanField(
        label=_("Deploy beyond the mission's authorised strength or the program ceiling"), required=False
    )
    override_reason = forms.CharField(
        label=_("Reason for the override"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required with either override; kept on the deployment and in its history."),
    )

    def __init__(self, *args, missions, replaceable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role_id"].queryset = deployment_roles_offered()
        self.fields["role_other_en"].widget.attrs["lang"] = "en"
        self.fields["role_other_fr"].widget.attrs["lang"] = "fr"
        self.fields["mission"].queryset = missions
        self.fields["replaces"].queryset = replaceable
        if self.is_bound and self.add_prefix("confirm_role_change") in self.data:
            self._add_confirmation()
        self.helper = FormHelper()
        self._lay_out()
        self.helper.add_input(Submit("submit", _("Create the deployment")))

    def _add_confirmation(self) -> None:
        self.fields["confirm_role_change"] = forms.BooleanField(
            label=_("Yes, the officer takes over in this other role"), required=False
        )

    def ask_confirmation(self, exc) -> None:
        """Show the checkbox, under the rotation, when the service asks to confirm a change of role
        (its error goes next to it)."""
        if "confirm_role_change" in getattr(exc, "error_dict", {}) and "confirm_role_change" not in self.fields:
            self._add_confirmation()
            self._lay_out()

    def _lay_out(self) -> None:
        confirmation = ["confirm_role_change"] if "confirm_role_change" in self.fields else []
        self.helper.layout = Layout(
            Row(Column("role_id", css_class="col-md-6"), Column("mission", css_class="col-md-6")),
            Row(Column("role_other_en", css_class="col-md-6"), Column("role_other_fr", css_class="col-md-6")),
            Row(Column("start_date", css_class="col-md-6"), Column("planned_end_date", css_class="col-md-6")),
            "replaces",
            *confirmation,
            Fieldset(
                _("Overrides"),
                HTML('<p class="small text-body-secondary">{}</p>'.format(
                    _("Only when the warnings above apply and the deployment must go ahead anyway."))),
                "override_clearances",
                "override_strength",
                "override_reason",
            ),
        )

    def role_kwargs(self) -> dict:
        """The role as the service takes it: the catalogue's, else the text of older clients, else the
        role written out."""
        cd = self.cleaned_data
        return {"role": cd.get("role_id") or cd.get("role") or None,
                "role_other_en": cd.get("role_other_en", ""), "role_other_fr": cd.get("role_other_fr", "")}

    def show_default_end(self, *, months: int, default_end: dt.date) -> None:
        self.fields["planned_end_date"].help_text = _(
            "Leave blank for the start date plus the bulletin's duration (%(months)d months): "
            "%(date)s for the start date shown."
        ) % {"months": months, "date": _show(default_end)}

    def value_of(self, name: str, default):
        """The field's value as entered (valid) or `default`, even after a service error removed it."""
        if not self.is_bound:
            return default
        try:
            return self.fields[name].clean(self[name].value()) or default
        except forms.ValidationError:
            return default


class StartForm(forms.Form):
    """The arrival in mission, on an explicit date: the planned start unless changed. The confirmation
    checkbox appears with the service's warning (an arrival far from the planned start)."""

    # Not required here: the service gives the error, next to the field, after checking the state.
    arrived_on = DateField(label=_("Arrival date"), required=False)

    def __init__(self, *args, deployment, **kwargs):
        kwargs.setdefault("prefix", "start")
        kwargs.setdefault("initial", {"arrived_on": deployment.start_date})
        super().__init__(*args, **kwargs)
        from .services.deployments import arrival_confirm_days

        today = timezone.localdate()
        self.fields["arrived_on"].widget.attrs.update(max=today.strftime(ISO_DATE), required=True)
        self.fields["arrived_on"].help_text = _(
            "The planned start is %(date)s; it stays as planned. An arrival more than %(n)d days from it "
            "asks for a confirmation."
        ) % {"date": _show(deployment.start_date), "n": arrival_confirm_days()}
        if self.is_bound and self.add_prefix("confirm_far_from_plan") in self.data:
            self._add_confirmation()

    def _add_confirmation(self) -> None:
        self.fields["confirm_far_from_plan"] = forms.BooleanField(
            label=_("Yes, the officer arrived on this date"), required=False
        )

    def ask_confirmation(self, exc) -> None:
        """Show the checkbox when the service asks to confirm the date (its error goes next to it)."""
        if "confirm_far_from_plan" in getattr(exc, "error_dict", {}) and "confirm_far_from_plan" not in self.fields:
            self._add_confirmation()


class CompleteForm(forms.Form):
    on = DateField(
        label=_("End of the tour"), required=False,
        help_text=_("Leave blank for today or the planned end, whichever comes first."),
    )

    early = forms.BooleanField(
        label=_("Yes, the tour ends early as planned by IPO (not a repatriation)"), required=False,
    )

    #: ending more than this many days before the planned end asks for the confirmation above
    EARLY_DAYS = 7

    def __init__(self, *args, deployment, **kwargs):
        kwargs.setdefault("prefix", "complete")
        kwargs.setdefault("initial", {"on": min(timezone.localdate(), deployment.planned_end_date)})
        super().__init__(*args, **kwargs)
        self.deployment = deployment
        self.fields["early"].help_text = _(
            "Needed when the tour ends more than a week before its planned end (%(date)s). For a medical, "
            "compassionate or other early return, use Repatriate instead."
        ) % {"date": _show(deployment.planned_end_date)}

    def clean(self):
        cleaned = super().clean()
        on = cleaned.get("on") or min(timezone.localdate(), self.deployment.planned_end_date)
        early_by = (self.deployment.planned_end_date - on).days
        if early_by > self.EARLY_DAYS and not cleaned.get("early"):
            self.add_error("early", _("This ends the tour %(n)d days before its planned end: confirm it.")
                           % {"n": early_by})
        return cleaned


class ExtendForm(forms.Form):
    new_end = DateField(label=_("New planned end date"))
    reason = forms.CharField(label=_("Reason for the extension"), widget=forms.Textarea(attrs={"rows": 3}))
    override_strength = forms.BooleanField(
        label=_("Extend even if the mission strength or the program ceiling is exceeded"), required=False,
        help_text=_("The reason above is recorded with the override."),
    )

    def __init__(self, *args, deployment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_end"].help_text = _("The current planned end is %(date)s.") % {
            "date": _show(deployment.planned_end_date)
        }
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Extend the deployment")))


class RepatriateForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"), choices=[("", _("Choose a reason"))] + list(Deployment.RepatriationReason.choices)
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the reason is “Other”."),
    )
    on = DateField(label=_("Date of return"), required=False, help_text=_("Leave blank for today."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Repatriate the officer"), css_class="btn-danger"))


class CancelForm(forms.Form):
    """The reason a planned tour is cancelled; the service refuses an empty one, next to the field."""

    reason = forms.CharField(
        label=_("Reason for the cancellation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "required": True}),
        help_text=_("IPO staff and the officer read it; the officer's coordinator reads “Cancelled before "
                    "departure”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Confirm the cancellation"), css_class="btn-danger"))


# --- the roster's filters -----------------------------------------------------------------

class RosterFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.attrs = {"role": "search", "aria-label": _("Filter the roster")}
        widths = {"mission": "col-md-3 col-xl-2", "status": "col-md-3 col-xl-2", "agency": "col-md-6 col-xl-3",
                  "sort": "col-md-4 col-xl-2"}
        columns = [Column(name, css_class=widths[name]) for name in ("mission", "status", "agency", "sort")
                   if name in self.fields]
        self.helper.layout = Layout(Row(
            *columns,
            Column("ending_soon", css_class="col-md-4 col-xl-auto pt-md-4"),
            Column(StrictButton(_("Filter"), type="submit", css_class="btn-outline-primary"),
                   css_class="col-md-4 col-xl-auto pt-md-4"),
        ))


def _missions(request):
    return mission_visible_to(request.user).order_by("code") if request else Mission.objects.none()


def _agencies(request):
    return agency_visible_to(request.user).order_by("name_en") if request else Agency.objects.none()


class RosterFilter(django_filters.FilterSet):
    mission = django_filters.ModelChoiceFilter(label=_("Mission"), queryset=_missions, empty_label=_("Any"))
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[c for c in Deployment.Status.choices
                 if c[0] in (Deployment.Status.PLANNED, Deployment.Status.IN_MISSION)],
        empty_label=_("Any"),
    )
    agency = django_filters.ModelChoiceFilter(
        label=_("Agency"), field_name="officer__agency", queryset=_agencies, empty_label=_("Any")
    )
    ending_soon = django_filters.BooleanFilter(
        label=_("Ending soon"), method="filter_ending_soon", widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"),
        method="sort_by",
        choices=[("end", _("End date, soonest first")), ("-end", _("End date, latest first"))],
        empty_label=None,
    )

    class Meta:
        model = Deployment
        fields = ["mission", "status", "agency", "ending_soon", "sort"]
        form = RosterFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_ipo_staff(getattr(self.request, "user", None)):
            del self.filters["agency"]
        self.filters["ending_soon"].label = _("Ending within %(days)d days") % {"days": self.ending_soon_days()}

    @staticmethod
    def ending_soon_days() -> int:
        return settings.ROSTER["ENDING_SOON_DAYS"]

    def filter_ending_soon(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            planned_end_date__lte=timezone.localdate() + dt.timedelta(days=self.ending_soon_days())
        )

    def sort_by(self, queryset, name, value):
        if value == "-end":
            return queryset.order_by("-planned_end_date", "-id")
        return queryset.order_by("planned_end_date", "id")
