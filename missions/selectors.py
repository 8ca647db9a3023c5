"""Reads for missions and bulletins. `bulletin_visible_to` is the single visibility rule for
bulletins; `Strength` (with `mission_strength` and `program_strength`) is the single definition
of the authorised, filled, vacant and over-strength figures, on every page that shows them."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery
from django.utils import timezone

from agencies.models import Role

from .models import Bulletin, BulletinNotice, Mission


def mission_visible_to(user) -> QuerySet[Mission]:
    if not getattr(user, "is_authenticated", False):
        return Mission.objects.none()
    return Mission.objects.all()


def bulletin_visible_to(user) -> QuerySet[Bulletin]:
    """IPO staff see every bulletin; everyone else sees published and closed ones."""
    if not getattr(user, "is_authenticated", False):
        return Bulletin.objects.none()
    qs = Bulletin.objects.select_related("mission")
    if user.role == Role.IPO_STAFF:
        return qs
    return qs.filter(status__in=[Bulletin.Status.PUBLISHED, Bulletin.Status.CLOSED])


def notice_visible_to(user) -> QuerySet[BulletinNotice]:
    """A bulletin's notice to an agency: IPO staff see every one, a coordinator their agency's of the
    bulletins they see, an officer none."""
    if not getattr(user, "is_authenticated", False) or user.role == Role.OFFICER:
        return BulletinNotice.objects.none()
    qs = BulletinNotice.objects.select_related("bulletin", "agency", "acknowledged_by")
    if user.role == Role.IPO_STAFF:
        return qs
    return qs.filter(agency_id=user.agency_id, bulletin__in=bulletin_visible_to(user).values("pk"))


# The bulletin list's order, latest closing first with the id as tie-break: the keyset of its pages
# (config.pagination), held by the indexes bulletin_closes_id, bulletin_status_closes_id (one status)
# and bulletin_mission_closes_id (one mission).
BULLETIN_ORDER = ("-closes_at", "-id")


def bulletins_open(now=None) -> QuerySet[Bulletin]:
    now = now or timezone.now()
    return Bulletin.objects.filter(status=Bulletin.Status.PUBLISHED, closes_at__gt=now)


def notices_pending_acknowledgement(agency_id) -> QuerySet[BulletinNotice]:
    return BulletinNotice.objects.filter(
        agency_id=agency_id,
        acknowledged_at__isnull=True,
        bulletin__status=Bulletin.Status.PUBLISHED,
        bulletin__closes_at__gt=timezone.now(),
    ).select_related("bulletin", "bulletin__mission")


# --- strength: one definition for every page ---------------------------------------------
# Deployments and applications live in `roster`, which imports this app; they are reached
# here only through reverse relations spelled as strings, never imported. This is the lowest
# layer that can count them, so the mission pages, the roster dashboard and the roster export
# all take their strength figures from here.

# The deployment states that fill a position: the current roster (roster.selectors.deployments_current).
IN_MISSION, PLANNED = "in_mission", "planned"
FILLED_STATES = (IN_MISSION, PLANNED)
# The application states that wait for IPO staff to decide (a bulletin's "to decide"), and the
# ones that fill a bulletin's positions.
AWAITING_STATES = ("endorsed", "shortlisted", "waitlisted")
POSITION_FILLING_STATES = ("selected", "deployed")


def _pct(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return round(100 * part / whole, 1)


@dataclass(frozen=True)
class Strength:
    """Officers against an authorised strength: a mission's, or the program ceiling
    (settings.ROSTER["PROGRAM_CEILING"]) for the program. As the roster stands now.

    - authorised: the mission's `authorized_strength` (0 once it is closed); for the program, the ceiling.
    - in_mission, planned: deployments in those states (FILLED_STATES).
    - filled: in_mission + planned, the officers on the current roster. A relief counts from
      the day its deployment is planned, beside the officer it replaces until that one leaves.
      Completed, repatriated and cancelled tours do not count.
    - selected: applications selected and not deployed yet. The pipeline, shown beside the
      figures: it is NOT counted in `filled`.
    - vacant: max(0, authorised - filled); over: max(0, filled - authorised).
    """

    authorised: int
    in_mission: int = 0
    planned: int = 0
    selected: int = 0

    @property
    def filled(self) -> int:
        return self.in_mission + self.planned

    @property
    def vacant(self) -> int:
        return max(0, self.authorised - self.filled)

    @property
    def over(self) -> int:
        return max(0, self.filled - self.authorised)

    @property
    def pct_filled(self) -> float | None:
        """Filled as a share of the authorised strength, in per cent (one decimal); None without one."""
        return _pct(self.filled, self.authorised)

    def _bar(self, before: int, part: int) -> int:
        """The width, in per cent of the authorised strength, of a bar segment after `before` others."""
        if not self.authorised:
            return 0
        start = min(100, round(100 * before / self.authorised))
        return min(100, round(100 * (before + part) / self.authorised)) - start

    @property
    def bar_in_mission(self) -> int:
        return self._bar(0, self.in_mission)

    @property
    def bar_planned(self) -> int:
        return self._bar(self.in_mission, self.planned)

    @property
    def bar_selected(self) -> int:
        return self._bar(self.filled, self.selected)


class _RowCount(Subquery):
    """The number of rows of a queryset, as a scalar subquery: 0 when there are none."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


