"""Officer pages. Views parse input, call one service and redirect; the rules live in
agencies.services (writes), agencies.selectors (visibility) and agencies.permissions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import audit_read
from config.pagination import filter_fields, seek_page, set_row_urls

from . import services
from .access import add_service_errors, get_visible_or_404, require, role_required
from .forms import ClearanceForm, OfficerFilter, OfficerForm, ProfileForm
from .models import Clearance, Officer
from .permissions import can_edit_own_profile, can_filter_by_agency, can_manage_officer
from .selectors import (
    OFFICER_ORDER,
    clearance_visible_to,
    clearance_warning_horizon,
    clearances_with_expiry,
    officer_for_user,
    officer_visible_to,
    officers_with_clearance_counts,
)

OFFICERS_PER_PAGE = 25


def _profile_context(officer: Officer, user) -> dict:
    return {
        "officer": officer,
        "clearances": clearances_with_expiry(officer.clearances.all()),
        "horizon": clearance_warning_horizon(),
        "can_manage": can_manage_officer(user, officer),
        "can_edit_profile": can_edit_own_profile(user, officer),
    }


# --- officers (IPO staff and coordinators) ------------------------------------------------------

@role_required("ipo_staff", "coordinator")
def officer_list(request):
    officers = officers_with_clearance_counts(officer_visible_to(request.user))
    officer_filter = OfficerFilter(request.GET or None, queryset=officers, request=request)
    page = seek_page(officer_filter.qs, order=OFFICER_ORDER, size=OFFICERS_PER_PAGE,
                     after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    set_row_urls(page, url="agencies:officer-detail", edit_url="agencies:officer-edit")
    ranks = {value: str(label) for value, label in Officer.Rank.choices}  # translated once per page
    for officer in page:
        officer.rank_label = ranks.get(officer.rank, officer.rank)
    return render(
        request,
        "agencies/officer_list.html",
        {
            "filter": officer_filter,
            "filter_form": filter_fields(officer_filter.form),
            "page": page,
            "horizon": clearance_warning_horizon(),
            "show_agency": can_filter_by_agency(request.user),
        },
    )


@login_required
def officer_detail(request, pk):
    officer = get_visible_or_404(officer_visible_to(request.user), pk=pk)
    audit_read(actor=request.user, obj=officer, event="read.officer", officer_id=officer.pk,
               officer_user_id=officer.user_id, request=request)
    return render(request, "agencies/officer_detail.html", _profile_context(officer, request.user))


@role_required("ipo_staff", "coordinator")
def officer_create(request):
    form = OfficerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            officer = services.officer_create(actor=request.user, officer=form.officer())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Officer %(name)s added.") % {"name": officer.full_name})
            return redirect("agencies:officer-detail", pk=officer.pk)
    return render(request, "agencies/officer_form.html", {"form": form, "officer": None})


@login_required
def officer_edit(request, pk):
    officer = get_visible_or_404(officer_visible_to(request.user), pk=pk)
    require(can_manage_officer, request.user, officer)
    name = officer.full_name  # the heading keeps the stored name while the form shows the typed one
    form = OfficerForm(request.POST or None, instance=officer, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.officer_update(actor=request.user, officer=form.officer())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Officer %(name)s saved.") % {"name": officer.full_name})
            return redirect("agencies:officer-detail", pk=officer.pk)
    return render(request, "agencies/officer_form.html", {"form": form, "officer": officer, "name": name})


# --- clearances -------------------------------------------------------------------------------

def _clearance_of(request, pk, clearance_pk) -> tuple[Officer, Clearance]:
    officer = get_visible_or_404(officer_visible_to(request.user), pk=pk)
    clearance = get_visible_or_404(clearance_visible_to(request.user).filter(officer=officer), pk=clearance_pk)
    require(can_manage_officer, request.user, officer)
    return officer, clearance


def _clearance_form(request, officer: Officer, clearance: Clearance):
    form = ClearanceForm(request.POST or None, instance=clearance, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.clearance_save(actor=request.user, clearance=form.instance)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(kind)s clearance of %(name)s saved.")
                % {"kind": saved.get_kind_display(), "name": officer.full_name},
            )
            return redirect("agencies:officer-detail", pk=officer.pk)
    return render(
        request,
        "agencies/clearance_form.html",
        {"form": form, "officer": officer, "clearance": clearance if clearance.pk else None},
    )


@login_required
def clearance_create(request, pk):
    officer = get_visible_or_404(officer_visible_to(request.user), pk=pk)
    require(can_manage_officer, request.user, officer)
    return _clearance_form(request, officer, Clearance(officer=officer))


@login_required
def clearance_edit(request, pk, clearance_pk):
    officer, clearance = _clearance_of(request, pk, clearance_pk)
    return _clearance_form(request, officer, clearance)


@login_required
@require_POST
def clearance_delete(request, pk, clearance_pk):
    officer, clearance = _clearance_of(request, pk, clearance_pk)
    services.clearance_delete(actor=request.user, clearance=clearance)
    messages.success(
        request,
        _("%(kind)s clearance of %(name)s deleted.")
        % {"kind": clearance.get_kind_display(), "name": officer.full_name},
    )
    return redirect("agencies:officer-detail", pk=officer.pk)


# --- an officer's own profile -------------------------------------------------------------------

@role_required("officer")
def my_profile(request):
    officer = officer_for_user(request.user)
    if officer is None:
        return render(request, "agencies/my_profile_missing.html")
    return render(request, "agencies/my_profile.html", _profile_context(officer, request.user))


@role_required("officer")
def my_profile_edit(request):
    officer = officer_for_user(request.user)
    if officer is None:
        return render(request, "agencies/my_profile_missing.html")
    require(can_edit_own_profile, request.user, officer)
    form = ProfileForm(
        request.POST or None, instance=officer, initial={"preferred_language": request.user.preferred_language}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(actor=request.user, officer=officer, **form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("agencies:my-profile")
    return render(request, "agencies/my_profile_form.html", {"form": form, "officer": officer})


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice for a signed-in person
    (their emails follow it)."""
    from django.views.i18n import set_language as django_set_language

    from .services import user_set_language

    response = django_set_language(request)
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=request.POST.get("language", ""))
    return response
