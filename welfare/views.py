"""Welfare pages: the officer's check-in, the welfare board, a deployment's check-ins and their
follow-up, the missions' intervals, return plans, the return questionnaire and the impact report.
Views parse input, call one service or selector and render; the rules live in welfare.permissions,
welfare.selectors, welfare.impact and welfare.services. Per-row texts and links are made here, once per
page (a per-row {% url %} or {% blocktranslate %} costs more than the page's query)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agencies.access import add_service_errors, flash_errors, get_visible_or_404, require, role_required
from agencies.models import Agency
from agencies.permissions import is_ipo_staff
from agencies.selectors import officer_for_user
from agencies.templatetags.ui import percent as format_percent
from agencies.validators import bounded_id
from audit.services import audit_read
from missions.selectors import mission_visible_to
from roster.selectors import deployment_visible_to
from roster.views.dashboard import short_date, short_datetime, url_for_each

from . import selectors, services
from .forms import STATUS_HELP, CheckInForm, FollowUpForm, MissionIntervalForm, QuestionnaireForm, StepForm
from .impact import impact_report
from .labels import STATUS_BADGES, due_text, status_labels
from .models import SKILLS, CheckInStatus, MissionWelfare, ReturnQuestionnaire, ReturnStep, YesNo
from .permissions import (
    can_answer_questionnaire,
    can_follow_up,
    can_follow_up_checkins,
    can_read_checkin_note,
    can_read_follow_up,
    can_record_step,
)

# --- the officer's check-in -----------------------------------------------------------------------------

@role_required("officer")
def checkin(request):
    officer = officer_for_user(request.user)
    deployment = selectors.current_deployment_of(officer) if officer else None
    if request.method == "POST" and deployment is not None:
        form = CheckInForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = services.checkin_create(user=request.user, status=data["status"], note=data["note"],
                                               contact=data["contact"], shared=data["shared"], token=data["token"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if done.is_urgent:
                    messages.warning(request, _("Your urgent check-in was sent: the IPO duty desk and your "
                                                "coordinator have been told and will contact you. If your life is "
                                                "in danger, call the mission's emergency number now."))
                else:
                    messages.success(request, _("Thank you: your check-in was sent."))
                return redirect("welfare:checkin")
    else:
        form = CheckInForm(initial={"token": uuid.uuid4()})
    state = selectors.checkin_state_of(deployment) if deployment else None
    labels = status_labels()
    recent = [
        {"when": short_datetime(c.created_at), "status": labels.get(c.status, c.status),
         "badge": STATUS_BADGES.get(c.status, ""), "note": c.note, "shared": c.shared,
         "followed_up": c.followed_up_at is not None}
        for c in (selectors.my_recent_checkins(officer) if officer else [])
    ]
    choices = [
        {"value": value, "label": label, "help": STATUS_HELP[value], "id": f"id_status_{i}",
         "checked": str(form["status"].value() or "") == value,
         "class": {"well": "success", "concern": "concern", "urgent": "danger"}[value]}
        for i, (value, label) in enumerate(CheckInStatus.choices)
    ]
    return render(request, "welfare/checkin.html", {
        "officer": officer, "deployment": deployment, "form": form, "state": state,
        "due": due_text(state) if state else "", "recent": recent, "choices": choices,
    })


# --- the welfare board ----------------------------------------------------------------------------------

def _board_texts() -> dict:
    """The board's words and badges, translated once per page."""
    labels = status_labels()
    return {
        "status": {key: format_html('<span class="badge {}">{}</span> ', STATUS_BADGES[key], label)
                   for key, label in labels.items()},
        "never": _("No check-in yet"),
        "alert": format_html(' <span class="badge text-bg-danger">{}</span>', _("alert sent")),
        "urgent": _("Urgent, not followed up yet"),
        "waiting": _("IPO staff are following it up"),
        "follow": _("Follow up"),
        "concern": format_html('<span class="small">{}</span>', _("A concern awaits follow-up")),
    }