def _count_related(model, path: str, **lookups) -> _RowCount:
    """A correlated COUNT of the rows reached from `model` through the reverse relations `path`
    ("deployments", "bulletins__applications"), filtered by `lookups` on those rows. It reads the
    related table itself, by its foreign key and the filtered columns, so an index on them finds
    the few rows that match (a COUNT(...) FILTER over a join read every related row: the 50,000
    applications of a mission to count its 20 selected); and two relations never multiply each
    other. The related models are reached through the relations, never imported."""
    back = []
    for name in path.split("__"):
        relation = model._meta.get_field(name)
        back.insert(0, relation.field.name)
        model = relation.related_model
    rows = model._base_manager.filter(**{"__".join(back): OuterRef("pk")}, **lookups)
    return _RowCount(rows.order_by().values(back[0]))


def _count_per_mission(path: str, **lookups) -> _RowCount:
    return _count_related(Mission, path, **lookups)


def missions_with_strength(queryset: QuerySet[Mission]) -> QuerySet[Mission]:
    """The missions with what `strength_of` reads, counted in the same query (one subquery per figure)."""
    return queryset.annotate(
        strength_in_mission=_count_per_mission("deployments", status=IN_MISSION),
        strength_planned=_count_per_mission("deployments", status=PLANNED),
        strength_selected=_count_per_mission("bulletins__applications", status="selected"),
    )


def strength_of(mission: Mission) -> Strength:
    """The mission's Strength. `mission` must come from `missions_with_strength`. A closed mission
    authorises nobody: it has no vacancy, whatever strength it once had."""
    return Strength(
        authorised=0 if mission.status == Mission.Status.CLOSED else (mission.authorized_strength or 0),
        in_mission=mission.strength_in_mission or 0,
        planned=mission.strength_planned or 0,
        selected=mission.strength_selected or 0,
    )


def mission_strength(missions: QuerySet[Mission] | None = None) -> dict[int, Strength]:
    """Each mission's Strength by mission id (every mission by default). One query."""
    queryset = Mission.objects.all() if missions is None else missions
    return {m.pk: strength_of(m) for m in missions_with_strength(queryset.order_by())}


def program_strength(every_mission: Iterable[Strength] | None = None) -> Strength:
    """The program's Strength against the ceiling: the sum over every mission, whatever its status
    (an officer on a suspended mission still counts). `every_mission`: the Strength of EVERY
    mission when the caller already has it (mission_strength()); else read here, in one query."""
    strengths = list(mission_strength().values() if every_mission is None else every_mission)
    return Strength(
        authorised=settings.ROSTER["PROGRAM_CEILING"],
        in_mission=sum(s.in_mission for s in strengths),
        planned=sum(s.planned for s in strengths),
        selected=sum(s.selected for s in strengths),
    )


def missions_with_pipeline(queryset: QuerySet[Mission]) -> QuerySet[Mission]:
    """For the mission page: the strength, and the applications shortlisted and waitlisted."""
    return missions_with_strength(queryset).annotate(
        pipeline_shortlisted=_count_per_mission("bulletins__applications", status="shortlisted"),
        pipeline_waitlisted=_count_per_mission("bulletins__applications", status="waitlisted"),
    )


