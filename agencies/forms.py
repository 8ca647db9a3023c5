import django_filters
from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Agency, Clearance, Language, LanguageLevel, Officer
from .permissions import can_filter_by_agency, can_read_clearance_details, is_ipo_staff
from .selectors import agency_visible_to

# --- officers and clearances ----------------------------------------------------------------------

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A phone number: type="tel" (given to the constructor, so Django renders one type attribute) brings
# up the phone keypad. Someone else's number (OfficerForm) gets no autocomplete; one's own does.
PHONE_WIDGET = forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})
OWN_PHONE_WIDGET = forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"})


def _helper(submit_label) -> FormHelper:
    helper = FormHelper()
    helper.add_input(Submit("submit", submit_label))
    return helper


class OfficerForm(forms.ModelForm):
    """Create or edit an officer. Only IPO staff get the agency field; a coordinator's agency is forced by
    the service. The agency is a declared field, not a model field of the form, so the badge's uniqueness
    within the agency is left to the service, which reports it next to the badge number."""

    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())

    class Meta:
        model = Officer
        fields = [
            "first_name",
            "last_name",
            "badge_number",
            "rank",
            "gender",
            "date_of_birth",
            "service_start",
            "email",
            "phone",
            "english_level",
            "french_level",
            "manual_driving",
            "firearms_qualified",
            "preferred_language",
            "is_active",
        ]
        widgets = {"date_of_birth": DATE_WIDGET, "service_start": DATE_WIDGET, "phone": PHONE_WIDGET}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_of_birth", "service_start"):
            self.fields[name].input_formats = ["%Y-%m-%d"]
        self._language_field()
        agency_row = []
        if can_filter_by_agency(user):
            self.fields["agency"].queryset = agency_visible_to(user)
            self.fields["agency"].initial = self.instance.agency_id
            agency_row = [Row(Column("agency", css_class="col-md-6"))]
        else:
            del self.fields["agency"]
        self.helper = _helper(_("Save officer"))
        self.helper.layout = Layout(
            *agency_row,
            Row(Column("first_name", css_class="col-md-4"), Column("last_name", css_class="col-md-4"),
                Column("badge_number", css_class="col-md-4")),
            Row(Column("rank", css_class="col-md-4"), Column("gender", css_class="col-md-4")),
            Row(Column("date_of_birth", css_class="col-md-4"), Column("service_start", css_class="col-md-4")),
            Row(Column("email", css_class="col-md-6"), Column("phone", css_class="col-md-6")),
            Row(Column("english_level", css_class="col-md-4"), Column("french_level", css_class="col-md-4")),
            Row(Column("manual_driving", css_class="col-md-4"), Column("firearms_qualified", css_class="col-md-4"),
                Column("is_active", css_class="col-md-4 pt-md-4")),
            Row(Column("preferred_language", css_class="col-md-6")),
        )

    def _language_field(self) -> None:
        """The language the roster writes to the officer in: the invitation to sign in, and the emails
        to the profile's address. Empty: the agency's working language. Once the officer signs in, they
        choose it themselves (the field is shown, not changed here; the service keeps theirs)."""
        field = self.fields["preferred_language"]
        field.label = _("Language of the invitation and emails")
        field.choices = [("", _("The agency's working language")), *Language.choices]
        if self.instance.pk and self.instance.user_id:
            field.disabled = True
            field.help_text = _("The officer signs in and chooses it on their profile.")
        else:
            field.help_text = _("The invitation to sign in is written in it.")

    def officer(self) -> Officer:
        """The parsed officer (with the chosen agency, for IPO staff), for the service to decide on."""
        if self.cleaned_data.get("agency"):
            self.instance.agency = self.cleaned_data["agency"]
        return self.instance


