"""The benchmark's data set: a seeded, deterministic generator on top of `manage.py seed_demo`.

`plan(ctx, sizes, seed)` is pure: from a `Context` (the few facts it needs from the demo data, as
plain values) and `random.Random(seed)` it returns, for each table, the rows to insert, with their
primary keys already chosen. The same context, sizes and seed give the same rows (dates are relative
to the day of the run, like the demo data's). `write(...)`
inserts them: PostgreSQL's COPY, or batched INSERTs elsewhere (the unit tests run on SQLite), then
moves each table's id sequence past the rows. Nothing goes through the services or signals: this is
history, loaded as it would be after years of use.

What it builds, besides the demo data (default sizes, `Sizes`):
- 5,000 officers over the 34 demo agencies, sized like the demo (RCMP about 40 %); one in ten has a
  login; two to six clearances each;
- 2,000 bulletins over 12 years (a few open, a few drafts, 2 % cancelled), each with a notice to
  every partner agency (70 % acknowledged);
- 100,000 applications (a long-tailed number per bulletin, from officers in service long enough),
  each with its full event history (one ApplicationEvent per status change, as
  `application_transition` writes them); the officers who went get a Deployment with its events,
  never two overlapping tours for one officer, current tours within each mission's authorised
  strength and the program ceiling;
- the outbox: the newest 100,000 messages this history sent (a publication notice to each
  partner agency's coordinator and mailbox, a status message to the officer for every change);
  older ones are not loaded, to keep the build short.
`plan_partner_agencies` adds partner agencies (with a coordinator each) up to 3,000, for the
publish test.
"""

from __future__ import annotations

import bisect
import itertools
import math
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from random import Random

from django.utils import timezone
from django.utils.text import slugify

from roster.management.commands import _demo_data as data
from roster.management.commands.seed_demo import PATHS

SEED = 2026
REST_DAYS = 365  # at least a year at home between two tours of one officer
UNUSABLE_PASSWORD = "!bench-no-password"  # nobody signs in as a generated person


@dataclass(frozen=True)
class Sizes:
    officers: int = 5_000
    applications: int = 100_000
    bulletins: int = 2_000
    outbox: int = 100_000
    years: int = 12
    open_bulletins: int = 15
    draft_bulletins: int = 4
    demo_officer_applications: int = 12  # the demo officer's own history, so their pages have some


@dataclass(frozen=True)
class AgencyRef:
    id: int
    slug: str
    kind: str
    language: str
    province: str
    size: int  # relative number of officers
    mailbox: str = ""


@dataclass(frozen=True)
class PersonRef:
    id: int
    email: str
    language: str = "en"


@dataclass(frozen=True)
class MissionRef:
    id: int
    code: str
    language: str
    armed: bool
    strength: int
    closed_on: date | None = None  # a closed mission's last day
    current: int = 0  # deployments planned or in mission already (the demo's)


@dataclass(frozen=True)
class Context:
    """What the generator needs from the database, as plain values (a test builds one by hand)."""

    today: date
    now: datetime
    agencies: list[AgencyRef]  # the partner agencies
    coordinators: dict[int, PersonRef]  # agency id -> its coordinator
    ipo: list[PersonRef]
    missions: list[MissionRef]
    program_room: int  # deployments the program ceiling still allows at once
    next_ids: dict[str, int]  # model label -> first free primary key
    demo_officer: PersonRef | None = None  # its id is the Officer's
    demo_officer_agency: int | None = None
    demo_officer_user: int | None = None
    message_id_domain: str = "bench.example"


@dataclass
class Rows:
    """Rows for one model: `fields` are attnames, each row a tuple in that order."""

    model: str  # "app_label.ModelName"
    fields: tuple[str, ...]
    rows: list[tuple] = field(default_factory=list)

    def add(self, *values):
        self.rows.append(values)


MODELS = [  # insertion order (foreign keys point up the list)
    "agencies.Agency", "agencies.User", "agencies.Officer", "agencies.Clearance", "missions.Bulletin",
    "missions.BulletinNotice", "roster.Application", "roster.ApplicationEvent", "roster.Deployment",
    "roster.DeploymentEvent", "notifications.OutgoingMail",
]


def ascii_slug(text: str) -> str:
    return slugify(unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().replace("'", ""))


def add_months(day: date, months: int) -> date:
    return day + timedelta(days=round(months * 30.44))


class _Ids:
    def __init__(self, next_ids):
        self.counters = {label: itertools.count(next_ids.get(label, 1)) for label in MODELS}

    def __call__(self, label):
        return next(self.counters[label])


# --- the plan --------------------------------------------------------------------------------------


