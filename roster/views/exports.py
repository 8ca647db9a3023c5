"""CSV and Excel exports. Each reads the same visibility-scoped queryset as the pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone

from agencies.access import get_visible_or_404, role_required
from missions.selectors import bulletin_visible_to

from .. import exports
from ..dashboard import deployments_overlapping
from ..selectors import application_visible_to, deployment_visible_to, roster_for


@role_required("ipo_staff", "coordinator")
def export_roster(request, fmt):
    # the rows of the roster page (roster:roster), whatever its filters
    return exports.export_response(exports.roster_table(roster_for(request.user), today=timezone.localdate()), fmt)


@role_required("ipo_staff", "coordinator")
def export_applicants(request, bulletin_pk, fmt):
    bulletin = get_visible_or_404(bulletin_visible_to(request.user), pk=bulletin_pk)
    applications = application_visible_to(request.user).filter(bulletin=bulletin)
    return exports.export_response(exports.applicants_table(bulletin, applications), fmt)


@role_required("ipo_staff", "coordinator")
def export_deployments(request, fmt):
    try:
        start, end = exports.parse_date_range(request.GET.get("start"), request.GET.get("end"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("roster:dashboard")
    deployments = deployments_overlapping(deployment_visible_to(request.user), start, end)
    table = exports.deployments_table(deployments, start, end, user=request.user, today=timezone.localdate())
    return exports.export_response(table, fmt)
