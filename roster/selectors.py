"""Reads for applications and deployments; `*_visible_to` carry the visibility rule."""

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.db.models.query import ModelIterable
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.permissions import is_ipo_staff
from agencies.selectors import scope_to_user
from config.pagination import set_row_urls
from missions.selectors import FILLED_STATES, POSITION_FILLING_STATES

from .models import OPEN_STATES, Application, ApplicationDocument, ApplicationStatus, Deployment
from .permissions import can_read_cancellation_reason, can_read_repatriation_reason


def application_visible_to(user) -> QuerySet[Application]:
    qs = Application.objects.select_related("officer", "officer__agency", "bulletin", "bulletin__mission")
    return scope_to_user(qs, user, officer_path="officer")


def deployment_visible_to(user) -> QuerySet[Deployment]:
    qs = Deployment.objects.select_related("officer", "officer__agency", "mission", "catalogue_role")
    return scope_to_user(qs, user, officer_path="officer")


PENDING_STATES = frozenset(OPEN_STATES) - {ApplicationStatus.SELECTED}


def applications_pending(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Applications still awaiting a decision."""
    return qs.filter(status__in=PENDING_STATES)


def deployments_current(qs: QuerySet[Deployment]) -> QuerySet[Deployment]:
    """The current roster: deployments planned or in mission, the ones that fill a position
    (missions.selectors.FILLED_STATES, the definition the strength figures count)."""
    return qs.filter(status__in=FILLED_STATES)


# --- application pages (issue 4) ------------------------------------------------------------
# Read-only helpers for the application, pipeline and agency pages. Each list keeps a
# constant number of queries: related rows come through select_related / prefetch_related.

# Pipeline sections, in the order IPO staff work through them.
PIPELINE_ORDER = (
    ApplicationStatus.ENDORSED,
    ApplicationStatus.SHORTLISTED,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.SELECTED,
    ApplicationStatus.DEPLOYED,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.SCREENED_OUT,
    ApplicationStatus.NOT_SELECTED,
    ApplicationStatus.AGENCY_DECLINED,
    ApplicationStatus.WITHDRAWN,
)
# Sections whose applicants are out of the running (closed, and not deployed): folded away on
# the pipeline page.
PIPELINE_SETTLED = frozenset(ApplicationStatus) - OPEN_STATES - {ApplicationStatus.DEPLOYED}
# Moves that have their own page (a checkbox or a required reason) rather than a plain button.
MOVES_WITH_OWN_PAGE = frozenset(
    {ApplicationStatus.ENDORSED, ApplicationStatus.WITHDRAWN, ApplicationStatus.AGENCY_DECLINED}
)
# Bulk actions of the pipeline: action key -> target state.
PIPELINE_ACTIONS = {
    "shortlist": ApplicationStatus.SHORTLISTED,
    "screen_out": ApplicationStatus.SCREENED_OUT,
    "select": ApplicationStatus.SELECTED,
    "waitlist": ApplicationStatus.WAITLISTED,
    "not_select": ApplicationStatus.NOT_SELECTED,
}


def pipeline_moves(user, application: Application, *, open_positions: int) -> list[str]:
    """The pipeline's bulk actions (keys of PIPELINE_ACTIONS) `user` may apply to this row now:
    its moves in the transition table (roster.services.allowed_transitions), without Select once
    every position is filled. What the page offers; application_transition_many still decides."""
    from .services import allowed_transitions

    allowed = set(allowed_transitions(application, user))
    return [
        key for key, to in PIPELINE_ACTIONS.items()
        if to in allowed and not (to == ApplicationStatus.SELECTED and open_positions <= 0)
    ]


def application_role(user, application: Application) -> str | None:
    """The role `user` holds for `application` in the transition table (None: no role)."""
    from .services import actor_role_for

    return actor_role_for(application, user)


def can_edit_application(user, application: Application) -> bool:
    """Only the application's own officer edits it (the service also checks the state)."""
    return application_role(user, application) == "officer"


def can_withdraw_application(user, application: Application) -> bool:
    from .models import TRANSITIONS

    roles = set().union(*(moves.get(ApplicationStatus.WITHDRAWN, frozenset()) for moves in TRANSITIONS.values()))
    return application_role(user, application) in roles


def can_endorse_application(user, application: Application) -> bool:
    """A coordinator of the officer's agency endorses or declines."""
    return application_role(user, application) == "coordinator"


def application_actions(user, application: Application) -> dict:
    """What the application page offers `user` now. The services enforce the same rules."""
    from .models import EDITABLE_STATES
    from .services import allowed_transitions

    allowed = allowed_transitions(application, user)
    return {
        "edit": can_edit_application(user, application) and application.status in EDITABLE_STATES,
        "withdraw": ApplicationStatus.WITHDRAWN in allowed,
        "endorse": ApplicationStatus.ENDORSED in allowed,
        "decline": ApplicationStatus.AGENCY_DECLINED in allowed,
        "moves": [to for to in allowed if to not in MOVES_WITH_OWN_PAGE],
        "deploy": is_ipo_staff(user) and application.status == ApplicationStatus.SELECTED,
    }


def application_page_queryset(user) -> QuerySet[Application]:
    """The application page's queryset: visible to `user`, with what the page shows."""
    from django.db.models import Prefetch

    from . import eligibility

    return application_visible_to(user).select_related("nominated_by").prefetch_related(
        "documents",
        "officer__clearances",
        *eligibility.commitment_prefetches("officer__"),
        Prefetch("events", queryset=application_events_for(user)),
    )


def application_eligibility(application: Application):
    """The officer against the bulletin, rule by rule (clearances and commitments prefetched by
    `application_page_queryset`)."""
    from . import eligibility

    return eligibility.check(application.officer, application.bulletin, clearances=application.officer.clearances.all())


# --- notes on an application's timeline (roster.permissions) ------------------------------

class _EventsWithSystemNotes(ModelIterable):
    """Application events as loaded, each `note_shown` preceded by its system note (roster.notes) in
    words, in the active language, when the reader may read it (`note_code_shown`)."""

    def __iter__(self):
        from .notes import render_note

        for event in super().__iter__():
            code = getattr(event, "note_code_shown", "")
            if code:
                event.note_shown = "\n".join(t for t in (render_note(code, event.note_params), event.note_shown) if t)
            yield event


def application_events_for(user) -> QuerySet:
    """Application events (actor joined), each with the note as `user` may read it:
    `note_shown` (the note, or "" when it is internal and `user` may not read internal notes) and
    `note_audience` ("internal" or "shared" for a reader of internal notes, who needs to tell them
    apart; "" for everyone else, who reads shared notes only). For such a reader the internal
    note is not even loaded: `note` is deferred. Templates read `note_shown`, never `note`.
    A note the roster wrote itself (a code of roster.notes) is in `note_shown` too, in words in the
    active language, under the same rule; it carries no audience badge."""
    from django.db.models import Case, CharField, F, TextField, Value, When

    from .models import ApplicationEvent
    from .permissions import can_read_internal_notes

    events = ApplicationEvent.objects.select_related("actor")
    if can_read_internal_notes(user):
        events = events.annotate(
            note_shown=F("note"),
            note_code_shown=F("note_code"),
            note_audience=Case(
                When(note="", then=Value("")),
                When(note_shared=True, then=Value("shared")),
                default=Value("internal"),
                output_field=CharField(),
            ),
        )
    else:
        events = events.defer("note").annotate(
            note_shown=Case(When(note_shared=True, then=F("note")), default=Value(""), output_field=TextField()),
            note_code_shown=Case(When(note_shared=True, then=F("note_code")), default=Value(""),
                                 output_field=CharField()),
            note_audience=Value("", output_field=CharField()),
        )
    # Kept by every clone of the queryset (filters, a Prefetch): its rows come with their notes in words.
    events._iterable_class = _EventsWithSystemNotes
    return events


def application_event_note_for(user, event):
    """One event's note as `user` may read it ("" when it may not); None: a reader without an
    account. For an event already loaded (the status email); lists use `application_events_for`.
    With a system note, an EventNote (roster.notes) that is put into words when shown, so an email
    reads it in its recipient's language."""
    from .notes import EventNote
    from .permissions import can_read_event_note

    if not can_read_event_note(user, event):
        return ""
    if event.note_code:
        return EventNote(event.system_note, event.note)
    return event.note


def shared_note(event) -> str:
    """The note as the officer and their agency's coordinators read it: shared, or nothing."""
    return application_event_note_for(None, event)


def applications_with_timeline(qs: QuerySet[Application], user) -> QuerySet[Application]:
    """Applications with their documents and every event (and its actor, and its note as `user`
    may read it: `application_events_for`), in three queries."""
    from django.db.models import Prefetch

    return qs.select_related("nominated_by").prefetch_related(
        "documents",
        Prefetch("events", queryset=application_events_for(user)),
    )


def my_applications(user) -> QuerySet[Application]:
    """An officer's own applications, newest first, with documents and timeline. Their officer is
    found first (a subquery), so the index (officer, created_at, id) reads a page in order."""
    from django.db.models import Subquery

    from agencies.models import Officer

    own = Subquery(Officer.objects.filter(user_id=user.pk).order_by().values("pk")[:1])
    qs = application_visible_to(user).filter(officer_id=own)
    return applications_with_timeline(qs, user).order_by("-created_at", "-id")


def agency_applications(user, *, status: str = "", bulletin_id=None) -> QuerySet[Application]:
    """A coordinator's agency's applications, ordered to be grouped by bulletin."""
    return agency_applications_of(application_visible_to(user), status=status, bulletin_id=bulletin_id)


def agency_applications_of(qs: QuerySet[Application], *, status: str = "", bulletin_id=None) -> QuerySet[Application]:
    """`qs` (applications already limited to what the reader may see) in one state and for one
    bulletin if asked, ordered to be grouped by bulletin."""
    qs = qs.select_related("nominated_by")
    if status:
        qs = qs.filter(status=status)
    if bulletin_id:
        qs = qs.filter(bulletin_id=bulletin_id)
    return qs.order_by("-bulletin__closes_at", "bulletin__reference", "officer__last_name", "officer__first_name", "id")


# --- the pipeline and the agency's applications: a page of one state at a time (issue 10) --------
# Each page reads the count per state in one grouped query, which gives the tabs their figures and
# the paginator its total (no second COUNT), then only the rows of the page, with what they show
# prepared here (labels, eligibility) so the template does no per-row lookup and no query.

PIPELINE_PER_PAGE = 50
AGENCY_APPLICATIONS_PER_PAGE = 50
# The pipeline's views besides one state: the applicants still in the running (every state but
# the settled ones), and everyone.
PIPELINE_OPEN, PIPELINE_ALL = "open", "all"
# The agency's tabs: awaiting the agency first, then as the pipeline.
AGENCY_ORDER = (ApplicationStatus.SUBMITTED, *(s for s in PIPELINE_ORDER if s != ApplicationStatus.SUBMITTED))


class CountedPaginator(Paginator):
    """A Paginator told its total (from the grouped counts): it never runs COUNT(*) itself."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count  # replaces Paginator.count, a cached_property


def status_counts(qs: QuerySet[Application]) -> dict[str, int]:
    """{status: number of applications} of `qs`, in one grouped query (COUNT(*): an index holding the
    filter's columns and the status answers it alone)."""
    return dict(qs.order_by().values_list("status").annotate(n=Count("*")).values_list("status", "n"))


def _labels(model, field: str) -> dict:
    """A choice field's value -> label, translated once for the page."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}


def _url_format(name: str, *kwargs: str) -> str:
    """A URL pattern reversed once, as a str.format template ("/applications/{pk}/documents/{doc_pk}/"):
    a list of many rows formats it for each row instead of resolving the URL each time. For a URL of
    the row's pk alone, config.pagination.set_row_urls."""
    from django.urls import reverse

    sentinels = {kwarg: str(987654301 + i) for i, kwarg in enumerate(kwargs)}
    url = reverse(name, kwargs=sentinels).replace("{", "{{").replace("}", "}}")
    for kwarg, sentinel in sentinels.items():
        url = url.replace(sentinel, "{" + kwarg + "}")
    return url


def _status_tab(key: str, label, count: int, current: str) -> dict:
    return {"key": key, "label": label, "count": count, "current": key == current}


def is_pipeline_view(status: str) -> bool:
    """Whether `status` names one of the pipeline's views: a state, PIPELINE_OPEN or PIPELINE_ALL."""
    return status in (PIPELINE_OPEN, PIPELINE_ALL) or status in ApplicationStatus.values


def _pipeline_view(status: str, counts: dict[str, int]) -> str:
    """The view asked for if it is one, else the default: the applicants in the running, or
    everyone when nobody is left in the running (a settled bulletin)."""
    if is_pipeline_view(status):
        return status
    in_running = sum(n for s, n in counts.items() if s not in PIPELINE_SETTLED)
    return PIPELINE_OPEN if in_running or not counts else PIPELINE_ALL


def bulletin_pipeline(user, bulletin, *, status: str = "", page=None, checked=frozenset()) -> dict:
    """One page of a bulletin's applicants: the view `status` (a state, PIPELINE_OPEN or
    PIPELINE_ALL; anything else: the default, `_pipeline_view`), page `page` (a bad or
    out-of-range number: the first or the last page), grouped by state in PIPELINE_ORDER. Each row
    carries its eligibility (the page's officers checked together: eligibility.check_many), its bulk
    moves, its labels and links. A constant number of queries: the counts per state, the rows (officer
    and agency joined), their documents, the officers' clearances, deployments and selections.
    `checked`: the ids (str) ticked in a form sent back."""
    from django.db.models import Case, IntegerField, Value, When

    from agencies.models import Officer

    from . import eligibility

    scope = application_visible_to(user).filter(bulletin_id=bulletin.pk)
    counts = status_counts(scope)
    total = sum(counts.values())
    # the positions filled, out of the same counts (IPO staff see every application of the bulletin)
    filled = sum(counts.get(s, 0) for s in POSITION_FILLING_STATES)
    open_positions = max(0, bulletin.positions - filled)
    view = _pipeline_view(status, counts)
    if view == PIPELINE_OPEN:
        states = [s for s in PIPELINE_ORDER if s not in PIPELINE_SETTLED]
    elif view == PIPELINE_ALL:
        states = list(PIPELINE_ORDER)
    else:
        states = [view]
    in_view = sum(counts.get(s, 0) for s in states)

    rows = (
        scope.filter(status__in=states)
        .select_related(None).select_related("officer", "officer__agency").defer("statement")
    )
    names = ("officer__last_name", "officer__first_name", "id")
    if len(states) > 1:
        rank = Case(*(When(status=s, then=Value(i)) for i, s in enumerate(PIPELINE_ORDER)),
                    default=Value(len(PIPELINE_ORDER)), output_field=IntegerField())
        rows = rows.alias(state_rank=rank).order_by("state_rank", *names)
    else:
        rows = rows.order_by(*names)
    page_obj = CountedPaginator(rows, PIPELINE_PER_PAGE, count=in_view).get_page(page)
    applications = list(page_obj.object_list)
    page_obj.object_list = applications

    ranks, genders = _labels(Officer, "rank"), _labels(Officer, "gender")
    tick = gettext("Tick %(name)s")
    document_url = _url_format("roster:application-document", "pk", "doc_pk")
    agency_names: dict = {}
    move_rows = dict.fromkeys(PIPELINE_ACTIONS, 0)
    # the page's officers only, in three queries; the documents of the page's rows in one
    results = eligibility.check_many([a.officer for a in applications], bulletin)
    documents: dict[int, list] = {a.pk: [] for a in applications}
    if applications:
        for pk, doc_pk, name in (ApplicationDocument.objects.filter(application_id__in=list(documents))
                                 .order_by("uploaded_at", "id").values_list("application_id", "id", "original_name")):
            documents[pk].append((name, document_url.format(pk=pk, doc_pk=doc_pk)))
    for application in applications:
        officer = application.officer
        result = results[officer.pk]
        application.bulletin = bulletin
        application.eligibility = result
        application.outcome = result.outcome
        application.summary = result.summary
        application.clash = result.clash
        application.rank_label = ranks.get(officer.rank, officer.rank or "")
        application.gender_label = genders.get(officer.gender, officer.gender or "")
        if officer.agency_id not in agency_names:
            agency_names[officer.agency_id] = officer.agency.name
        application.agency_name = agency_names[officer.agency_id]
        application.pipeline_moves = pipeline_moves(user, application, open_positions=open_positions)
        application.moves_attr = " ".join(application.pipeline_moves)
        application.actionable = bool(application.pipeline_moves)
        application.checked = str(application.pk) in checked
        application.tick_label = tick % {"name": officer.full_name}
        application.document_links = documents[application.pk]
        for key in application.pipeline_moves:
            move_rows[key] += 1
    set_row_urls(applications, url="roster:application-detail")

    labels = _labels(Application, "status")
    by_status: dict[str, list] = {}
    for application in applications:
        by_status.setdefault(application.status, []).append(application)
    sections = [
        {"status": s, "label": labels[s], "count": counts.get(s, 0), "applications": by_status[s],
         "settled": s in PIPELINE_SETTLED}
        for s in PIPELINE_ORDER if s in by_status
    ]
    tabs = [_status_tab(PIPELINE_OPEN, _("In the running"), total - sum(counts.get(s, 0) for s in PIPELINE_SETTLED),
                        view)]
    tabs += [_status_tab(s, labels[s], counts.get(s, 0), view) for s in PIPELINE_ORDER
             if counts.get(s) or s == view]
    tabs.append(_status_tab(PIPELINE_ALL, _("All"), total, view))
    return {
        "sections": sections,
        "tabs": tabs,
        "view": view,
        "page": page_obj,
        "counts": counts,
        "total": total,
        "filled": filled,
        "positions": bulletin.positions,
        "open_positions": open_positions,
        "any_actionable": any(a.actionable for a in applications),
        # bulk action key -> how many rows of the page it applies to (PIPELINE_ACTIONS' order)
        "move_rows": move_rows,
        # selecting one of them needs the confirmation (roster.services.application_transition)
        "any_unavailable": any(a.actionable and a.clash for a in applications),
    }


# What the agency's list shows of each application, its officer and its bulletin (the group's heading).
AGENCY_APPLICATION_FIELDS = (
    "status", "ineligible", "created_at", "nominated_by_id", "bulletin_id", "officer_id",
    "officer__first_name", "officer__last_name",
    "bulletin__reference", "bulletin__title_en", "bulletin__title_fr", "bulletin__status", "bulletin__closes_at",
    "bulletin__closed_at", "bulletin__mission_id", "bulletin__mission__code",
)


def agency_applications_page(user, *, status: str = "", bulletin_id=None, page=None) -> dict:
    """One page of a coordinator's agency's applications, in one state (`status`; "" or an
    unknown one: every state) and optionally one bulletin, ordered to be grouped by bulletin (the
    latest closing first, as `agency_applications`), each row with its status label. The tabs'
    counts per state come from one grouped query, which also gives the paginator its total."""
    from agencies.selectors import officer_visible_to

    # The officers `user` may see, read first (a small query on the officers' agency index), then
    # their applications by that list alone: the rows application_visible_to(user) gives (an
    # application is visible when its officer is), without its condition on the officers' agency.
    # With both, PostgreSQL multiplies their estimates (131 rows expected for 3,695) and walks every
    # bulletin against all of them (26 ms); with the list alone it reads a page in 0.5 ms. Without
    # the list, the join to the officers made it scan every application of every agency.
    officer_ids = list(officer_visible_to(user).order_by().values_list("pk", flat=True))
    scope = agency_applications_of(Application.objects.filter(officer_id__in=officer_ids), bulletin_id=bulletin_id)
    counts = status_counts(scope)
    total = sum(counts.values())
    if status not in ApplicationStatus.values:
        status = ""
    rows = (
        (scope.filter(status=status) if status else scope)
        .select_related(None).select_related("officer", "bulletin", "bulletin__mission")
        .only(*AGENCY_APPLICATION_FIELDS)  # narrow rows: the sort carries less (no bulletin descriptions)
    )
    page_obj = CountedPaginator(rows, AGENCY_APPLICATIONS_PER_PAGE,
                                count=counts.get(status, 0) if status else total).get_page(page)
    applications = list(page_obj.object_list)
    page_obj.object_list = applications
    labels = _labels(Application, "status")
    for application in applications:
        application.status_label = labels.get(application.status, application.status)
    set_row_urls(applications, url="roster:application-detail")
    groups: list[dict] = []
    for application in applications:
        if not groups or groups[-1]["bulletin"].pk != application.bulletin_id:
            groups.append({"bulletin": application.bulletin, "applications": []})
        groups[-1]["applications"].append(application)
    tabs = [_status_tab("", _("All"), total, status)]
    tabs += [_status_tab(s, labels[s], counts.get(s, 0), status) for s in AGENCY_ORDER
             if counts.get(s) or s == status]
    return {"applications": applications, "groups": groups, "tabs": tabs, "status": status, "page": page_obj,
            "counts": counts, "total": total}


def officers_for_nomination(user, bulletin) -> list:
    """The coordinator's active officers, each with `eligibility` and `has_applied`, in four queries
    (officers, clearances, current deployments, selections)."""
    from django.db.models import Exists, OuterRef

    from agencies.selectors import officer_visible_to

    from . import eligibility

    officers = list(
        officer_visible_to(user)
        .filter(is_active=True)
        .annotate(has_applied=Exists(Application.objects.filter(bulletin_id=bulletin.pk, officer_id=OuterRef("pk"))))
        .prefetch_related("clearances", *eligibility.commitment_prefetches())
        .order_by("last_name", "first_name", "id")
    )
    for officer in officers:
        officer.eligibility = eligibility.check(officer, bulletin, clearances=officer.clearances.all())
    return officers


def bulletin_panel(user, bulletin) -> dict:
    """What the bulletin page's application panel shows to `user`."""
    from agencies.models import Role
    from agencies.selectors import officer_for_user

    from . import eligibility
    from .services import filled_positions

    ctx: dict = {"bulletin": bulletin, "role": getattr(user, "role", None), "is_open": bulletin.is_open}
    if not getattr(user, "is_authenticated", False) or bulletin.status == "draft":
        ctx["role"] = None
        return ctx
    if user.role == Role.OFFICER:
        officer = officer_for_user(user)
        ctx["officer"] = officer
        if officer is not None:
            ctx["application"] = application_visible_to(user).filter(bulletin_id=bulletin.pk).first()
            if ctx["application"] is None:
                ctx["eligibility"] = eligibility.check(officer, bulletin)
    elif user.role == Role.COORDINATOR:
        ctx["agency_count"] = application_visible_to(user).filter(bulletin_id=bulletin.pk).count()
    elif user.role == Role.IPO_STAFF:
        filled = filled_positions(bulletin.pk)
        ctx["filled"] = filled
        ctx["open_positions"] = max(0, bulletin.positions - filled)
    return ctx


# --- deployment pages (roster/views/deployments.py) ---------------------------------------

def deployment_actions(user, deployment: Deployment) -> dict[str, bool]:
    """Which lifecycle actions the deployment page offers this user (the services decide)."""
    from agencies.permissions import is_ipo_staff

    staff = is_ipo_staff(user)
    status = deployment.status
    current = status in (Deployment.Status.PLANNED, Deployment.Status.IN_MISSION)
    return {
        "start": staff and status == Deployment.Status.PLANNED,
        "complete": staff and status == Deployment.Status.IN_MISSION,
        "extend": staff and current,
        # before departure a tour is cancelled; once the officer is in mission, repatriated
        "repatriate": staff and status == Deployment.Status.IN_MISSION,
        "cancel": staff and status == Deployment.Status.PLANNED,
    }


def deployment_linked(user, deployment: Deployment) -> list[Deployment]:
    """The deployment it replaces and those replacing it, limited to what `user` may see (one query)."""
    from django.db.models import Q

    condition = Q(replaces_id=deployment.pk)
    if deployment.replaces_id:
        condition |= Q(pk=deployment.replaces_id)
    return list(deployment_visible_to(user).filter(condition).order_by("start_date", "id"))


# --- need to know: repatriation reasons (roster.permissions) ------------------------------

REPATRIATED_EARLY = _("Repatriated early")


def repatriation_reason_shown(deployment: Deployment, *, readable: bool, reason: str | None = None):
    """The reason's label, or "Repatriated early" when it may not be read; "" without a reason.
    Lazy, so an email renders it in each recipient's language; str() it for a file."""
    code = deployment.repatriation_reason if reason is None else reason
    if not code:
        return ""
    if not readable:
        return REPATRIATED_EARLY
    return dict(Deployment.RepatriationReason.choices).get(code, code)


def repatriation_reason_for(user, deployment: Deployment, *, reason: str | None = None):
    """The repatriation reason as `user` may read it (pages, exports). `reason`: a logged event's code."""
    readable = can_read_repatriation_reason(user, deployment, reason=reason)
    return repatriation_reason_shown(deployment, readable=readable, reason=reason)


def repatriation_note_for(user, deployment: Deployment, *, reason: str | None = None, note: str | None = None) -> str:
    """The repatriation note (or a logged event's `note`) if `user` may read the reason, else ""."""
    note = deployment.repatriation_note if note is None else note
    return note if can_read_repatriation_reason(user, deployment, reason=reason) else ""


# --- need to know: cancellation reasons (roster.permissions) -------------------------------

CANCELLED_BEFORE_DEPARTURE = _("Cancelled before departure")


def cancellation_reason_shown(deployment: Deployment, *, readable: bool):
    """The reason for the cancellation, or "Cancelled before departure" when it may not be read;
    "" for a deployment that is not cancelled. Lazy where it is the label (emails render it per recipient)."""
    if deployment.status != Deployment.Status.CANCELLED:
        return ""
    return deployment.cancellation_reason if readable else CANCELLED_BEFORE_DEPARTURE


def cancellation_reason_for(user, deployment: Deployment):
    """The reason for the cancellation as `user` may read it (pages)."""
    return cancellation_reason_shown(deployment, readable=can_read_cancellation_reason(user, deployment))


def deployment_event_note_for(user, deployment: Deployment, event) -> str:
    """A deployment event's note as `user` may read it: a repatriation's note goes with its reason,
    a cancellation's note is its reason."""
    if event.action == "repatriated":
        reason = (event.data or {}).get("reason") or deployment.repatriation_reason
        return repatriation_note_for(user, deployment, reason=reason, note=event.note)
    if event.action == "cancelled":
        return event.note if can_read_cancellation_reason(user, deployment) else ""
    return event.note


def deployments_replaceable(user, mission_id) -> QuerySet[Deployment]:
    """Current deployments of a mission that a new deployment may replace (rotation)."""
    return deployments_current(deployment_visible_to(user)).filter(mission_id=mission_id).order_by(
        "planned_end_date", "id"
    )


def deployment_missions_for(user, bulletin):
    """The missions a deployment from `bulletin`'s application may go to: the bulletin's own, or
    any mission not closed (the deployment pages and the API alike)."""
    from django.db.models import Q

    from missions.models import Mission
    from missions.selectors import mission_visible_to

    return (mission_visible_to(user).filter(Q(pk=bulletin.mission_id) | ~Q(status=Mission.Status.CLOSED))
            .order_by("code"))


def roster_for(user) -> QuerySet[Deployment]:
    """The current roster (planned and in mission) the user may see, soonest end first."""
    return deployments_current(deployment_visible_to(user)).order_by("planned_end_date", "id")


# What the roster's rows show of each deployment, its officer, agency, mission and role: the officers'
# other columns (their personal data) are not read for a list that shows their names.
ROSTER_ROW_FIELDS = (
    "status", "start_date", "planned_end_date", "officer_id", "mission_id", "catalogue_role_id",
    "role_other_en", "role_other_fr", "officer__first_name", "officer__last_name", "officer__agency_id",
    "officer__agency__name_en", "officer__agency__name_fr", "mission__code",
    "catalogue_role__name_en", "catalogue_role__name_fr",
)


def roster_rows(deployments: QuerySet[Deployment]) -> QuerySet[Deployment]:
    """`deployments` (from `roster_for`, filtered) narrowed to what the roster's rows show."""
    return deployments.only(*ROSTER_ROW_FIELDS)


def deployment_of_application(user, application):
    """The deployment an application became and that was not cancelled, if the user may see it."""
    return (deployment_visible_to(user).filter(application=application)
            .exclude(status=Deployment.Status.CANCELLED).first())


def deployment_role_initial(bulletin) -> dict:
    """What the deployment form offers first as the role: the catalogue's role named as the bulletin
    (its whole title, or the part before " — ", in English or French), else the bulletin's titles
    as a role written out in both languages."""
    from .roles.selectors import deployment_role_matching

    for title in (bulletin.title_en, bulletin.title_fr):
        for text in (title, (title or "").split(" — ")[0]):
            role = deployment_role_matching(text)
            if role is not None:
                return {"role_id": role.pk}
    return {"role_other_en": bulletin.title_en, "role_other_fr": bulletin.title_fr}


def deployment_create_preview(*, application, mission, start, end) -> dict:
    """What creating this deployment would run into (overlaps, clearances, strength), so
    the form can warn before an override is needed."""
    from .services import deployments as dep_services

    if not (start and end and end > start):
        return {"overlaps": [], "clearances": [], "strength": []}
    return {
        "overlaps": list(
            dep_services.overlapping(officer_id=application.officer_id, start=start, end=end)
            .select_related("mission").order_by("start_date")[:5]
        ),
        "clearances": dep_services.clearance_problems(
            officer=application.officer, required_kinds=application.bulletin.required_clearances, until=end
        ),
        "strength": dep_services.strength_problems(mission=mission, start=start, end=end),
    }


def officer_fit_context(user) -> dict | None:
    """For an officer reading bulletins: their record, clearances, applications (with their
    bulletins, for the selections) and current deployments, read once (four queries) so each
    bulletin row can say whether they fit and where they stand."""
    from agencies.selectors import officer_for_user

    from . import eligibility

    officer = officer_for_user(user)
    if officer is None:
        return None
    clearances = list(officer.clearances.all())
    applications = list(Application.objects.filter(officer=officer).select_related("bulletin", "bulletin__mission"))
    applied = {a.bulletin_id: a for a in applications}
    deployments = eligibility.committing_deployments().filter(officer=officer)
    commitments = eligibility.commitments_from(deployments=deployments, applications=applications)
    return {"officer": officer, "clearances": clearances, "applied": applied, "commitments": commitments}


def officer_fit(context: dict | None, bulletin) -> dict | None:
    """Whether the officer meets the bulletin's requirements, and their application if any."""
    from . import eligibility

    if context is None:
        return None
    application = context["applied"].get(bulletin.pk)
    result = eligibility.check(context["officer"], bulletin, clearances=context["clearances"],
                               commitments=context["commitments"])
    return {"application": application, "eligibility": result}


def clearance_conflicts(officer, clearances=None) -> list[dict]:
    """For each open bulletin, the clearances it asks for that `officer` lacks or that expire
    before its deployment start. Two queries."""
    from agencies.models import Clearance
    from missions.selectors import bulletins_open

    held = {c.kind: c for c in (clearances if clearances is not None else officer.clearances.all())}
    labels = dict(Clearance.Kind.choices)
    conflicts = []
    for bulletin in bulletins_open().order_by("deployment_start", "reference"):
        expiring, missing = [], []
        for kind in bulletin.required_clearances or []:
            c = held.get(kind)
            if c is None:
                missing.append(labels.get(kind, kind))
            elif c.valid_until < bulletin.deployment_start:
                expiring.append({"kind": labels.get(kind, kind), "valid_until": c.valid_until})
        if expiring or missing:
            conflicts.append({"bulletin": bulletin, "expiring": expiring, "missing": missing})
    return conflicts
