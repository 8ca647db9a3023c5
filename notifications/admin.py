from django.contrib import admin

from agencies.admin import ReadOnlyAdminMixin

from .models import OutgoingMail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Delivery state only: the bodies are for their recipient (the *Messages* page), and a
    message with a secret link never stores the link."""

    list_display = ["to", "subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to", "subject", "message_id", "topic"]
    fields = ["to", "user", "language", "subject", "kind", "topic", "status", "attempts", "last_error",
              "message_id", "created_at", "claimed_at", "next_attempt_at", "sent_at"]
    readonly_fields = fields
