"""Reads for applications and deployments; `*_visible_to` carry the visibility rule."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.permissions import is_ipo_staff
from agencies.selectors import scope_to_user

from .models import OPEN_STATES, Application, ApplicationStatus, Deployment
from .permissions import can_read_repatriation_reason


def application_visible_to(user) -> QuerySet[Application]:
    qs = Application.objects.select_related("officer", "officer__agency", "bulletin", "bulletin__mission")
    return scope_to_user(qs, user, officer_path="officer")


def deployment_visible_to(user) -> QuerySet[Deployment]:
    qs = Deployment.objects.select_related("officer", "officer__agency", "mission")
    return scope_to_user(qs, user, officer_path="officer")


PENDING_STATES = frozenset(OPEN_STATES) - {ApplicationStatus.SELECTED}


def applications_pending(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Applications still awaiting a decision."""
    return qs.filter(status__in=PENDING_STATES)


def deployments_current(qs: QuerySet[Deployment]) -> QuerySet[Deployment]:
    return qs.filter(status__in=[Deployment.Status.PLANNED, Deployment.Status.IN_MISSION])


COORDINATOR_LIST_LIMIT = 10


def home_summary(user) -> dict:
    """What each role's home page shows; counts come from the visibility-scoped querysets."""
    from django.db.models import Count

    from agencies.models import Role
    from agencies.selectors import officer_visible_to
    from missions.selectors import bulletins_open, notices_pending_acknowledgement

    applications = application_visible_to(user)
    deployments = deployment_visible_to(user)
    ctx: dict = {}
    if user.role == Role.IPO_STAFF:
        ctx["open_bulletins"] = bulletins_open().count()
        ctx["pending_applications"] = applications_pending(applications).count()
        ctx["current_deployments"] = deployments_current(deployments).count()
        ctx["recent_applications"] = applications.order_by("-created_at", "-id")[:10]
        from .dashboard import staff_worklist

        ctx["worklist"] = staff_worklist(user)
    elif user.role == Role.COORDINATOR:
        ctx["agency"] = user.agency
        ctx["officer_count"] = officer_visible_to(user).filter(is_active=True).count()
        ctx["pending_applications"] = applications_pending(applications).count()
        ctx["current_deployments"] = list(
            deployments_current(deployments).order_by("planned_end_date", "id")[:20]
        )
        labels = dict(ApplicationStatus.choices)
        ctx["status_counts"] = [
            {**row, "label": labels.get(row["status"], row["status"])}
            for row in applications.order_by().values("status").annotate(n=Count("id")).order_by("status")
        ]
        ctx["notices_to_acknowledge"] = list(notices_pending_acknowledgement(user.agency_id)[:20])
        # the coordinator's own queue: submitted applications wait for the agency's endorsement,
        # the bulletin closing soonest first
        to_endorse = agency_applications(user, status=ApplicationStatus.SUBMITTED).order_by(
            "bulletin__closes_at", "created_at", "id")
        ctx["to_endorse"] = list(to_endorse[:COORDINATOR_LIST_LIMIT])
        ctx["to_endorse_count"] = to_endorse.count()
        ctx["open_bulletins"] = bulletins_open().count()
    else:
        ctx["applications"] = list(applications.order_by("-created_at", "-id"))
        ctx["deployments"] = list(deployments.order_by("-start_date", "-id")[:5])
        ctx["open_bulletins"] = bulletins_open().count()
    return ctx


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


def _states_with_staff_moves() -> frozenset:
    from .models import TRANSITIONS

    return frozenset(
        frm
        for frm, moves in TRANSITIONS.items()
        if any("ipo_staff" in roles and to != ApplicationStatus.DEPLOYED for to, roles in moves.items())
    )


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

    from .models import ApplicationEvent

    return application_visible_to(user).select_related("nominated_by").prefetch_related(
        "documents",
        "officer__clearances",
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
    )


def application_eligibility(application: Application):
    """The officer against the bulletin, rule by rule (clearances prefetched when available)."""
    from . import eligibility

    return eligibility.check(application.officer, application.bulletin, clearances=application.officer.clearances.all())


