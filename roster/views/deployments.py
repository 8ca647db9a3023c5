"""Deployment pages: turn a selected application into a deployment, follow and change a tour, and the
current roster. Views parse input, call one service and redirect; roster.services.deployments decides."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import add_service_errors, flash_errors, get_visible_or_404, require, role_required
from agencies.permissions import is_ipo_staff
from agencies.validators import bounded_id
from audit.services import audit_read
from config.pagination import filter_fields, set_row_datetimes, set_row_urls

from .. import services
from ..forms_deployments import (
    CancelForm,
    CompleteForm,
    DeploymentCreateForm,
    ExtendForm,
    RepatriateForm,
    RosterFilter,
    StartForm,
)
from ..models import ApplicationStatus, Deployment, DeploymentEvent
from ..notes import render_issue
from ..permissions import can_manage_deployment_roles, can_read_repatriation_reason
from ..selectors import (
    application_visible_to,
    deployment_actions,
    deployment_create_preview,
    deployment_event_note_for,
    deployment_linked,
    deployment_missions_for,
    deployment_of_application,
    deployment_role_initial,
    deployment_visible_to,
    deployments_replaceable,
    repatriation_reason_for,
    roster_for,
    roster_rows,
)

ROSTER_PER_PAGE = 50


def _deployment_for_action(request, pk) -> Deployment:
    """Not visible: 404. Visible, but the user is not IPO staff: 403."""
    deployment = get_visible_or_404(deployment_visible_to(request.user), pk=pk)
    require(is_ipo_staff, request.user)
    return deployment


def _to_detail(deployment):
    return redirect("roster:deployment-detail", pk=deployment.pk)


# --- create ---------------------------------------------------------------------------------

@login_required
def deployment_create(request, application_pk):
    application = get_visible_or_404(application_visible_to(request.user), pk=application_pk)
    require(is_ipo_staff, request.user)
    if application.status != ApplicationStatus.SELECTED:
        existing = deployment_of_application(request.user, application)
        if existing is not None:
            messages.info(request, _("This application is already deployed."))
            return _to_detail(existing)
        messages.error(
            request,
            _("Only a selected application can become a deployment; this one is “%(status)s”.")
            % {"status": application.get_status_display()},
        )
        return redirect("roster:application-detail", pk=application.pk)

    bulletin = application.bulletin
    data = request.POST if request.method == "POST" else None
    mission_id = (bounded_id(data.get("mission")) if data else None) or bulletin.mission_id
    form = DeploymentCreateForm(
        data,
        initial={**deployment_role_initial(bulletin), "mission": bulletin.mission,
                 "start_date": bulletin.deployment_start},
        missions=deployment_missions_for(request.user, bulletin),
        replaceable=deployments_replaceable(request.user, mission_id),
    )
    if form.is_bound and form.is_valid():
        cd = form.cleaned_data
        try:
            deployment = services.deployment_create(
                application=application,
                actor=request.user,
                **form.role_kwargs(),
                mission=cd["mission"],
                start_date=cd["start_date"],
                planned_end_date=cd["planned_end_date"],
                replaces=cd["replaces"],
                override_clearances=cd["override_clearances"],
                override_strength=cd["override_strength"],
                override_reason=cd["override_reason"],
                confirm_role_change=cd.get("confirm_role_change", False),
            )
        except ValidationError as exc:
            form.ask_confirmation(exc)
            add_service_errors(form, exc, aliases={"role": "role_id"})
        else:
            messages.success(
                request,
                _("%(officer)s is deployed to %(mission)s from %(start)s to %(end)s.")
                % {"officer": deployment.officer.full_name, "mission": deployment.mission.code,
                   "start": _show(deployment.start_date), "end": _show(deployment.planned_end_date)},
            )
            return _to_detail(deployment)

    # What the deployment would meet with the dates and mission shown, so staff know
    # before submitting whether an override will be needed.
    start = form.value_of("start_date", bulletin.deployment_start)
    mission = form.value_of("mission", bulletin.mission)
    default_end = services.add_months(start, bulletin.duration_months)
    end = form.value_of("planned_end_date", default_end)
    form.show_default_end(months=bulletin.duration_months, default_end=default_end)
    warnings = deployment_create_preview(application=application, mission=mission, start=start, end=end)
    return render(
        request,
        "roster/deployment_form.html",
        {"application": application, "form": form, "warnings": warnings, "start": start, "end": end,
         "mission": mission},
    )


# --- the deployment page ----------------------------------------------------------------------

EVENT_LABELS = {
    "created": gettext_lazy("Deployment created"),
    "started": gettext_lazy("Arrived in mission"),
    "extended": gettext_lazy("Extended"),
    "completed": gettext_lazy("Tour completed"),
    "repatriated": gettext_lazy("Repatriated"),
    "cancelled": gettext_lazy("Cancelled before departure"),
}


def _show(day) -> str:
    """A date (or an ISO date string from an event's data) in the active language's format."""
    if isinstance(day, str):
        try:
            day = dt.date.fromisoformat(day)
        except ValueError:
            return day
    return formats.date_format(day, "DATE_FORMAT") if day else ""


def _role_in_words(names) -> str:
    """A role kept in an event's data: {"en", "fr"} in the active language (a text of older versions
    as it is)."""
    if isinstance(names, dict):
        lang = (get_language() or "en")[:2]
        return names.get(lang) or names.get("en") or names.get("fr") or ""
    return str(names)


def describe_event(event: DeploymentEvent, *, user, deployment: Deployment) -> str:
    """An event's data in words, as `user` may read them (a sensitive repatriation reason is not named)."""
    data = event.data or {}
    if event.action == "created":
        parts = [_("Planned from %(start)s to %(end)s.")
                 % {"start": _show(data.get("start")), "end": _show(data.get("planned_end"))}]
        overrides = data.get("overrides") or {}
        if overrides.get("clearances"):
            parts.append(_("Clearances overridden: %(problems)s")
                         % {"problems": " ".join(render_issue(p) for p in overrides["clearances"])})
        if overrides.get("strength"):
            parts.append(_("Strength overridden: %(problems)s")
                         % {"problems": " ".join(render_issue(p) for p in overrides["strength"])})
        if data.get("replaces"):
            parts.append(_("Rotation: replaces another deployment."))
        if data.get("role_change_confirmed"):
            old, new = (_role_in_words(r) for r in data["role_change_confirmed"])
            # The role of the tour relieved is named only to those who may see that tour.
            if deployment_visible_to(user).filter(pk=data.get("replaces")).exists():
                parts.append(_("Change of role confirmed: %(new)s replaces %(old)s.") % {"new": new, "old": old})
            else:
                parts.append(_("Change of role confirmed: the officer takes over as %(new)s.") % {"new": new})
        return " ".join(parts)
    if event.action == "started":
        arrived = _("Arrived on %(date)s.") % {"date": _show(data.get("on"))}
        if data.get("planned") and data.get("planned") != data.get("on"):
            arrived += " " + _("Planned start: %(date)s.") % {"date": _show(data.get("planned"))}
        return arrived
    if event.action == "cancelled":
        if data.get("application_returned"):
            return _("Cancelled before departure; the application returned to Selected.")
        return _("Cancelled before departure.")
    if event.action == "extended":
        return _("Extended from %(old)s to %(new)s.") % {"old": _show(data.get("from")), "new": _show(data.get("to"))}
    if event.action == "completed":
        return _("Tour ended on %(date)s.") % {"date": _show(data.get("on"))}
    if event.action == "repatriated":
        reason = data.get("reason") or deployment.repatriation_reason
        if not can_read_repatriation_reason(user, deployment, reason=reason):
            return _("Repatriated early on %(date)s.") % {"date": _show(data.get("on"))}
        return _("Repatriated on %(date)s (%(reason)s).") % {
            "date": _show(data.get("on")), "reason": repatriation_reason_for(user, deployment, reason=reason)
        }
    return ""


