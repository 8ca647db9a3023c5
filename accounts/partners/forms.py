"""Forms of the partner pages: the public request form (with its challenge and honeypot), and IPO
staff's approval and decline forms."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Language, PartnerRequest, Province
from agencies.validators import validate_phone, validate_plausible_date

from . import challenge

MAX_OFFICERS = 10_000


class JoinForm(forms.Form):
    name = forms.CharField(label=_("Name of your police service"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of police service"), choices=PartnerRequest.KIND_CHOICES)
    province = forms.ChoiceField(label=_("Province or territory"), choices=Province.choices)
    contact_name = forms.CharField(label=_("Your name"), max_length=200)
    contact_email = forms.EmailField(label=_("Your work email address"))
    contact_phone = forms.CharField(label=_("Your phone number (optional)"), required=False, max_length=40,
                                    validators=[validate_phone])
    officers_interested = forms.IntegerField(
        label=_("How many of your officers might be interested?"), min_value=0, max_value=MAX_OFFICERS,
        help_text=_("An estimate is fine."),
    )
    message = forms.CharField(label=_("Anything you would like us to know (optional)"), required=False,
                              max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    answer = forms.CharField(label=_("Question"), max_length=5,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    token = forms.CharField(widget=forms.HiddenInput, max_length=500)
    # The honeypot: hidden from people (and from screen readers, and skipped by the keyboard);
    # robots that fill in every field fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each page gets a new question (also after a failed attempt: a token serves once).
        self.token = challenge.issue()
        self.fields["answer"].label = challenge.question(self.token)
        self.initial["token"] = self.token
        if self.is_bound:
            data = self.data.copy()
            self.submitted_token = data.get("token", "")
            data["token"] = self.token
            data["answer"] = ""
            self._fresh_data = data
        for name, hint in (("name", "organization"), ("contact_name", "name"), ("contact_email", "email"),
                           ("contact_phone", "tel")):
            self.fields[name].widget.attrs["autocomplete"] = hint
        self.fields["contact_phone"].widget.input_type = "tel"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "name", "kind", "province", "contact_name", "contact_email", "contact_phone", "officers_interested",
            "message",
            Div("website", css_class="visually-hidden", aria_hidden="true"),
            "answer", "token",
        )

    def is_spam(self) -> bool:
        return bool((self.data.get("website") or "").strip())

    def check_challenge(self) -> None:
        """Add the challenge's error to the answer field, if it fails."""
        try:
            challenge.check(getattr(self, "submitted_token", ""), self.data.get("answer", ""))
        except challenge.ChallengeFailed as exc:
            self.add_error("answer" if "answer" not in self.errors else None, str(exc.message))

    def for_redisplay(self):
        """After a failed attempt, the fields keep what was typed, with a new question and token."""
        self.data = self._fresh_data
        return self


class ApproveForm(forms.Form):
    slug = forms.SlugField(label=_("Short name"), max_length=60,
                           help_text=_("Lower-case letters, digits and hyphens; used in addresses."))
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_fr = forms.CharField(label=_("Name (French)"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PartnerRequest.KIND_CHOICES)
    province = forms.ChoiceField(label=_("Province or territory"), choices=Province.choices)
    language = forms.ChoiceField(label=_("Working language"), choices=Language.choices)
    partner_since = forms.DateField(label=_("Partner since"), widget=forms.DateInput(attrs={"type": "date"}),
                                    validators=[validate_plausible_date])
    mailbox = forms.EmailField(label=_("Agency mailbox (optional)"), required=False)
    coordinator_first_name = forms.CharField(label=_("Coordinator's first name"), max_length=150, required=False)
    coordinator_last_name = forms.CharField(label=_("Coordinator's last name"), max_length=150)
    coordinator_email = forms.EmailField(label=_("Coordinator's email address"),
                                         help_text=_("The invitation to choose a password goes there."))

    def __init__(self, *args, partner_request=None, **kwargs):
        kwargs.setdefault("prefix", "approve")
        if partner_request is not None and not args and "data" not in kwargs:
            first, _sep, last = partner_request.contact_name.rpartition(" ")
            kwargs.setdefault("initial", {
                "slug": slugify(partner_request.name)[:60],
                "name_en": partner_request.name, "name_fr": partner_request.name,
                "kind": partner_request.kind, "province": partner_request.province,
                "language": partner_request.language, "partner_since": timezone.localdate(),
                "coordinator_first_name": first, "coordinator_last_name": last or partner_request.contact_name,
                "coordinator_email": partner_request.contact_email,
            })
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        if kind == Agency.Kind.RCMP:
            raise forms.ValidationError(_("The RCMP is already part of the program."))
        return kind


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Sent to the contact by email, in the language they wrote in."))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "decline")
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class RequestFilter(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All requests")), *PartnerRequest.Status.choices])
