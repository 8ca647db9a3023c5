"""Privacy pages: the privacy notice, the Privacy Act access archive and the retention page.
Views parse input, call one service or selector and answer; the rules live in privacy.permissions,
privacy.selectors and privacy.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.decorators import recent_auth_required
from agencies.access import flash_errors, get_visible_or_404, require, role_required
from agencies.selectors import officer_for_user, officer_visible_to
from audit.services import audit_read

from .archive import archive_file, archive_filename
from .permissions import can_download_archive, is_own_record
from .selectors import due_since, officers_due_for_retention, retention_cutoff, retention_years
from .services import officer_anonymise

RETENTION_PER_PAGE = 25


def notice(request):
    """The full privacy notice, for everyone (signed in or not)."""
    return render(request, "privacy/notice.html", {"years": retention_years()})


# --- the Privacy Act access archive ---------------------------------------------------------

def _send_archive(request, officer):
    archive = archive_file(officer=officer, user=request.user)
    audit_read(actor=request.user, obj=officer, event="read.privacy_archive", officer_id=officer.pk,
               request=request)
    response = FileResponse(archive, as_attachment=True, filename=archive_filename(officer),
                            content_type="application/zip")
    response["Cache-Control"] = "no-store, private"
    return response


@role_required("officer")
def my_record(request):
    """An officer's own record: no password asked again (it is theirs)."""
    officer = officer_for_user(request.user)
    if officer is None:
        raise Http404
    return _send_archive(request, officer)


@login_required
def officer_record(request, pk):
    """IPO staff answering an access request (or the officer themself). Someone else's record in
    bulk is a sensitive action: the password is asked again when not given recently."""
    officer = get_visible_or_404(officer_visible_to(request.user), pk=pk)
    require(can_download_archive, request.user, officer)
    if is_own_record(request.user, officer):
        return _send_archive(request, officer)
    return recent_auth_required(_send_archive)(request, officer)


# --- retention --------------------------------------------------------------------------------

@role_required("ipo_staff")
def retention(request):
    today = timezone.localdate()
    page = Paginator(officers_due_for_retention(today), RETENTION_PER_PAGE).get_page(request.GET.get("page"))
    for officer in page:
        officer.due_since = due_since(officer.last_activity)
    return render(request, "privacy/retention.html", {
        "page": page, "years": retention_years(), "cutoff": retention_cutoff(today),
    })


@role_required("ipo_staff")
def retention_anonymise(request, pk):
    """GET: what anonymising this officer erases and keeps, and the button. POST: do it."""
    officer = get_visible_or_404(officer_visible_to(request.user), pk=pk)
    due = officers_due_for_retention().filter(pk=officer.pk).first()
    if due is None:
        if officer.anonymised_at:
            messages.info(request, _("This officer is already anonymised."))
        else:
            messages.error(request, _("This officer is not due for anonymisation: they have recent or open "
                                      "activity."))
        return redirect("privacy:retention")
    if request.method == "POST":
        try:
            officer_anonymise(officer=officer, actor=request.user)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Officer #%(id)s of %(agency)s is anonymised.")
                             % {"id": officer.pk, "agency": officer.agency.name})
        return redirect("privacy:retention")
    due.due_since = due_since(due.last_activity)
    return render(request, "privacy/retention_confirm.html", {"officer": due, "years": retention_years()})
