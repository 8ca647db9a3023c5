"""Forms of the ledger pages. They parse input; ledger.services decide (a rule the service enforces
is not repeated here: its ValidationError is shown next to the field it names)."""

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from agencies.validators import validate_plausible_date
from missions.models import Mission
from roster.forms import MultipleFileField

from . import periods
from .models import MAX_DIGITS, ClaimStatus

S = ClaimStatus


def documents_field(label=None) -> MultipleFileField:
    rules = settings.ROSTER
    return MultipleFileField(
        label=label or _("Supporting documents"),
        help_text=_("PDF only (pay statements, timesheets, receipts), at most %(mb)d MB each, %(n)d per claim.")
        % {"mb": rules["DOCUMENT_MAX_BYTES"] // (1024 * 1024), "n": rules["CLAIM_DOCUMENTS_PER_CLAIM"]},
    )


def amount_field(label, help_text="", required=True):
    return forms.DecimalField(
        label=label, help_text=help_text, required=required, min_value=0, max_digits=MAX_DIGITS, decimal_places=2,
        localize=False, widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


def period_label(period) -> str:
    return _("%(start)s to %(end)s (fiscal year %(year)s)") % {
        "start": date_format(period.start, "DATE_FORMAT"), "end": date_format(period.end, "DATE_FORMAT"),
        "year": periods.fiscal_year_label(period.fiscal_year),
    }


class ClaimForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"),
                               help_text=_("The tour's periods that have begun and are not claimed."))
    salary = amount_field(_("Salary (CAD)"), _("The officer's regular pay for the period."))
    benefits = amount_field(_("Benefits (CAD)"), _("The employer's share of pension, insurance and other benefits."))
    overtime = amount_field(_("Overtime (CAD)"))
    allowances = amount_field(_("Allowances (CAD)"), _("Allowances the agency paid the officer for the tour."))
    note = forms.CharField(label=_("Note for IPO staff"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, open_periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(p.key, period_label(p)) for p in open_periods]
        self.fields["documents"] = documents_field()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_period(self):
        from datetime import date

        return date.fromisoformat(self.cleaned_data["period"])


DECISION_CHOICES = [
    (S.APPROVED, _("Approve the whole amount")),
    (S.PARTLY_APPROVED, _("Approve part of it")),
    (S.REJECTED, _("Reject")),
]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISION_CHOICES, widget=forms.RadioSelect)
    approved_amount = amount_field(
        _("Amount approved (CAD)"), _("For a partial approval: less than the amount claimed."), required=False
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required for a partial approval or a rejection; the agency reads it."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "decide")
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}),
                              validators=[validate_plausible_date])
    payment_reference = forms.CharField(label=_("Payment reference"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "pay")
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why withdraw it (optional)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "withdraw")
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class DocumentsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"] = documents_field(_("Add documents"))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


# --- filters ---------------------------------------------------------------------------------

def fiscal_year_choices(today=None):
    """The current fiscal year and the nine before it, newest first."""
    current = periods.fiscal_year_of(today or timezone.localdate())
    return [(str(y), periods.fiscal_year_label(y)) for y in range(current, current - 10, -1)]


STATUS_FILTER_CHOICES = [("", _("All statuses")), ("owed", _("Approved, not yet paid")), *S.choices]


class QuickSelect(forms.Select):
    """A <select> written in Python: a filter's dozens of options cost a few microseconds, not a
    template rendering each (the filters are on every list page). Same HTML as forms.Select."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            format_html('<option value="{}"{}>{}</option>', key, mark_safe(" selected") if str(key) in chosen else "",
                        label)
            for key, label in self.choices
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)),
                           mark_safe(options))


class LedgerFilter(forms.Form):
    """The claims list's and the ledger's filters (GET). A value that does not fit is ignored (the
    list shows everything for that filter) and said next to the field. The agency and mission
    choices are read as (id, name) pairs, not model instances: the form is on every list page."""

    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_FILTER_CHOICES)
    year = forms.TypedChoiceField(label=_("Fiscal year"), required=False, coerce=int, empty_value=None)
    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    mission = forms.TypedChoiceField(label=_("Mission"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, user, with_status=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All fiscal years")), *fiscal_year_choices()]
        self.fields["mission"].choices = [("", _("All missions")),
                                          *Mission.objects.order_by("code").values_list("pk", "code")]
        if getattr(user, "role", "") == "ipo_staff":
            language = (get_language() or "en")[:2]
            names = (Agency.objects.filter(is_partner=True).exclude(kind=Agency.Kind.RCMP)
                     .order_by("name_en").values_list("pk", "name_en", "name_fr"))
            self.fields["agency"].choices = [("", _("All agencies")), *(
                (pk, (name_fr if language == "fr" and name_fr else name_en)) for pk, name_en, name_fr in names)]
        else:
            del self.fields["agency"]
        if not with_status:
            del self.fields["status"]
        for field in self.fields.values():
            field.widget = QuickSelect(attrs={"class": "form-select"}, choices=field.choices)

    def values(self) -> dict:
        """The valid filters; the invalid ones are dropped (their errors stay on the form, tied to
        their field for screen readers)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{name}-error"})
        data = getattr(self, "cleaned_data", {})
        return {
            "status": data.get("status") or "",
            "fiscal_year": data.get("year"),
            "agency_id": data.get("agency"),
            "mission_id": data.get("mission"),
        }
