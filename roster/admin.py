from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from agencies.admin import IpoStaffAdminMixin, ReadOnlyAdminMixin, ReadOnlyInline

from .models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Deployment,
    DeploymentEvent,
    DeploymentRole,
    MedalAward,
)


class EventInline(ReadOnlyInline):
    model = ApplicationEvent
    raw_id_fields = ["actor"]


class DocumentInline(ReadOnlyInline):
    model = ApplicationDocument


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["officer", "bulletin", "status", "ineligible", "created_at"]
    list_filter = ["status", "ineligible", "bulletin__mission"]
    search_fields = ["officer__last_name", "officer__badge_number", "bulletin__reference"]
    list_select_related = ["officer", "bulletin"]
    raw_id_fields = ["officer", "bulletin", "nominated_by"]
    inlines = [DocumentInline, EventInline]


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["application", "from_status", "to_status", "actor", "system_note_text", "created_at"]
    list_filter = ["to_status", "note_code"]

    @admin.display(description=_("system note"))
    def system_note_text(self, event):
        """The system note in words, in the admin's language (roster.notes)."""
        return str(event.system_note or "")
    search_fields = ["application__officer__last_name", "application__bulletin__reference"]
    raw_id_fields = ["application", "actor"]


@admin.register(ApplicationDocument)
class ApplicationDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "application", "size", "uploaded_at"]
    search_fields = ["original_name"]
    raw_id_fields = ["application"]


class DeploymentEventInline(ReadOnlyInline):
    model = DeploymentEvent
    raw_id_fields = ["actor"]


class DeploymentRoleAdminForm(forms.ModelForm):
    """The admin's form asks the service whether the role can be saved, so a name the service would
    refuse (one that differs from another only by its spaces) is an error on the form, not a crash."""

    class Meta:
        model = DeploymentRole
        fields = ["name_en", "name_fr", "position", "is_active"]

    def clean(self):
        from .roles.services import deployment_role_check

        cleaned = super().clean()
        candidate = DeploymentRole(pk=self.instance.pk, name_en=cleaned.get("name_en") or "",
                                   name_fr=cleaned.get("name_fr") or "", position=cleaned.get("position") or 0,
                                   is_active=bool(cleaned.get("is_active")))
        try:
            deployment_role_check(candidate)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(None if field == NON_FIELD_ERRORS or field not in self.fields else field, messages)
        return cleaned


@admin.register(DeploymentRole)
class DeploymentRoleAdmin(IpoStaffAdminMixin, admin.ModelAdmin):
    """Both names side by side; saving goes through the service (names tidied and unique in each language,
    the French name then marked as checked). A role a tour holds cannot be deleted: deactivate it."""

    list_display = ["name_en", "name_fr", "position", "is_active", "needs_review"]
    list_filter = ["is_active", "needs_review"]
    search_fields = ["name_en", "name_fr"]
    fields = ["name_en", "name_fr", "position", "is_active", "needs_review"]
    readonly_fields = ["needs_review"]
    form = DeploymentRoleAdminForm

    def save_model(self, request, obj, form, change):
        from .roles.services import deployment_role_save

        deployment_role_save(actor=request.user, role=obj)


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["officer", "mission", "role_en", "role_fr", "start_date", "planned_end_date", "status"]
    list_filter = ["status", "mission", "repatriation_reason", "catalogue_role"]
    search_fields = ["officer__last_name", "officer__badge_number", "catalogue_role__name_en",
                     "catalogue_role__name_fr", "role_other_en", "role_other_fr"]
    list_select_related = ["officer", "mission", "catalogue_role"]
    raw_id_fields = ["officer", "application", "replaces"]
    date_hierarchy = "start_date"
    inlines = [DeploymentEventInline]

    @admin.display(description=_("role (English)"))
    def role_en(self, deployment):
        return deployment.role_names["en"]

    @admin.display(description=_("role (French)"))
    def role_fr(self, deployment):
        return deployment.role_names["fr"]


@admin.register(DeploymentEvent)
class DeploymentEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["deployment", "action", "actor", "created_at"]
    list_filter = ["action"]
    raw_id_fields = ["deployment", "actor"]


@admin.register(MedalAward)
class MedalAwardAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["officer", "medal", "mission", "awarded_on"]
    list_filter = ["medal"]
    search_fields = ["officer__last_name"]
    raw_id_fields = ["officer", "recorded_by"]
