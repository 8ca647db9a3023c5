"""Demo data of the welfare app (roster.demo_hooks; `manage.py seed_demo` calls `seed` once, after the
roster's data, in its transaction):

- a shorter check-in interval for BINUH (Haiti);
- every officer in mission has checked in regularly since arriving (mostly all well, a few concerns,
  followed up by IPO staff); four are overdue, two of them past the alert (with the reminders and
  alerts already sent); one urgent check-in, from the Ottawa officer in Ukraine, not yet followed up;
- return plans for the tours that ended in the last six months, most steps done, one overdue;
- return questionnaires for most ended tours (not the demo officer's, which she may answer), and five
  Ottawa officers' answers for one fiscal year, so the impact report draws the program's and the demo
  agency's figures;
- a login for the Ottawa officer in mission (in-mission@demo.example, the demo password), to try the
  check-in.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from agencies.models import Officer, Role, User
from missions.models import Mission
from roster.models import Deployment
from roster.roles.selectors import deployment_role_matching

from . import services
from .models import (
    SKILLS,
    CheckIn,
    CheckInReminder,
    MissionWelfare,
    ReturnPlan,
    ReturnQuestionnaire,
    ReturnStep,
    fiscal_year_of,
)
from .selectors import alert_days, checkin_states, min_answers

DEMO_AGENCY = "ottawa-police"
IN_MISSION_EMAIL = "in-mission@demo.example"
IPO_EMAIL = "ipo@demo.example"
OFFICER_EMAIL = "officer@demo.example"
OVERDUE_BY = (2, 4, 9, 12)  # days past due of the four overdue officers (alert after WELFARE_ALERT_DAYS)

WELL_NOTES = ["", "", "", "", "All good here.", "Busy week of training with the host-state police.",
              "Patrols as planned.", "Settled in well.", "Tout va bien.", "RAS, bonne semaine."]
CONCERN_NOTES = [
    "Roads to the team site closed after the storms; supplies are late.",
    "Trouble sleeping since the last incident; I would like to talk to someone.",
    "Family matter at home, my partner is ill. Not urgent yet.",
    "Mon collègue et moi n'avons plus de véhicule fiable depuis une semaine.",
]
FOLLOW_UPS = [
    "Called the officer; the mission logistics cell is sending a convoy on Monday.",
    "Officer put in touch with the mission's staff counsellor; call booked.",
    "Spoke with the officer and the coordinator; compassionate leave explained, officer will decide.",
    "Appel avec l'agente : véhicule de remplacement confirmé par la mission.",
]
URGENT_NOTE = ("Security incident near our team site last night. I am safe but shaken and would like to "
               "talk to someone today.")
URGENT_CONTACT = "+380 50 555 0142 (Signal)"
STEP_PEOPLE = ["Sgt. Mike Brennan, IPO", "Dr. Isabelle Côté, RCMP Health Services",
               "Dr. Sanjay Patel, psychologist", "Insp. Nadia Roy, IPO"]
COMMENTS = [
    "Working with the host-state police changed how I see community policing at home.",
    "The pre-deployment training was good; more on the mission's language would help.",
    "Support from IPO during the evacuation was excellent.",
    "The reintegration was harder than the tour; the 3-month follow-up helped a lot.",
    "J'ai appris à travailler avec des collègues de vingt pays. Une expérience unique.",
    "More contact with my home agency during the tour would have helped.",
    "I came back a better supervisor: I had twelve officers from five countries under me.",
    "Mentoring the host-state investigators was the most rewarding work of my career.",
    "Le suivi psychologique à trois mois est arrivé au bon moment.",
    "My family needed more information from the program while I was away.",
    "Learning Creole on the ground opened every door.",
    "The handover from my predecessor was too short; a week of overlap would help.",
]


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def seed(*, today, now, rng) -> list[tuple[str, object]]:
    binuh = Mission.objects.filter(code="BINUH").first()
    if binuh is not None:
        MissionWelfare.objects.update_or_create(mission=binuh, defaults={"checkin_days": 7})
    staff = list(User.objects.filter(role=Role.IPO_STAFF, email__endswith="@demo.example").order_by("pk"))
    login = _in_mission_login()
    checkins, urgent_officer = _seed_checkins(today=today, now=now, rng=rng, staff=staff)
    plans, overdue = _seed_return_plans(today=today, now=now, rng=rng, staff=staff)
    answers, ottawa = _seed_questionnaires(today=today, now=now, rng=rng)
    lines = [
        ("welfare check-ins", f"{checkins} (1 urgent not followed up: {urgent_officer}; "
                              f"{len(OVERDUE_BY)} officers overdue)"),
        ("return plans", f"{plans} ({overdue} step(s) overdue)"),
        ("return questionnaires", f"{answers} ({ottawa} from the demo agency)"),
    ]
    if login:
        lines.append(("officer in mission login", f"{login} (the demo password)"))
    return lines


def _in_mission_login() -> str:
    """A login for the demo agency's officer in mission, so the demo can show a check-in."""
    deployment = (Deployment.objects.filter(officer__agency__slug=DEMO_AGENCY, status=Deployment.Status.IN_MISSION)
                  .select_related("officer", "officer__agency").order_by("pk").first())
    if deployment is None:
        return ""
    officer = deployment.officer
    if officer.user_id:
        return officer.user.email
    demo = User.objects.filter(email=OFFICER_EMAIL).first()
    user, _created = User.objects.get_or_create(email=IN_MISSION_EMAIL, defaults={
        "first_name": officer.first_name, "last_name": officer.last_name, "role": Role.OFFICER,
        "agency": officer.agency, "preferred_language": "en",
        "password": demo.password if demo else make_password("demo-roster-2026"),
    })
    if not Officer.objects.filter(user=user).exists():
        Officer.objects.filter(pk=officer.pk).update(user=user)
    return user.email


