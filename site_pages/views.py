"""The pages every GC site links from its footer: terms and conditions, contact, and "Report a problem".
Public (no sign-in), like the privacy notice. Views parse input, call one service and redirect."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django_ratelimit.core import is_ratelimited

from agencies.access import add_service_errors

from .forms import ProblemReportForm
from .services import page_path, problem_report_submit


def terms(request):
    return render(request, "site_pages/terms.html")


def contact(request):
    return render(request, "site_pages/contact.html", {
        "contact_email": settings.ROSTER["CONTACT_EMAIL"],
        "privacy_email": settings.ROSTER["PRIVACY_CONTACT_EMAIL"],
        "duty_email": settings.ROSTER["IPO_DUTY_EMAIL"],
    })


def _rate(group, request):
    return settings.ROSTER["PROBLEM_REPORT_RATE"]


def report_problem(request):
    """GET: the form, the page the visitor came from (its Referer, a path of this site) in a hidden
    field. POST: queue the report to IPO staff. Rate-limited per client address; a robot that fills the
    honeypot is thanked and nothing is sent."""
    signed_in = request.user.is_authenticated
    status = 200
    if request.method == "POST":
        if is_ratelimited(request, group="problem-report", key="ip", rate=_rate, method="POST", increment=True):
            return render(request, "site_pages/too_many.html", status=429)
        form = ProblemReportForm(request.POST, signed_in=signed_in)
        if form.is_spam():
            return redirect("site_pages:report-problem-thanks")
        if form.is_valid():
            data = form.cleaned_data
            try:
                problem_report_submit(
                    description=data["description"], email=data.get("email", ""), user=request.user,
                    page=page_path(data["page"], host=request.get_host()),
                    language=(translation.get_language() or "en")[:2],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("site_pages:report-problem-thanks")
        status = 400
    else:
        came_from = page_path(request.headers.get("Referer", ""), host=request.get_host())
        form = ProblemReportForm(initial={"page": came_from}, signed_in=signed_in)
    page = form["page"].value() or ""
    return render(request, "site_pages/report_problem.html", {"form": form, "page": page}, status=status)


def report_problem_thanks(request):
    return render(request, "site_pages/report_problem_thanks.html")