def plan(ctx: Context, sizes: Sizes = Sizes(), seed: int = SEED) -> dict[str, Rows]:
    """Every row of the data set, deterministic in (ctx, sizes, seed)."""
    return _Planner(ctx, sizes, Random(seed)).run()


class _Planner:
    def __init__(self, ctx: Context, sizes: Sizes, rng: Random):
        self.ctx, self.sizes, self.rng = ctx, sizes, rng
        self.ids = _Ids(ctx.next_ids)
        self.out = {
            "agencies.User": Rows("agencies.User", (
                "id", "password", "email", "first_name", "last_name", "role", "agency_id", "preferred_language",
                "is_staff", "is_superuser", "is_active", "date_joined")),
            "agencies.Officer": Rows("agencies.Officer", (
                "id", "agency_id", "user_id", "badge_number", "first_name", "last_name", "email", "phone", "rank",
                "gender", "date_of_birth", "service_start", "english_level", "french_level", "manual_driving",
                "firearms_qualified", "created_at", "updated_at")),
            "agencies.Clearance": Rows("agencies.Clearance", ("id", "officer_id", "kind", "valid_until", "reference",
                                                               "updated_at")),
            "missions.Bulletin": Rows("missions.Bulletin", (
                "id", "reference", "mission_id", "title_en", "title_fr", "description_en", "description_fr",
                "positions", "duration_months", "deployment_start", "closes_at", "min_years_service",
                "required_language", "min_language_level", "requires_firearms", "requires_manual_driving", "min_age",
                "max_age", "required_clearances", "women_priority", "status", "published_at", "closed_at",
                "cancelled_at", "cancel_reason", "created_by_id", "created_at", "updated_at")),
            "missions.BulletinNotice": Rows("missions.BulletinNotice", (
                "id", "bulletin_id", "agency_id", "created_at", "acknowledged_at", "acknowledged_by_id",
                "circulated_at", "circulated_by_id", "circulated_count")),
            "roster.Application": Rows("roster.Application", (
                "id", "bulletin_id", "officer_id", "statement", "status", "nominated_by_id", "release_confirmed",
                "ineligible", "created_at", "updated_at")),
            "roster.ApplicationEvent": Rows("roster.ApplicationEvent", (
                "id", "application_id", "from_status", "to_status", "actor_id", "note", "note_shared",
                "created_at")),
            "roster.Deployment": Rows("roster.Deployment", (
                "id", "officer_id", "mission_id", "application_id", "role_other_en", "role_other_fr", "start_date",
                "planned_end_date",
                "actual_end_date", "status", "repatriation_reason", "repatriation_note", "created_at",
                "updated_at")),
            "roster.DeploymentEvent": Rows("roster.DeploymentEvent", (
                "id", "deployment_id", "action", "actor_id", "note", "data", "created_at")),
            "notifications.OutgoingMail": Rows("notifications.OutgoingMail", (
                "id", "to", "user_id", "language", "subject", "body_text", "body_html", "message_id", "topic",
                "kind", "status", "attempts", "last_error", "created_at", "claimed_at", "sent_at")),
        }
        self.mail_candidates = []  # (created_at, kind, payload), the outbox is the newest of them

    def at(self, day: date, hour=9, minute=0) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def between(self, start: datetime, end: datetime) -> datetime:
        return start + timedelta(seconds=self.rng.uniform(0, max((end - start).total_seconds(), 0)))

    def run(self) -> dict[str, Rows]:
        self.officers()
        self.bulletins()
        self.notices()
        self.applications()
        self.outbox()
        return self.out

    # -- officers --------------------------------------------------------------------------------

    def officers(self):
        rng, ctx = self.rng, self.ctx
        agencies = ctx.agencies
        cum = list(itertools.accumulate(a.size for a in agencies))
        self.officer_list = []  # (service_start, id, agency, email, user_id, language)
        users, officers, clearances = (self.out["agencies.User"], self.out["agencies.Officer"],
                                       self.out["agencies.Clearance"])
        for serial in range(1, self.sizes.officers + 1):
            agency = rng.choices(agencies, cum_weights=cum)[0]
            woman = rng.random() < 0.33
            gender = "woman" if woman else rng.choices(["man", "undisclosed", "another"], [97, 2, 1])[0]
            francophone = agency.language == "fr" or rng.random() < (0.22 if agency.kind == "rcmp" else 0.08)
            if francophone:
                first = rng.choice(data.FIRST_FR_W if woman else data.FIRST_FR_M)
                last = rng.choice(data.LAST_FR)
                english, french = rng.choice([1, 2, 2, 3, 3, 3, 4]), 4
            else:
                first = rng.choice(data.FIRST_EN_W if woman else data.FIRST_EN_M)
                last = rng.choice(data.LAST_INDIGENOUS if agency.kind == "indigenous" else data.LAST_EN)
                english, french = 4, rng.choice([0, 0, 1, 1, 2, 3, 4])
            age = rng.randint(27, 58)
            years = rng.randint(3, min(30, age - 21))
            officer_id = self.ids("agencies.Officer")
            email = f"{ascii_slug(first)}.{ascii_slug(last)}.b{serial}@{agency.slug}.bench.example"
            language = "fr" if francophone else "en"
            user_id = None
            if rng.random() < 0.1:
                user_id = self.ids("agencies.User")
                users.add(user_id, UNUSABLE_PASSWORD, email, first, last, "officer", agency.id, language,
                          False, False, True, ctx.now)
            service_start = ctx.today - timedelta(days=years * 365 + rng.randint(15, 340))
            officers.add(
                officer_id, agency.id, user_id, str(70000 + serial), first, last, email,
                f"613-555-{rng.randint(100, 9999):04d}",
                rng.choice(["cst", "cst", "cpl", "cpl", "sgt", "sgt", "ssgt", "insp"]), gender,
                ctx.today - timedelta(days=age * 365 + rng.randint(15, 340)), service_start, english, french,
                rng.random() < 0.75, rng.random() < 0.88, ctx.now, ctx.now,
            )
            kinds = ["medical", "passport"] + [k for k in ("security", "psychological", "un_assessment", "firearms")
                                               if rng.random() < 0.5]
            for kind in kinds:
                clearances.add(self.ids("agencies.Clearance"), officer_id, kind,
                               ctx.today + timedelta(days=rng.randint(-400, 3 * 365)),
                               f"{kind[:3].upper()}-B{serial:05d}", ctx.now)
            self.officer_list.append((service_start, officer_id, agency, email, user_id, language))
        self.officer_list.sort(key=lambda o: (o[0], o[1]))
        self.service_starts = [o[0] for o in self.officer_list]

    # -- bulletins -------------------------------------------------------------------------------

    def bulletins(self):
        rng, ctx, sizes = self.rng, self.ctx, self.sizes
        n_open = min(sizes.open_bulletins, sizes.bulletins)
        n_draft = min(sizes.draft_bulletins, sizes.bulletins - n_open)
        n_hist = sizes.bulletins - n_open - n_draft
        first_day = ctx.now - timedelta(days=sizes.years * 365)
        last_day = ctx.now - timedelta(days=40)
        per_year = Counter()
        self.bulletin_list = []
        rows = self.out["missions.Bulletin"]
        for i in range(sizes.bulletins):
            if i < n_hist:
                published = first_day + (last_day - first_day) * ((i + rng.random()) / max(n_hist, 1))
                closes = published + timedelta(days=rng.randint(21, 35), hours=rng.randint(0, 8))
                status = "cancelled" if rng.random() < 0.02 else "closed"
            elif i < n_hist + n_open:
                published = ctx.now - timedelta(days=rng.randint(2, 25), hours=rng.randint(0, 8))
                closes = ctx.now + timedelta(days=rng.randint(3, 30), hours=rng.randint(0, 8))
                status = "published"
            else:
                published = None
                closes = ctx.now + timedelta(days=rng.randint(20, 45))
                status = "draft"
            created = (published - timedelta(days=rng.randint(2, 7)) if published
                       else ctx.now - timedelta(days=rng.randint(1, 6)))
            start = closes.date() + timedelta(days=rng.randint(60, 150))
            months = rng.choice([6, 9, 12, 12, 12])
            mission = self.mission_for(start, months)
            title = rng.randrange(len(data.ROLE_TITLES))
            title_en, title_fr = data.ROLE_TITLES[title]
            positions = rng.choices([1, 2, 3, 4], [60, 25, 10, 5])[0]
            clearances = list(data._UN if mission.code in ("BINUH", "MONUSCO", "MINUSMA", "UNMISS") else data._BASIC)
            if mission.armed:
                clearances.append("firearms")
            min_years = rng.choice([3, 5, 5, 8, 10])
            per_year[created.year] += 1
            reference = f"JPB-{created.year}-{100 + per_year[created.year]:03d}"
            closed_at = closes if status == "closed" else None
            cancelled_at = published + timedelta(days=9) if status == "cancelled" else None
            bulletin_id = self.ids("missions.Bulletin")
            en, fr = self.bulletin_text(title_en, title_fr, mission, months, min_years)
            rows.add(
                bulletin_id, reference, mission.id, title_en, title_fr, en, fr, positions, months, start, closes,
                min_years, mission.language, 3, mission.armed, rng.random() < 0.5, 25, 62, clearances,
                rng.random() < 0.2, status, published, closed_at, cancelled_at,
                "Position withdrawn by the mission." if cancelled_at else "", rng.choice(ctx.ipo).id, created,
                cancelled_at or closed_at or published or created,
            )
            self.bulletin_list.append(dict(
                id=bulletin_id, reference=reference, mission=mission, positions=positions, months=months,
                start=start, closes=closes, published=published, status=status, title_en=title_en,
                title_fr=title_fr,
            ))

    def mission_for(self, start: date, months: int) -> MissionRef:
        end = add_months(start, months)
        open_ = [m for m in self.ctx.missions if m.closed_on is None or end < m.closed_on]
        if not open_:
            open_ = [m for m in self.ctx.missions if m.closed_on is None] or self.ctx.missions
        return self.rng.choices(open_, [m.strength for m in open_])[0]

    @staticmethod
    def bulletin_text(title_en, title_fr, mission, months, min_years):
        en = (f"{title_en} with the {mission.code} mission. You will advise, mentor and train host-state police "
              f"counterparts and report to the Canadian contingent commander. Tour of {months} months. "
              f"Requirements: at least {min_years} years of police service and an advanced level in the "
              f"mission's working language. Apply through your agency's coordinator.")
        fr = (f"{title_fr} au sein de la mission {mission.code}. Vous conseillerez, encadrerez et formerez les "
              f"policiers du pays hôte. Affectation de {months} mois. Exigences : au moins {min_years} ans de "
              f"service policier et un niveau avancé dans la langue de travail de la mission. Présentez votre "
              f"candidature par l'entremise du coordonnateur de votre service.")
        return en, fr

    # -- notices ---------------------------------------------------------------------------------

    def notices(self):
        rng, ctx = self.rng, self.ctx
        rows = self.out["missions.BulletinNotice"]
        self.notice_ids = {}
        for b in self.bulletin_list:
            if b["published"] is None:
                continue
            is_open = b["status"] == "published"
            for agency in ctx.agencies:
                notice_id = self.ids("missions.BulletinNotice")
                sent = b["published"] + timedelta(minutes=rng.randint(1, 20))
                coordinator = ctx.coordinators.get(agency.id)
                acked = coordinator is not None and rng.random() < (0.5 if is_open else 0.7)
                ack_at = min(sent + timedelta(hours=rng.uniform(1, 120)), ctx.now - timedelta(hours=1))
                circulated = acked and rng.random() < 0.3
                rows.add(notice_id, b["id"], agency.id, sent - timedelta(minutes=1), ack_at if acked else None,
                         coordinator.id if acked else None,
                         ack_at + timedelta(hours=2) if circulated else None,
                         coordinator.id if circulated else None, rng.randint(5, 80) if circulated else 0)
                recipients = [coordinator] if coordinator else []
                if agency.mailbox:
                    recipients.append(PersonRef(0, agency.mailbox, agency.language))
                for i, person in enumerate(recipients):
                    self.mail_candidates.append((sent, "n", (notice_id, i, person, b)))

    # -- applications, their events and deployments -------------------------------------------------

    def application_counts(self) -> list[int]:
        rng, total = self.rng, self.sizes.applications
        weights = []
        for b in self.bulletin_list:
            w = rng.lognormvariate(0, 0.7)
            if b["status"] == "draft":
                w = 0
            elif b["status"] == "published":
                w *= 0.4  # still open: applications keep coming
            elif b["status"] == "cancelled":
                w *= 0.3
            weights.append(w)
        scale = total / (sum(weights) or 1)
        counts = [math.floor(w * scale) for w in weights]
        eligible = [i for i, w in enumerate(weights) if w > 0]
        for i in rng.choices(eligible, k=total - sum(counts)) if eligible else []:
            counts[i] += 1
        return counts

    def applications(self):
        rng, ctx = self.rng, self.ctx
        self.busy = defaultdict(list)  # officer id -> [(start, end + rest)]
        self.room = {m.id: max(0, m.strength - m.current) for m in ctx.missions}
        self.program_room = ctx.program_room
        counts = self.application_counts()
        demo_bulletins = set()
        if ctx.demo_officer is not None:
            old = [i for i, b in enumerate(self.bulletin_list) if b["status"] == "closed"
                   and b["closes"] < ctx.now - timedelta(days=2 * 365)]
            demo_bulletins = set(rng.sample(old, min(len(old), self.sizes.demo_officer_applications)))
        for index, (b, count) in enumerate(zip(self.bulletin_list, counts, strict=True)):
            if b["published"] is None:
                continue
            pool = bisect.bisect_right(self.service_starts, b["published"].date() - timedelta(days=3 * 365))
            if pool < count:
                pool = len(self.officer_list)  # a small data set: anyone may apply
            chosen = [self.officer_list[i] for i in rng.sample(range(pool), min(count, pool))]
            states = self.states_for(b, len(chosen))
            for officer, state in zip(chosen, states, strict=True):
                self.application(b, officer, state)
            if index in demo_bulletins:
                demo = ctx.demo_officer
                officer = (date.min, demo.id, next(a for a in ctx.agencies if a.id == ctx.demo_officer_agency),
                           demo.email, None, demo.language)
                self.application(b, officer, rng.choice(["not_selected", "screened_out", "withdrawn"]),
                                 user_id=ctx.demo_officer_user)

    def states_for(self, b, n) -> list[str]:
        rng, ctx = self.rng, self.ctx
        if b["status"] == "published":
            pick = {"submitted": 55, "endorsed": 25, "nominated": 8, "withdrawn": 4, "agency_declined": 4,
                    "withdrawn_late": 4}
            return rng.choices(list(pick), list(pick.values()), k=n)
        if b["status"] == "cancelled":
            return rng.choices(["submitted", "endorsed", "withdrawn"], [50, 40, 10], k=n)
        positions = min(b["positions"], n)
        pending = b["start"] > ctx.today  # closed, the tour not started: decisions under way
        if pending:
            first = ["selected"] * (positions // 2) + ["deployed"] * (positions - positions // 2)
            pick = {"endorsed": 20, "shortlisted": 15, "screened_out": 20, "waitlisted": 5, "submitted": 5,
                    "agency_declined": 10, "withdrawn": 10, "nominated": 10, "withdrawn_late": 5}
        else:
            first = ["deployed"] * positions
            pick = {"not_selected": 35, "screened_out": 30, "agency_declined": 10, "withdrawn": 10,
                    "withdrawn_late": 5, "waitlisted_not_selected": 6, "withdrawn_shortlisted": 4}
        return first + rng.choices(list(pick), list(pick.values()), k=n - positions)

    def deploy(self, b, officer_id) -> tuple | None:
        """(start, end, status) of the tour if the officer is free and there is room, else None."""
        start, end = b["start"], add_months(b["start"], b["months"])
        for s, e in self.busy[officer_id]:
            if start < e and s < end + timedelta(days=REST_DAYS):
                return None
        current = end > self.ctx.today
        mission = b["mission"].id
        if current and (self.room[mission] <= 0 or self.program_room <= 0):
            return None
        if current:
            self.room[mission] -= 1
            self.program_room -= 1
        self.busy[officer_id].append((start, end + timedelta(days=REST_DAYS)))
        if start > self.ctx.today:
            return start, end, "planned"
        return start, end, "in_mission" if current else "completed"

    def application(self, b, officer, state, user_id=None):
        rng, ctx = self.rng, self.ctx
        _start, officer_id, agency, email, officer_user, language = officer
        user_id = user_id or officer_user
        tour = None
        if state == "deployed":
            tour = self.deploy(b, officer_id)
            if tour is None:
                state = "not_selected" if b["start"] <= ctx.today else "waitlisted"
        path = [str(step) for step in PATHS[state]]
        nominated = state == "nominated" or (path[:2] == ["submitted", "endorsed"] and rng.random() < 0.12)
        if nominated and path[0] == "submitted":
            path = path[1:]
        coordinator = ctx.coordinators.get(agency.id)
        limit = ctx.now - timedelta(minutes=30)
        opened, closes = b["published"], min(b["closes"], limit)
        t = self.between(opened + (closes - opened) * 0.05, opened + (closes - opened) * 0.9)
        times = []
        for step in path:
            previous = t
            if times:
                if step in ("endorsed", "agency_declined"):
                    t += timedelta(hours=rng.uniform(3, 6 * 24))
                elif step == "withdrawn":
                    t += timedelta(hours=rng.uniform(24, 10 * 24))
                elif step in ("shortlisted", "screened_out"):
                    t = max(t, b["closes"]) + timedelta(hours=rng.uniform(48, 10 * 24))
                elif step == "deployed":
                    t += timedelta(hours=rng.uniform(7 * 24, 20 * 24))
                else:
                    t += timedelta(hours=rng.uniform(5 * 24, 15 * 24))
                if t > limit:  # never in the future
                    t = previous + (limit - previous) * rng.uniform(0.3, 0.7)
            times.append(t)
        app_id = self.ids("roster.Application")
        years = max(3, (b["closes"].date() - _start).days // 365) if _start != date.min else 10
        statements = data.STATEMENTS_FR if language == "fr" else data.STATEMENTS_EN
        units = data.UNITS_FR if language == "fr" else data.UNITS_EN
        self.out["roster.Application"].add(
            app_id, b["id"], officer_id, rng.choice(statements).format(years=years, unit=rng.choice(units)),
            path[-1], coordinator.id if nominated and coordinator else None, "endorsed" in path,
            rng.random() < (0.6 if state == "screened_out" else 0.1), times[0], times[-1],
        )
        events, previous_step = self.out["roster.ApplicationEvent"], ""
        for step, when in zip(path, times, strict=True):
            if step == "submitted":
                actor = user_id
            elif step in ("endorsed", "agency_declined"):
                actor = coordinator.id if coordinator else None
            elif step == "withdrawn":
                actor = user_id or (coordinator.id if coordinator else None)
            else:
                actor = rng.choice(ctx.ipo).id
            ipo_step = step not in ("submitted", "endorsed", "agency_declined", "withdrawn")
            note = rng.choice(data.NOTES["nominated" if nominated and step == "endorsed" else step])
            events.add(self.ids("roster.ApplicationEvent"), app_id, previous_step, step, actor,
                       note if rng.random() < 0.4 else "", not ipo_step, when)
            self.mail_candidates.append((when + timedelta(seconds=2), "a", (
                app_id, step, PersonRef(user_id or 0, email, language), b)))
            previous_step = step
        if tour is not None:
            self.deployment(b, officer_id, app_id, tour, times[-1])

    def deployment(self, b, officer_id, app_id, tour, deployed_at):
        rng, ctx = self.rng, self.ctx
        start, end, status = tour
        actual_end, reason, note = None, "", ""
        if status == "completed":
            actual_end = end
            if rng.random() < 0.04:
                status = "repatriated"
                reason = rng.choice(["medical", "compassionate", "security", "other"])
                note = data.REPATRIATION_NOTES[reason]
                actual_end = start + timedelta(days=rng.randint(20, max(21, (end - start).days - 1)))
        dep_id = self.ids("roster.Deployment")
        ended_at = self.at(actual_end, 17) if actual_end else None
        role = rng.choice(data.DEPLOYMENT_ROLES)  # written out in both languages (no catalogue needed)
        self.out["roster.Deployment"].add(
            dep_id, officer_id, b["mission"].id, app_id, role, dict(data.ROLE_CATALOGUE).get(role, role), start, end,
            actual_end,
            status, reason, note, deployed_at, min(ended_at or deployed_at, ctx.now),
        )
        ipo = rng.choice(ctx.ipo).id
        steps = [("created", deployed_at, {"start": start.isoformat(), "planned_end": end.isoformat()}, "")]
        if status != "planned":
            steps.append(("started", self.at(start, 8), {"on": start.isoformat()}, ""))
        if status == "completed":
            steps.append(("completed", ended_at, {"on": actual_end.isoformat()}, ""))
        elif status == "repatriated":
            steps.append(("repatriated", ended_at, {"on": actual_end.isoformat(), "reason": reason}, note))
        for action, when, payload, text in steps:
            self.out["roster.DeploymentEvent"].add(self.ids("roster.DeploymentEvent"), dep_id, action, ipo, text,
                                                   payload, min(when, ctx.now))

    # -- the outbox ------------------------------------------------------------------------------

    def outbox(self):
        rng, ctx = self.rng, self.ctx
        newest = sorted(self.mail_candidates, key=lambda c: c[0])[-self.sizes.outbox:] if self.sizes.outbox else []
        self.mail_candidates = []
        rows = self.out["notifications.OutgoingMail"]
        labels = dict(PATHS_LABELS)
        for created, kind, payload in newest:
            mail_id = self.ids("notifications.OutgoingMail")
            if kind == "n":
                notice_id, _i, person, b = payload
                subject, text, html = notice_mail(person.language, b)
                topic, code = f"notice:{notice_id}", "bulletin_published"
            else:
                app_id, step, person, b = payload
                subject, text, html = status_mail(person.language, b, labels[step])
                topic, code = f"application:{app_id}", "application_status"
            failed = rng.random() < 0.003
            rows.add(
                mail_id, person.email, person.id or None, person.language, subject, text, html,
                f"<bench-{mail_id}@{ctx.message_id_domain}>", topic, code, "failed" if failed else "sent",
                5 if failed else 1,
                "SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable" if failed else "",
                created, created + timedelta(seconds=3), None if failed else created + timedelta(seconds=4),
            )


PATHS_LABELS = [
    ("submitted", ("Submitted", "Soumise")), ("endorsed", ("Endorsed by agency", "Appuyée par le service")),
    ("agency_declined", ("Declined by agency", "Refusée par le service")), ("withdrawn", ("Withdrawn", "Retirée")),
    ("shortlisted", ("Shortlisted", "Présélectionnée")), ("screened_out", ("Screened out", "Écartée")),
    ("selected", ("Selected", "Retenue")), ("waitlisted", ("Waitlisted", "En liste d'attente")),
    ("not_selected", ("Not selected", "Non retenue")), ("deployed", ("Deployed", "Déployée")),
]


def notice_mail(language, b):
    if language == "fr":
        subject = f"Nouvel avis de poste {b['reference']} : {b['title_fr']}"
        text = (f"Un nouvel avis de poste est ouvert : {b['title_fr']} ({b['mission'].code}).\n\n"
                f"Il ferme le {b['closes']:%Y-%m-%d}. Veuillez en accuser réception et le diffuser à vos "
                f"policiers.\n\n" + _FILLER_FR)
    else:
        subject = f"New job posting bulletin {b['reference']}: {b['title_en']}"
        text = (f"A new job posting bulletin is open: {b['title_en']} ({b['mission'].code}).\n\n"
                f"It closes on {b['closes']:%Y-%m-%d}. Please acknowledge it and circulate it to your "
                f"officers.\n\n" + _FILLER_EN)
    return subject, text, _html(subject, text)


def status_mail(language, b, labels):
    en, fr = labels
    if language == "fr":
        subject = f"Votre candidature à {b['reference']} : {fr}"
        text = f"Votre candidature à l'avis {b['reference']} ({b['title_fr']}) est maintenant : {fr}.\n\n" + _FILLER_FR
    else:
        subject = f"Your application to {b['reference']}: {en}"
        text = f"Your application to {b['reference']} ({b['title_en']}) is now: {en}.\n\n" + _FILLER_EN
    return subject, text, _html(subject, text)


_FILLER_EN = ("Sign in to the deployment roster to see the details and the timeline.\n\n"
              "This message was sent by the RCMP International Peace Operations deployment roster. "
              "You receive it because of your role in the program. Do not reply to this email.\n")
_FILLER_FR = ("Ouvrez une session dans le registre des déploiements pour voir les détails et l'historique.\n\n"
              "Ce message vous est envoyé par le registre des déploiements des Opérations internationales de "
              "paix de la GRC en raison de votre rôle dans le programme. Ne répondez pas à ce courriel.\n")


def _html(subject, text):
    from html import escape

    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(subject)}</title></head>'
            f'<body style="font-family: sans-serif"><h1 style="font-size: 1.2em">{escape(subject)}</h1>'
            f"{paragraphs}</body></html>")