def _render_detail(request, deployment, *, start_form=None, complete_form=None):
    actions = deployment_actions(request.user, deployment)
    linked = deployment_linked(request.user, deployment)
    previous = next((d for d in linked if d.pk == deployment.replaces_id), None)
    handover = None
    if previous is not None:
        deployment.replaces = previous
        (handover,) = services.handovers([deployment])
    events = list(deployment.events.select_related("actor"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
        event.summary = describe_event(event, user=request.user, deployment=deployment)
        event.note_shown = deployment_event_note_for(request.user, deployment, event)
    context = {
        "deployment": deployment,
        "actions": actions,
        "previous": previous,
        "previous_hidden": bool(deployment.replaces_id and previous is None),
        "successors": [d for d in linked if d.replaces_id == deployment.pk],
        "handover": handover,
        "events": events,
        "start_form": start_form or (StartForm(deployment=deployment) if actions["start"] else None),
        "complete_form": complete_form or (CompleteForm(deployment=deployment) if actions["complete"] else None),
    }
    return render(request, "roster/deployment_detail.html", context)


@login_required
def deployment_detail(request, pk):
    deployment = get_visible_or_404(
        deployment_visible_to(request.user).select_related("application", "application__bulletin"), pk=pk
    )
    audit_read(actor=request.user, obj=deployment, event="read.deployment", officer_id=deployment.officer_id,
               officer_user_id=deployment.officer.user_id, request=request)
    return _render_detail(request, deployment)


# --- lifecycle actions (IPO staff) -------------------------------------------------------------

@login_required
@require_POST
def deployment_start(request, pk):
    deployment = _deployment_for_action(request, pk)
    form = StartForm(request.POST, deployment=deployment)
    if form.is_valid():
        cd = form.cleaned_data
        try:
            services.deployment_start(deployment=deployment, actor=request.user, arrived_on=cd["arrived_on"],
                                      confirm_far_from_plan=cd.get("confirm_far_from_plan", False))
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                flash_errors(request, exc)
                return _to_detail(deployment)
            form.ask_confirmation(exc)
            add_service_errors(form, exc, aliases={"start_date": "arrived_on"})
        else:
            messages.success(request, _("The officer's arrival in mission is recorded."))
            return _to_detail(deployment)
    return _render_detail(request, deployment, start_form=form)


@login_required
@require_POST
def deployment_complete(request, pk):
    deployment = _deployment_for_action(request, pk)
    form = CompleteForm(request.POST, deployment=deployment)
    if form.is_valid():
        try:
            services.deployment_complete(deployment=deployment, actor=request.user, on=form.cleaned_data["on"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                flash_errors(request, exc)
                return _to_detail(deployment)
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The tour is recorded as completed."))
            return _to_detail(deployment)
    return _render_detail(request, deployment, complete_form=form)


@login_required
def deployment_extend(request, pk):
    """GET shows the form; POST extends."""
    deployment = _deployment_for_action(request, pk)
    if request.method != "POST" and not deployment_actions(request.user, deployment)["extend"]:
        messages.error(request, _("Only a planned or current deployment can be extended."))
        return _to_detail(deployment)
    form = ExtendForm(request.POST or None, deployment=deployment)
    if request.method == "POST" and form.is_valid():
        try:
            services.deployment_extend(deployment=deployment, actor=request.user,
                                       new_end=form.cleaned_data["new_end"], reason=form.cleaned_data["reason"],
                                       override_strength=form.cleaned_data["override_strength"])
        except ValidationError as exc:
            add_service_errors(form, exc, aliases={"start_date": "new_end"})
        else:
            messages.success(request, _("The planned end is now %(date)s.")
                             % {"date": _show(form.cleaned_data["new_end"])})
            return _to_detail(deployment)
    return render(request, "roster/deployment_extend.html", {"deployment": deployment, "form": form})


@login_required
def deployment_repatriate(request, pk):
    """GET shows the form; POST repatriates."""
    deployment = _deployment_for_action(request, pk)
    if request.method != "POST" and not deployment_actions(request.user, deployment)["repatriate"]:
        if deployment_actions(request.user, deployment)["cancel"]:
            messages.error(request, _("The officer has not left yet: cancel the deployment instead of repatriating."))
        else:
            messages.error(request, _("Only a deployment in mission can be repatriated."))
        return _to_detail(deployment)
    form = RepatriateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.deployment_repatriate(deployment=deployment, actor=request.user, reason=cd["reason"],
                                           note=cd["note"], on=cd["on"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The repatriation is recorded."))
            return _to_detail(deployment)
    return render(request, "roster/deployment_repatriate.html", {"deployment": deployment, "form": form})


@login_required
def deployment_cancel(request, pk):
    """GET shows what cancelling does and asks for the reason; POST cancels."""
    deployment = _deployment_for_action(request, pk)
    if request.method != "POST" and not deployment_actions(request.user, deployment)["cancel"]:
        messages.error(request, _("Only a planned deployment can be cancelled."))
        return _to_detail(deployment)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deployment_cancel(deployment=deployment, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if deployment.application_id:
                messages.success(request, _("The deployment is cancelled; the application is back to Selected."))
            else:
                messages.success(request, _("The deployment is cancelled."))
            return _to_detail(deployment)
    return render(request, "roster/deployment_cancel.html", {"deployment": deployment, "form": form})


# --- the current roster -----------------------------------------------------------------------

@role_required("ipo_staff", "coordinator")
def roster(request):
    roster_filter = RosterFilter(request.GET or None, queryset=roster_for(request.user), request=request)
    page = Paginator(roster_rows(roster_filter.qs), ROSTER_PER_PAGE).get_page(request.GET.get("page"))
    descending = request.GET.get("sort") == "-end"
    show_agency = is_ipo_staff(request.user)
    ending_soon_before = timezone.localdate() + dt.timedelta(days=settings.ROSTER["ENDING_SOON_DAYS"])
    _label_roster(page, ending_soon_before=ending_soon_before, show_agency=show_agency)
    return render(
        request,
        "roster/roster_list.html",
        {
            "filter": roster_filter,
            "filter_form": filter_fields(roster_filter.form),
            "page": page,
            "descending": descending,
            "show_agency": show_agency,
            "can_manage_roles": can_manage_deployment_roles(request.user),
        },
    )


def _label_roster(deployments, *, ending_soon_before, show_agency: bool) -> None:
    """Each row's address, officer, agency, role, dates in words, whether it ends soon, and its status
    label and badge: looked up or formatted once per page, not once per cell by the template."""
    from agencies.templatetags.ui import badge_class, status_badges

    statuses = status_badges(Deployment.Status.choices)
    set_row_urls(deployments, url="roster:deployment-detail")
    set_row_datetimes(deployments, "SHORT_DATE_FORMAT", start_text="start_date", end_text="planned_end_date")
    for d in deployments:
        d.status_label, d.badge = statuses.get(d.status, (d.status, badge_class(d.status)))
        d.officer_name, d.role_text = d.officer.full_name, d.role
        d.agency_name = d.officer.agency.name if show_agency else ""
        d.ending_soon = d.planned_end_date is not None and d.planned_end_date <= ending_soon_before
