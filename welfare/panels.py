"""The welfare panels of the home pages and the dashboard (roster.home_hooks), each a constant number
of queries:

- IPO staff's home: urgent check-ins not followed up (the oldest first), officers still silent after
  the overdue alert, and overdue return-plan steps; all of them count in "needs your attention".
- a coordinator's home: how their officers in mission are checking in (no note).
- an officer's home: when their next check-in is due, with the button; a questionnaire to answer.
- the dashboard (IPO staff, coordinators): check-ins of the officers in mission, return plans (IPO
  staff), questionnaire answers, with links to the board and the impact report.

The staff's and coordinators' panels are worked out once per change of the data under them and kept
(roster.freshness.cached_figures): check-ins, reminders, return plans and questionnaires are not in the
audit trail, so the stamp also reads the newest of each and how many check-ins await a follow-up
(`welfare_stamp`); a new check-in, a follow-up, a reminder, a plan or an answer each give a new one.
The officer's own panel is kept the same way, for them alone: their tour (deployments are in the audit
trail), their check-ins and their questionnaires are what it rests on, and the day is in the key.
"""

from __future__ import annotations

from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import Role
from agencies.selectors import officer_for_user
from roster.freshness import cached_figures, change_stamp
from roster.home_hooks import rendered
from roster.views.dashboard import short_date, short_datetime, url_for_each

from . import selectors
from .labels import due_text
from .models import CheckIn, CheckInReminder, ReturnPlan, ReturnQuestionnaire


def welfare_stamp() -> str:
    """roster.freshness' change stamp, with what moves when a welfare row outside the audit trail
    changes: the newest check-in, reminder, return plan (its steps are created with it) and
    questionnaire, and how many check-ins await a follow-up (a follow-up only ever lowers it). One
    query: index probes and a count over the partial index of open check-ins."""
    qn = connection.ops.quote_name
    open_statuses = ", ".join(f"'{status.value}'" for status in selectors.OPEN_STATUSES)  # the code's own values
    newest = [f"SELECT MAX({qn('id')}) FROM {qn(model._meta.db_table)}"
              for model in (CheckIn, CheckInReminder, ReturnPlan, ReturnQuestionnaire)]
    awaiting = (f"SELECT COUNT(*) FROM {qn(CheckIn._meta.db_table)} WHERE {qn('status')} IN ({open_statuses}) "
                f"AND {qn('followed_up_at')} IS NULL")
    return change_stamp(also=(*newest, awaiting))


def _kept(name: str, user, today, build, *, per_user: bool = False):
    """`build()` (a panel, or None), kept rendered (roster.home_hooks.rendered) until the welfare stamp moves
    (None is kept too); `per_user`: for `user` alone (an officer's own panel) rather than for their scope."""
    return cached_figures(name, user, today, lambda: {"panel": rendered(build())}, stamp=welfare_stamp,
                          per_user=per_user)["panel"]


def home_panel(user, *, today=None):
    today = today or timezone.localdate()
    role = getattr(user, "role", None)
    if role == Role.IPO_STAFF:
        return _kept("welfare-home", user, today, lambda: _staff_panel(user, today))
    if role == Role.COORDINATOR:
        return _kept("welfare-home", user, today, lambda: _coordinator_panel(user, today))
    if role == Role.OFFICER:
        return _kept("welfare-officer", user, today, lambda: _officer_panel(user, today), per_user=True)
    return None