# --- partner agencies for the publish test ------------------------------------------------------


def plan_partner_agencies(ctx: Context, total: int, seed: int = SEED) -> dict[str, Rows]:
    """Partner agencies (each with one coordinator, two in five with a mailbox) so that there are
    `total` partners in all."""
    rng, ids = Random(seed + 1), _Ids(ctx.next_ids)
    agencies = Rows("agencies.Agency", ("id", "slug", "name_en", "name_fr", "kind", "province", "is_partner",
                                        "partner_since", "language", "mailbox", "is_demo"))
    users = Rows("agencies.User", ("id", "password", "email", "first_name", "last_name", "role", "agency_id",
                                   "preferred_language", "is_staff", "is_superuser", "is_active", "date_joined"))
    provinces = ["ON", "QC", "BC", "AB", "MB", "SK", "NS", "NB", "NL", "PE", "NT", "YT", "NU"]
    for n in range(1, max(0, total - len(ctx.agencies)) + 1):
        agency_id = ids("agencies.Agency")
        language = "fr" if rng.random() < 0.25 else "en"
        slug = f"bench-partner-{n:04d}"
        place = f"Bench Town {n:04d}"
        agencies.add(agency_id, slug, f"{place} Police Service", f"Service de police de {place}",
                     rng.choice(["municipal", "municipal", "regional", "indigenous"]), rng.choice(provinces), True,
                     ctx.today.replace(year=ctx.today.year - rng.randint(1, 25)), language,
                     f"ipo@{slug}.bench.example" if rng.random() < 0.4 else "", False)
        first = rng.choice(data.FIRST_FR_M if language == "fr" else data.FIRST_EN_W)
        users.add(ids("agencies.User"), UNUSABLE_PASSWORD, f"coord.{slug}@bench.example", first, "Coordinator",
                  "coordinator", agency_id, language, False, False, True, ctx.now)
    return {"agencies.Agency": agencies, "agencies.User": users}


