from django.contrib import admin

from .models import AuditEntry

# django-auditlog registers its own admin for the entry model; this one replaces it.
if admin.site.is_registered(AuditEntry):
    admin.site.unregister(AuditEntry)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read only for everyone, superusers included: the trail is append-only."""

    list_display = ["timestamp", "kind", "event", "action", "object_repr", "actor_email", "officer_id"]
    list_filter = ["kind", "action"]
    search_fields = ["object_repr", "actor_email", "event"]
    date_hierarchy = "timestamp"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
