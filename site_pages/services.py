"""Reports of a problem on a page: one email to every IPO staff login, through the outbox.

The request stores one batch (notifications.services.mail_batch_queue); a worker renders each
message in its reader's language. Nothing is stored but the batch and the outbox rows, and nothing is
sent to the address a visitor typed: a public form must not let anyone send mail to a stranger. The
page is kept only as a path of this site (never another site's address, which would put a link of the
sender's choosing in staff's mailbox), and the path of a page whose address carries a secret (a
password reset link) is cut to its route."""

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from agencies.models import Role
from notifications.models import MailBatch
from notifications.services import mail_batch_queue, staff_recipients

DESCRIPTION_MAX = 2000
PAGE_MAX = 500
KIND = "problem_report"
TOPIC = "problem-report"
# The batch's context loader (registered in SitePagesConfig.ready).
PROBLEM_MAIL = "problem-report"
# Pages whose address holds a secret: the report names the page, never the address.
SECRET_ADDRESSES = {"password_reset_confirm": "/accounts/password/reset/…/"}


def page_path(value: str, *, host: str = "") -> str:
    """The path (and query) of a page of this site from a full or relative address, or "" for anything
    else: another host, another scheme, a path no route answers, a protocol-relative "//host"."""
    value = (value or "").strip()[:PAGE_MAX]
    if not value:
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed IPv6 bracket: no page of this site
        return ""
    if parts.scheme and parts.scheme not in ("http", "https"):
        return ""
    if parts.netloc and parts.netloc != host:
        return ""
    path = parts.path
    if not path.startswith("/") or path.startswith("//"):
        return ""
    try:
        match = resolve(path)
    except Resolver404:
        return ""
    name = f"{match.namespace}:{match.url_name}" if match.namespace else (match.url_name or "")
    if name in SECRET_ADDRESSES:
        return SECRET_ADDRESSES[name]
    return f"{path}?{parts.query}" if parts.query else path


@transaction.atomic
def problem_report_submit(*, description: str, page: str = "", email: str = "", user=None,
                          language: str = "en") -> MailBatch | None:
    """Queue the report to every active IPO staff login, each in their language, as one batch. `user` is the signed-in
    reporter (their own address is used, whatever `email` says); `email` an anonymous visitor's optional
    address for an answer; `page` a path of this site (see `page_path`)."""
    description = (description or "").strip()
    errors = {}
    if not description:
        errors["description"] = _("Tell us what went wrong.")
    elif len(description) > DESCRIPTION_MAX:
        errors["description"] = _("Keep it to %(max)s characters.") % {"max": DESCRIPTION_MAX}
    signed_in = user is not None and user.is_authenticated
    email = "" if signed_in else (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter an email address like name@example.com, or leave it empty.")
    if page and (not page.startswith("/") or len(page) > PAGE_MAX):
        errors["page"] = _("The page's address is not one of this site's.")
    if errors:
        raise ValidationError(errors)
    context = {
        "description": description,
        "page": page,
        "language": "fr" if language == "fr" else "en",
        "reporter_id": user.pk if signed_in else None,
        "reporter_email": user.email if signed_in else email,
        "reporter_role": user.role if signed_in and user.role in Role.values else "",
    }
    recipients = [r._replace(topic=TOPIC) for r in staff_recipients()]
    return mail_batch_queue(recipients=recipients, template="problem_report", loader=PROBLEM_MAIL, context=context,
                            kind=KIND)


def problem_mail_context(context: dict, refs: list) -> list[dict]:
    """The report's template context, the same for every recipient, its reporter's role as a label
    each reads in their own language."""
    role = context.get("reporter_role") or ""
    shared = {**context, "reporter_role": Role(role).label if role in Role.values else ""}
    return [shared for _ref in refs]