# --- reading the context, writing the rows ------------------------------------------------------


def context_from_db() -> Context:
    """The demo data's facts the generator needs (after `manage.py seed_demo`)."""
    from django.apps import apps
    from django.conf import settings
    from django.db.models import Max

    from agencies.models import Agency, Officer, Role, User
    from missions.models import Mission
    from roster.management.commands.seed_demo import CLOSED_ON, RCMP_OFFICERS
    from roster.models import Deployment

    # The history ends at the start of today (local time): every run on one day builds the same rows.
    today = timezone.localdate()
    now = timezone.make_aware(datetime.combine(today, time.min))
    sizes = {row[0]: row[6] for row in data.AGENCIES}
    sizes[data.RCMP[0]] = RCMP_OFFICERS
    agencies = [AgencyRef(a.pk, a.slug, a.kind, a.language, a.province, sizes.get(a.slug, 2), a.mailbox)
                for a in Agency.objects.filter(is_partner=True).order_by("pk")]
    coordinators = {}
    for u in User.objects.filter(role=Role.COORDINATOR, is_active=True).order_by("pk"):
        coordinators.setdefault(u.agency_id, PersonRef(u.pk, u.email, u.preferred_language or "en"))
    ipo = [PersonRef(u.pk, u.email, u.preferred_language or "en")
           for u in User.objects.filter(role=Role.IPO_STAFF).order_by("pk")]
    current = Counter(Deployment.objects.filter(status__in=["planned", "in_mission"])
                      .values_list("mission_id", flat=True))
    missions = [MissionRef(m.pk, m.code, m.language, m.armed, m.authorized_strength,
                           today - timedelta(days=CLOSED_ON.get(m.code, 0)) if m.status != "active" else None,
                           current[m.pk]) for m in Mission.objects.order_by("pk")]
    next_ids = {}
    for label in MODELS:
        model = apps.get_model(label)
        next_ids[label] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    demo = Officer.objects.filter(email=data.OFFICER_EMAIL).first()
    return Context(
        today=today, now=now, agencies=agencies, coordinators=coordinators, ipo=ipo, missions=missions,
        program_room=max(0, settings.ROSTER["PROGRAM_CEILING"] - sum(current.values())), next_ids=next_ids,
        demo_officer=PersonRef(demo.pk, demo.email, "en") if demo else None,
        demo_officer_agency=demo.agency_id if demo else None, demo_officer_user=demo.user_id if demo else None,
        message_id_domain=getattr(settings, "MESSAGE_ID_DOMAIN", "bench.example"),
    )


