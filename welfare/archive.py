"""The officer's welfare in the Privacy Act archive (privacy.hooks): their check-ins, return plans and
return questionnaires, as the requester may read them on the welfare pages. Four queries."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.permissions import is_officer
from privacy.hooks import ArchiveSection, ArchiveTable

from .models import SKILLS, ReturnQuestionnaire, ReturnStep
from .permissions import can_read_checkin_note, can_read_follow_up
from .selectors import checkin_visible_to, questionnaire_visible_to, return_plan_visible_to


def _at(value):
    return timezone.localtime(value).isoformat() if value else None


def _day(value):
    return value.isoformat() if value else None


def _who(user) -> str:
    return (user.get_full_name() or user.email) if user is not None else ""


def _checkins(officer, user):
    checkins = (checkin_visible_to(user).filter(officer=officer).select_related("followed_up_by")
                .order_by("created_at", "id"))
    data, rows = [], []
    for c in checkins:
        note = can_read_checkin_note(user, c)
        follow_up = can_read_follow_up(user, c)
        item = {
            "at": _at(c.created_at), "mission": c.deployment.mission.code, "status": c.status,
            "status_label": c.get_status_display(), "note": c.note if note else None,
            "contact": c.contact if note else None, "shared_with_agency": c.shared,
            "followed_up_at": _at(c.followed_up_at),
            "followed_up_by": _who(c.followed_up_by) if follow_up else None,
            "follow_up_note": c.follow_up_note if follow_up else None,
        }
        data.append(item)
        follow_up_text = ""
        if c.followed_up_at:
            follow_up_text = " — ".join(x for x in (item["followed_up_by"], item["follow_up_note"]) if x)
        rows.append([c.created_at, c.deployment.mission.code, item["status_label"], c.note if note else "",
                     c.contact if note else "", c.shared, c.followed_up_at, follow_up_text])
    table = ArchiveTable(
        caption=_("Check-ins"),
        columns=[_("Sent"), _("Mission"), _("Status"), _("Note"), _("How to reach me"),
                 _("Shared with the agency"), _("Followed up"), _("Follow-up")],
        rows=rows, empty=_("No check-ins."))
    return data, table


def _plans(officer, user):
    plans = (return_plan_visible_to(user).filter(officer=officer)
             .prefetch_related(Prefetch("steps", queryset=ReturnStep.objects.order_by("position", "id")))
             .order_by("ended_on", "id"))
    data, rows = [], []
    for plan in plans:
        steps = []
        for s in plan.steps.all():
            steps.append({"step": s.kind, "label": s.get_kind_display(), "due_on": _day(s.due_on),
                          "done_on": _day(s.done_on), "done_by": s.done_by})
            rows.append([plan.deployment.mission.code, plan.ended_on, s.get_kind_display(), s.due_on, s.done_on,
                         s.done_by])
        data.append({"mission": plan.deployment.mission.code, "tour_ended_on": _day(plan.ended_on), "steps": steps})
    table = ArchiveTable(
        caption=_("Return plans"),
        columns=[_("Mission"), _("Tour ended on"), _("Step"), _("Due"), _("Done on"), _("Done by")],
        rows=rows, empty=_("No return plan."))
    return data, table


def _questionnaires(officer, user):
    answers = questionnaire_visible_to(user).filter(officer=officer).order_by("submitted_at", "id")
    fields = {f.name: f for f in ReturnQuestionnaire._meta.fields}
    questions = [*SKILLS, "responsibilities", "support", "go_again", "recommend"]
    data, rows = [], []
    for q in answers:
        item = {"mission": q.deployment.mission.code, "tour_ended_on": _day(q.returned_on),
                "answered_at": _at(q.submitted_at), "comments": q.comments,
                "comments_shareable": q.comments_shareable}
        for name in questions:
            label = str(fields[name].verbose_name)
            answer = getattr(q, f"get_{name}_display")()
            item[name] = getattr(q, name)
            rows.append([q.deployment.mission.code, q.submitted_at, label, answer])
        rows.append([q.deployment.mission.code, q.submitted_at, str(fields["comments"].verbose_name), q.comments])
        rows.append([q.deployment.mission.code, q.submitted_at, str(fields["comments_shareable"].verbose_name),
                     q.comments_shareable])
        data.append(item)
    table = ArchiveTable(
        caption=_("Return questionnaires"), columns=[_("Mission"), _("Answered"), _("Question"), _("Answer")],
        rows=rows, empty=_("No return questionnaire answered."))
    return data, table


def section(officer, user) -> ArchiveSection:
    checkins, checkin_table = _checkins(officer, user)
    plans, plan_table = _plans(officer, user)
    tables = [checkin_table, plan_table]
    data = {"checkins": checkins, "return_plans": plans}
    note = ""
    if is_officer(user):
        data["questionnaires"], questionnaire_table = _questionnaires(officer, user)
        tables.append(questionnaire_table)
    else:
        note = _("The officer's answers to the return questionnaire are anonymous to IPO staff: they are only "
                 "in the copy of this record that the officer downloads.")
    return ArchiveSection(key="welfare", title=_("Welfare and return"), data=data, tables=tables, note=note)