class ClearanceForm(forms.ModelForm):
    """The officer comes from the URL, so one clearance per kind is checked by the service, next to `kind`.

    Need to know (permissions.can_read_clearance_details): a user who may not read a stored medical or
    psychological clearance's reference gets neither the reference field nor a changeable kind, only the
    valid-until date; the service keeps the stored reference whatever is posted."""

    class Meta:
        model = Clearance
        fields = ["kind", "valid_until", "reference"]
        widgets = {"valid_until": DATE_WIDGET}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_until"].input_formats = ["%Y-%m-%d"]
        columns = [Column("kind", css_class="col-md-4"), Column("valid_until", css_class="col-md-4")]
        if self.instance.pk and not can_read_clearance_details(user, self.instance):
            del self.fields["reference"]
            self.fields["kind"].disabled = True
            self.fields["kind"].help_text = _("Its reference is confidential: only IPO staff and the officer read it.")
        else:
            if not is_ipo_staff(user):
                self.fields["reference"].help_text = _(
                    "Leave it empty for a medical or psychological clearance: only IPO staff record its reference."
                )
            columns.append(Column("reference", css_class="col-md-4"))
        self.helper = _helper(_("Save clearance"))
        self.helper.layout = Layout(Row(*columns))


class ProfileForm(forms.ModelForm):
    """What an officer may change on their own profile; nothing else is even parsed."""

    preferred_language = forms.ChoiceField(label=_("Language of the application and emails"), choices=Language.choices)

    class Meta:
        model = Officer
        fields = ["email", "phone", "english_level", "french_level", "manual_driving"]
        widgets = {"phone": OWN_PHONE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["email"].required = True  # the roster writes to officers there
        self.helper = _helper(_("Save my profile"))
        self.helper.layout = Layout(
            Row(Column("email", css_class="col-md-6"), Column("phone", css_class="col-md-6")),
            Row(Column("english_level", css_class="col-md-4"), Column("french_level", css_class="col-md-4"),
                Column("manual_driving", css_class="col-md-4")),
            Row(Column("preferred_language", css_class="col-md-4")),
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in (*self.Meta.fields, "preferred_language")}


# --- officer list filters ---------------------------------------------------------------------------

ACTIVE_CHOICES = [("yes", _("Active")), ("no", _("Inactive"))]


class OfficerFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.disable_csrf = True
        self.helper.attrs = {"role": "search"}
        columns = [
            Column("q", css_class="col-md-3"),
            Column("rank", css_class="col-md-2"),
            Column("gender", css_class="col-md-2"),
            Column("english_level", css_class="col-md-2"),
            Column("french_level", css_class="col-md-2"),
            Column("active", css_class="col-md-2"),
        ]
        if "agency" in self.fields:
            columns.append(Column("agency", css_class="col-md-3"))
        button = StrictButton(_("Filter"), type="submit", css_class="btn-outline-primary")
        columns.append(Column(button, css_class="col-md-1 pt-md-4"))
        self.helper.layout = Layout(Row(*columns))


def _agencies(request):
    return agency_visible_to(request.user) if request else Agency.objects.none()


class OfficerFilter(django_filters.FilterSet):
    """Filters of the officer list; the queryset it narrows is already `officer_visible_to(user)`."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    rank = django_filters.ChoiceFilter(label=_("Rank"), choices=Officer.Rank.choices, empty_label=_("Any"))
    gender = django_filters.ChoiceFilter(label=_("Gender"), choices=Officer.Gender.choices, empty_label=_("Any"))
    english_level = django_filters.ChoiceFilter(
        label=_("English at least"), choices=LanguageLevel.choices[1:], lookup_expr="gte",
        empty_label=_("Any"),
    )
    french_level = django_filters.ChoiceFilter(
        label=_("French at least"), choices=LanguageLevel.choices[1:], lookup_expr="gte",
        empty_label=_("Any"),
    )
    active = django_filters.ChoiceFilter(
        label=_("Status"), choices=ACTIVE_CHOICES, method="filter_active", empty_label=_("Any")
    )
    agency = django_filters.ModelChoiceFilter(label=_("Agency"), queryset=_agencies, empty_label=_("Any"))

    class Meta:
        model = Officer
        fields = ["q", "rank", "gender", "english_level", "french_level", "active", "agency"]
        form = OfficerFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["q"].field.widget.input_type = "search"
        self.filters["q"].field.widget.attrs["placeholder"] = _("Name, badge or email")
        if not can_filter_by_agency(getattr(self.request, "user", None)):
            del self.filters["agency"]

    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(badge_number__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=(value == "yes"))