def write(tables: dict[str, Rows], *, using: str = "default", batch: int = 5000, progress=None) -> dict[str, int]:
    """Insert the rows (COPY on PostgreSQL, batched INSERTs elsewhere) in MODELS order, then move
    each table's id sequence past them. Returns {label: rows written}."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connections, transaction

    connection = connections[using]
    written = {}
    with transaction.atomic(using=using):
        for label in MODELS:
            table = tables.get(label)
            if table is None or not table.rows:
                continue
            model = apps.get_model(label)
            columns, defaults, preps = _columns(model, table.fields, connection)
            positions = [table.fields.index(c.attname) if c.attname in table.fields else None for c in columns]

            def full(row, positions=positions, defaults=defaults, preps=preps):
                values = [row[p] if p is not None else d for p, d in zip(positions, defaults, strict=True)]
                return [prep(v) if prep else v for prep, v in zip(preps, values, strict=True)]

            quoted = ", ".join(connection.ops.quote_name(c.column) for c in columns)
            db_table = connection.ops.quote_name(model._meta.db_table)
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    with cursor.copy(f"COPY {db_table} ({quoted}) FROM STDIN") as copy:
                        for row in table.rows:
                            copy.write_row(full(row))
                else:
                    sql = f"INSERT INTO {db_table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"
                    for start in range(0, len(table.rows), batch):
                        cursor.executemany(sql, [full(r) for r in table.rows[start:start + batch]])
            written[label] = len(table.rows)
            if progress:
                progress(label, len(table.rows))
        models = [apps.get_model(label) for label in written]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
    return written


def _columns(model, fields, connection):
    """The concrete fields of `model`, the default of each one the rows leave out, and how to
    adapt a value for the database (None: as it is)."""
    columns, defaults, preps = [], [], []
    for f in model._meta.concrete_fields:
        columns.append(f)
        if f.attname in fields:
            defaults.append(None)
        else:
            default = f.get_default()
            if default is None and not f.null:
                raise ValueError(f"{model._meta.label}.{f.attname}: no value and no default")
            defaults.append(default)
        internal = f.get_internal_type()
        if connection.vendor == "postgresql" and internal != "JSONField":
            preps.append(None)  # psycopg adapts ints, text, dates, aware datetimes and booleans itself
        else:
            preps.append(lambda v, f=f: f.get_db_prep_save(v, connection))
    return columns, defaults, preps


def summary(tables: dict[str, Rows]) -> dict[str, object]:
    """Counts worth printing: rows per model and deployments and applications by status."""
    out = {label: len(t.rows) for label, t in tables.items()}
    if "roster.Application" in tables:
        t = tables["roster.Application"]
        out["applications by status"] = dict(Counter(r[t.fields.index("status")] for r in t.rows).most_common())
    if "roster.Deployment" in tables:
        t = tables["roster.Deployment"]
        out["deployments by status"] = dict(Counter(r[t.fields.index("status")] for r in t.rows).most_common())
    return out
