from django.contrib import admin

from agencies.admin import ReadOnlyAdminMixin, ReadOnlyInline

from .models import Application, ApplicationDocument, ApplicationEvent, Deployment, DeploymentEvent, MedalAward


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
    list_display = ["application", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
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


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["officer", "mission", "role", "start_date", "planned_end_date", "status"]
    list_filter = ["status", "mission", "repatriation_reason"]
    search_fields = ["officer__last_name", "officer__badge_number", "role"]
    list_select_related = ["officer", "mission"]
    raw_id_fields = ["officer", "application", "replaces"]
    date_hierarchy = "start_date"
    inlines = [DeploymentEventInline]


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
