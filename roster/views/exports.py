"""CSV and Excel exports. Each reads the same visibility-scoped queryset as the pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone

from accounts.decorators import recent_auth_required
from agencies.access import get_visible_or_404, role_required
from audit.services import audit_read
from missions.selectors import bulletin_visible_to

from .. import exports
from ..dashboard import deployments_overlapping
from ..models import Application, Deployment
from ..selectors import application_visible_to, deployment_visible_to, roster_for


def _export(request, table, fmt, *, model, what: str):
    """Send the export (streamed: roster.exports.export_response) and record it in the audit trail
    with its row count. The entry is written before any row leaves (a CSV's rows counted by a COUNT
    query first, an XLSX's as the file is written): if it cannot be written, nothing is exported.
    Exports are personal data in bulk: the views ask for the password again when it was not given
    recently."""

    def record(rows: int) -> None:
        audit_read(actor=request.user, model=model, event="read.export", rows=rows, request=request,
                   detail={"export": what, "format": fmt, "query": request.GET.urlencode()[:500]})

    return exports.export_response(table, fmt, record=record)


@role_required("ipo_staff", "coordinator")
@recent_auth_required
def export_roster(request, fmt):
    # the rows of the roster page (roster:roster), whatever its filters
    table = exports.roster_table(roster_for(request.user), today=timezone.localdate())
    return _export(request, table, fmt, model=Deployment, what="roster")


@role_required("ipo_staff", "coordinator")
@recent_auth_required
def export_applicants(request, bulletin_pk, fmt):
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=bulletin_pk)
    applications = application_visible_to(request.user).filter(bulletin=bulletin)
    return _export(request, exports.applicants_table(bulletin, applications), fmt, model=Application,
                   what=f"applicants:{bulletin.reference}")


@role_required("ipo_staff", "coordinator")
@recent_auth_required
def export_deployments(request, fmt):
    try:
        start, end = exports.parse_date_range(request.GET.get("start"), request.GET.get("end"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("roster:dashboard")
    deployments = deployments_overlapping(deployment_visible_to(request.user), start, end)
    table = exports.deployments_table(deployments, start, end, user=request.user, today=timezone.localdate())
    return _export(request, table, fmt, model=Deployment, what=f"deployments:{start}:{end}")
