"""Assessment session pages: the schedule, a session with its registrations, scheduling and cancelling,
registering and withdrawing, recording results, and an officer's own sessions. Views parse input, call
one service and redirect; the rules live in planning.sessions.permissions, selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import add_service_errors, flash_errors, get_visible_or_404, require, role_required
from agencies.selectors import officer_visible_to
from agencies.validators import bounded_id

from . import selectors, services
from .forms import CancelForm, OfficerFindForm, RegisterForm, ResultsForm, SessionForm
from .models import AssessmentSession, Component, RegistrationState
from .permissions import (
    can_manage_sessions,
    can_record_results,
    can_register,
    can_register_officers,
    can_see_sessions,
    can_withdraw,
)

STATE_BADGES = {
    RegistrationState.REGISTERED: "text-bg-success",
    RegistrationState.WAITLISTED: "text-bg-warning",
    RegistrationState.WITHDRAWN: "text-bg-secondary",
}
OUTCOME_BADGES = {"pass": "text-bg-success", "fail": "text-bg-danger"}


def _component_labels() -> dict[str, str]:
    return {value: str(label) for value, label in Component.choices}


@login_required
def session_list(request):
    require(lambda user: can_see_sessions(user), request.user)
    data = selectors.sessions_page(show=request.GET.get("show", "upcoming"), page=request.GET.get("page"))
    return render(request, "planning/sessions/list.html", {**data, "can_manage": can_manage_sessions(request.user)})


@role_required("officer")
def session_mine(request):
    registrations = selectors.my_registrations(request.user)
    labels = _component_labels()
    for r in registrations:
        r.badge = STATE_BADGES.get(r.state, "")
        r.result_rows = [(labels.get(x.component, x.component), x.get_result_display()) for x in r.results.all()]
        r.may_withdraw = can_withdraw(request.user, r)
    return render(request, "planning/sessions/mine.html", {"registrations": registrations})


CHOICES_MAX = 50


def _officer_choices(user, session, find: str = "") -> tuple[list, bool]:
    if not can_register_officers(user):
        return [], False
    return selectors.registrable_officers(user, session, find=find, limit=CHOICES_MAX)


def _render_detail(request, session, *, register_form=None, status=200):
    user = request.user
    registrations = selectors.session_registrations(user, session)
    labels = _component_labels()
    for r in registrations:
        r.badge = STATE_BADGES.get(r.state, "")
        r.outcome_badge = OUTCOME_BADGES.get(r.outcome, "")
        r.result_rows = [(labels.get(x.component, x.component), x.get_result_display()) for x in r.results.all()]
        r.may_withdraw = can_withdraw(user, r)
    open_for_registration = can_register(user, session)
    find_form, more = None, False
    if open_for_registration:
        find_form = OfficerFindForm(request.GET or None, action=reverse("planning:session-detail", args=[session.pk]))
        find = find_form.cleaned_data["find"].strip() if find_form.is_valid() else ""
        if register_form is None:
            officers, more = _officer_choices(user, session, find)
            if find and not officers:
                find_form.add_error("find", _("No active officer you may register matches “%(find)s”.")
                                    % {"find": find})
            if officers and not (more and not find):
                register_form = RegisterForm(officers=officers)
    if register_form is not None:
        register_form.helper.form_action = reverse("planning:session-register", args=[session.pk])
    return render(request, "planning/sessions/detail.html", {
        "session": session, "registrations": registrations,
        "register_form": register_form if open_for_registration else None,
        "find_form": find_form, "more_officers": more, "choices_max": CHOICES_MAX,
        "can_manage": can_manage_sessions(user) and not session.is_cancelled,
        "can_record": can_record_results(user, session),
        "components": [labels[c] for c in session.required_components()],
        "seats_left": max(session.capacity - session.seats_taken, 0),
    }, status=status)


@login_required
def session_detail(request, pk):
    require(lambda user: can_see_sessions(user), request.user)
    session = selectors.session_with_counts(pk)
    if session is None:
        raise_404()
    return _render_detail(request, session)


def raise_404():
    from django.http import Http404

    raise Http404


@role_required("ipo_staff")
def session_create(request):
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            try:
                session = services.session_schedule(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The session is scheduled."))
                return redirect("planning:session-detail", session.pk)
    else:
        form = SessionForm(initial={"capacity": 20})
    return render(request, "planning/sessions/form.html", {"form": form, "session": None})


@role_required("ipo_staff")
def session_edit(request, pk):
    session = get_object_or_404(AssessmentSession, pk=pk)
    if session.is_cancelled:
        messages.info(request, _("This session was cancelled: it can no longer be changed."))
        return redirect("planning:session-detail", session.pk)
    if request.method == "POST":
        form = SessionForm(request.POST, submit_label=_("Save"))
        if form.is_valid():
            try:
                services.session_update(session=session, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The session is saved."))
                return redirect("planning:session-detail", session.pk)
    else:
        form = SessionForm(initial={f: getattr(session, f) for f in services.SESSION_FIELDS}, submit_label=_("Save"))
    return render(request, "planning/sessions/form.html", {"form": form, "session": session})


@role_required("ipo_staff")
def session_cancel(request, pk):
    session = get_object_or_404(AssessmentSession, pk=pk)
    if session.is_cancelled:
        messages.info(request, _("This session is already cancelled."))
        return redirect("planning:session-detail", session.pk)
    if request.method == "POST":
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                services.session_cancel(session=session, actor=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    flash_errors(request, exc)
                    return redirect("planning:session-detail", session.pk)
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The session is cancelled; the registered officers are told."))
                return redirect("planning:session-detail", session.pk)
    else:
        form = CancelForm()
    return render(request, "planning/sessions/cancel.html", {"form": form, "session": session})


@require_POST
@login_required
def session_register(request, pk):
    session = selectors.session_with_counts(pk)
    if session is None:
        raise_404()
    user = request.user
    require(can_register_officers, user)
    # an officer the user may not see answers 404, whatever the form says
    posted = request.POST.get("officer")
    officer = get_visible_or_404(officer_visible_to(user), pk=bounded_id(posted)) if posted else None
    if not can_register(user, session):
        messages.error(request, _("Registration for this session is closed."))
        return redirect("planning:session-detail", session.pk)
    # the one officer posted (visible to the user): the service gives the reason if they cannot be registered
    form = RegisterForm(request.POST, officers=[officer] if officer is not None else [])
    if form.is_valid():
        try:
            registration = services.registration_create(session=session, officer=officer, actor=user,
                                                        note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if registration.state == RegistrationState.WAITLISTED:
                messages.warning(request, _("The session is full: %(name)s is on the waiting list.")
                                 % {"name": officer.full_name})
            else:
                messages.success(request, _("%(name)s is registered.") % {"name": officer.full_name})
            return redirect("planning:session-detail", session.pk)
    return _render_detail(request, session, register_form=form, status=400)


@require_POST
@login_required
def session_withdraw(request, pk):
    registration = get_visible_or_404(selectors.registration_visible_to(request.user), pk=pk)
    try:
        services.registration_withdraw(registration=registration, actor=request.user)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The registration of %(name)s is withdrawn.")
                         % {"name": registration.officer.full_name})
    if request.POST.get("next") == "mine":
        return redirect("planning:session-mine")
    return redirect("planning:session-detail", registration.session_id)


@role_required("ipo_staff")
def session_results(request, pk):
    session = get_object_or_404(AssessmentSession, pk=pk)
    if not can_record_results(request.user, session):
        messages.error(request, _("Results are recorded once the session has started, unless it was cancelled."))
        return redirect("planning:session-detail", session.pk)
    registrations = [r for r in selectors.session_registrations(request.user, session)
                     if r.state == RegistrationState.REGISTERED]
    labels = _component_labels()
    components = session.required_components()
    kwargs = {"registrations": registrations, "components": components, "labels": labels}
    if request.method == "POST":
        form = ResultsForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                changed = services.results_record(session=session, actor=request.user, results=form.results())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Results saved; %(n)s outcomes changed.") % {"n": len(changed)})
                return redirect("planning:session-detail", session.pk)
    else:
        form = ResultsForm(**kwargs)
    return render(request, "planning/sessions/results.html", {
        "session": session, "form": form, "rows": form.table(),
        "columns": [labels[c] for c in components], "months": services.clearance_months(),
    })