def applications_with_timeline(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Applications with their documents and every event (and its actor), in three queries."""
    from django.db.models import Prefetch

    from .models import ApplicationEvent

    return qs.select_related("nominated_by").prefetch_related(
        "documents",
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
    )


def my_applications(user) -> QuerySet[Application]:
    """An officer's own applications, newest first, with documents and timeline."""
    qs = application_visible_to(user).filter(officer__user_id=user.pk)
    return applications_with_timeline(qs).order_by("-created_at", "-id")


def agency_applications(user, *, status: str = "", bulletin_id=None) -> QuerySet[Application]:
    """A coordinator's agency's applications, ordered to be grouped by bulletin."""
    qs = application_visible_to(user).select_related("nominated_by")
    if status:
        qs = qs.filter(status=status)
    if bulletin_id:
        qs = qs.filter(bulletin_id=bulletin_id)
    return qs.order_by("-bulletin__closes_at", "bulletin__reference", "officer__last_name", "officer__first_name", "id")


def bulletin_pipeline(user, bulletin) -> dict:
    """A bulletin's applicants grouped by state, each with its eligibility computed from
    prefetched clearances: a constant number of queries whatever the number of applicants."""
    from . import eligibility
    from .services import filled_positions

    applications = list(
        application_visible_to(user)
        .filter(bulletin_id=bulletin.pk)
        .select_related("nominated_by")
        .prefetch_related("documents", "officer__clearances")
        .order_by("officer__last_name", "officer__first_name", "id")
    )
    actionable = _states_with_staff_moves()
    by_status: dict[str, list] = {s: [] for s in PIPELINE_ORDER}
    for application in applications:
        application.eligibility = eligibility.check(
            application.officer, bulletin, clearances=application.officer.clearances.all()
        )
        application.actionable = application.status in actionable
        by_status.setdefault(application.status, []).append(application)
    sections = [
        {"status": s, "label": ApplicationStatus(s).label, "applications": by_status[s],
         "settled": s in PIPELINE_SETTLED}
        for s in by_status
        if by_status[s]
    ]
    filled = filled_positions(bulletin.pk)
    return {
        "sections": sections,
        "total": len(applications),
        "filled": filled,
        "positions": bulletin.positions,
        "open_positions": max(0, bulletin.positions - filled),
        "any_actionable": any(a.actionable for a in applications),
    }


def officers_for_nomination(user, bulletin) -> list:
    """The coordinator's active officers, each with `eligibility` and `has_applied`, in two queries."""
    from django.db.models import Exists, OuterRef

    from agencies.selectors import officer_visible_to

    from . import eligibility

    officers = list(
        officer_visible_to(user)
        .filter(is_active=True)
        .annotate(has_applied=Exists(Application.objects.filter(bulletin_id=bulletin.pk, officer_id=OuterRef("pk"))))
        .prefetch_related("clearances")
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
        "repatriate": staff and current,
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


def deployment_event_note_for(user, deployment: Deployment, event) -> str:
    """A deployment event's note as `user` may read it: a repatriation's note goes with its reason."""
    if event.action == "repatriated":
        reason = (event.data or {}).get("reason") or deployment.repatriation_reason
        return repatriation_note_for(user, deployment, reason=reason, note=event.note)
    return event.note


def deployments_replaceable(user, mission_id) -> QuerySet[Deployment]:
    """Current deployments of a mission that a new deployment may replace (rotation)."""
    return deployments_current(deployment_visible_to(user)).filter(mission_id=mission_id).order_by(
        "planned_end_date", "id"
    )


def roster_for(user) -> QuerySet[Deployment]:
    """The current roster (planned and in mission) the user may see, soonest end first."""
    return deployments_current(deployment_visible_to(user)).order_by("planned_end_date", "id")


def deployment_of_application(user, application):
    """The deployment an application became, if the user may see it."""
    return deployment_visible_to(user).filter(application=application).first()


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
    """For an officer reading bulletins: their record, clearances and applications, read once
    (three queries) so each bulletin row can say whether they fit and where they stand."""
    from agencies.selectors import officer_for_user

    officer = officer_for_user(user)
    if officer is None:
        return None
    clearances = list(officer.clearances.all())
    applications = Application.objects.filter(officer=officer).only("id", "bulletin_id", "status")
    applied = {a.bulletin_id: a for a in applications}
    return {"officer": officer, "clearances": clearances, "applied": applied}


def officer_fit(context: dict | None, bulletin) -> dict | None:
    """Whether the officer meets the bulletin's requirements, and their application if any."""
    from . import eligibility

    if context is None:
        return None
    application = context["applied"].get(bulletin.pk)
    result = eligibility.check(context["officer"], bulletin, clearances=context["clearances"])
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