def _board_row(s, *, staff, history, follow, texts) -> dict:
    """One row of the board, its cells written here (a per-row template costs more than the page's query)."""
    name = f"{s.last_name}, {s.first_name}"
    last = format_html("{}{}", texts["status"].get(s.last_status, ""), short_datetime(s.last_at)) if s.last_at \
        else texts["never"]
    due = format_html("{}{}", due_text(s), texts["alert"] if s.overdue_days and s.alerted else "")
    if s.urgent_pk:
        action = (format_html(' <a class="btn btn-danger btn-sm ms-1" href="{}">{}<span class="visually-hidden"> {}'
                              "</span></a>", follow(s.urgent_pk), texts["follow"], name) if staff
                  else format_html('<span class="small d-block">{}</span>', texts["waiting"]))
        followup = format_html('<strong class="text-danger">{}</strong> <span class="small">({})</span>{}',
                               texts["urgent"], short_datetime(s.urgent_at), action)
    else:
        followup = texts["concern"] if s.concern_open else ""
    return {"id": s.deployment_id, "name": name, "agency": s.agency_name, "mission": s.mission_code,
            "url": history(s.deployment_id), "state": s.state, "last": last, "due": due,
            "overdue": bool(s.overdue_days), "followup": followup}


@role_required("ipo_staff", "coordinator")
def board(request):
    staff = is_ipo_staff(request.user)
    state = request.GET.get("state", "")
    data = selectors.welfare_board(
        request.user, state=state, mission_id=bounded_id(request.GET.get("mission")),
        agency_id=bounded_id(request.GET.get("agency")), page=request.GET.get("page"),
    )
    history, follow = url_for_each("welfare:deployment"), url_for_each("welfare:follow-up")
    texts = _board_texts()
    rows = [_board_row(s, staff=staff, history=history, follow=follow, texts=texts) for s in data["page"]]
    return render(request, "welfare/board.html", {
        **data, "rows": rows, "staff": staff, "state": state if state in selectors.BOARD_STATES else "",
        "mission": bounded_id(request.GET.get("mission")), "agency": bounded_id(request.GET.get("agency")),
        "default_days": selectors.default_checkin_days(), "alert_days": selectors.alert_days(),
    })


# --- one deployment's check-ins ----------------------------------------------------------------------------

@login_required
def deployment_checkins(request, pk):
    deployment = get_visible_or_404(deployment_visible_to(request.user), pk=pk)
    page = selectors.checkin_history(request.user, deployment, page=request.GET.get("page"))
    labels = status_labels()
    follow = url_for_each("welfare:follow-up")
    user = request.user
    rows = []
    for c in page:
        c.officer = deployment.officer  # the permissions read the officer's agency and login
        readable = can_read_checkin_note(user, c)
        rows.append({
            "id": c.pk, "when": short_datetime(c.created_at), "status": labels.get(c.status, c.status),
            "badge": STATUS_BADGES.get(c.status, ""), "readable": readable,
            "note": c.note if readable else "", "contact": c.contact if readable else "", "shared": c.shared,
            "followed_up": (_("Followed up %(when)s by %(who)s")
                            % {"when": short_datetime(c.followed_up_at),
                               "who": (c.followed_up_by.get_full_name() or c.followed_up_by.email)
                               if c.followed_up_by else _("a former staff member")}) if c.followed_up_at else "",
            "follow_up_note": c.follow_up_note if (c.followed_up_at and can_read_follow_up(user, c)) else "",
            "follow_url": follow(c.pk) if can_follow_up(user, c) else "",
            "needs_follow_up": c.needs_follow_up,
        })
    audit_read(actor=user, obj=deployment, event="read.welfare_checkins", officer_id=deployment.officer_id,
               officer_user_id=deployment.officer.user_id, rows=len(rows), request=request)
    state = selectors.checkin_state_of(deployment)
    return render(request, "welfare/deployment.html", {
        "deployment": deployment, "page": page, "rows": rows, "state": state,
        "due": due_text(state) if state else "", "staff": is_ipo_staff(user),
    })


@login_required
def follow_up(request, pk):
    checkin = get_visible_or_404(selectors.checkin_visible_to(request.user), pk=pk)
    require(can_follow_up_checkins, request.user)
    if not checkin.needs_follow_up:
        messages.info(request, _("This check-in was already followed up.") if checkin.followed_up_at
                      else _("An all-well check-in needs no follow-up."))
        return redirect("welfare:deployment", checkin.deployment_id)
    if request.method == "POST":
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.checkin_follow_up(checkin=checkin, actor=request.user, note=form.cleaned_data["note"])
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):  # followed up by someone else meanwhile
                    flash_errors(request, exc)
                    return redirect("welfare:deployment", checkin.deployment_id)
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Follow-up recorded for %(name)s.") % {"name": checkin.officer.full_name})
                return redirect("welfare:board")
    else:
        form = FollowUpForm()
    audit_read(actor=request.user, obj=checkin.deployment, event="read.welfare_checkins",
               officer_id=checkin.officer_id, officer_user_id=checkin.officer.user_id, rows=1, request=request)
    return render(request, "welfare/follow_up.html", {
        "checkin": checkin, "form": form, "when": short_datetime(checkin.created_at),
        "status": status_labels().get(checkin.status, checkin.status),
        "badge": STATUS_BADGES.get(checkin.status, ""),
    })


