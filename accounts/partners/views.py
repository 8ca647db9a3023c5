"""The public "join the program" page, and IPO staff's review of the requests. Views parse input,
call one service and redirect; the rules live in accounts.partners.services and the visibility in
agencies.selectors.partner_request_visible_to."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from agencies.access import add_service_errors, flash_errors, get_visible_or_404, role_required
from agencies.models import PartnerRequest
from agencies.selectors import partner_request_visible_to
from audit.services import audit_read
from config.pagination import seek_page, set_row_urls

from . import services
from .forms import ApproveForm, DeclineForm, JoinForm, RequestFilter

REQUESTS_PER_PAGE = 25
REQUEST_ORDER = ("-created_at", "-id")


def _facts() -> dict:
    return {"ceiling": settings.ROSTER["PROGRAM_CEILING"]}


# --- the public page ------------------------------------------------------------------------------

def join(request):
    """What a partner agency does and what its members gain, and the request form. No sign-in.
    Spam is kept out by a rate limit per client address, a signed and timed question, and a
    honeypot field (accounts.partners.challenge); a robot that fills the honeypot is thanked and
    nothing is kept."""
    status = 200
    if request.method == "POST":
        if is_ratelimited(request, group="partner-join", key="ip",
                          rate=lambda group, req: settings.ROSTER["PARTNER_REQUEST_RATE"], method="POST",
                          increment=True):
            return render(request, "partners/too_many.html", status=429)
        form = JoinForm(request.POST)
        if form.is_spam():
            return redirect("partners:join-thanks")
        valid = form.is_valid()
        form.check_challenge()
        if valid and not form.errors:
            data = form.cleaned_data
            try:
                services.partner_request_submit(
                    name=data["name"], kind=data["kind"], province=data["province"],
                    contact_name=data["contact_name"], contact_email=data["contact_email"],
                    contact_phone=data["contact_phone"], officers_interested=data["officers_interested"],
                    message=data["message"], language=(translation.get_language() or "en")[:2],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("partners:join-thanks")
        form.for_redisplay()
        status = 400
    else:
        form = JoinForm()
    return render(request, "partners/join.html", {"form": form, **_facts()}, status=status)


def join_thanks(request):
    return render(request, "partners/join_thanks.html")


# --- IPO staff's review -------------------------------------------------------------------------------

@role_required("ipo_staff")
def request_list(request):
    requests = partner_request_visible_to(request.user)
    # Pending requests unless another status (or all: an empty one) is asked for.
    status_filter = RequestFilter(request.GET if "status" in request.GET else {"status": PartnerRequest.Status.PENDING})
    status = status_filter.cleaned_data["status"] if status_filter.is_valid() else ""
    if status:
        requests = requests.filter(status=status)
    page = seek_page(requests, order=REQUEST_ORDER, size=REQUESTS_PER_PAGE,
                     after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    set_row_urls(page, url="partners:request-detail")
    kinds = {value: str(label) for value, label in PartnerRequest.KIND_CHOICES}
    statuses = {value: str(label) for value, label in PartnerRequest.Status.choices}
    provinces = dict(PartnerRequest._meta.get_field("province").flatchoices)
    for row in page:
        row.kind_label = kinds.get(row.kind, row.kind)
        row.status_label = statuses.get(row.status, row.status)
        row.province_label = str(provinces.get(row.province, row.province))
    return render(request, "partners/request_list.html", {"page": page, "filter": status_filter, "status": status})


def _detail(request, partner_request, *, approve_form=None, decline_form=None, status=200):
    context = {"partner_request": partner_request}
    if partner_request.is_pending:
        context["approve_form"] = approve_form or ApproveForm(partner_request=partner_request)
        context["decline_form"] = decline_form or DeclineForm()
    return render(request, "partners/request_detail.html", context, status=status)


def _refused(request, partner_request, form, exc: ValidationError):
    """A decision the service refused: by field, next to the form's fields (None: show the form
    again); a request decided meanwhile, or a refusal without a field, as a message on its page."""
    if not partner_request.is_pending or not hasattr(exc, "error_dict"):
        flash_errors(request, exc)
        return redirect("partners:request-detail", pk=partner_request.pk)
    add_service_errors(form, exc)
    return None


def _visible(request, pk) -> PartnerRequest:
    return get_visible_or_404(partner_request_visible_to(request.user).select_related("agency", "decided_by"), pk=pk)


@role_required("ipo_staff")
def request_detail(request, pk):
    partner_request = _visible(request, pk)
    audit_read(actor=request.user, obj=partner_request, event="read.partner_request", request=request)
    return _detail(request, partner_request)


@require_POST
@role_required("ipo_staff")
def request_approve(request, pk):
    partner_request = _visible(request, pk)
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            agency, user = services.partner_request_approve(partner_request=partner_request, actor=request.user,
                                                            request=request, **form.cleaned_data)
        except ValidationError as exc:
            if refused := _refused(request, partner_request, form, exc):
                return refused
        else:
            messages.success(request, _("%(agency)s is a partner agency. %(email)s is invited to choose a password "
                                        "and sign in as its coordinator.") % {"agency": agency.name,
                                                                              "email": user.email})
            return redirect("partners:request-detail", pk=partner_request.pk)
    return _detail(request, partner_request, approve_form=form, status=400)


@require_POST
@role_required("ipo_staff")
def request_decline(request, pk):
    partner_request = _visible(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            services.partner_request_decline(partner_request=partner_request, actor=request.user,
                                             reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            if refused := _refused(request, partner_request, form, exc):
                return refused
        else:
            messages.success(request, _("The request is declined; the reason is sent to %(email)s.")
                             % {"email": partner_request.contact_email})
            return redirect("partners:request-detail", pk=partner_request.pk)
    return _detail(request, partner_request, decline_form=form, status=400)
