from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Sign in")))


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, answering the same whether or not the address has a login: the
    lookup and the email happen in the worker (accounts.services.password_reset_request)."""

    def save(self, *args, request=None, **kwargs):
        from .services import password_reset_request

        password_reset_request(email=self.cleaned_data["email"], request=request)


class CodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits your authenticator app shows now, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
                                      "spellcheck": "false", "autocapitalize": "off"}),
    )


class SetupForm(forms.Form):
    token = forms.CharField(
        label=_("Code from the app"),
        max_length=10,
        help_text=_("After adding the roster to your app, enter the 6 digits it shows."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false", "autocapitalize": "off"}),
    )


class ReauthForm(forms.Form):
    secret = forms.CharField(
        label=_("Your password, or a code from your authenticator app"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_secret(self):
        secret = self.cleaned_data["secret"]
        if self.user.has_usable_password() and self.user.check_password(secret):
            return secret
        from .services import mfa_is_enrolled, mfa_verify

        digits = secret.strip().replace(" ", "")
        if digits and mfa_is_enrolled(self.user) and mfa_verify(user=self.user, token=digits) is not None:
            return secret
        raise forms.ValidationError(_("That is not your password, nor a valid code. Try again."))


class AuditSearchForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False,
                             choices=[("", _("Every kind"))] + list(AuditEntry.Kind.choices))
    officer = forms.CharField(label=_("Officer (name or badge number)"), required=False, max_length=100)
    user = forms.CharField(label=_("User (email address)"), required=False, max_length=254)
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    until = forms.DateField(label=_("To"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("The end date comes before the start date."))
        return data




class ApiTokenForm(forms.Form):
    """A new API token: its name, what it may do and how long it lives (accounts.services.api_token_create
    decides)."""

    name = forms.CharField(
        label=_("Name"), max_length=100,
        help_text=_("Where the token is used, e.g. “Agency HR system”: it names the token in the list and the "
                    "audit trail."),
    )
    scope = forms.ChoiceField(label=_("What the token may do"), widget=forms.RadioSelect)
    days = forms.TypedChoiceField(label=_("Expires after"), coerce=int)

    def __init__(self, *args, **kwargs):
        from django.utils.translation import ngettext

        from .models import ApiToken
        from .services import API_TOKEN_DAYS

        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [
            (ApiToken.Scope.READ, _("Read only: lists and records, nothing changed")),
            (ApiToken.Scope.READ_WRITE, _("Read and write: also the actions your role may take")),
        ]
        self.fields["scope"].initial = ApiToken.Scope.READ
        self.fields["days"].choices = [(d, ngettext("%(n)d day", "%(n)d days", d) % {"n": d}) for d in API_TOKEN_DAYS]
        self.fields["days"].initial = 90
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Create the token")))