# --- the missions' intervals -------------------------------------------------------------------------------

@role_required("ipo_staff")
def missions(request):
    return render(request, "welfare/missions.html", {
        "missions": selectors.mission_intervals(), "default_days": selectors.default_checkin_days(),
    })


@role_required("ipo_staff")
def mission_edit(request, pk):
    mission = get_visible_or_404(mission_visible_to(request.user), pk=pk)
    current = MissionWelfare.objects.filter(mission=mission).values_list("checkin_days", flat=True).first()
    if request.method == "POST":
        form = MissionIntervalForm(request.POST)
        if form.is_valid():
            try:
                services.mission_interval_set(mission=mission, checkin_days=form.cleaned_data["checkin_days"],
                                              actor=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Check-in interval of %(mission)s saved.") % {"mission": mission.code})
                return redirect("welfare:missions")
    else:
        form = MissionIntervalForm(initial={"checkin_days": current})
    return render(request, "welfare/mission_form.html", {
        "mission": mission, "form": form, "default_days": selectors.default_checkin_days(),
    })


# --- return plans ----------------------------------------------------------------------------------------------

def _step_rows(steps, today) -> list[dict]:
    """One dict per step, its words made once per page: `badge` and `state` (done, overdue, to do) and
    `line` ("Debriefing: due 2026-05-01") for the compact lists (welfare/_steps.html)."""
    kinds = dict(ReturnStep.Kind.choices)
    done_line, due_line = _("%(step)s: %(date)s"), _("%(step)s: due %(date)s")
    states = {"done": ("text-bg-success", _("Done")), "overdue": ("text-bg-danger", _("Overdue")),
              "todo": ("text-bg-secondary", _("To do"))}
    rows = []
    for s in steps:
        kind, due, done, overdue = str(kinds.get(s.kind, s.kind)), short_date(s.due_on), "", s.is_overdue(today)
        if s.done_on:
            done = short_date(s.done_on)
        badge, state = states["done" if done else "overdue" if overdue else "todo"]
        rows.append({"id": s.pk, "kind": kind, "due": due, "done": done, "done_by": s.done_by, "overdue": overdue,
                     "badge": badge, "state": state,
                     "line": (done_line if done else due_line) % {"step": kind, "date": done or due}})
    return rows


@role_required("ipo_staff")
def returns(request):
    services.return_plans_start()
    data = selectors.return_plans_page(request.user, show=request.GET.get("show", "open"),
                                       page=request.GET.get("page"))
    detail = url_for_each("welfare:return-detail")
    today = data["today"]
    rows = [
        {"id": p.pk, "url": detail(p.pk), "name": f"{p.officer.last_name}, {p.officer.first_name}",
         "agency": p.officer.agency.name, "mission": p.deployment.mission.code, "ended": short_date(p.ended_on),
         "steps": _step_rows(p.step_list, today), "overdue": p.overdue, "answered": p.answered}
        for p in data["page"]
    ]
    return render(request, "welfare/returns.html", {**data, "rows": rows})


def _render_plan(request, plan, forms=None):
    today = timezone.localdate()
    steps = selectors.plan_steps(plan)
    staff = can_record_step(request.user)
    rows = _step_rows(steps, today)
    if staff:
        name = request.user.get_full_name() or request.user.email
        forms = forms or {}
        for row, step in zip(rows, steps, strict=True):
            row["form"] = forms.get(step.pk) or StepForm(prefix=f"step-{step.pk}", initial={
                "done_on": step.done_on or today, "done_by": step.done_by or name})
            row["recorded"] = (
                _("Recorded by %(who)s on %(when)s") % {
                    "who": (step.recorded_by.get_full_name() or step.recorded_by.email) if step.recorded_by else "—",
                    "when": short_datetime(step.recorded_at)}
                if step.recorded_at else "")
    answered_at = ReturnQuestionnaire.objects.filter(deployment_id=plan.deployment_id) \
        .values_list("submitted_at", flat=True).first()
    return render(request, "welfare/return_detail.html", {
        "plan": plan, "rows": rows, "staff": staff, "answered": short_date(timezone.localdate(answered_at))
        if answered_at else "", "own": not staff,
    })


@login_required
def return_detail(request, pk):
    plan = get_visible_or_404(selectors.return_plan_visible_to(request.user), pk=pk)
    audit_read(actor=request.user, obj=plan, event="read.return_plan", officer_id=plan.officer_id,
               officer_user_id=plan.officer.user_id, request=request)
    return _render_plan(request, plan)


@login_required
@require_POST
def step_record(request, pk):
    step = get_visible_or_404(
        ReturnStep.objects.filter(plan__in=selectors.return_plan_visible_to(request.user).values("pk"))
        .select_related("plan", "plan__deployment"), pk=pk)
    require(lambda user, _s: can_record_step(user), request.user, step)
    plan = selectors.return_plan_visible_to(request.user).get(pk=step.plan_id)
    form = StepForm(request.POST, prefix=f"step-{step.pk}")
    if form.is_valid():
        try:
            services.return_step_record(step=step, actor=request.user, done_on=form.cleaned_data["done_on"],
                                        done_by=form.cleaned_data["done_by"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(step)s recorded.") % {"step": step.get_kind_display()})
            return redirect("welfare:return-detail", plan.pk)
    return _render_plan(request, plan, forms={step.pk: form})


# --- the officer's returns and questionnaires ------------------------------------------------------------------

@role_required("officer")
def my_returns(request):
    services.return_plans_start()
    officer = officer_for_user(request.user)
    today = timezone.localdate()
    tours = selectors.my_ended_tours(officer) if officer else []
    questionnaire = url_for_each("welfare:questionnaire")
    rows = [
        {"id": t.pk, "mission": t.mission.code, "mission_name": t.mission.name, "role": t.role,
         "ended": short_date(t.actual_end_date or t.end_date), "status": t.get_status_display(),
         "questionnaire_url": questionnaire(t.pk),
         "answered": short_date(timezone.localdate(t.answered_at)) if t.answered_at else "",
         "steps": _step_rows(t.plan.step_list, today) if t.plan else []}
        for t in tours
    ]
    return render(request, "welfare/my_returns.html", {"officer": officer, "rows": rows})


def _answers(row: ReturnQuestionnaire) -> list[tuple[str, str]]:
    form = QuestionnaireForm()
    answers = []
    for name in (*SKILLS, "responsibilities", "support", "go_again", "recommend"):
        answers.append((form.fields[name].label, getattr(row, f"get_{name}_display")()))
    return answers


@login_required
def questionnaire(request, deployment_pk):
    deployment = get_visible_or_404(deployment_visible_to(request.user), pk=deployment_pk)
    require(can_answer_questionnaire, request.user, deployment)
    existing = selectors.questionnaire_visible_to(request.user).filter(deployment=deployment).first()
    if existing is not None:
        if request.method == "POST":
            messages.info(request, _("You have already answered the questionnaire for this tour."))
            return redirect("welfare:questionnaire", deployment.pk)
        return render(request, "welfare/questionnaire.html", {
            "deployment": deployment, "answered": existing, "answers": _answers(existing),
            "answered_on": short_date(timezone.localdate(existing.submitted_at)),
        })
    if request.method == "POST":
        form = QuestionnaireForm(request.POST)
        if form.is_valid():
            try:
                services.questionnaire_submit(user=request.user, deployment=deployment, answers=form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your answers were saved."))
                return redirect("welfare:my-returns")
    else:
        form = QuestionnaireForm()
    return render(request, "welfare/questionnaire.html", {"deployment": deployment, "form": form})


# --- the impact report --------------------------------------------------------------------------------------------

def fiscal_year_label(year: int) -> str:
    return _("%(start)s–%(end)s") % {"start": year, "end": f"{(year + 1) % 100:02d}"}


def _pct(value) -> str:
    return format_percent(value, 0)


def short_labels() -> dict:
    """Labels short enough for the charts' label column (the tables beside them carry the full ones)."""
    return {
        "leadership": _("Leadership"), "mentoring": _("Mentoring"), "training": _("Training"),
        "investigation": _("Investigation"), "languages": _("Languages"), "intercultural": _("Intercultural"),
        "fewer": _("Fewer"), "same": _("Same"), "more": _("More"), "much_more": _("Much more"),
        "go_again": _("Go again"), "recommend": _("Recommend"),
    }


def _impact_sections(total, short) -> list[dict]:
    """The report's four sections, each a chart and the table that carries its words and figures."""
    return [
        {"id": "skills", "heading": _("Skills developed"), "max": 5,
         "chart": _("Skills developed during the tour: average on a scale of 1 (not at all) to 5 (greatly)"),
         "bars": [{"label": short[s["key"]], "value": s["mean"],
                   "text": _("%(mean)s / 5 · %(high)s considerably or greatly")
                   % {"mean": _number(s["mean"]), "high": _pct(s["high"])}} for s in total.skills],
         "caption": _("Skills developed during the tour"),
         "columns": [_("Skill"), _("Average (1 to 5)"), _("Considerably or greatly")],
         "rows": [(s["label"], _number(s["mean"]), _pct(s["high"])) for s in total.skills]},
        {"id": "responsibilities", "heading": _("Responsibilities compared with at home"), "max": 100,
         "chart": _("Responsibilities held in mission compared with at home: share of answers"),
         "bars": [{"label": short[r["key"]], "value": r["share"], "text": _pct(r["share"])}
                  for r in total.responsibilities],
         "caption": _("Responsibilities held in mission compared with at home"),
         "columns": [_("Answer"), _("Share of answers")],
         "rows": [(r["label"], _pct(r["share"])) for r in total.responsibilities]},
        {"id": "support", "heading": _("Welfare support received"), "max": 100,
         "intro": _("Average: %(mean)s out of 5.") % {"mean": _number(total.support_mean)},
         "chart": _("Welfare support received: share of answers"),
         "bars": [{"label": r["label"], "value": r["share"], "text": _pct(r["share"])} for r in total.support],
         "caption": _("Welfare support received"),
         "columns": [_("Answer"), _("Share of answers")],
         "rows": [(r["label"], _pct(r["share"])) for r in total.support]},
        {"id": "again", "heading": _("Would go again, would recommend"), "max": 100,
         "chart": _("Officers who would go again and who would recommend a tour: share answering yes"),
         "bars": [{"label": short[key], "value": shares[YesNo.YES], "text": _pct(shares[YesNo.YES])}
                  for key, shares in (("go_again", total.go_again), ("recommend", total.recommend))],
         "caption": _("Would go again and would recommend it: share of answers"),
         "columns": [_("Question"), *(str(label) for label in YesNo.labels)],
         "rows": [(label, *(_pct(shares[v]) for v in YesNo.values))
                  for label, shares in ((_("Would go again"), total.go_again),
                                        (_("Would recommend it"), total.recommend))]},
    ]


@role_required("ipo_staff", "coordinator")
def impact(request):
    staff = is_ipo_staff(request.user)
    agency_id = bounded_id(request.GET.get("agency")) if staff else None
    agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
    if agency is None:
        agency_id = None
    report = impact_report(request.user, agency_id=agency_id)
    k = report["k"]
    hidden = ngettext("Not shown: fewer than %(k)s answer", "Not shown: fewer than %(k)s answers", k) % {"k": k}
    withheld_year = _("Not shown, so that the smaller years cannot be worked out from the total")
    total = report["total"]
    if total.shown:
        n_text = ngettext("%(n)s answer.", "%(n)s answers.", total.n) % {"n": total.n}
        suppressed = ""
    elif total.withheld:
        n_text = ""
        suppressed = _("Not shown, so that agencies with fewer answers cannot be worked out from the program's "
                       "total.")
    else:
        n_text = _("Fewer than %(k)s answers.") % {"k": k}
        suppressed = ngettext("Not shown: fewer than %(k)s answer.", "Not shown: fewer than %(k)s answers.",
                              k) % {"k": k}
    context = {"report": report, "total": total, "k": k, "n_text": n_text, "suppressed_text": suppressed,
               "staff": staff, "agency": agency if staff else request.user.agency,
               "agencies": Agency.objects.filter(is_partner=True).order_by("name_en") if staff else []}
    if total.shown:
        context["sections"] = _impact_sections(total, short_labels())
    few = _("fewer than %(k)s") % {"k": k}
    context["year_rows"] = [
        {"label": fiscal_year_label(f.year), "shown": f.shown,
         "n": f.n if f.shown else ("—" if f.withheld else few),
         "hidden": "" if f.shown else (withheld_year if f.withheld else hidden),
         "skills": _number(f.skills_mean) if f.shown else "", "more": _pct(f.more_share) if f.shown else "",
         "support": _number(f.support_mean) if f.shown else "",
         "again": _pct(f.go_again.get(YesNo.YES)) if f.shown else "",
         "recommend": _pct(f.recommend.get(YesNo.YES)) if f.shown else ""}
        for f in report["years"]
    ]
    context["year_bars"] = [
        {"label": row["label"], "value": f.go_again.get(YesNo.YES, 0) if f.shown else 0,
         "text": row["again"] if f.shown else row["hidden"]}
        for row, f in zip(context["year_rows"], report["years"], strict=True)
    ]
    return render(request, "welfare/impact.html", context)


def _number(value) -> str:
    return number_format(value, 1)
