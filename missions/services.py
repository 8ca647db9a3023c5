"""Writes for missions and bulletins: keyword-only, atomic, with their notifications."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Role, User
from agencies.permissions import is_coordinator, is_ipo_staff
from audit.logging import log_event
from notifications.services import Recipient, mail_batch_queue, mail_resend

from .models import Bulletin, BulletinNotice, Mission
from .notice_hooks import notice_context

S = Bulletin.Status


# --- missions ------------------------------------------------------------------------

def _require_ipo(actor):
    if not is_ipo_staff(actor):
        raise PermissionDenied(_("Only IPO staff may do this."))


@transaction.atomic
def mission_save(*, mission: Mission, actor) -> Mission:
    _require_ipo(actor)
    mission.full_clean()
    mission.save()
    return mission


# --- bulletins -----------------------------------------------------------------------

def bulletin_next_reference(year: int | None = None) -> str:
    year = year or timezone.localdate().year
    prefix = f"JPB-{year}-"
    numbers = [
        int(ref.rsplit("-", 1)[1])
        for ref in Bulletin.objects.filter(reference__startswith=prefix).values_list("reference", flat=True)
        if ref.rsplit("-", 1)[1].isdigit()
    ]
    return f"{prefix}{(max(numbers) + 1) if numbers else 1:03d}"


@transaction.atomic
def bulletin_save(*, bulletin: Bulletin, actor) -> Bulletin:
    """Create or edit a draft."""
    _require_ipo(actor)
    if bulletin.pk:
        current = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if current.status != S.DRAFT:
            raise ValidationError(_("Only a draft can be edited; this bulletin is %(status)s.")
                                  % {"status": current.get_status_display()})
    else:
        bulletin.status = S.DRAFT
        bulletin.created_by = actor
        if not bulletin.reference:
            bulletin.reference = bulletin_next_reference()
    bulletin.full_clean()
    bulletin.save()
    return bulletin


def bulletin_publish_problems(bulletin: Bulletin, *, now=None) -> dict[str, list[str]]:
    """Why a bulletin cannot be published, field by field (empty when it can)."""
    now = now or timezone.now()
    problems: dict[str, list[str]] = {}

    def add(field, message):
        problems.setdefault(field, []).append(str(message))

    for lang, label in (("en", _("English")), ("fr", _("French"))):
        if not (getattr(bulletin, f"title_{lang}") or "").strip():
            add(f"title_{lang}", _("A title in %(lang)s is required to publish.") % {"lang": label})
        if not (getattr(bulletin, f"description_{lang}") or "").strip():
            add(f"description_{lang}", _("A description in %(lang)s is required to publish.") % {"lang": label})
    if bulletin.closes_at is None or bulletin.closes_at <= now:
        add("closes_at", _("The closing date has passed; choose a later one to publish."))
    if bulletin.positions is None or bulletin.positions < 1:
        add("positions", _("At least one position is required to publish."))
    if bulletin.mission_id and bulletin.mission.status != Mission.Status.ACTIVE:
        add("mission", _("The mission is not active."))
    return problems


def _agency_recipients(notices, template: str) -> list[Recipient]:
    """Who a message about a bulletin reaches in each notice's agency: its active coordinators,
    then the agency's mailbox if set, under the notice's topic (the publication's is the notice's
    own `outbox_key`, its delivery state; later messages have a topic of their own). `notices` is a
    queryset or a list of notices with their agency. Two queries, whatever the number of agencies:
    no model instance per row."""
    if isinstance(notices, QuerySet):
        rows = list(notices.order_by("agency_id").values_list(
            "pk", "agency_id", "agency__mailbox", "agency__language", "agency__name_en"))
        agency_filter = {"agency_id__in": notices.values("agency_id")}
    else:
        rows = [(n.pk, n.agency_id, n.agency.mailbox, n.agency.language, n.agency.name_en) for n in notices]
        agency_filter = {"agency_id__in": [n.agency_id for n in notices]}
    coordinators: dict[int, list[tuple]] = {}
    for agency_id, *person in (
        User.objects.filter(role=Role.COORDINATOR, is_active=True, **agency_filter)
        .order_by("pk").values_list("agency_id", "email", "preferred_language", "pk", "first_name", "last_name")
    ):
        coordinators.setdefault(agency_id, []).append(person)
    recipients = []
    for notice_pk, agency_id, mailbox, language, name in rows:
        topic = _topic(notice_pk, template)
        for email, lang, user_id, first, last in coordinators.get(agency_id, ()):
            recipients.append(Recipient(email=email, language=lang or "en", user_id=user_id,
                                        name=f"{first} {last}".strip(), topic=topic, ref=agency_id))
        if mailbox:
            recipients.append(Recipient(email=mailbox, language=language, name=name, topic=topic, ref=agency_id))
    return recipients


def _topic(notice_pk: int, template: str) -> str:
    """The topic of a message about a notice (`BulletinNotice.outbox_key`): the publication's is the
    notice's own, its delivery state; later messages have a topic of their own."""
    return f"notice:{notice_pk}" if template == "bulletin_published" else f"notice:{notice_pk}:{template}"


