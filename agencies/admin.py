from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Agency, Clearance, Officer, Role


class IpoStaffAdminMixin:
    """The admin is for IPO staff: their role grants every model permission here."""

    def _ipo(self, request):
        return request.user.is_active and (request.user.is_superuser or request.user.role == Role.IPO_STAFF)

    def has_module_permission(self, request):
        return self._ipo(request)

    def has_view_permission(self, request, obj=None):
        return self._ipo(request)

    def has_add_permission(self, request, *args):
        return self._ipo(request)

    def has_change_permission(self, request, obj=None):
        return self._ipo(request)

    def has_delete_permission(self, request, obj=None):
        return self._ipo(request)


class ReadOnlyAdminMixin(IpoStaffAdminMixin):
    """Workflow records change only through their services (events, emails, checks): the
    admin shows and searches them, nothing more."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """An inline that shows a workflow record's rows without letting anyone change them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


admin.site.site_header = _("Deployment roster administration")
admin.site.site_title = _("Deployment roster")
admin.site.has_permission = lambda request: request.user.is_active and (
    request.user.is_superuser or getattr(request.user, "role", None) == Role.IPO_STAFF
)


@admin.register(Agency)
class AgencyAdmin(IpoStaffAdminMixin, admin.ModelAdmin):
    list_display = ["name_en", "name_fr", "slug", "kind", "province", "is_partner", "language"]
    list_filter = ["kind", "province", "is_partner", "language"]
    search_fields = ["name_en", "name_fr", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


class ClearanceInline(admin.TabularInline):
    model = Clearance
    extra = 0


@admin.register(Officer)
class OfficerAdmin(IpoStaffAdminMixin, admin.ModelAdmin):
    list_display = ["last_name", "first_name", "badge_number", "agency", "rank", "gender", "preferred_language",
                    "is_active"]
    list_filter = ["agency__kind", "rank", "gender", "firearms_qualified", "manual_driving", "is_active"]
    search_fields = ["last_name", "first_name", "badge_number", "email"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency", "user"]
    inlines = [ClearanceInline]


@admin.register(Clearance)
class ClearanceAdmin(IpoStaffAdminMixin, admin.ModelAdmin):
    list_display = ["officer", "kind", "valid_until"]
    list_filter = ["kind"]
    search_fields = ["officer__last_name", "officer__badge_number"]
    list_select_related = ["officer"]
    autocomplete_fields = ["officer"]
    date_hierarchy = "valid_until"
