"""Dashboard, timelines, service histories, medals and exports (issue 5, parts 3 to 5)."""

from django.urls import path, register_converter

from .views.dashboard import dashboard, mission_timeline_view
from .views.exports import export_applicants, export_deployments, export_roster
from .views.history import (
    agency_history_view,
    medal_award,
    medal_ceremony_export,
    medal_ceremony_view,
    officer_history_view,
)


class ExportFormatConverter:
    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExportFormatConverter, "export_format")

urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("missions/<int:mission_pk>/timeline/", mission_timeline_view, name="mission-timeline"),
    path("officers/<int:officer_pk>/history/", officer_history_view, name="officer-history"),
    path("officers/<int:officer_pk>/medals/award/", medal_award, name="medal-award"),
    path("agencies/<int:agency_pk>/history/", agency_history_view, name="agency-history"),
    path("reports/medal-ceremony/", medal_ceremony_view, name="medal-ceremony"),
    path("reports/medal-ceremony.<export_format:fmt>", medal_ceremony_export, name="medal-ceremony-export"),
    path("exports/roster.<export_format:fmt>", export_roster, name="export-roster"),
    path(
        "exports/bulletins/<int:bulletin_pk>/applicants.<export_format:fmt>",
        export_applicants,
        name="export-applicants",
    ),
    path("exports/deployments.<export_format:fmt>", export_deployments, name="export-deployments"),
]