def _notify_agencies(*, bulletin: Bulletin, notices: list[BulletinNotice], template: str) -> int:
    """Queue `template` to these notices' agencies (with their agency loaded) as one batch of
    messages, fanned out by a worker after the commit (notifications.services.mail_batch_queue).
    Returns the number of messages."""
    batch = mail_batch_queue(
        recipients=_agency_recipients(notices, template),
        template=template,
        loader=BULLETIN_MAIL,
        context={"bulletin": bulletin.pk},
    )
    return batch.total if batch else 0


def _notify_every_agency(*, bulletin: Bulletin, template: str) -> None:
    """Queue `template` to every agency notified of the bulletin, as one batch whose recipients the
    worker looks up (the audience BULLETIN_AGENCIES): the request stores the batch and the notices'
    topics, and its cost does not grow with the number of agencies beyond that."""
    pks = BulletinNotice.objects.filter(bulletin_id=bulletin.pk).order_by("pk").values_list("pk", flat=True)
    mail_batch_queue(
        audience=BULLETIN_AGENCIES,
        topics=[_topic(pk, template) for pk in pks],
        template=template,
        loader=BULLETIN_MAIL,
        context={"bulletin": bulletin.pk, "template": template},
    )


# The context loader of bulletin messages, and the audience of a message to every agency notified
# of a bulletin, registered with notifications in MissionsConfig.ready().
BULLETIN_MAIL = "bulletin"
BULLETIN_AGENCIES = "bulletin-agencies"


def bulletin_agencies(context: dict) -> list[Recipient]:
    """The audience BULLETIN_AGENCIES: in every agency notified of the bulletin, its active
    coordinators and its mailbox, under the notice's topic for the batch's template."""
    return _agency_recipients(BulletinNotice.objects.filter(bulletin_id=context["bulletin"]), context["template"])


def bulletin_mail_context(context: dict, refs: list) -> list[dict]:
    """The template context of a batch of bulletin messages, from its stored references: the
    bulletin (with its mission), each recipient's agency (its `ref`, else the batch's `agency`),
    and the batch's `coordinator` if any. Read from the database, so a retry renders the same
    message (a bulletin no longer changes once published)."""
    bulletin = Bulletin.objects.select_related("mission").get(pk=context["bulletin"])
    agency_ids = {ref for ref in refs if ref is not None}
    if context.get("agency"):
        agency_ids.add(context["agency"])
    agencies = Agency.objects.in_bulk(agency_ids)
    shared = {"bulletin": bulletin}
    if context.get("coordinator"):
        shared["coordinator"] = User.objects.filter(pk=context["coordinator"]).first()
    default = agencies.get(context.get("agency"))
    # what apps above add per agency (missions.notice_hooks: planning's count of eligible officers)
    extra = notice_context(bulletin, agencies, template=context.get("template", ""))
    return [{**shared, "agency": agencies.get(ref, default) if ref is not None else default,
             **extra.get(ref if ref is not None else context.get("agency"), {})} for ref in refs]