def _staff_panel(user, today):
    urgent, urgent_total = selectors.urgent_open(user)
    steps, steps_total = selectors.overdue_steps(user, today=today)
    silent = selectors.silent_after_alert(user)
    follow, plan = url_for_each("welfare:follow-up"), url_for_each("welfare:return-detail")
    return {
        "template": "welfare/_home_panel.html",
        "context": {
            "welfare_role": "ipo_staff",
            "welfare_urgent": [
                {"url": follow(c.pk), "name": c.officer.full_name, "mission": c.deployment.mission.code,
                 "when": short_datetime(c.created_at)}
                for c in urgent
            ],
            "welfare_urgent_total": urgent_total,
            "welfare_steps": [
                {"url": plan(s.plan_id), "name": s.plan.officer.full_name, "step": s.get_kind_display(),
                 "due": short_date(s.due_on)}
                for s in steps
            ],
            "welfare_steps_total": steps_total,
            "welfare_silent": silent,
            "welfare_silent_text": ngettext(
                "%(n)s officer still silent after the overdue alert",
                "%(n)s officers still silent after the overdue alert", silent) % {"n": silent},
            "welfare_board_url": reverse("welfare:board"),
            "welfare_returns_url": reverse("welfare:returns") + "?show=overdue",
        },
        "attention": urgent_total + steps_total + silent,
    }


def _coordinator_panel(user, today):
    states = selectors.checkin_states_for(user, today=today)
    if not states:
        return None
    overdue = sum(s.state == "overdue" for s in states)
    urgent = sum(s.state == "urgent" for s in states)
    return {
        "template": "welfare/_home_panel.html",
        "context": {
            "welfare_role": "coordinator",
            "welfare_in_mission": len(states),
            "welfare_summary": ngettext(
                "%(n)s of your officers is in mission: %(overdue)s overdue, %(urgent)s urgent being followed "
                "up by IPO.",
                "%(n)s of your officers are in mission: %(overdue)s overdue, %(urgent)s urgent being followed "
                "up by IPO.", len(states)) % {"n": len(states), "overdue": overdue, "urgent": urgent},
            "welfare_overdue": overdue,
            "welfare_urgent_total": urgent,
            "welfare_board_url": reverse("welfare:board"),
        },
        "attention": 0,
    }


def _officer_panel(user, today):
    officer = officer_for_user(user)
    if officer is None:
        return None
    deployment = selectors.current_deployment_of(officer)
    state = selectors.checkin_state_of(deployment, today=today) if deployment else None
    pending = list(selectors.questionnaires_pending(officer, today=today)[:3])
    if state is None and not pending:
        return None
    questionnaire = url_for_each("welfare:questionnaire")
    return {
        "template": "welfare/_home_panel.html",
        "context": {
            "welfare_role": "officer",
            "welfare_state": state,
            "welfare_due": due_text(state) if state else "",
            "welfare_last": short_datetime(state.last_at) if state and state.last_at else "",
            "welfare_checkin_url": reverse("welfare:checkin"),
            "welfare_pending": [
                {"url": questionnaire(d.pk), "text": _("Tell us about your tour in %(mission)s (ended %(date)s)")
                 % {"mission": d.mission.code, "date": short_date(d.actual_end_date)}}
                for d in pending
            ],
        },
        "attention": int(bool(state and state.overdue_days)) + len(pending),
    }


def dashboard_panel(user, *, today=None):
    role = getattr(user, "role", None)
    if role not in (Role.IPO_STAFF, Role.COORDINATOR):
        return None
    today = today or timezone.localdate()
    return _kept("welfare-dashboard", user, today, lambda: _dashboard_panel(user, role, today))


def _dashboard_panel(user, role, today):
    states = selectors.checkin_states_for(user, today=today)
    answers = selectors.answers_in_scope(user).count()
    k = selectors.min_answers()
    context = {
        "welfare_in_mission": len(states),
        "welfare_on_time": sum(s.state in ("ok", "due") for s in states),
        "welfare_overdue": sum(s.state == "overdue" for s in states),
        "welfare_urgent": sum(s.state == "urgent" for s in states),
        "welfare_answers": answers if answers >= k else None,
        "welfare_answers_few": _("fewer than %(k)s") % {"k": k},
        "welfare_board_url": reverse("welfare:board"),
        "welfare_impact_url": reverse("welfare:impact"),
        "welfare_staff": role == Role.IPO_STAFF,
    }
    if role == Role.IPO_STAFF:
        _steps, total = selectors.overdue_steps(user, today=today, limit=1)
        context["welfare_steps_overdue"] = total
        context["welfare_returns_url"] = reverse("welfare:returns")
    return {"template": "welfare/_dashboard_panel.html", "context": context}