def bulletin_actions(user, bulletin: Bulletin) -> dict[str, bool]:
    """Which buttons the bulletin page offers. The services enforce the same rules."""
    staff = getattr(user, "is_authenticated", False) and user.role == Role.IPO_STAFF
    coordinator = getattr(user, "is_authenticated", False) and user.role == Role.COORDINATOR
    status = bulletin.status
    return {
        "edit": staff and status == Bulletin.Status.DRAFT,
        "preview": staff,
        "publish": staff and status == Bulletin.Status.DRAFT,
        "close": staff and status == Bulletin.Status.PUBLISHED,
        "remind": staff and bulletin.is_open,
        "cancel": staff and status in (Bulletin.Status.DRAFT, Bulletin.Status.PUBLISHED),
        "duplicate": staff,
        "watch_delivery": staff and status != Bulletin.Status.DRAFT,
        "acknowledge": coordinator and status == Bulletin.Status.PUBLISHED,
        "circulate": coordinator and bulletin.is_open,
    }


def bulletin_notices_with_delivery(bulletin: Bulletin) -> tuple[list[BulletinNotice], dict[str, int]]:
    """Each partner agency's notice with its delivery state (`notice.delivery`, see
    notifications.selectors.delivery_by_topic), and a summary. A constant number of queries."""
    from notifications.selectors import delivery_by_topic

    notices = list(
        BulletinNotice.objects.filter(bulletin_id=bulletin.pk)
        .select_related("agency", "acknowledged_by")
        .order_by("agency__name_en", "pk")
    )
    delivery = delivery_by_topic([n.outbox_key for n in notices])
    summary = {"notified": len(notices), "sent": 0, "failed": 0, "queued": 0, "no_recipient": 0, "acknowledged": 0}
    for notice in notices:
        notice.delivery = delivery.get(notice.outbox_key) or {}
        state = notice.delivery.get("state")
        summary[state if state in ("sent", "failed", "queued") else "no_recipient"] += 1
        if notice.acknowledged_at:
            summary["acknowledged"] += 1
    return notices, summary


def notice_for_agency(bulletin: Bulletin, agency_id) -> BulletinNotice | None:
    if not agency_id:
        return None
    return (
        BulletinNotice.objects.filter(bulletin_id=bulletin.pk, agency_id=agency_id)
        .select_related("agency", "acknowledged_by", "circulated_by")
        .first()
    )


def _count_per_bulletin(path: str, **lookups) -> _RowCount:
    return _count_related(Bulletin, path, **lookups)


# The figures `bulletins_with_progress` can add: name -> (relation, lookups on its rows).
BULLETIN_PROGRESS = {
    "notices_total": ("notices", {}),
    "notices_acknowledged": ("notices", {"acknowledged_at__isnull": False}),
    "applications_total": ("applications", {}),
    "applications_awaiting": ("applications", {"status__in": AWAITING_STATES}),
    "positions_filled": ("applications", {"status__in": POSITION_FILLING_STATES}),
}


def bulletins_with_progress(queryset: QuerySet[Bulletin], *figures: str) -> QuerySet[Bulletin]:
    """For staff running many bulletins: agencies notified and acknowledged, applications
    received and positions filled, per bulletin, in the list's one query (`figures`: only these
    of BULLETIN_PROGRESS; every one by default). Each figure is a correlated COUNT that
    PostgreSQL computes only for the rows the list returns; to choose the rows, filter with
    EXISTS rather than on these figures, which would count them for every bulletin."""
    return queryset.annotate(
        **{
            name: _count_per_bulletin(relation, **lookups)
            for name, (relation, lookups) in BULLETIN_PROGRESS.items()
            if not figures or name in figures
        }
    )


def publish_audience() -> dict[str, int]:
    """Who publishing a bulletin notifies: every partner agency, and in each its active
    coordinators plus the agency's mailbox if set (as `missions.services.bulletin_publish` does).
    Two queries, whatever the number of agencies."""
    from django.db.models import Count, Q

    from agencies.models import Agency, Role

    row = Agency.objects.filter(is_partner=True).aggregate(
        agencies=Count("pk", distinct=True),
        mailboxes=Count("pk", filter=~Q(mailbox=""), distinct=True),
    )
    from agencies.models import User

    coordinators = User.objects.filter(role=Role.COORDINATOR, is_active=True, agency__is_partner=True).count()
    return {"agencies": row["agencies"], "people": coordinators + row["mailboxes"]}
