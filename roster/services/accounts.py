"""Logins for officers: an invitation to set a password, and password resets, both sent
through the outbox in the person's language. (Accounts live in `agencies`; the emails in
`notifications`, which sits above it, so the service that joins them lives here.)"""

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from agencies.models import Officer, Role, User
from agencies.permissions import can_manage_officer
from notifications.services import mail_queue, recipient_for_user


def set_password_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)})


@transaction.atomic
def officer_invite(*, officer: Officer, actor) -> User:
    """Give an officer a login: a user tied to the officer and their agency, with no usable
    password, and an email (in the agency's language) with a link to choose one."""
    officer = Officer.objects.select_for_update(of=("self",)).select_related("agency").get(pk=officer.pk)
    if not can_manage_officer(actor, officer):
        raise PermissionDenied(_("Only IPO staff and the officer's coordinator invite an officer."))
    if officer.user_id:
        raise ValidationError(_("%(name)s already has a login.") % {"name": officer.full_name})
    email = (officer.email or "").strip().lower()
    if not email:
        raise ValidationError(_("Add the officer's email address first: the invitation goes there."))
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("Another login already uses %(email)s.") % {"email": email})
    user = User(
        email=email, first_name=officer.first_name, last_name=officer.last_name, role=Role.OFFICER,
        agency=officer.agency, preferred_language=officer.agency.language,
    )
    user.set_unusable_password()
    user.save()
    officer.user = user
    officer.save(update_fields=["user", "updated_at"])
    mail_queue(
        recipients=[recipient_for_user(user)],
        template="invitation",
        context={"user": user, "officer": officer, "agency": officer.agency, "inviter": actor,
                 "set_password_path": set_password_path(user)},
        topic=f"user:{user.pk}:invitation",
    )
    return user


@transaction.atomic
def password_reset_request(*, email: str) -> int:
    """Queue a reset link to the active login with this address, if any. Says nothing
    either way (the page does not reveal who has a login)."""
    users = [u for u in User.objects.filter(email__iexact=(email or "").strip(), is_active=True)]
    for user in users:
        mail_queue(
            recipients=[recipient_for_user(user)],
            template="password_reset",
            context={"user": user, "set_password_path": set_password_path(user)},
            topic=f"user:{user.pk}:password-reset",
        )
    return len(users)
