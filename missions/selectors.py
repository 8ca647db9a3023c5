"""Reads for missions and bulletins. `bulletin_visible_to` is the single visibility rule for bulletins."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
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


# --- read helpers for the mission and bulletin pages --------------------------------------
# Deployments and applications live in `roster`, which imports this app; they are reached
# here only through reverse relations spelled as strings, never imported.

CURRENT_DEPLOYMENT_STATES = ("planned", "in_mission")


def _count_per_mission(path: str, **lookups) -> Subquery:
    """A correlated COUNT over one reverse relation, so two relations never multiply each other."""
    return Subquery(
        Mission.objects.filter(pk=OuterRef("pk"))
        .order_by()
        .annotate(n=Count(path, filter=Q(**lookups)))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def missions_with_strength(queryset: QuerySet[Mission]) -> QuerySet[Mission]:
    """Annotate officers deployed now and in the pipeline against the authorised strength."""
    return queryset.annotate(
        deployed_now=_count_per_mission("deployments", deployments__status__in=CURRENT_DEPLOYMENT_STATES),
        pipeline_selected=_count_per_mission(
            "bulletins__applications", bulletins__applications__status="selected"
        ),
        pipeline_shortlisted=_count_per_mission(
            "bulletins__applications", bulletins__applications__status="shortlisted"
        ),
        pipeline_waitlisted=_count_per_mission(
            "bulletins__applications", bulletins__applications__status="waitlisted"
        ),
    )


def mission_strength(mission: Mission) -> dict:
    """Deployed now and selected (pipeline) against the authorised strength, for a progress bar.

    `mission` must come from `missions_with_strength`."""
    strength = mission.authorized_strength or 0
    deployed = mission.deployed_now or 0
    selected = mission.pipeline_selected or 0
    if strength:
        pct_deployed = min(100, round(100 * deployed / strength))
        pct_selected = min(100 - pct_deployed, round(100 * selected / strength))
    else:
        pct_deployed = pct_selected = 0
    return {
        "strength": strength,
        "deployed": deployed,
        "selected": selected,
        "shortlisted": mission.pipeline_shortlisted or 0,
        "waitlisted": mission.pipeline_waitlisted or 0,
        "vacant": max(0, strength - deployed - selected),
        "over": max(0, deployed + selected - strength),
        "pct_deployed": pct_deployed,
        "pct_selected": pct_selected,
    }


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


def _count_per_bulletin(path: str, **lookups) -> Subquery:
    return Subquery(
        Bulletin.objects.filter(pk=OuterRef("pk"))
        .order_by()
        .annotate(n=Count(path, filter=Q(**lookups)))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def bulletins_with_progress(queryset: QuerySet[Bulletin]) -> QuerySet[Bulletin]:
    """For staff running many bulletins: agencies notified and acknowledged, applications
    received and positions filled, per bulletin, in the list's one query."""
    return queryset.annotate(
        notices_total=_count_per_bulletin("notices"),
        notices_acknowledged=_count_per_bulletin("notices", notices__acknowledged_at__isnull=False),
        applications_total=_count_per_bulletin("applications"),
        applications_awaiting=_count_per_bulletin(
            "applications", applications__status__in=["endorsed", "shortlisted", "waitlisted"]
        ),
        positions_filled=_count_per_bulletin("applications", applications__status__in=["selected", "deployed"]),
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
