"""The password reset form, sending through the outbox instead of straight to SMTP."""

from django.contrib.auth.forms import PasswordResetForm

from .services.accounts import password_reset_request


class OutboxPasswordResetForm(PasswordResetForm):
    def save(self, *args, **kwargs):
        password_reset_request(email=self.cleaned_data["email"])
