"""Writes for applications and deployments: keyword-only, atomic, with their notifications."""

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from agencies.models import Officer
from agencies.permissions import is_coordinator, is_ipo_staff, is_officer
from audit.logging import log_event
from missions.models import Bulletin
from missions.selectors import POSITION_FILLING_STATES
from notifications.services import Recipient, coordinator_recipients, mail_queue, officer_recipients, staff_recipients

from .. import eligibility
from ..documents import pdf_problem
from ..models import (
    SERVICE_ONLY_MOVES,
    TRANSITIONS,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    ApplicationStatus,
)
from ..selectors import shared_note

S = ApplicationStatus
NOTE_REQUIRED = frozenset({S.AGENCY_DECLINED, S.WITHDRAWN})


# --- who is the actor to this application --------------------------------------------

def actor_role_for(application: Application, actor) -> str | None:
    """The role key of the transition table that `actor` holds for `application`."""
    if is_ipo_staff(actor):
        return "ipo_staff"
    if is_coordinator(actor) and actor.agency_id == application.officer.agency_id:
        return "coordinator"
    if is_officer(actor) and application.officer.user_id == actor.pk:
        return "officer"
    return None


def allowed_transitions(application: Application, actor) -> list[str]:
    """Moves `actor` may apply now (not the deployment services' own: to and from deployed)."""
    role = actor_role_for(application, actor)
    moves = TRANSITIONS.get(application.status, {})
    return [to for to, roles in moves.items() if role in roles and (application.status, to) not in SERVICE_ONLY_MOVES]


# --- documents -------------------------------------------------------------------------

