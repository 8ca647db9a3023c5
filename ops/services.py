"""Operations that change data, called by the operators' management commands."""

from dataclasses import dataclass

import structlog
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from agencies.models import Language, Role

logger = structlog.get_logger(__name__)


@dataclass
class AdminResult:
    user_id: int
    created: bool
    role: str = ""


def ipo_admin_create(*, email: str, password: str, name: str = "", language: str = "en") -> AdminResult:
    """The first IPO administrator: an IPO staff login with administration rights (staff and
    superuser, so that it can open the admin and create the other logins), made as
    `User.objects.create_superuser` makes one. Two-step verification is set up at the first sign-in
    where the settings require it (production). A login with that email already there is left
    exactly as it is (`created` False): running this again changes nothing.

    Raises ValidationError (messages that never repeat the password) for an invalid email, a
    missing or weak password (Django's AUTH_PASSWORD_VALIDATORS) or an unknown language."""
    user_model = get_user_model()
    email = user_model.objects.normalize_email((email or "").strip()).lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError("ROSTER_ADMIN_EMAIL is not a valid email address.")
    existing = user_model.objects.filter(email__iexact=email).values_list("pk", "role").first()
    if existing is not None:
        return AdminResult(user_id=existing[0], created=False, role=existing[1])
    if language not in Language.values:
        raise ValidationError(f"ROSTER_ADMIN_LANGUAGE must be one of {', '.join(Language.values)}.")
    if not password:
        raise ValidationError("ROSTER_ADMIN_PASSWORD is not set.")
    first_name, _, last_name = " ".join((name or "").split()).partition(" ")
    candidate = user_model(email=email, first_name=first_name, last_name=last_name, role=Role.IPO_STAFF)
    validate_password(password, user=candidate)
    try:
        with transaction.atomic():
            user = user_model.objects.create_superuser(
                email=email, password=password, first_name=first_name, last_name=last_name,
                role=Role.IPO_STAFF, preferred_language=language,
            )
    except IntegrityError:  # made meanwhile by another run (two containers starting together)
        pk, role = user_model.objects.filter(email__iexact=email).values_list("pk", "role").get()
        return AdminResult(user_id=pk, created=False, role=role)
    logger.info("ipo_admin_created", user_id=user.pk)
    return AdminResult(user_id=user.pk, created=True, role=user.role)
