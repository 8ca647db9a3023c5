"""Writes of assessment sessions: keyword-only, atomic. Every change to a session's seats locks the session
row first (select_for_update), so two registrations racing for the last seat, or a withdrawal racing a
registration, are taken one after the other: the seats never exceed the capacity and the waiting list
keeps its order."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Clearance, Officer
from agencies.permissions import is_coordinator, is_ipo_staff
from notifications.services import coordinator_recipients, mail_queue, officer_recipients
from roster.services.deployments import add_months

from .models import (
    AssessmentResult,
    AssessmentSession,
    Outcome,
    Registration,
    RegistrationState,
    ResultValue,
    SessionStatus,
)
from .permissions import can_manage_sessions, can_record_results, can_register, can_withdraw

SESSION_FIELDS = ("kind", "starts_on", "ends_on", "place", "language", "capacity", "women_only",
                  "includes_firearms", "notes")


def clearance_months() -> int:
    return settings.ROSTER.get("UN_ASSESSMENT_VALID_MONTHS", 24)


def _lock(session: AssessmentSession) -> AssessmentSession:
    return AssessmentSession.objects.select_for_update().get(pk=session.pk)


def _seats_taken(session) -> int:
    return Registration.objects.filter(session=session, state=RegistrationState.REGISTERED).count()


def _check_session(values: dict) -> None:
    errors = {}
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts and ends and ends < starts:
        errors["ends_on"] = [_("The last day cannot be before the first day.")]
    if values.get("capacity") is not None and values["capacity"] < 1:
        errors["capacity"] = [_("A session has at least one seat.")]
    if not (values.get("place") or "").strip():
        errors["place"] = [_("Say where the session takes place.")]
    if errors:
        raise ValidationError(errors)


def _notify(template: str, registration: Registration, **extra) -> None:
    officer = registration.officer
    recipients = officer_recipients(officer) + coordinator_recipients(officer.agency_id)
    mail_queue(recipients=recipients, template=template, topic=f"session-{registration.session_id}",
               context={"registration": registration, "session": registration.session, "officer": officer, **extra})


# --- sessions -------------------------------------------------------------------------------------------

@transaction.atomic
def session_schedule(*, actor, kind: str, starts_on: date, ends_on: date, place: str, language: str,
                     capacity: int, women_only: bool = False, includes_firearms: bool = False,
                     notes: str = "") -> AssessmentSession:
    if not can_manage_sessions(actor):
        raise PermissionDenied
    values = {"kind": kind, "starts_on": starts_on, "ends_on": ends_on, "place": place.strip(),
              "language": language, "capacity": capacity, "women_only": women_only,
              "includes_firearms": includes_firearms, "notes": notes}
    _check_session(values)
    return AssessmentSession.objects.create(created_by=actor, **values)


@transaction.atomic
def session_update(*, session: AssessmentSession, actor, **changes) -> AssessmentSession:
    """Change a scheduled session. Fewer seats than are taken, or women-only with other officers
    registered, is refused; more seats move the waiting list up, in order, until the session starts."""
    if not can_manage_sessions(actor):
        raise PermissionDenied
    unknown = set(changes) - set(SESSION_FIELDS)
    if unknown:
        raise TypeError(f"Unknown session fields: {sorted(unknown)}")
    session = _lock(session)
    if session.is_cancelled:
        raise ValidationError(_("This session was cancelled: it can no longer be changed."))
    values = {f: changes.get(f, getattr(session, f)) for f in SESSION_FIELDS}
    values["place"] = (values["place"] or "").strip()
    _check_session(values)
    taken = _seats_taken(session)
    if values["capacity"] < taken:
        raise ValidationError({"capacity": [_("%(n)s seats are taken: the session cannot have fewer.") % {"n": taken}]})
    if values["women_only"] and not session.women_only:
        others = Registration.objects.filter(
            session=session, state__in=[RegistrationState.REGISTERED, RegistrationState.WAITLISTED]
        ).exclude(officer__gender=Officer.Gender.WOMAN).count()
        if others:
            raise ValidationError({"women_only": [
                _("Officers who are not women are registered: withdraw them before making the session "
                  "women-only.")]})
    # once results are recorded, what they mean is fixed: the components assessed, the kind (a SAAT's pass
    # is the UN assessment) and the last day (the clearance runs from it)
    fixed = [f for f in ("kind", "includes_firearms", "ends_on") if values[f] != getattr(session, f)]
    if fixed and AssessmentResult.objects.filter(registration__session=session).exists():
        raise ValidationError({f: [_("Results are recorded for this session: this can no longer be changed.")]
                               for f in fixed})
    for f, v in values.items():
        setattr(session, f, v)
    session.save()
    if not session.has_started():  # once it has started, no one on the waiting list can still take a seat
        _fill_seats(session, free=values["capacity"] - taken)
    return session


@transaction.atomic
def session_cancel(*, session: AssessmentSession, actor, reason: str) -> AssessmentSession:
    if not can_manage_sessions(actor):
        raise PermissionDenied
    session = _lock(session)
    if session.is_cancelled:
        raise ValidationError(_("This session is already cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the session is cancelled.")]})
    if Registration.objects.filter(session=session).exclude(outcome="").exists():
        raise ValidationError(_("Results are recorded for this session: it cannot be cancelled."))
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = reason
    session.save(update_fields=["status", "cancel_reason", "updated_at"])
    active = list(Registration.objects.filter(
        session=session, state__in=[RegistrationState.REGISTERED, RegistrationState.WAITLISTED])
        .select_related("officer", "officer__agency", "officer__user", "session"))
    for registration in active:
        _notify("session_cancelled", registration)
    return session


# --- registrations --------------------------------------------------------------------------------------

def _fill_seats(session: AssessmentSession, *, free: int) -> list[Registration]:
    """Move the first `free` officers of the waiting list up (the session is locked by the caller)."""
    if free <= 0:
        return []
    promoted = list(Registration.objects.filter(session=session, state=RegistrationState.WAITLISTED)
                    .select_related("officer", "officer__agency", "officer__user", "session")
                    .order_by("position", "id")[:free])
    now = timezone.now()
    for registration in promoted:
        registration.state = RegistrationState.REGISTERED
        registration.position = None
        registration.promoted_at = now
        registration.save(update_fields=["state", "position", "promoted_at"])
        _notify("session_promoted", registration)
    return promoted


@transaction.atomic
def registration_create(*, session: AssessmentSession, officer: Officer, actor, note: str = "") -> Registration:
    """Register `officer` for `session`: a seat while there is one, else the end of the waiting list.
    A coordinator registers only their own agency's officers; a women-only session takes only women."""
    if not (is_ipo_staff(actor) or is_coordinator(actor)):
        raise PermissionDenied
    if is_coordinator(actor) and officer.agency_id != actor.agency_id:
        raise PermissionDenied
    if not can_register(actor, session):
        raise ValidationError(_("Registration for this session is closed."))
    session = _lock(session)
    if session.is_cancelled or session.has_started():
        raise ValidationError(_("Registration for this session is closed."))
    if not officer.is_active or officer.anonymised_at:
        raise ValidationError({"officer": [_("This officer is no longer active.")]})
    if session.women_only and officer.gender != Officer.Gender.WOMAN:
        raise ValidationError({"officer": [
            _("This session is for women only: %(name)s cannot be registered.") % {"name": officer.full_name}]})
    existing = Registration.objects.filter(session=session, officer=officer).first()
    if existing is not None and existing.is_active:
        raise ValidationError({"officer": [_("%(name)s is already registered for this session.")
                                           % {"name": officer.full_name}]})
    registration = existing or Registration(session=session, officer=officer)
    registration.registered_by = actor
    registration.note = (note or "").strip()
    registration.created_at = timezone.now()
    registration.withdrawn_at = None
    registration.withdrawn_by = None
    registration.promoted_at = None
    registration.outcome = ""
    if _seats_taken(session) < session.capacity:
        registration.state = RegistrationState.REGISTERED
        registration.position = None
    else:
        last = Registration.objects.filter(session=session, state=RegistrationState.WAITLISTED) \
            .aggregate(m=Max("position"))["m"] or 0
        registration.state = RegistrationState.WAITLISTED
        registration.position = last + 1
    registration.save()
    registration.session = session
    _notify("session_registration", registration)
    return registration