def _notices_for_partners(*, bulletin_id: int, now) -> None:
    """A notice to every partner agency that has none for this bulletin yet, in one
    INSERT ... SELECT: no model instance, no parameter per agency. Every other field of the notice
    gets its default (a field added with a default that must differ per row has to be handled here:
    this refuses it rather than give every row the same value)."""
    from django.db import connection

    notice, agency = BulletinNotice._meta, Agency._meta
    qn = connection.ops.quote_name
    columns, values, params = [], [], []
    for f in notice.concrete_fields:
        if f.primary_key:
            continue
        columns.append(qn(f.column))
        if f.name == "agency":
            values.append(f"a.{qn(agency.pk.column)}")
            continue
        if f.name == "bulletin":
            value = bulletin_id
        elif getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            value = now
        elif f.has_default() and callable(f.default):
            raise ImproperlyConfigured(f"BulletinNotice.{f.name}: a default computed per row is not set by publishing")
        else:
            value = f.get_default()
        values.append("%s")
        params.append(f.get_db_prep_save(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(notice.db_table)} ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"FROM {qn(agency.db_table)} a WHERE a.{qn(agency.get_field('is_partner').column)} "
            f"ON CONFLICT DO NOTHING",
            params,
        )


@transaction.atomic
def bulletin_publish(*, bulletin: Bulletin, actor, now=None) -> Bulletin:
    """Publish a draft: one notice per partner agency and one batch of messages (an email per
    recipient, made by a worker), all in this transaction; the fan-out starts after the commit.
    A constant number of queries, and no model instance per agency."""
    _require_ipo(actor)
    now = now or timezone.now()
    bulletin = Bulletin.objects.select_for_update().select_related("mission").get(pk=bulletin.pk)
    if bulletin.status != S.DRAFT:
        raise ValidationError(_("Only a draft can be published; this bulletin is %(status)s.")
                              % {"status": bulletin.get_status_display()})
    problems = bulletin_publish_problems(bulletin, now=now)
    if problems:
        raise ValidationError(problems)
    bulletin.status = S.PUBLISHED
    bulletin.published_at = now
    bulletin.save(update_fields=["status", "published_at", "updated_at"])
    _notices_for_partners(bulletin_id=bulletin.pk, now=now)
    _notify_every_agency(bulletin=bulletin, template="bulletin_published")
    return bulletin


@transaction.atomic
def bulletin_close(*, bulletin: Bulletin, actor=None, now=None) -> Bulletin:
    """Close a published bulletin and tell the agencies (an early close says so).
    `actor=None` is the scheduler closing it on time."""
    if actor is not None:
        _require_ipo(actor)
    now = now or timezone.now()
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status != S.PUBLISHED:
        raise ValidationError(_("Only a published bulletin can be closed."))
    early = now < bulletin.closes_at
    bulletin.status = S.CLOSED
    bulletin.closed_at = now
    bulletin.save(update_fields=["status", "closed_at", "updated_at"])
    # Early or on time, the agencies are told that applications have stopped.
    _notify_every_agency(bulletin=bulletin, template="bulletin_closed_early" if early else "bulletin_closed")
    return bulletin


