"""Requests to join the program as a partner agency: received from the public page, then approved
(the agency is created and its first coordinator invited) or declined with a reason by IPO staff.
Keyword-only, atomic; emails through the outbox; decisions in the audit trail (PartnerRequest and
Agency are tracked, and the invitation is a security event like an officer's)."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, PartnerRequest, Role, User
from agencies.permissions import is_ipo_staff
from audit.services import audit_security
from notifications.services import Recipient, mail_queue, recipient_for_user, staff_recipients

R = PartnerRequest.Status


@transaction.atomic
def partner_request_submit(
    *, name: str, kind: str, province: str, contact_name: str, contact_email: str, officers_interested: int,
    contact_phone: str = "", message: str = "", language: str = "en",
) -> PartnerRequest:
    """Record a request from the public page and tell IPO staff. Nothing is sent to the address
    given: a public form must not let anyone send mail to a stranger."""
    request_obj = PartnerRequest(
        name=(name or "").strip(), kind=kind, province=province, contact_name=(contact_name or "").strip(),
        contact_email=(contact_email or "").strip().lower(), contact_phone=(contact_phone or "").strip(),
        officers_interested=officers_interested, message=(message or "").strip(),
        language=language if language in ("en", "fr") else "en",
    )
    request_obj.full_clean()
    request_obj.save()
    mail_queue(recipients=staff_recipients(), template="partner_request_received",
               context={"partner_request": request_obj}, topic=f"partner-request:{request_obj.pk}")
    return request_obj


def _locked_pending(request_obj: PartnerRequest, actor) -> PartnerRequest:
    if not is_ipo_staff(actor):
        raise PermissionDenied(_("Only IPO staff decide on requests to join the program."))
    request_obj = PartnerRequest.objects.select_for_update().get(pk=request_obj.pk)
    if request_obj.status != R.PENDING:
        raise ValidationError(_("This request was already decided (%(status)s).")
                              % {"status": request_obj.get_status_display().lower()})
    return request_obj


def _decide(partner_request: PartnerRequest, *, status: str, actor, **fields) -> None:
    """Record the decision on the locked request (its status, who and when, and `fields`)."""
    fields.update(status=status, decided_by=actor, decided_at=timezone.now())
    for name, value in fields.items():
        setattr(partner_request, name, value)
    partner_request.save(update_fields=list(fields))


@transaction.atomic
def partner_request_approve(
    *, partner_request: PartnerRequest, actor, slug: str, name_en: str, name_fr: str, kind: str, province: str,
    language: str, partner_since: date, coordinator_email: str, coordinator_first_name: str,
    coordinator_last_name: str, mailbox: str = "", request=None,
) -> tuple[Agency, User]:
    """Create the partner agency and its first coordinator's login (no usable password), and email
    the coordinator a link to choose one, in the agency's language. Every problem is reported at once."""
    partner_request = _locked_pending(partner_request, actor)
    errors: dict[str, list] = {}
    email = (coordinator_email or "").strip().lower()
    if kind == Agency.Kind.RCMP:
        errors["kind"] = [_("The RCMP is already part of the program.")]
    if partner_since and partner_since > timezone.localdate():
        errors["partner_since"] = [_("The partnership cannot start in the future.")]
    if email and User.objects.filter(email__iexact=email).exists():
        errors["coordinator_email"] = [_("Another login already uses %(email)s.") % {"email": email}]
    if slug and Agency.objects.filter(slug=slug).exists():
        errors["slug"] = [_("Another agency already has this short name.")]
    agency = Agency(
        slug=slug, name_en=(name_en or "").strip(), name_fr=(name_fr or "").strip(), kind=kind, province=province,
        language=language, is_partner=True, partner_since=partner_since, mailbox=(mailbox or "").strip(),
    )
    try:
        agency.full_clean(validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if not email:
        errors["coordinator_email"] = [_("Enter the coordinator's email address: the invitation goes there.")]
    if not (coordinator_first_name or "").strip() and not (coordinator_last_name or "").strip():
        errors["coordinator_last_name"] = [_("Enter the coordinator's name.")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            agency.save()
            user = User(
                email=email, first_name=(coordinator_first_name or "").strip()[:150],
                last_name=(coordinator_last_name or "").strip()[:150], role=Role.COORDINATOR, agency=agency,
                preferred_language=language,
            )
            user.set_unusable_password()
            user.save()
    except IntegrityError:  # the same short name or address taken at the same moment
        raise ValidationError(_("This short name or email address was just taken. Check them and try again.")) \
            from None
    _decide(partner_request, status=R.APPROVED, actor=actor, agency=agency)
    mail_queue(
        recipients=[recipient_for_user(user)],
        template="partner_welcome",
        context={"user": user, "agency": agency, "inviter": actor},
        topic=f"user:{user.pk}:invitation",
        secret_link="set_password",
    )
    audit_security(event="account.invited", user=user, actor=actor, request=request,
                   detail={"partner_request": partner_request.pk, "agency": agency.slug})
    return agency, user


@transaction.atomic
def partner_request_decline(*, partner_request: PartnerRequest, actor, reason: str) -> PartnerRequest:
    """Decline the request and send the reason to its contact, in the language they wrote in."""
    partner_request = _locked_pending(partner_request, actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason: it is sent to the contact.")]})
    _decide(partner_request, status=R.DECLINED, actor=actor, reason=reason)
    mail_queue(
        recipients=[Recipient(email=partner_request.contact_email, language=partner_request.language,
                              name=partner_request.contact_name)],
        template="partner_request_declined",
        context={"partner_request": partner_request},
        topic=f"partner-request:{partner_request.pk}",
    )
    return partner_request