@transaction.atomic
def registration_withdraw(*, registration: Registration, actor) -> Registration:
    """Withdraw a registration before the session: its seat goes to the first on the waiting list."""
    session = _lock(registration.session)
    registration = Registration.objects.select_for_update(of=("self",)).select_related("officer", "session").get(
        pk=registration.pk)
    registration.session = session
    if not registration.is_active:
        raise ValidationError(_("This registration was already withdrawn."))
    if not can_withdraw(actor, registration):
        if session.is_cancelled:
            raise ValidationError(_("This session was cancelled: it can no longer be changed."))
        if session.has_started():
            raise ValidationError(_("The session has started: the registration can no longer be withdrawn."))
        raise PermissionDenied
    had_seat = registration.state == RegistrationState.REGISTERED
    registration.state = RegistrationState.WITHDRAWN
    registration.position = None
    registration.withdrawn_at = timezone.now()
    registration.withdrawn_by = actor
    registration.save(update_fields=["state", "position", "withdrawn_at", "withdrawn_by"])
    if had_seat:
        _fill_seats(session, free=session.capacity - _seats_taken(session))
    return registration


# --- results --------------------------------------------------------------------------------------------

def outcome_of(session: AssessmentSession, results: dict[str, str]) -> str:
    """The overall outcome of one officer's `results` (component -> pass/fail/absent): a fail or an
    absence on a required component fails; a pass on every required one passes; else not known yet."""
    required = session.required_components()
    values = [results.get(c) for c in required]
    if any(v in (ResultValue.FAIL, ResultValue.ABSENT) for v in values):
        return Outcome.FAIL
    if all(v == ResultValue.PASS for v in values):
        return Outcome.PASS
    return ""