@transaction.atomic
def bulletin_cancel(*, bulletin: Bulletin, actor, reason: str, now=None) -> Bulletin:
    _require_ipo(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the bulletin is cancelled; the agencies are told.")]})
    now = now or timezone.now()
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status not in (S.DRAFT, S.PUBLISHED):
        raise ValidationError(_("Only a draft or published bulletin can be cancelled."))
    was_published = bulletin.status == S.PUBLISHED
    bulletin.status = S.CANCELLED
    bulletin.cancelled_at = now
    bulletin.cancel_reason = reason
    bulletin.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    if was_published:
        _notify_every_agency(bulletin=bulletin, template="bulletin_cancelled")
    return bulletin


@transaction.atomic
def bulletin_duplicate(*, bulletin: Bulletin, actor) -> Bulletin:
    """A new draft with the same content, to repost a rotation."""
    _require_ipo(actor)
    copy = Bulletin.objects.get(pk=bulletin.pk)
    copy.pk = None
    copy.id = None
    copy.reference = bulletin_next_reference()
    copy.status = S.DRAFT
    copy.published_at = copy.closed_at = copy.cancelled_at = None
    copy.cancel_reason = ""
    copy.created_by = actor
    today = timezone.localdate()
    if copy.deployment_start <= today:
        copy.deployment_start = today + timedelta(days=90)
    if copy.closes_at <= timezone.now():
        copy.closes_at = timezone.now() + timedelta(days=30)
    copy.save()
    return copy


@transaction.atomic
def notice_acknowledge(*, bulletin: Bulletin, actor, now=None) -> BulletinNotice:
    """A coordinator acknowledges a bulletin for their own agency (once; later clicks keep the first)."""
    if not is_coordinator(actor) or not actor.agency_id:
        raise PermissionDenied(_("Only an agency coordinator acknowledges a bulletin for their agency."))
    notice = (
        BulletinNotice.objects.select_for_update()
        .filter(bulletin_id=bulletin.pk, agency_id=actor.agency_id)
        .first()
    )
    if notice is None:
        raise PermissionDenied(_("Your agency was not notified of this bulletin."))
    if Bulletin.objects.filter(pk=bulletin.pk).values_list("status", flat=True).first() != S.PUBLISHED:
        raise ValidationError(_("Only a published bulletin can be acknowledged."))
    if notice.acknowledged_at is None:
        notice.acknowledged_at = now or timezone.now()
        notice.acknowledged_by = actor
        notice.save(update_fields=["acknowledged_at", "acknowledged_by"])
        log_event("notice_acknowledged", actor=actor, bulletin_id=bulletin.pk, notice_id=notice.pk)
    return notice


def notice_resend(*, notice: BulletinNotice, actor) -> int:
    """Queue again the failed messages of one agency's notice."""
    _require_ipo(actor)
    from notifications.models import OutgoingMail

    ids = OutgoingMail.objects.filter(topic=notice.outbox_key, status=OutgoingMail.Status.FAILED).values_list(
        "pk", flat=True
    )
    return mail_resend(mail_ids=list(ids))


def bulletins_close_due(*, now=None) -> int:
    now = now or timezone.now()
    closed = 0
    for pk in Bulletin.objects.filter(status=S.PUBLISHED, closes_at__lte=now).values_list("pk", flat=True):
        try:
            bulletin_close(bulletin=Bulletin(pk=pk), actor=None, now=now)
            closed += 1
        except ValidationError:
            continue  # closed by someone else meanwhile
    return closed


def _notices_to_remind(bulletin: Bulletin):
    """The bulletin's notices to agencies that have neither acknowledged nor nominated anyone."""
    nominated = set(
        bulletin.applications.filter(nominated_by__isnull=False).values_list("officer__agency_id", flat=True)
    )
    return (
        bulletin.notices.filter(acknowledged_at__isnull=True)
        .exclude(agency_id__in=nominated)
        .select_related("agency")
        .order_by("agency__name_en", "pk")
    )


@transaction.atomic
def bulletins_send_reminders(*, now=None) -> int:
    """Remind agencies that have neither acknowledged nor nominated anyone, a set number of
    days before closing. Each notice is reminded once by this scheduled run."""
    now = now or timezone.now()
    days = settings.ROSTER["REMINDER_DAYS_BEFORE_CLOSING"]
    bulletins = Bulletin.objects.filter(
        status=S.PUBLISHED, closes_at__gt=now, closes_at__lte=now + timedelta(days=days)
    ).select_related("mission")
    sent = 0
    for bulletin in bulletins:
        notices = list(_notices_to_remind(bulletin).select_for_update(of=("self",)).filter(reminded_at__isnull=True))
        if not notices:
            continue
        sent += _notify_agencies(bulletin=bulletin, notices=notices, template="bulletin_reminder")
        BulletinNotice.objects.filter(pk__in=[n.pk for n in notices]).update(reminded_at=now)
    return sent


def reminder_audience(bulletin: Bulletin) -> list[BulletinNotice]:
    """Who a reminder by hand would reach now (for the confirmation page)."""
    return list(_notices_to_remind(bulletin))


@transaction.atomic
def bulletin_remind(*, bulletin: Bulletin, actor, now=None) -> int:
    """IPO staff remind, by hand, the agencies that have neither acknowledged nor nominated
    anyone on an open bulletin. Returns how many agencies were reminded."""
    _require_ipo(actor)
    now = now or timezone.now()
    bulletin = Bulletin.objects.select_for_update().select_related("mission").get(pk=bulletin.pk)
    if bulletin.status != S.PUBLISHED or (bulletin.closes_at and bulletin.closes_at <= now):
        raise ValidationError(_("Only an open bulletin can be reminded."))
    notices = list(_notices_to_remind(bulletin).select_for_update(of=("self",)))
    if not notices:
        raise ValidationError(_("Every agency has acknowledged or nominated someone: nobody to remind."))
    _notify_agencies(bulletin=bulletin, notices=notices, template="bulletin_reminder")
    BulletinNotice.objects.filter(pk__in=[n.pk for n in notices]).update(reminded_at=now)
    return len(notices)


@transaction.atomic
def notice_circulate(*, bulletin: Bulletin, actor, now=None) -> BulletinNotice:
    """A coordinator circulates an open bulletin to their agency's active officers: one email
    each, in their language, linking to the bulletin (where each sees whether they meet its
    requirements). Circulating also acknowledges. Once per agency and bulletin."""
    from agencies.models import Officer

    if not is_coordinator(actor) or not actor.agency_id:
        raise PermissionDenied(_("Only an agency coordinator circulates a bulletin to their officers."))
    now = now or timezone.now()
    notice = (
        BulletinNotice.objects.select_for_update(of=("self",))
        .select_related("agency")
        .filter(bulletin_id=bulletin.pk, agency_id=actor.agency_id)
        .first()
    )
    if notice is None:
        raise PermissionDenied(_("Your agency was not notified of this bulletin."))
    bulletin = Bulletin.objects.select_related("mission").get(pk=bulletin.pk)
    if not bulletin.is_open:
        raise ValidationError(_("Only an open bulletin can be circulated."))
    if notice.circulated_at:
        raise ValidationError(
            _("Already circulated to %(n)d officers on %(when)s.")
            % {"n": notice.circulated_count, "when": timezone.localtime(notice.circulated_at).strftime("%Y-%m-%d")}
        )
    topic = f"{notice.outbox_key}:circulated"
    recipients = []
    for user_id, user_active, user_email, user_lang, user_first, user_last, email, first, last, lang in (
        Officer.objects.filter(agency_id=actor.agency_id, is_active=True).order_by("pk").values_list(
            "user_id", "user__is_active", "user__email", "user__preferred_language", "user__first_name",
            "user__last_name", "email", "first_name", "last_name", "preferred_language")
    ):
        if user_id and user_active:
            recipients.append(Recipient(email=user_email, language=user_lang or "en", user_id=user_id,
                                        name=f"{user_first} {user_last}".strip(), topic=topic))
        elif email:  # the officer's language (the officer form's), else the agency's
            recipients.append(Recipient(email=email, language=lang or notice.agency.language,
                                        name=f"{first} {last}", topic=topic))
    batch = mail_batch_queue(
        recipients=recipients,
        template="bulletin_circulated",
        loader=BULLETIN_MAIL,
        context={"bulletin": bulletin.pk, "agency": notice.agency_id, "coordinator": actor.pk},
    )
    notice.circulated_at = now
    notice.circulated_by = actor
    notice.circulated_count = batch.total if batch else 0
    fields = ["circulated_at", "circulated_by", "circulated_count"]
    if notice.acknowledged_at is None:
        notice.acknowledged_at, notice.acknowledged_by = now, actor
        fields += ["acknowledged_at", "acknowledged_by"]
    notice.save(update_fields=fields)
    log_event("notice_circulated", actor=actor, bulletin_id=bulletin.pk, notice_id=notice.pk,
              officers=notice.circulated_count)
    return notice
