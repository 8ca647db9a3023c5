"""Deployments: from a selected application to coming home.

Every change writes a DeploymentEvent (who, when, what) and notifies the officer and
their coordinator through the outbox, in the same transaction.
"""

import calendar
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Clearance, Officer, User
from agencies.permissions import is_ipo_staff
from agencies.validators import validate_plausible_date
from missions.models import Mission
from notifications.services import mail_queue

from ..models import Application, ApplicationStatus, Deployment, DeploymentEvent, DeploymentRole
from ..notes import issue, render_issue
from ..permissions import recipient_can_read_cancellation_reason, recipient_can_read_repatriation_reason
from ..roles.selectors import deployment_role_matching, normal
from ..selectors import cancellation_reason_shown, repatriation_reason_shown
from ..tour_hooks import tour_ended
from .applications import _people_for, application_transition

D = Deployment.Status
CURRENT = (D.PLANNED, D.IN_MISSION)


def _day(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def arrival_confirm_days() -> int:
    """An arrival recorded further than this from the planned start needs an explicit confirmation."""
    return settings.ROSTER.get("ARRIVAL_CONFIRM_DAYS", 3)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    if not (1 <= year <= 9999):
        raise ValidationError({"planned_end_date": [_("This date is out of range.")]})
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _check_dates(**fields):
    errors = {}
    for name, value in fields.items():
        try:
            validate_plausible_date(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)


def _require_ipo(actor):
    if not is_ipo_staff(actor):
        raise PermissionDenied(_("Only IPO staff manage deployments."))


def tour_start():
    """The first day of a tour as an expression: the arrival once recorded, else the planned start."""
    return Coalesce("actual_start_date", "start_date")


def overlapping(*, officer_id: int, start: date, end: date, exclude_pk=None):
    """Deployments of the officer whose [start, end) meets [start, end). A tour runs from its arrival
    (else its planned start) to its actual (else planned) end; a cancelled one takes no days."""
    qs = (
        Deployment.objects.filter(officer_id=officer_id)
        .exclude(status=D.CANCELLED)
        .alias(tour_start=tour_start())
        .filter(tour_start__lt=end)
        .filter(Q(actual_end_date__isnull=False, actual_end_date__gt=start)
                | Q(actual_end_date__isnull=True, planned_end_date__gt=start))
    )
    return qs.exclude(pk=exclude_pk) if exclude_pk else qs


def _lock_officer(officer_id) -> None:
    """Serialise every change to one officer's tour dates, so the overlap check below is
    authoritative. Without it, concurrent creations for one officer race into the PostgreSQL
    exclusion constraint, which can answer with a deadlock instead of a clean refusal.
    Lock order everywhere: the application or deployment, then the mission, then the officer."""
    list(Officer.objects.select_for_update().filter(pk=officer_id).values_list("pk", flat=True))


def _check_no_overlap(*, officer_id, start, end, exclude_pk=None):
    clash = overlapping(officer_id=officer_id, start=start, end=end, exclude_pk=exclude_pk).first()
    if clash:
        raise ValidationError({"start_date": [
            _("The officer is already deployed from %(start)s to %(end)s (%(mission)s).")
            % {"start": clash.effective_start_date, "end": clash.end_date, "mission": clash.mission.code}
        ]})


def clearance_issues(*, officer, required_kinds, until: date) -> list[dict]:
    """The required clearances the officer lacks, or that expire before `until`, as stored warnings
    ({"code", "params"}: roster.notes), put into words in each reader's language."""
    held = {c.kind: c for c in Clearance.objects.filter(officer=officer)}
    issues = []
    for kind in required_kinds:
        c = held.get(kind)
        if c is None:
            issues.append(issue("clearance.missing", kind=kind))
        elif c.valid_until < until:
            issues.append(issue("clearance.expires", kind=kind, date=c.valid_until.isoformat()))
    return issues


def clearance_problems(*, officer, required_kinds, until: date) -> list[str]:
    """`clearance_issues` in words, in the active language."""
    return [render_issue(i) for i in clearance_issues(officer=officer, required_kinds=required_kinds, until=until)]


def strength_problems(*, mission: Mission, start: date, end: date, exclude_pk=None) -> list[str]:
    """`strength_issues` in words, in the active language."""
    return [render_issue(i) for i in strength_issues(mission=mission, start=start, end=end, exclude_pk=exclude_pk)]


def strength_issues(*, mission: Mission, start: date, end: date, exclude_pk=None) -> list[dict]:
    """Would one more officer exceed the mission's authorised strength or the program
    ceiling at any time in [start, end)? Counted over deployments overlapping the range.
    Stored warnings ({"code", "params"}: roster.notes)."""
    active = (
        Deployment.objects.filter(status__in=CURRENT)
        .alias(tour_start=tour_start())
        .filter(tour_start__lt=end)
        .filter(Q(actual_end_date__isnull=True, planned_end_date__gt=start)
                | Q(actual_end_date__isnull=False, actual_end_date__gt=start))
    )
    if exclude_pk:
        active = active.exclude(pk=exclude_pk)
    issues = []
    on_mission = active.filter(mission=mission).count()
    if on_mission + 1 > mission.authorized_strength:
        issues.append(issue("strength.mission", mission=mission.code, n=mission.authorized_strength, now=on_mission))
    ceiling = settings.ROSTER["PROGRAM_CEILING"]
    program = active.count()
    if program + 1 > ceiling:
        issues.append(issue("strength.ceiling", n=ceiling, now=program))
    return issues


def _log(deployment, *, action, actor, note="", data=None, notify=True) -> DeploymentEvent:
    event = DeploymentEvent.objects.create(
        deployment=deployment, action=action, actor=actor, note=note or "", data=data or {}
    )
    if notify:
        _notify(deployment, event)
    return event


# Events whose emails say more to some recipients than to others (roster.permissions): the action,
# the predicate deciding who may read the detail, and the context each audience gets.
def _need_to_know(deployment, event):
    if event.action == "repatriated":
        return recipient_can_read_repatriation_reason, lambda readable: {
            "note": event.note if readable else "",
            "repatriation_reason": repatriation_reason_shown(deployment, readable=readable),
        }
    if event.action == "cancelled":
        return recipient_can_read_cancellation_reason, lambda readable: {
            "note": "",
            "cancellation_reason": cancellation_reason_shown(deployment, readable=readable),
        }
    return None, None


def _notify(deployment, event) -> None:
    """Email the officer and their agency's coordinators. A repatriation's reason and note, and a
    cancellation's reason, reach only the recipients who may read them (roster.permissions); the
    others learn that the officer was repatriated early, or that the tour was cancelled before departure."""
    if deployment.application_id:
        recipients = _people_for(deployment.application)
    else:
        recipients = _people_for(Application(officer=deployment.officer))
    context = {"deployment": deployment, "event": event, "officer": deployment.officer,
               "mission": deployment.mission, "note": event.note, "repatriation_reason": "",
               "cancellation_reason": ""}
    can_read, shown = _need_to_know(deployment, event)
    if can_read is None:
        mail_queue(recipients=recipients, template="deployment_update", context=context,
                   topic=f"deployment:{deployment.pk}")
        return
    accounts = User.objects.in_bulk([r.user_id for r in recipients if r.user_id])
    audiences: dict[bool, list] = {True: [], False: []}
    for r in recipients:
        audiences[can_read(r, deployment, user=accounts.get(r.user_id))].append(r)
    for readable, group in audiences.items():
        if group:
            mail_queue(
                recipients=group,
                template="deployment_update",
                context={**context, **shown(readable)},
                topic=f"deployment:{deployment.pk}",
            )


def _resolve_role(role, other_en: str, other_fr: str) -> tuple[DeploymentRole | None, str, str]:
    """(catalogue role, other role in English, in French): a role of the catalogue that is still
    offered, or else a role written out in both languages. A text given as `role` (the API's field of
    the free-text days) is the catalogue's role of that English or French name, if there is one, else
    that text in both languages."""
    if isinstance(role, str):
        text, role = normal(role), None
        if text:
            role = deployment_role_matching(text)
            if role is None:
                return None, text, text
    if role is not None:
        # locked, so a role deactivated meanwhile (deployment_role_set_active locks it too) is refused
        current = DeploymentRole.objects.select_for_update().filter(pk=role.pk).values_list(
            "is_active", flat=True).first()
        if not current:
            raise ValidationError({"role": [_("This role is no longer offered: choose another, or write the role "
                                              "out.")]})
        return role, "", ""
    other_en, other_fr = normal(other_en), normal(other_fr)
    errors = {}
    if not other_en and not other_fr:
        raise ValidationError({"role": [_("Give the officer's role in the mission.")]})
    if not other_en:
        errors["role_other_en"] = [_("Give the role in English too.")]
    if not other_fr:
        errors["role_other_fr"] = [_("Give the role in French too.")]
    if errors:
        raise ValidationError(errors)
    return None, other_en[:200], other_fr[:200]


@transaction.atomic
def deployment_create(
    *, application: Application, actor, role: DeploymentRole | str | None = None, role_other_en: str = "",
    role_other_fr: str = "", start_date: date, planned_end_date: date | None = None,
    mission: Mission | None = None, replaces: Deployment | None = None,
    override_clearances: bool = False, override_strength: bool = False, override_reason: str = "",
    confirm_role_change: bool = False,
) -> Deployment:
    """Turn a selected application into a deployment; the application becomes deployed.

    The role is one of the catalogue's (`role`), or else written out in English and French
    (`role_other_en`, `role_other_fr`; see `_resolve_role`).
    A rotation (`replaces`) relieves a tour of the same mission that was not cancelled; one in another
    role than the tour it relieves is created only once confirmed (`confirm_role_change`), and the
    confirmation is kept in the creation event."""
    _require_ipo(actor)
    application = Application.objects.select_for_update(of=("self",)).select_related(
        "officer", "officer__agency", "officer__user", "bulletin", "bulletin__mission").get(pk=application.pk)
    if application.status != ApplicationStatus.SELECTED:
        raise ValidationError(_("Only a selected application can become a deployment."))
    if replaces is not None:  # as stored now, and not cancelled meanwhile (lock order: deployment, then mission)
        replaces = Deployment.objects.select_for_update().get(pk=replaces.pk)
    mission = mission or application.bulletin.mission
    # Serialise strength checks per mission (and program-wide through the ceiling count).
    mission = Mission.objects.select_for_update().get(pk=mission.pk)
    role, role_other_en, role_other_fr = _resolve_role(role, role_other_en, role_other_fr)
    new = Deployment(catalogue_role=role, role_other_en=role_other_en, role_other_fr=role_other_fr)
    _check_replaces(replaces, mission=mission)
    _check_dates(start_date=start_date, planned_end_date=planned_end_date)
    planned_end_date = planned_end_date or add_months(start_date, application.bulletin.duration_months)
    _check_dates(planned_end_date=planned_end_date)
    if planned_end_date <= start_date:
        raise ValidationError({"planned_end_date": [_("The planned end must come after the start.")]})
    _lock_officer(application.officer_id)
    _check_no_overlap(officer_id=application.officer_id, start=start_date, end=planned_end_date)

    overrides = {}
    reason = (override_reason or "").strip()
    # Kept as codes (roster.notes): the history reads them in each reader's language.
    problems = clearance_issues(officer=application.officer, required_kinds=application.bulletin.required_clearances,
                                until=planned_end_date)
    if problems:
        if not override_clearances:
            raise ValidationError({"override_clearances": [render_issue(p) for p in problems] + [
                str(_("Tick the override and give a reason to deploy anyway."))]})
        overrides["clearances"] = problems
    problems = strength_issues(mission=mission, start=start_date, end=planned_end_date)
    if problems:
        if not override_strength:
            raise ValidationError({"override_strength": [render_issue(p) for p in problems] + [
                str(_("Tick the override and give a reason to deploy anyway."))]})
        overrides["strength"] = problems
    if overrides and not reason:
        raise ValidationError({"override_reason": [_("Say why the deployment goes ahead despite the warnings.")]})
    # Last, so that a deployment refused anyway is not confirmed first.
    role_change = _role_change(replaces, new=new)
    if role_change and not confirm_role_change:
        raise ValidationError({"confirm_role_change": [
            _("The role differs from the one it replaces: %(new)s replaces %(old)s. Tick to confirm this "
              "rotation.") % {"new": new.role, "old": replaces.role}]})

    try:
        with transaction.atomic():
            deployment = Deployment.objects.create(
                officer=application.officer, mission=mission, application=application, catalogue_role=role,
                role_other_en=role_other_en, role_other_fr=role_other_fr,
                start_date=start_date, planned_end_date=planned_end_date, replaces=replaces,
                override_reason=reason if overrides else "",
            )
    except IntegrityError:  # the PostgreSQL exclusion constraint caught a concurrent overlap
        raise ValidationError({"start_date": [_("The officer already has a deployment over these dates.")]})
    application_transition(application=application, to=ApplicationStatus.DEPLOYED, actor=actor,
                           note_code="application.deployed", note_params={"mission": mission.code},
                           _by_deployment=True)
    _log(deployment, action="created", actor=actor, note=reason if overrides else "",
         data={"start": start_date.isoformat(), "planned_end": planned_end_date.isoformat(),
               "overrides": overrides, "replaces": replaces.pk if replaces else None,
               **({"role_change_confirmed": role_change} if role_change else {})})
    return deployment


def _check_replaces(replaces: Deployment | None, *, mission: Mission) -> None:
    """A rotation relieves a tour of the same mission, and a cancelled tour has no one to relieve."""
    if replaces is None:
        return
    if replaces.mission_id != mission.pk:
        raise ValidationError({"replaces": [_("A rotation replaces a deployment on the same mission.")]})
    if replaces.status == D.CANCELLED:
        raise ValidationError({"replaces": [
            _("This deployment was cancelled before departure: a cancelled tour has no one to relieve.")]})


def _same_role(a: Deployment, b: Deployment) -> bool:
    """The same role of the catalogue, or roles written out alike in either language, without regard to
    case and extra spaces: "Police  Adviser " is "police adviser"."""
    if a.catalogue_role_id and a.catalogue_role_id == b.catalogue_role_id:
        return True
    names_a, names_b = a.role_names, b.role_names
    return any(normal(names_a[lang]).casefold() == normal(names_b[lang]).casefold() and names_a[lang]
               for lang in ("en", "fr"))


def _role_change(replaces: Deployment | None, *, new: Deployment) -> list[dict] | None:
    """[old role, new role], each in both languages ({"en", "fr"}), when a rotation takes over in
    another role, else None."""
    if replaces is None or _same_role(replaces, new):
        return None
    return [replaces.role_names, new.role_names]


def _locked(deployment) -> Deployment:
    return Deployment.objects.select_for_update(of=("self",)).select_related(
        "officer", "officer__agency", "officer__user", "mission", "catalogue_role", "application",
        "application__officer",
        "application__officer__agency", "application__officer__user", "application__bulletin",
    ).get(pk=deployment.pk)


@transaction.atomic
def deployment_start(
    *, deployment: Deployment, actor, arrived_on: date | None, confirm_far_from_plan: bool = False
) -> Deployment:
    """planned -> in_mission: the officer arrived on `arrived_on`. The planned start stays as planned;
    the arrival is kept apart (`actual_start_date`). It cannot be in the future, and one further than
    ROSTER["ARRIVAL_CONFIRM_DAYS"] from the planned start is recorded only once confirmed."""
    _require_ipo(actor)
    deployment = _locked(deployment)
    if deployment.status != D.PLANNED:
        raise ValidationError(_("Only a planned deployment can start."))
    if arrived_on is None:
        raise ValidationError({"arrived_on": [_("Give the date the officer arrived in mission.")]})
    _check_dates(arrived_on=arrived_on)
    if arrived_on > timezone.localdate():
        raise ValidationError({"arrived_on": [
            _("Record the arrival once it has happened: the date cannot be in the future.")]})
    if arrived_on >= deployment.planned_end_date:
        raise ValidationError({"arrived_on": [_("The arrival must come before the planned end.")]})
    if arrived_on < deployment.start_date:  # the tour now begins earlier: the officer must be free
        _lock_officer(deployment.officer_id)
        _check_no_overlap(officer_id=deployment.officer_id, start=arrived_on, end=deployment.planned_end_date,
                          exclude_pk=deployment.pk)
    # Last, so that a date refused anyway is not confirmed first.
    days_off = abs((arrived_on - deployment.start_date).days)
    if days_off > arrival_confirm_days() and not confirm_far_from_plan:
        raise ValidationError({"confirm_far_from_plan": [
            _("The arrival is %(n)d days from the planned start (%(date)s). Check the date, then tick to "
              "confirm it.") % {"n": days_off, "date": _day(deployment.start_date)}]})
    deployment.status = D.IN_MISSION
    deployment.actual_start_date = arrived_on
    try:
        with transaction.atomic():
            deployment.save(update_fields=["status", "actual_start_date", "updated_at"])
    except IntegrityError:  # the PostgreSQL exclusion constraint caught a concurrent change
        raise ValidationError({"arrived_on": [_("The officer already has a deployment over these dates.")]})
    _log(deployment, action="started", actor=actor,
         data={"on": arrived_on.isoformat(), "planned": deployment.start_date.isoformat(),
               "confirmed": days_off > arrival_confirm_days()})
    return deployment


@transaction.atomic
def deployment_cancel(*, deployment: Deployment, actor, reason: str) -> Deployment:
    """planned -> cancelled: the tour is called off before departure, with a reason. The origin
    application returns from deployed to selected (IPO staff may deploy it again, or the officer or
    coordinator withdraw it), and the officer and their coordinator are emailed; the reason reaches
    only those who may read it (roster.permissions.can_read_cancellation_reason)."""
    _require_ipo(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for the cancellation.")]})
    deployment = _locked(deployment)
    if deployment.status == D.CANCELLED:
        raise ValidationError(_("This deployment is already cancelled."))
    if deployment.status == D.IN_MISSION:
        raise ValidationError(_("The officer is already in mission: repatriate or complete the tour instead."))
    if deployment.status != D.PLANNED:
        raise ValidationError(_("Only a planned deployment can be cancelled."))
    deployment.status = D.CANCELLED
    deployment.cancelled_at = timezone.now()
    deployment.cancellation_reason = reason
    deployment.save(update_fields=["status", "cancelled_at", "cancellation_reason", "updated_at"])
    application = deployment.application
    if application is not None and application.status == ApplicationStatus.DEPLOYED:
        # The reason stays off the application's timeline, which the coordinator reads.
        application_transition(
            application=application, to=ApplicationStatus.SELECTED, actor=actor, _by_deployment=True,
            note_code="application.deployment_cancelled", note_params={"mission": deployment.mission.code},
        )
    _log(deployment, action="cancelled", actor=actor, note=reason,
         data={"planned_start": deployment.start_date.isoformat(),
               "application_returned": bool(application is not None)})
    return deployment


@transaction.atomic
def deployment_complete(*, deployment: Deployment, actor, on: date | None = None) -> Deployment:
    """in_mission -> completed (the tour ended)."""
    _require_ipo(actor)
    deployment = _locked(deployment)
    if deployment.status != D.IN_MISSION:
        raise ValidationError(_("Only a deployment in mission can be completed."))
    on = on or min(timezone.localdate(), deployment.planned_end_date)
    if on < deployment.effective_start_date:
        raise ValidationError({"on": [_("The end cannot come before the start.")]})
    if on > timezone.localdate():
        raise ValidationError({"on": [_("Record the end of the tour once it has happened: the date cannot be in "
                                        "the future.")]})
    deployment.status = D.COMPLETED
    deployment.actual_end_date = on
    deployment.save(update_fields=["status", "actual_end_date", "updated_at"])
    _log(deployment, action="completed", actor=actor, data={"on": on.isoformat()})
    tour_ended(deployment)
    return deployment


@transaction.atomic
def deployment_repatriate(
    *, deployment: Deployment, actor, reason: str, note: str = "", on: date | None = None
) -> Deployment:
    """in_mission -> repatriated early, with a reason code. A planned tour is cancelled instead."""
    _require_ipo(actor)
    if reason not in Deployment.RepatriationReason.values:
        raise ValidationError({"reason": [_("Choose a repatriation reason.")]})
    if reason == Deployment.RepatriationReason.OTHER and not (note or "").strip():
        raise ValidationError({"note": [_("Explain the repatriation.")]})
    deployment = _locked(deployment)
    if deployment.status == D.PLANNED:
        raise ValidationError(_("The officer has not left yet: cancel the deployment instead of repatriating."))
    if deployment.status != D.IN_MISSION:
        raise ValidationError(_("Only a deployment in mission can be repatriated."))
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": [_("Record the return once it has happened: the date cannot be in the future.")]})
    if on < deployment.effective_start_date:
        raise ValidationError({"on": [_("The return cannot come before the arrival (%(date)s).")
                                      % {"date": deployment.effective_start_date}]})
    deployment.status = D.REPATRIATED
    deployment.actual_end_date = on
    deployment.repatriation_reason = reason
    deployment.repatriation_note = (note or "").strip()
    deployment.save(update_fields=["status", "actual_end_date", "repatriation_reason", "repatriation_note",
                                   "updated_at"])
    _log(deployment, action="repatriated", actor=actor, note=deployment.repatriation_note,
         data={"on": on.isoformat(), "reason": reason})
    tour_ended(deployment)
    return deployment


@transaction.atomic
def deployment_extend(
    *, deployment: Deployment, actor, new_end: date, reason: str, override_strength: bool = False,
) -> Deployment:
    """Move the planned end later. The added days meet the same overlap check, and the same
    mission-strength and program-ceiling checks (overridable; the reason is the extension's)."""
    _require_ipo(actor)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for the extension.")]})
    _check_dates(new_end=new_end)
    deployment = _locked(deployment)
    if deployment.status not in CURRENT:
        raise ValidationError(_("Only a planned or current deployment can be extended."))
    old_end = deployment.planned_end_date
    if new_end <= old_end:
        raise ValidationError({"new_end": [_("The new end must come after the current planned end (%(date)s).")
                                           % {"date": old_end}]})
    Mission.objects.select_for_update().filter(pk=deployment.mission_id).first()
    _lock_officer(deployment.officer_id)
    _check_no_overlap(officer_id=deployment.officer_id, start=old_end, end=new_end, exclude_pk=deployment.pk)
    problems = strength_issues(mission=deployment.mission, start=old_end, end=new_end, exclude_pk=deployment.pk)
    if problems and not override_strength:
        raise ValidationError({"override_strength": [render_issue(p) for p in problems] + [
            str(_("Tick the override to extend anyway; the reason above is recorded."))]})
    deployment.planned_end_date = new_end
    try:
        with transaction.atomic():
            deployment.save(update_fields=["planned_end_date", "updated_at"])
    except IntegrityError:
        raise ValidationError({"new_end": [_("The officer already has a deployment over these dates.")]})
    _log(deployment, action="extended", actor=actor, note=reason.strip(),
         data={"from": old_end.isoformat(), "to": new_end.isoformat(),
               "overrides": {"strength": problems} if problems else {}})
    return deployment


def handovers(deployments) -> list[dict]:
    """For each deployment that replaces another: overlap (positive) or gap (negative) days
    between the predecessor's end and the successor's start."""
    rows = []
    for d in deployments:
        prev = d.replaces
        if prev is None:
            continue
        delta = (prev.end_date - d.effective_start_date).days
        rows.append({"deployment": d, "replaces": prev, "overlap_days": max(delta, 0), "gap_days": max(-delta, 0)})
    return rows