def un_assessment_renew(*, officer_id: int, session: AssessmentSession) -> Clearance:
    """Create or renew the officer's UN assessment clearance: valid the setting's months from the
    session's last day (never shortened by an older session's pass)."""
    until = add_months(session.ends_on, clearance_months())
    # the officer's row is the lock: two sessions' passes recorded at once make one clearance
    Officer.objects.select_for_update().filter(pk=officer_id).first()
    clearance = Clearance.objects.select_for_update().filter(
        officer_id=officer_id, kind=Clearance.Kind.UN_ASSESSMENT).first()
    reference = f"SAAT {session.ends_on.isoformat()}, {session.place}"[:100]
    if clearance is None:
        return Clearance.objects.create(officer_id=officer_id, kind=Clearance.Kind.UN_ASSESSMENT, valid_until=until,
                                        reference=reference)
    if clearance.valid_until < until:
        clearance.valid_until = until
        clearance.reference = reference
        clearance.save(update_fields=["valid_until", "reference", "updated_at"])
    return clearance


@transaction.atomic
def results_record(*, session: AssessmentSession, actor, results: dict[int, dict[str, str]]) -> list[Registration]:
    """Record the results of the session's registered officers: `results` maps a registration id to
    {component: "pass" | "fail" | "absent" | ""} ("" leaves the component unrecorded). The firearms test
    counts only where the session includes it. A pass on every required component of a SAAT creates or
    renews the UN assessment clearance; a pass is final. Returns the registrations whose outcome changed."""
    if not is_ipo_staff(actor):
        raise PermissionDenied
    session = _lock(session)
    if not can_record_results(actor, session):
        raise ValidationError(_("Results are recorded once the session has started, unless it was cancelled."))
    required = session.required_components()
    registrations = {r.pk: r for r in Registration.objects.filter(
        session=session, state=RegistrationState.REGISTERED, pk__in=list(results))
        .select_related("officer", "officer__agency", "officer__user")}
    unknown = set(results) - set(registrations)
    if unknown:
        raise ValidationError(_("Results can only be recorded for officers holding a seat in this session."))
    existing: dict[int, dict[str, AssessmentResult]] = {}
    for r in AssessmentResult.objects.filter(registration_id__in=list(registrations)):
        existing.setdefault(r.registration_id, {})[r.component] = r
    now = timezone.now()
    changed = []
    for reg_id, values in results.items():
        registration = registrations[reg_id]
        registration.session = session
        mine = existing.get(reg_id, {})
        for component, value in values.items():
            if component not in required:
                if value:
                    raise ValidationError(_("This session does not include the %(component)s component.")
                                          % {"component": component})
                continue
            if value and value not in ResultValue.values:
                raise ValidationError(_("Unknown result: %(value)s.") % {"value": value})
            current = mine.get(component)
            if (current.result if current else "") == (value or ""):
                continue
            if registration.outcome == Outcome.PASS:
                raise ValidationError(_("The results of %(name)s are final: they passed.")
                                      % {"name": registration.officer.full_name})
            if not value:
                current.delete()
                mine.pop(component)
            elif current:
                current.result, current.recorded_by, current.recorded_at = value, actor, now
                current.save(update_fields=["result", "recorded_by", "recorded_at"])
            else:
                mine[component] = AssessmentResult.objects.create(
                    registration=registration, component=component, result=value, recorded_by=actor, recorded_at=now)
        outcome = outcome_of(session, {c: r.result for c, r in mine.items()})
        if outcome != registration.outcome:
            registration.outcome = outcome
            registration.outcome_at = now if outcome else None
            registration.save(update_fields=["outcome", "outcome_at"])
            changed.append(registration)
            if outcome == Outcome.PASS and session.grants_clearance:
                un_assessment_renew(officer_id=registration.officer_id, session=session)
            if outcome:
                _notify("session_result", registration,
                        results=[mine[c] for c in required if c in mine])
    return changed


def officer_sessions_erase(*, officer_id: int) -> None:
    """Anonymisation (privacy.hooks): the notes on the officer's registrations are erased; the
    registrations and results stay, as the sessions' record (the officer's name goes with the profile)."""
    Registration.objects.filter(officer_id=officer_id).exclude(note="").update(note="")
