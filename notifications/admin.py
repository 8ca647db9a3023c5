from django.contrib import admin

from agencies.admin import ReadOnlyAdminMixin

from .models import OutgoingMail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["to", "subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to", "subject", "message_id", "topic"]
    readonly_fields = ["message_id", "created_at", "sent_at", "claimed_at"]
