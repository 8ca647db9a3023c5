"""Writes of the talent pool: keyword-only, atomic. An officer joins, changes their entry or leaves;
their agency's coordinator confirms or declines the agency's support (a refusal says why)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Officer
from agencies.validators import validate_plausible_date
from notifications.services import coordinator_recipients, mail_queue, officer_recipients

from .models import AgencySupport, PoolEntry, PoolLanguage, Region, Speciality
from .permissions import can_join_pool, can_set_support

NOTE_MAX = 1000


def _codes(values, choices, field: str, errors: dict, *, required: bool) -> list[str]:
    values = list(dict.fromkeys(v for v in (values or []) if v))
    bad = [v for v in values if v not in choices.values]
    if bad:
        errors[field] = [_("Unknown choice: %(value)s.") % {"value": ", ".join(bad)}]
    elif required and not values:
        errors[field] = [_("Choose at least one.")]
    # kept in the order of the choices, so equal entries store equal lists
    return [v for v in choices.values if v in values]


def _is_own(actor, officer: Officer) -> bool:
    return can_join_pool(actor) and officer.user_id is not None and officer.user_id == actor.pk


@transaction.atomic
def pool_entry_save(*, officer: Officer, actor, regions, languages, specialities, available_from: date,
                    note: str = "") -> PoolEntry:
    """The officer says they are interested in future missions, or changes what they said. A new entry
    awaits the agency's support (the coordinators are told); a change keeps the agency's answer."""
    if not _is_own(actor, officer):
        raise PermissionDenied
    errors: dict = {}
    values = {
        "regions": _codes(regions, Region, "regions", errors, required=True),
        "languages": _codes(languages, PoolLanguage, "languages", errors, required=True),
        "specialities": _codes(specialities, Speciality, "specialities", errors, required=False),
    }
    if available_from is None:
        errors["available_from"] = [_("Say from when you could leave.")]
    else:
        try:
            validate_plausible_date(available_from)
        except ValidationError as exc:
            errors["available_from"] = exc.messages
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = [_("At most %(n)s characters.") % {"n": NOTE_MAX}]
    if errors:
        raise ValidationError(errors)
    # the officer's row is the lock: a double submission of a first entry makes one entry
    Officer.objects.select_for_update().filter(pk=officer.pk).first()
    entry = PoolEntry.objects.filter(officer=officer).first()
    created = entry is None
    if created:
        entry = PoolEntry(officer=officer, created_at=timezone.now())
    for f, v in values.items():
        setattr(entry, f, v)
    entry.available_from = available_from
    entry.note = note
    entry.save()
    if created:
        mail_queue(recipients=coordinator_recipients(officer.agency_id), template="pool_joined",
                   context={"entry": entry, "officer": officer}, topic=f"pool-{officer.pk}")
    return entry


@transaction.atomic
def pool_entry_leave(*, officer: Officer, actor) -> bool:
    """The officer is no longer interested: their entry goes. False if they had none."""
    if not _is_own(actor, officer):
        raise PermissionDenied
    deleted, _rows = PoolEntry.objects.filter(officer=officer).delete()
    return bool(deleted)


@transaction.atomic
def pool_support_set(*, entry: PoolEntry, actor, support: str, note: str = "") -> PoolEntry:
    """The officer's coordinator confirms or declines the agency's support; a refusal has a note. The
    officer is told."""
    entry = (PoolEntry.objects.select_for_update(of=("self",))
             .select_related("officer", "officer__agency", "officer__user").get(pk=entry.pk))
    if not can_set_support(actor, entry):
        raise PermissionDenied
    note = (note or "").strip()
    if support not in (AgencySupport.SUPPORTED, AgencySupport.NOT_SUPPORTED):
        raise ValidationError({"support": [_("Choose whether the agency supports the officer.")]})
    if support == AgencySupport.NOT_SUPPORTED and not note:
        raise ValidationError({"note": [_("Say why the agency does not support the officer.")]})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [_("At most %(n)s characters.") % {"n": NOTE_MAX}]})
    if entry.support == support and entry.support_note == note:
        return entry
    entry.support, entry.support_note = support, note
    entry.support_by, entry.support_at = actor, timezone.now()
    entry.save(update_fields=["support", "support_note", "support_by", "support_at", "updated_at"])
    mail_queue(recipients=officer_recipients(entry.officer), template="pool_support",
               context={"entry": entry, "officer": entry.officer}, topic=f"pool-{entry.officer_id}")
    return entry


def officer_pool_erase(*, officer_id: int) -> None:
    """Anonymisation (privacy.hooks): the officer's talent pool entry goes."""
    PoolEntry.objects.filter(officer_id=officer_id).delete()
