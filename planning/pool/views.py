"""Talent pool pages: an officer's own entry (join, change, leave), the pool list (IPO staff every agency's,
a coordinator their agency's, filterable) and the agency's answer. Views parse input, call one service
and redirect; the rules live in planning.pool.permissions, selectors and services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import add_service_errors, get_visible_or_404, require, role_required
from agencies.permissions import is_ipo_staff
from agencies.selectors import officer_for_user, partner_agencies

from . import selectors, services
from .forms import PoolEntryForm, PoolFilterForm, SupportForm
from .models import AgencySupport, PoolLanguage, Region, Speciality
from .permissions import can_set_support

SUPPORT_BADGES = {
    AgencySupport.PENDING: "text-bg-warning",
    AgencySupport.SUPPORTED: "text-bg-success",
    AgencySupport.NOT_SUPPORTED: "text-bg-secondary",
}


def _labels(codes, choices) -> str:
    names = dict(choices)
    return ", ".join(str(names.get(c, c)) for c in codes)


@role_required("officer")
def pool_mine(request):
    officer = officer_for_user(request.user)
    entry = selectors.pool_entry_of(officer)
    label = _("Save") if entry else _("Join the talent pool")
    if officer is None:
        return render(request, "planning/pool/mine.html", {"officer": None})
    if request.method == "POST":
        form = PoolEntryForm(request.POST, submit_label=label)
        if form.is_valid():
            try:
                services.pool_entry_save(officer=officer, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your talent pool entry is saved.") if entry
                                 else _("You are in the talent pool; your coordinator is asked to confirm the "
                                        "agency's support."))
                return redirect("planning:pool-mine")
    elif entry:
        form = PoolEntryForm(submit_label=label, initial={
            "regions": entry.regions, "languages": entry.languages, "specialities": entry.specialities,
            "available_from": entry.available_from, "note": entry.note})
    else:
        form = PoolEntryForm(submit_label=label)
    return render(request, "planning/pool/mine.html", {
        "officer": officer, "entry": entry, "form": form,
        "support_badge": SUPPORT_BADGES.get(entry.support, "") if entry else "",
    })


@require_POST
@role_required("officer")
def pool_leave(request):
    officer = officer_for_user(request.user)
    if officer is not None and services.pool_entry_leave(officer=officer, actor=request.user):
        messages.success(request, _("You left the talent pool."))
    return redirect("planning:pool-mine")


@role_required("ipo_staff", "coordinator")
def pool_list(request):
    staff = is_ipo_staff(request.user)
    agencies = list(partner_agencies().only("pk", "name_en", "name_fr").order_by("name_en")) if staff else None
    form = PoolFilterForm(request.GET or None, agencies=agencies)
    filters = form.cleaned_data if form.is_valid() else {}
    page = selectors.pool_page(
        request.user, region=filters.get("region", ""), language=filters.get("language", ""),
        speciality=filters.get("speciality", ""), available_by=filters.get("available_by"),
        support=filters.get("support", ""), agency_id=filters.get("agency") if staff else None,
        page=request.GET.get("page"))
    rows = []
    for e in page.object_list:
        rows.append({
            "entry": e, "officer": e.officer, "agency": e.officer.agency.name,
            "regions": _labels(e.regions, Region.choices), "languages": _labels(e.languages, PoolLanguage.choices),
            "specialities": _labels(e.specialities, Speciality.choices),
            "badge": SUPPORT_BADGES.get(e.support, ""), "may_answer": can_set_support(request.user, e),
        })
    return render(request, "planning/pool/list.html", {"form": form, "page": page, "rows": rows, "staff": staff})


@role_required("coordinator")
def pool_support(request, pk):
    entry = get_visible_or_404(selectors.pool_visible_to(request.user), pk=pk)
    require(can_set_support, request.user, entry)
    if request.method == "POST":
        form = SupportForm(request.POST)
        if form.is_valid():
            try:
                services.pool_support_set(entry=entry, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The agency's answer is recorded; %(name)s is told.")
                                 % {"name": entry.officer.full_name})
                return redirect("planning:pool-list")
    else:
        initial = {"note": entry.support_note}
        if entry.support != AgencySupport.PENDING:
            initial["support"] = entry.support
        form = SupportForm(initial=initial)
    return render(request, "planning/pool/support.html", {
        "entry": entry, "form": form, "regions": _labels(entry.regions, Region.choices),
        "languages": _labels(entry.languages, PoolLanguage.choices),
        "specialities": _labels(entry.specialities, Speciality.choices),
    })