def _seed_checkins(*, today, now, rng, staff):
    states = checkin_states(Deployment.objects.all(), today=today)
    if not states:
        return 0, "-"
    ours = set(Deployment.objects.filter(officer__agency__slug=DEMO_AGENCY, status=Deployment.Status.IN_MISSION)
               .values_list("pk", flat=True))
    urgent = next((s for s in states if s.deployment_id in ours), states[0])
    # the overdue ones were in mission long enough to have missed a check-in
    others = [s for s in states if s is not urgent and (today - s.started_on).days > s.interval + max(OVERDUE_BY)]
    overdue = {s.deployment_id: days for s, days in zip(rng.sample(others, min(len(OVERDUE_BY), len(others))),
                                                        OVERDUE_BY, strict=False)}
    users = dict(Officer.objects.filter(pk__in=[s.officer_id for s in states]).values_list("pk", "user_id"))
    rows, reminders = [], []
    for s in states:
        interval = s.interval
        in_mission = max(0, (today - s.started_on).days)
        last = today - timedelta(days=interval + overdue[s.deployment_id]) if s.deployment_id in overdue \
            else today - timedelta(days=rng.randint(0, max(0, min(interval - 2, in_mission))))
        days = []
        day = last
        while day >= s.started_on:
            days.append(day)
            day -= timedelta(days=interval - rng.randint(0, 2))
        days.reverse()
        for day in days:
            when = min(_at(day, rng.randint(7, 21), rng.randint(0, 59)), now - timedelta(minutes=30))
            status = rng.choices(["well", "concern"], weights=[92, 8])[0]
            row = CheckIn(deployment_id=s.deployment_id, officer_id=s.officer_id, status=status, created_at=when,
                          created_by_id=users.get(s.officer_id), shared=rng.random() < 0.4,
                          note=rng.choice(CONCERN_NOTES if status == "concern" else WELL_NOTES))
            if status == "concern" and staff:
                row.followed_up_at = when + timedelta(hours=rng.randint(2, 20))
                row.followed_up_by = rng.choice(staff)
                row.follow_up_note = rng.choice(FOLLOW_UPS)
            rows.append(row)
        if s.deployment_id in overdue:
            due = last + timedelta(days=interval)
            reminders.append(CheckInReminder(deployment_id=s.deployment_id, kind=CheckInReminder.Kind.OFFICER,
                                             period_start=due, sent_at=_at(due + timedelta(days=1), 6)))
            if overdue[s.deployment_id] >= alert_days():
                reminders.append(CheckInReminder(deployment_id=s.deployment_id, kind=CheckInReminder.Kind.STAFF,
                                                 period_start=due,
                                                 sent_at=_at(due + timedelta(days=alert_days()), 6)))
    rows.append(CheckIn(deployment_id=urgent.deployment_id, officer_id=urgent.officer_id, status="urgent",
                        note=URGENT_NOTE, contact=URGENT_CONTACT, shared=True, created_at=now - timedelta(hours=2),
                        created_by_id=users.get(urgent.officer_id)))
    CheckIn.objects.bulk_create(rows, batch_size=500)
    CheckInReminder.objects.bulk_create(reminders, ignore_conflicts=True)
    return len(rows), urgent.full_name


def _seed_return_plans(*, today, now, rng, staff):
    services.return_plans_start(today=today, invite=False)
    plans = list(ReturnPlan.objects.order_by("ended_on", "pk"))
    steps = list(ReturnStep.objects.filter(plan__in=plans).select_related("plan")
                 .order_by("plan__ended_on", "position"))
    left_open = next((s for s in steps if s.due_on < today - timedelta(days=3)), None)
    done = []
    for step in steps:
        if step is left_open or step.due_on > today - timedelta(days=3):
            continue
        step.done_on = max(step.plan.ended_on, step.due_on - timedelta(days=rng.randint(0, 6)))
        step.done_by = rng.choice(STEP_PEOPLE)
        step.recorded_by = staff[0] if staff else None
        step.recorded_at = min(_at(step.done_on, 16), now)
        done.append(step)
    ReturnStep.objects.bulk_update(done, ["done_on", "done_by", "recorded_by", "recorded_at"])
    return len(plans), int(left_open is not None)


