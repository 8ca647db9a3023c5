"""The outbox page: what was sent, what is waiting, what failed (IPO staff only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from agencies.access import get_visible_or_404, role_required
from agencies.selectors import officer_for_user
from audit.services import audit_read
from config.pagination import seek_page, set_row_datetimes, set_row_urls

from .kinds import KIND_LABELS, kind_choices, kind_label
from .models import OutgoingMail
from .selectors import (
    MAIL_ORDER,
    OUTBOX_COUNT_CAP,
    OUTBOX_ORDER,
    mail_visible_parts,
    mail_visible_to,
    outbox_counts,
    outbox_search,
    outbox_visible_to,
)
from .services import mail_resend

OUTBOX_PER_PAGE = 50


def _labelled(rows, **urls: str):
    """Each row's status and kind in words, its badge, its times and its addresses (`urls`: attribute
    -> URL name), each looked up once per page rather than by the template for every row."""
    from agencies.templatetags.ui import badge_class, status_badges

    statuses = status_badges(OutgoingMail.Status.choices)
    kinds = {}
    for m in rows:
        m.status_label, m.badge = statuses.get(m.status, (m.status, badge_class(m.status)))
        if m.kind not in kinds:
            kinds[m.kind] = str(kind_label(m.kind)) if m.kind else ""
        m.kind_text = kinds[m.kind]
    set_row_urls(rows, **urls)
    set_row_datetimes(rows, created_text="created_at", sent_text="sent_at")
    return rows


def _count_shown(n: int, more: bool) -> str:
    """A tab's count as shown: the number, or "1,000+" when there are more than that."""
    shown = number_format(n, force_grouping=True)
    return _("%(count)s+") % {"count": shown} if more else shown


@role_required("ipo_staff")
def outbox(request):
    """The outbox, newest first, paged by key (no COUNT, no OFFSET). Each status tab counts the
    search's messages up to OUTBOX_COUNT_CAP ("1,000+" beyond), in one query."""
    status = request.GET.get("status", "")
    if status not in OutgoingMail.Status.values:
        status = ""
    kind = request.GET.get("kind", "")
    if kind not in KIND_LABELS:
        kind = ""
    q = request.GET.get("q", "").replace("\x00", "").strip()
    found = outbox_search(request.user, q=q, kind=kind)
    counts = outbox_counts(found, cap=OUTBOX_COUNT_CAP)
    # (value, label, the exact count or None above the cap, the count as shown)
    tabs = [
        (value, label, None if counts[value] > OUTBOX_COUNT_CAP else counts[value],
         _count_shown(min(counts[value], OUTBOX_COUNT_CAP), counts[value] > OUTBOX_COUNT_CAP))
        for value, label in OutgoingMail.Status.choices
    ]
    total, more = sum(min(n, OUTBOX_COUNT_CAP) for n in counts.values()), any(t[2] is None for t in tabs)
    tabs.insert(0, ("", _("All"), None if more else total, _count_shown(total, more)))
    mails = found.filter(status=status) if status else found
    page = seek_page(
        mails.defer("body_text", "body_html"), order=OUTBOX_ORDER, size=OUTBOX_PER_PAGE,
        after=request.GET.get("after", ""), before=request.GET.get("before", ""),
    )
    _labelled(page.object_list, url="notifications:outbox-detail", resend_url="notifications:outbox-resend")
    return render(request, "notifications/outbox.html", {
        "page": page, "status": status, "q": q, "kind": kind, "kinds": kind_choices(), "tabs": tabs,
    })


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
    """A person's messages, newest first, paged by key: each of the two ways a message reaches
    them (login, address) reads one page of its own index."""
    parts = tuple(part.defer("body_text", "body_html") for part in mail_visible_parts(request.user))
    page = seek_page(parts, order=MAIL_ORDER, size=MESSAGES_PER_PAGE,
                     after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    _labelled(page.object_list, url="notifications:my-message-detail")
    return render(request, "notifications/my_messages.html", {"page": page})


@login_required
def my_message_detail(request, pk):
    mail = get_visible_or_404(mail_visible_to(request.user), pk=pk)
    return render(request, "notifications/my_message_detail.html", {"mail": mail})
