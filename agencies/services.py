"""Writes for officers and their clearances: keyword-only, atomic, permission-checked.

Each service checks the actor with the predicates of `agencies.permissions` (PermissionDenied)
and reports invalid data as a ValidationError keyed by field, so a form shows it next to the
field: a duplicate badge number next to `badge_number`, a second clearance of a kind next to `kind`.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from .models import Clearance, Language, Officer, User
from .permissions import (
    can_create_officer,
    can_edit_own_profile,
    can_manage_officer,
    can_read_clearance_details,
    is_coordinator,
)

# Multi-field constraints report a non-field error; these say which field the user must change.
OFFICER_CONSTRAINT_FIELDS = {"officer_badge_unique_in_agency": "badge_number"}
CLEARANCE_CONSTRAINT_FIELDS = {"clearance_one_per_kind": "kind"}

# The only officer fields an officer may change on their own profile.
PROFILE_FIELDS = ("email", "phone", "english_level", "french_level", "manual_driving")


def _full_clean(instance: models.Model, *, constraint_fields: dict[str, str]) -> None:
    """`full_clean()`, with each constraint's error attached to the field named in `constraint_fields`."""
    errors: dict = {}
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    for model_class, constraints in instance.get_constraints():
        for constraint in constraints:
            try:
                constraint.validate(model_class, instance, exclude=set(errors))
            except ValidationError as exc:
                field = constraint_fields.get(constraint.name, NON_FIELD_ERRORS)
                errors.setdefault(field, []).extend(exc.error_list)
    if errors:
        raise ValidationError(errors)


def _save(instance: models.Model, *, constraint_fields: dict[str, str], **save_kwargs) -> None:
    """Save; a constraint lost to a concurrent write becomes the same ValidationError as when checked first."""
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError:
        _full_clean(instance, constraint_fields=constraint_fields)
        raise


# --- officers ----------------------------------------------------------------------------------

@transaction.atomic
def officer_create(*, actor: User, officer: Officer) -> Officer:
    """Add an officer. A coordinator's officer always joins the coordinator's own agency."""
    if officer.pk:
        raise ValueError("officer_create() adds a new officer; use officer_update().")
    if not can_create_officer(actor):
        raise PermissionDenied(_("Only IPO staff and agency coordinators may add officers."))
    if is_coordinator(actor):
        officer.agency_id = actor.agency_id
    if officer.agency_id and not can_manage_officer(actor, officer):
        raise PermissionDenied(_("You may not add officers to this agency."))
    _full_clean(officer, constraint_fields=OFFICER_CONSTRAINT_FIELDS)
    _save(officer, constraint_fields=OFFICER_CONSTRAINT_FIELDS)
    return officer


@transaction.atomic
def officer_update(*, actor: User, officer: Officer) -> Officer:
    """Save changes to an officer's profile. A coordinator cannot move an officer to another agency."""
    current = Officer.objects.select_for_update().get(pk=officer.pk)
    if not can_manage_officer(actor, current):
        raise PermissionDenied(_("You may not edit this officer."))
    if is_coordinator(actor):
        officer.agency_id = current.agency_id
    if not can_manage_officer(actor, officer):
        raise PermissionDenied(_("You may not move this officer to that agency."))
    officer.user_id = current.user_id
    if current.user_id:  # the officer signs in: their own choice of language stands
        officer.preferred_language = current.preferred_language
    if officer.agency_id != current.agency_id and current.user_id:
        login_agency = User.objects.filter(pk=current.user_id).values_list("agency_id", flat=True).first()
        if login_agency != officer.agency_id:
            raise ValidationError(
                {"agency": _("This officer signs in with an account of another agency; change that account first.")}
            )
    _full_clean(officer, constraint_fields=OFFICER_CONSTRAINT_FIELDS)
    _save(officer, constraint_fields=OFFICER_CONSTRAINT_FIELDS)
    return officer


# --- clearances --------------------------------------------------------------------------------

