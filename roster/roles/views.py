"""The catalogue of deployment roles, for IPO staff: the list (paged), a new role, a role's names,
and offering a role or no longer offering it. Views parse input, call one service and redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.access import add_service_errors, get_visible_or_404, role_required
from config.pagination import set_row_urls

from . import services
from .forms import DeploymentRoleForm
from .selectors import deployment_roles_for

ROLES_PER_PAGE = 25


@role_required("ipo_staff")
def deployment_role_list(request):
    page = Paginator(deployment_roles_for(request.user), ROLES_PER_PAGE).get_page(request.GET.get("page"))
    set_row_urls(page, edit_url="roster:deployment-role-edit", active_url="roster:deployment-role-active")
    return render(request, "roster/roles/list.html", {"page": page})


def _form(request, role):
    form = DeploymentRoleForm(request.POST or None, instance=role)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.deployment_role_save(actor=request.user, role=form.instance)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The role “%(name)s” is saved.") % {"name": saved.name})
            return redirect("roster:deployment-role-list")
    return render(request, "roster/roles/form.html", {"form": form, "role": role})


@role_required("ipo_staff")
def deployment_role_create(request):
    return _form(request, None)


@role_required("ipo_staff")
def deployment_role_edit(request, pk):
    return _form(request, get_visible_or_404(deployment_roles_for(request.user), pk=pk))


@role_required("ipo_staff")
@require_POST
def deployment_role_active(request, pk):
    role = get_visible_or_404(deployment_roles_for(request.user), pk=pk)
    active = request.POST.get("active") == "1"
    role = services.deployment_role_set_active(actor=request.user, role=role, active=active)
    if active:
        messages.success(request, _("“%(name)s” is offered again to new deployments.") % {"name": role.name})
    else:
        messages.success(request, _("“%(name)s” is no longer offered to new deployments; the tours that hold it "
                                    "keep it.") % {"name": role.name})
    return redirect("roster:deployment-role-list")
