"""The user admin: IPO staff read logins; only superusers and holders of the "manage accounts"
permission change them, and only a superuser changes a superuser. Every change to a role, an
agency, access or a password is audited and emailed to the person; opening a login to change
it asks for the password again when it was not given in the last few minutes."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Role, User

from . import services, sessions
from .permissions import can_change_account, can_manage_accounts

# Authenticator secrets are for their owner only: no admin page shows them. A lost device is
# reset with the "Reset two-step verification" action below.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


def _ipo(user) -> bool:
    return user.is_active and (user.is_superuser or user.role == Role.IPO_STAFF)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "agency", "preferred_language", "is_active"]
    list_filter = ["role", "preferred_language", "is_active", "agency"]
    search_fields = ["email", "first_name", "last_name"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    actions = ["reset_mfa"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "preferred_language")}),
        (_("Role"), {"fields": ("role", "agency", "is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    superuser_fieldsets = ((_("Permissions"), {"fields": ("groups", "user_permissions")}),)
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "role", "agency", "password1", "password2")}),
    )

    # --- who may do what
    def has_module_permission(self, request):
        return _ipo(request.user)

    def has_view_permission(self, request, obj=None):
        return _ipo(request.user)

    def has_add_permission(self, request):
        return can_manage_accounts(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_accounts(request.user) if obj is None else can_change_account(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        """Logins are deactivated, not deleted (their trail stays readable); superusers only."""
        return request.user.is_active and request.user.is_superuser and (obj is None or obj.pk != request.user.pk)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.is_superuser:
            fieldsets = (*fieldsets, *self.superuser_fieldsets)
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser grants superuser or staff rights."""
        if request.user.is_superuser:
            return ()
        return ("is_superuser", "is_staff", "last_login", "date_joined")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not can_manage_accounts(request.user):
            actions.pop("reset_mfa", None)
            actions.pop("delete_selected", None)
        return actions

    # --- sensitive views ask for the password again
    def _needs_reauth(self, request):
        return not sessions.recently_authenticated(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and self.has_change_permission(request, obj) and self._needs_reauth(request):
            return redirect_to_login(request.get_full_path(), login_url="accounts:reauth")
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        if self.has_add_permission(request) and self._needs_reauth(request):
            return redirect_to_login(request.get_full_path(), login_url="accounts:reauth")
        return super().add_view(request, form_url, extra_context)

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, id)
        if user is not None and not can_change_account(request.user, user):
            raise PermissionDenied
        if self._needs_reauth(request):
            return redirect_to_login(request.get_full_path(), login_url="accounts:reauth")
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302 and user is not None:
            services.password_set_by_admin(actor=request.user, user=user, request=request)
        return response

    # --- every change of access is audited and emailed
    def save_model(self, request, obj, form, change):
        before = services.access_snapshot(User.objects.get(pk=obj.pk)) if change else {}
        request._roster_access_before = before
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.account_access_changed(
            actor=request.user, user=form.instance, before=getattr(request, "_roster_access_before", {}),
            request=request,
        )

    @admin.action(description=_("Reset two-step verification (lost device)"))
    def reset_mfa(self, request, queryset):
        if self._needs_reauth(request):
            self.message_user(request, _("Confirm your password first, then try again."), messages.WARNING)
            return redirect_to_login(request.get_full_path(), login_url="accounts:reauth")
        done = 0
        for user in queryset:
            if can_change_account(request.user, user):
                services.mfa_reset(actor=request.user, user=user, request=request)
                done += 1
        self.message_user(request, ngettext(
            "Two-step verification reset for %(n)d login.", "Two-step verification reset for %(n)d logins.", done
        ) % {"n": done})
