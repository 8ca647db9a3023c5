from django.contrib import admin

from agencies.admin import IpoStaffAdminMixin, ReadOnlyAdminMixin, ReadOnlyInline

from .models import Bulletin, BulletinNotice, Mission


@admin.register(Mission)
class MissionAdmin(IpoStaffAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name_en", "name_fr", "kind", "country_en", "country_fr", "language", "armed",
                    "authorized_strength", "status"]
    list_filter = ["kind", "language", "armed", "status"]
    search_fields = ["code", "name_en", "name_fr", "country_en", "country_fr"]


class NoticeInline(ReadOnlyInline):
    model = BulletinNotice
    raw_id_fields = ["agency", "acknowledged_by"]


@admin.register(Bulletin)
class BulletinAdmin(IpoStaffAdminMixin, admin.ModelAdmin):
    list_display = ["reference", "title_en", "title_fr", "mission", "status", "positions", "closes_at"]
    list_filter = ["status", "mission", "women_priority"]
    search_fields = ["reference", "title_en", "title_fr"]
    list_select_related = ["mission"]
    date_hierarchy = "closes_at"
    inlines = [NoticeInline]
    # publishing, closing and cancelling notify the agencies: only the bulletin pages do it
    readonly_fields = ["status", "published_at", "closed_at", "cancelled_at", "cancel_reason", "created_by"]

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == Bulletin.Status.DRAFT


@admin.register(BulletinNotice)
class BulletinNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["bulletin", "agency", "created_at", "acknowledged_at"]
    search_fields = ["bulletin__reference", "agency__name_en"]
    list_select_related = ["bulletin", "agency"]
    raw_id_fields = ["bulletin", "agency", "acknowledged_by"]
