from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agencies.admin import ReadOnlyAdminMixin

from .kinds import kind_choices, kind_condition
from .models import OutgoingMail


class KindFilter(admin.SimpleListFilter):
    """The kinds by their labels (every security notice under one)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return kind_choices()

    def queryset(self, request, queryset):
        condition = kind_condition(self.value() or "")
        return queryset.filter(condition) if condition is not None else queryset


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Delivery state only: the bodies are for their recipient (the *Messages* page), and a
    message with a secret link never stores the link."""

    list_display = ["to", "subject", "kind_display", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", KindFilter, "language"]
    search_fields = ["to", "subject", "message_id", "topic"]
    fields = ["to", "user", "language", "subject", "kind_display", "topic", "status", "attempts", "last_error",
              "message_id", "created_at", "claimed_at", "next_attempt_at", "sent_at"]
    readonly_fields = fields

    @admin.display(description=_("kind"), ordering="kind")
    def kind_display(self, obj):
        return obj.kind_label