def _officer_for_clearance_change(actor: User, clearance: Clearance) -> Officer:
    """Lock the clearance's officer and check that `actor` may change their clearances."""
    officer = Officer.objects.select_for_update().get(pk=clearance.officer_id)
    if not can_manage_officer(actor, officer):
        raise PermissionDenied(_("You may not change this officer's clearances."))
    return officer


@transaction.atomic
def clearance_save(*, actor: User, clearance: Clearance) -> Clearance:
    """Add or change a clearance; an officer has at most one clearance of each kind.

    Need to know: an actor who may not read a medical or psychological clearance's details
    (a coordinator) records and renews its valid-until date only. Its stored reference is kept
    whatever they send, its kind cannot change, and they cannot write a reference into one."""
    officer = _officer_for_clearance_change(actor, clearance)
    stored = None
    if clearance.pk:
        stored = Clearance.objects.filter(pk=clearance.pk).values("officer_id", "kind", "reference").first()
        if stored is None or stored["officer_id"] != officer.pk:
            raise PermissionDenied(_("This clearance belongs to another officer."))
    if stored and not can_read_clearance_details(actor, Clearance(officer=officer, kind=stored["kind"])):
        if clearance.kind != stored["kind"]:
            raise ValidationError({"kind": [_("Only IPO staff may change the kind of a medical or "
                                              "psychological clearance.")]})
        clearance.reference = stored["reference"]
    elif (clearance.reference or "").strip() and not can_read_clearance_details(actor, clearance):
        raise ValidationError({"reference": [_("Only IPO staff record the reference of a medical or "
                                               "psychological clearance: leave it empty.")]})
    _full_clean(clearance, constraint_fields=CLEARANCE_CONSTRAINT_FIELDS)
    _save(clearance, constraint_fields=CLEARANCE_CONSTRAINT_FIELDS)
    return clearance


@transaction.atomic
def clearance_delete(*, actor: User, clearance: Clearance) -> None:
    officer = _officer_for_clearance_change(actor, clearance)
    Clearance.objects.filter(pk=clearance.pk, officer=officer).delete()


# --- an officer's own profile ------------------------------------------------------------------

@transaction.atomic
def profile_update(
    *,
    actor: User,
    officer: Officer,
    email: str,
    phone: str,
    english_level: int | None,
    french_level: int | None,
    manual_driving: bool | None,
    preferred_language: str,
) -> Officer:
    """An officer updates their contact details, language levels, manual driving and interface language.

    Only these fields are written: the stored officer is reloaded, so any other change made to
    `officer` in memory (badge, agency, rank, dates...) is ignored.
    """
    current = Officer.objects.select_for_update().get(pk=officer.pk)
    if not can_edit_own_profile(actor, current):
        raise PermissionDenied(_("You may only edit your own profile."))
    changes = {
        "email": email,
        "phone": phone,
        "english_level": english_level,
        "french_level": french_level,
        "manual_driving": manual_driving,
    }
    for field, value in changes.items():
        setattr(current, field, value)
    errors: dict = {}
    others = [f.name for f in Officer._meta.concrete_fields if f.name not in PROFILE_FIELDS]
    try:
        current.clean_fields(exclude=others)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if preferred_language not in Language.values:
        errors.setdefault("preferred_language", []).append(ValidationError(_("Choose English or French.")))
    if errors:
        raise ValidationError(errors)
    current.preferred_language = preferred_language  # what the officer form shows, and the emails follow
    current.save(update_fields=[*PROFILE_FIELDS, "preferred_language", "updated_at"])
    if actor.preferred_language != preferred_language:
        actor.preferred_language = preferred_language
        actor.save(update_fields=["preferred_language"])
    return current


@transaction.atomic
def user_set_language(*, user: User, language: str) -> bool:
    """Remember the language a signed-in person chose with the switcher: pages and emails
    then follow it. Returns whether it changed."""
    from django.conf import settings

    if not getattr(user, "is_authenticated", False) or language not in dict(settings.LANGUAGES):
        return False
    changed = User.objects.filter(pk=user.pk).exclude(preferred_language=language).update(
        preferred_language=language
    ) == 1
    if changed:  # an officer's profile says the same (the officer form shows it)
        Officer.objects.filter(user_id=user.pk).update(preferred_language=language)
    return changed