def validate_pdf(upload) -> None:
    """A plain PDF only, checked by parsing its content (`roster.documents.pdf_problem`: no
    scripts, launch actions, embedded files, XFA forms or encryption); at most the configured size."""
    max_bytes = settings.ROSTER["DOCUMENT_MAX_BYTES"]
    if upload.size > max_bytes:
        raise ValidationError(
            _("%(name)s is larger than %(mb)d MB.") % {"name": upload.name, "mb": max_bytes // (1024 * 1024)}
        )
    if problem := pdf_problem(upload):
        raise ValidationError(problem)


def document_errors(uploads, *, already: int = 0, limit: int | None = None, too_many=None) -> list[str]:
    """Why these uploads cannot be attached (too many, not a PDF, too large); empty if fine.
    `limit` and `too_many` (its message, with %(n)d) are an application's unless given (a claim's)."""
    uploads = [u for u in (uploads or []) if u]
    limit = settings.ROSTER["DOCUMENTS_PER_APPLICATION"] if limit is None else limit
    errors = []
    if already + len(uploads) > limit:
        errors.append(str((too_many or _("At most %(n)d documents per application.")) % {"n": limit}))
    for u in uploads:
        try:
            validate_pdf(u)
        except ValidationError as e:
            errors.extend(e.messages)
    return errors


# Files written by the service running now, (storage, name); removed again if it fails, since its
# rows roll back.
_files_written: ContextVar[list | None] = ContextVar("files_written", default=None)


def remember_written_file(file) -> None:
    """A service wrapped in `removing_written_files_on_error` has just written `file` (a FieldFile)."""
    written = _files_written.get()
    if written is not None:
        written.append((file.storage, file.name))


def removing_written_files_on_error(service):
    """Wraps an atomic service (outside its transaction): a document file it wrote (and told
    `remember_written_file`) is deleted when the service raises, so a rolled-back application
    or claim leaves no orphan file on disk."""
    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        with _written_files_removed_on_error():
            return service(*args, **kwargs)
    return wrapper


@contextmanager
def _written_files_removed_on_error():
    if _files_written.get() is not None:  # an outer service already watches
        yield
        return
    written: list = []
    token = _files_written.set(written)
    try:
        yield
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    finally:
        _files_written.reset(token)


def _attach_documents(application: Application, uploads) -> None:
    uploads = [u for u in (uploads or []) if u]
    errors = document_errors(uploads, already=application.documents.count())
    if errors:
        raise ValidationError({"documents": errors})
    for u in uploads:
        doc = ApplicationDocument(application=application, original_name=u.name[:200], size=u.size)
        doc.file.save(u.name, u, save=False)
        remember_written_file(doc.file)
        doc.save()


# --- notifications ---------------------------------------------------------------------

def _people_for(application: Application) -> list[Recipient]:
    """The officer and their agency's active coordinators."""
    officer = application.officer
    return [*officer_recipients(officer), *coordinator_recipients(officer.agency_id)]


def _notify_status(application: Application, event: ApplicationEvent) -> None:
    mail_queue(
        recipients=_people_for(application),
        template="application_status",
        # The recipients are the officer and their agency's coordinators: they read a shared note
        # only, never an internal one (roster.permissions.can_read_event_note).
        context={"application": application, "event": event, "bulletin": application.bulletin,
                 "officer": application.officer, "shared_note": shared_note(event)},
        topic=f"application:{application.pk}",
    )


def _notify_staff_position_freed(application: Application, waitlisted: int) -> None:
    mail_queue(
        recipients=staff_recipients(),
        template="position_freed",
        context={"application": application, "bulletin": application.bulletin, "waitlisted": waitlisted},
        topic=f"bulletin:{application.bulletin_id}:freed",
    )


def _event(application, *, from_status, to_status, actor, note, note_shared=False, note_code="",
           note_params=None) -> ApplicationEvent:
    return ApplicationEvent.objects.create(
        application=application, from_status=from_status, to_status=to_status, actor=actor, note=note or "",
        note_shared=note_shared, note_code=note_code, note_params=note_params or {},
    )


# The agency and the officer write to each other (and to IPO staff): their notes are always shared.
AGENCY_SIDE_ROLES = frozenset({"coordinator", "officer"})


def note_is_shared(*, role: str | None, share_note: bool, by_deployment: bool = False) -> bool:
    """Whether the note of a move is shared with the officer and their agency's coordinators.
    IPO staff's notes are internal unless they choose to share them; the agency's and the
    officer's own words (an endorsement, a reason for declining or withdrawing) are shared; the
    deployment services' notes state facts the officer's deployment page already shows."""
    return share_note or role in AGENCY_SIDE_ROLES or by_deployment


# --- applying ----------------------------------------------------------------------------

def _check_open(bulletin: Bulletin):
    if not bulletin.is_open:
        raise ValidationError(_("This bulletin is not open for applications."))


@removing_written_files_on_error
@transaction.atomic
def application_submit(
    *, bulletin: Bulletin, officer: Officer, actor, statement: str = "", documents=(),
    confirm_ineligible: bool = False,
) -> Application:
    """An officer applies. An ineligible officer must confirm the warning; the
    application is then flagged. Every problem is reported at once."""
    if not (is_officer(actor) and officer.user_id == actor.pk):
        raise PermissionDenied(_("Officers apply for themselves."))
    bulletin = Bulletin.objects.select_related("mission").get(pk=bulletin.pk)
    _check_open(bulletin)
    _check_not_applied(bulletin, officer, field=NON_FIELD_ERRORS)
    result = eligibility.check(officer, bulletin)
    errors = {}
    if not result.eligible and not confirm_ineligible:
        errors["confirm_ineligible"] = [_("You do not meet every requirement. Confirm to apply anyway.")]
    if problems := document_errors(documents):
        errors["documents"] = problems
    if errors:
        raise ValidationError(errors)
    return _create_application(
        bulletin=bulletin, officer=officer, actor=actor, statement=statement, documents=documents,
        status=S.SUBMITTED, ineligible=not result.eligible,
    )


@removing_written_files_on_error
@transaction.atomic
def application_nominate(
    *, bulletin: Bulletin, officer: Officer, actor, statement: str = "", documents=(),
    release_confirmed: bool = False, confirm_ineligible: bool = False,
) -> Application:
    """A coordinator nominates one of their officers: the application starts endorsed. An
    officer who misses a requirement is nominated only once the coordinator confirms it."""
    if not (is_coordinator(actor) and actor.agency_id == officer.agency_id):
        raise PermissionDenied(_("A coordinator nominates officers of their own agency."))
    bulletin = Bulletin.objects.select_related("mission").get(pk=bulletin.pk)
    _check_open(bulletin)
    _check_not_applied(bulletin, officer, field="officer")
    result = eligibility.check(officer, bulletin)
    errors = {}
    if not release_confirmed:
        errors["release_confirmed"] = [_("Confirm that your agency releases the officer for the tour.")]
    if not result.eligible and not confirm_ineligible:
        errors["confirm_ineligible"] = [
            _("This officer does not meet every requirement (%(summary)s). Confirm to nominate anyway.")
            % {"summary": result.summary}
        ]
    if problems := document_errors(documents):
        errors["documents"] = problems
    if errors:
        raise ValidationError(errors)
    return _create_application(
        bulletin=bulletin, officer=officer, actor=actor, statement=statement, documents=documents,
        status=S.ENDORSED, ineligible=not result.eligible, nominated_by=actor, release_confirmed=True,
    )


def _check_not_applied(bulletin, officer, *, field):
    if Application.objects.filter(bulletin=bulletin, officer=officer).exists():
        raise ValidationError({field: [_("This officer has already applied to this bulletin.")]})


def _create_application(*, bulletin, officer, actor, statement, documents, status, ineligible, **extra):
    try:
        with transaction.atomic():
            application = Application.objects.create(
                bulletin=bulletin, officer=officer, statement=statement or "", status=status,
                ineligible=ineligible, **extra,
            )
    except IntegrityError:
        raise ValidationError(_("This officer has already applied to this bulletin."))
    _attach_documents(application, documents)
    event = _event(application, from_status="", to_status=status, actor=actor, note="")
    _notify_status(application, event)
    return application


@removing_written_files_on_error
@transaction.atomic
def application_update(*, application: Application, actor, statement: str, documents=(), remove_document_ids=())\
        -> Application:
    """The officer edits their application until it is endorsed."""
    application = Application.objects.select_for_update().select_related("officer").get(pk=application.pk)
    if actor_role_for(application, actor) != "officer":
        raise PermissionDenied(_("Only the officer edits their application."))
    if application.status != S.SUBMITTED:
        raise ValidationError(_("The application can no longer be edited: it is %(status)s.")
                              % {"status": application.get_status_display()})
    application.statement = statement or ""
    application.save(update_fields=["statement", "updated_at"])
    removed = list(application.documents.filter(pk__in=list(remove_document_ids)))
    for doc in removed:
        doc.delete()
    _attach_documents(application, documents)
    log_event("application_updated", actor=actor, application_id=application.pk,
              documents_added=len([u for u in (documents or []) if u]), documents_removed=len(removed))
    # Files go only once the rows' removal is committed: a refused upload keeps them.
    names = [doc.file.name for doc in removed]
    storage = ApplicationDocument._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    return application


# --- transitions -------------------------------------------------------------------------

def filled_positions(bulletin_id: int) -> int:
    return Application.objects.filter(bulletin_id=bulletin_id, status__in=POSITION_FILLING_STATES).count()


@transaction.atomic
def application_transition(
    *, application: Application, to: str, actor, note: str = "", share_note: bool = False,
    release_confirmed: bool = False, confirm_unavailable: bool = False, _by_deployment: bool = False,
    note_code: str = "", note_params: dict | None = None,
) -> Application:
    """The only way an application changes state: lock, check the table and the actor,
    write the event, queue the emails, in one transaction. IPO staff's `note` is internal
    unless `share_note` (see `note_is_shared`); only a shared note reaches the officer.
    A service's own note is a code of roster.notes with its parameters (`note_code`, `note_params`),
    put into words in each reader's language; `note` is what a person typed.
    Selecting an officer committed elsewhere over the tour (roster.eligibility.availability)
    needs `confirm_unavailable`."""
    # Lock the bulletin first when selecting, so concurrent selections queue up here.
    if to == S.SELECTED:
        Bulletin.objects.select_for_update().filter(pk=application.bulletin_id).first()
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("officer", "officer__agency", "officer__user", "bulletin", "bulletin__mission")
        .get(pk=application.pk)
    )
    from_status = application.status
    moves = TRANSITIONS.get(from_status, {})
    if to not in moves:
        raise ValidationError(
            _("An application cannot go from “%(from)s” to “%(to)s”.")
            % {"from": S(from_status).label, "to": S(to).label if to in S.values else to}
        )
    role = actor_role_for(application, actor)
    if role not in moves[to] or ((from_status, to) in SERVICE_ONLY_MOVES and not _by_deployment):
        raise PermissionDenied(_("You may not move this application to “%(to)s”.") % {"to": S(to).label})
    note = (note or "").strip()
    if to in NOTE_REQUIRED and not note:
        raise ValidationError({"note": [_("Give a reason.")]})
    if to == S.ENDORSED:
        if not release_confirmed:
            raise ValidationError(
                {"release_confirmed": [_("Confirm that your agency releases the officer for the tour.")]})
        application.release_confirmed = True
    if to == S.SELECTED and from_status != S.DEPLOYED:  # a cancelled deployment's application keeps its place
        filled = filled_positions(application.bulletin_id)
        if filled >= application.bulletin.positions:
            raise ValidationError(
                _("All %(n)d positions of this bulletin are filled; waitlist the applicant instead.")
                % {"n": application.bulletin.positions}
            )
        _check_available(application, confirmed=confirm_unavailable)
    application.status = to
    application.save(update_fields=["status", "release_confirmed", "updated_at"])
    event = _event(application, from_status=from_status, to_status=to, actor=actor, note=note,
                   note_shared=note_is_shared(role=role, share_note=share_note, by_deployment=_by_deployment),
                   note_code=note_code, note_params=note_params)
    _notify_status(application, event)
    if from_status == S.SELECTED and to == S.WITHDRAWN:
        waitlisted = Application.objects.filter(bulletin_id=application.bulletin_id, status=S.WAITLISTED).count()
        _notify_staff_position_freed(application, waitlisted)
    return application


def _check_available(application: Application, *, confirmed: bool) -> None:
    """Refuse to select an officer who is deployed, planned or selected elsewhere over the bulletin's
    tour, unless IPO staff confirmed the clash. The officer's row is locked first, so two selections
    of one officer on different bulletins see each other."""
    Officer.objects.select_for_update().filter(pk=application.officer_id).values_list("pk", flat=True).first()
    result = eligibility.availability(application.officer, application.bulletin)
    if not result.passed and not confirmed:
        raise ValidationError({"confirm_unavailable": [
            _("%(clash)s Confirm the clash to select anyway.") % {"clash": result.reason}
        ]})


def application_transition_many(
    *, applications, to: str, actor, note: str = "", share_note: bool = False, confirm_unavailable: bool = False
) -> tuple[list, list]:
    """Apply one move to several applications; each in its own transaction. Returns
    (done, refused) where refused holds (application, message)."""
    done, refused = [], []
    for application in applications:
        try:
            done.append(application_transition(application=application, to=to, actor=actor, note=note,
                                                share_note=share_note, confirm_unavailable=confirm_unavailable))
        except (ValidationError, PermissionDenied) as exc:
            message = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            refused.append((application, message))
    return done, refused