def _answers(rng, good: float) -> dict:
    """One officer's answers: `good` (0 to 1) tilts them towards the favourable end."""
    def scale():
        return max(1, min(5, round(rng.gauss(2.4 + 2.2 * good, 0.9))))
    return {
        **{skill: scale() for skill in SKILLS},
        "responsibilities": rng.choices(["fewer", "same", "more", "much_more"], weights=[5, 20, 45, 30])[0],
        "support": scale(),
        "go_again": rng.choices(["yes", "unsure", "no"], weights=[70, 20, 10])[0],
        "recommend": rng.choices(["yes", "unsure", "no"], weights=[80, 12, 8])[0],
    }


def _seed_questionnaires(*, today, now, rng):
    ended = list(
        Deployment.objects.filter(status__in=("completed", "repatriated"), actual_end_date__isnull=False)
        .exclude(officer__user__email=OFFICER_EMAIL).select_related("officer__agency").order_by("pk")
    )
    rows = []
    ottawa = [d for d in ended if d.officer.agency.slug == DEMO_AGENCY]
    for deployment in ended:
        if deployment.officer.agency.slug != DEMO_AGENCY and rng.random() > 0.8:
            continue  # not everyone answers
        rows.append(_questionnaire(deployment, rng, now=now))
    rows = _latest_year_below_threshold(rows)
    # The demo agency's chief reads a report: five more Ottawa returns, all in one fiscal year.
    rows += [_questionnaire(d, rng, now=now) for d in _ottawa_past_tours(today=today, rng=rng,
                                                                          count=max(0, 5 + 1 - len(ottawa)))]
    ReturnQuestionnaire.objects.bulk_create(rows, batch_size=500)
    return len(rows), ReturnQuestionnaire.objects.filter(officer__agency__slug=DEMO_AGENCY).count()


def _latest_year_below_threshold(rows: list) -> list:
    """The latest fiscal year with answers keeps fewer than the report's threshold (other agencies'
    answers are left out, the demo agency's kept), so the program's report always shows a year
    hidden for its size, whatever day the demo is loaded on."""
    if not rows:
        return rows
    latest, k = max(r.fiscal_year for r in rows), min_answers()
    ours = [r for r in rows if r.fiscal_year == latest and r.deployment.officer.agency.slug == DEMO_AGENCY]
    others = [r for r in rows if r.fiscal_year == latest and r.deployment.officer.agency.slug != DEMO_AGENCY]
    keep = others[:max(0, k - 1 - len(ours))]
    return [r for r in rows if r.fiscal_year != latest] + ours + keep


def _questionnaire(deployment, rng, *, now):
    ended = deployment.actual_end_date
    comment = rng.choice(COMMENTS) if rng.random() < 0.4 else ""
    return ReturnQuestionnaire(
        deployment=deployment, officer_id=deployment.officer_id, returned_on=ended, fiscal_year=fiscal_year_of(ended),
        comments=comment, comments_shareable=bool(comment) and rng.random() < 0.7,
        language=deployment.officer.agency.language,
        submitted_at=min(_at(ended + timedelta(days=rng.randint(10, 60)), 19), now),
        **_answers(rng, good=rng.random()),
    )


def _ottawa_past_tours(*, today, rng, count) -> list[Deployment]:
    """Earlier tours of Ottawa officers (nine months, in the fiscal year four years ago), each clear of the
    officer's other tours by a year; at most `count`."""
    if count <= 0:
        return []
    fy = fiscal_year_of(today) - 4
    mission = Mission.objects.filter(code="BINUH").first() or Mission.objects.order_by("pk").first()
    tours = []
    role = deployment_role_matching("Police adviser") or "Police adviser"  # the catalogue's, when seeded
    officers = list(Officer.objects.filter(agency__slug=DEMO_AGENCY).exclude(user__email=OFFICER_EMAIL).order_by("pk"))
    for officer in officers:
        if len(tours) >= count:
            break
        end = datetime(fy, 6, 1).date() + timedelta(days=rng.randint(0, 240))
        start = end - timedelta(days=274)
        busy = Deployment.objects.filter(officer=officer).exclude(status="cancelled")
        if any(d.start_date < end + timedelta(days=365) and d.end_date > start - timedelta(days=365) for d in busy):
            continue
        tours.append(Deployment(officer=officer, mission=mission, role=role, start_date=start,
                                planned_end_date=end, actual_end_date=end, status=Deployment.Status.COMPLETED))
    Deployment.objects.bulk_create(tours)
    return tours

