"""The outbox page: what was sent, what is waiting, what failed (IPO staff only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from agencies.access import get_visible_or_404, role_required
from agencies.selectors import officer_for_user
from audit.services import audit_read

from .kinds import KIND_LABELS, kind_choices
from .models import OutgoingMail
from .selectors import outbox_counts, outbox_search, outbox_visible_to
from .services import mail_resend

OUTBOX_PER_PAGE = 50


@role_required("ipo_staff")
def outbox(request):
    status = request.GET.get("status", "")
    if status not in OutgoingMail.Status.values:
        status = ""
    kind = request.GET.get("kind", "")
    if kind not in KIND_LABELS:
        kind = ""
    q = request.GET.get("q", "").replace("\x00", "").strip()
    found = outbox_search(request.user, q=q, kind=kind)
    counts = outbox_counts(found)
    tabs = [("", _("All"), sum(counts.values()))] + [
        (value, label, counts[value]) for value, label in OutgoingMail.Status.choices
    ]
    mails = found.filter(status=status) if status else found
    page = Paginator(mails.defer("body_text", "body_html"), OUTBOX_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/outbox.html",
        {"page": page, "status": status, "q": q, "kind": kind, "kinds": kind_choices(), "tabs": tabs},
    )


@role_required("ipo_staff")
def outbox_detail(request, pk):
    """A message's text is personal data: reading it is recorded in the audit trail, against the
    recipient's officer record when the recipient is an officer (they see it among their reads)."""
    mail = get_visible_or_404(outbox_visible_to(request.user).select_related("user"), pk=pk)
    officer = officer_for_user(mail.user) if mail.user_id else None
    audit_read(actor=request.user, obj=mail, event="read.message", officer_id=getattr(officer, "pk", None),
               officer_user_id=mail.user_id, request=request)
    return render(request, "notifications/outbox_detail.html", {"mail": mail})


@role_required("ipo_staff")
@require_POST
def outbox_resend(request, pk):
    mail = get_visible_or_404(outbox_visible_to(request.user), pk=pk)
    if mail_resend(mail_ids=[mail.pk]):
        messages.success(request, _("The message to %(to)s is queued again.") % {"to": mail.to})
    else:
        messages.info(request, _("The message to %(to)s has not failed; there is nothing to resend.") % {"to": mail.to})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("notifications:outbox")
    return redirect(back)


MESSAGES_PER_PAGE = 25


@login_required
def my_messages(request):
    from .selectors import mail_visible_to

    mails = mail_visible_to(request.user).defer("body_text", "body_html").order_by("-created_at", "-id")
    page = Paginator(mails, MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/my_messages.html", {"page": page})


@login_required
def my_message_detail(request, pk):
    from .selectors import mail_visible_to

    mail = get_visible_or_404(mail_visible_to(request.user), pk=pk)
    return render(request, "notifications/my_message_detail.html", {"mail": mail})
