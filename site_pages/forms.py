"""The "Report a problem" form: what went wrong, an optional email address (anonymous visitors only),
the page it is about (a hidden field, filled from the page the visitor came from) and a honeypot."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from .services import DESCRIPTION_MAX, PAGE_MAX


class ProblemReportForm(forms.Form):
    description = forms.CharField(
        label=_("What went wrong?"), max_length=DESCRIPTION_MAX,
        help_text=_("Tell us what you were doing and what happened. Do not include personal information such "
                    "as an officer's medical details: IPO staff read this by email."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    email = forms.EmailField(
        label=_("Your email address (optional)"), required=False, max_length=254,
        help_text=_("Only if you want an answer."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    page = forms.CharField(required=False, max_length=PAGE_MAX, widget=forms.HiddenInput)
    # The honeypot: hidden from people (and from screen readers, and skipped by the keyboard).
    website = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, signed_in: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if signed_in:  # their own address is on the report
            del self.fields["email"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        fields = ["description", *(["email"] if "email" in self.fields else []), "page"]
        self.helper.layout = Layout(*fields, Div("website", css_class="visually-hidden", aria_hidden="true"))

    def is_spam(self) -> bool:
        return bool((self.data.get("website") or "").strip())
