"""`manage.py seed_demo`: load realistic, deterministic demo data (idempotent).

The first run creates partner agencies, missions, officers with clearances, users, job posting
bulletins with their notices, applications with their full event history, and current and
past deployments. Dates are relative to today so the demo stays current. A second run finds
the data present, only makes sure the three demo logins have the demo password, and exits.
"""

import time as monotonic_clock
import unicodedata
from collections import Counter, defaultdict
from datetime import datetime, time, timedelta
from random import Random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from agencies.models import Agency, Clearance, Officer, Role, User
from audit.services import untracked
from missions.models import Bulletin, BulletinNotice, Mission
from notifications.models import OutgoingMail
from roster.demo_hooks import demo_seeders
from roster.models import Application, ApplicationEvent, ApplicationStatus, Deployment, DeploymentEvent, DeploymentRole

from . import _demo_data as data

S = ApplicationStatus
D = Deployment.Status
SEED = 2026
RCMP_OFFICERS = 121  # with the partners' 179, 300 officers; RCMP about 40%

PATHS = {
    "submitted": [S.SUBMITTED],
    "endorsed": [S.SUBMITTED, S.ENDORSED],
    "nominated": [S.ENDORSED],
    "agency_declined": [S.SUBMITTED, S.AGENCY_DECLINED],
    "withdrawn": [S.SUBMITTED, S.WITHDRAWN],
    "withdrawn_late": [S.SUBMITTED, S.ENDORSED, S.WITHDRAWN],
    "withdrawn_shortlisted": [S.SUBMITTED, S.ENDORSED, S.SHORTLISTED, S.WITHDRAWN],
    "shortlisted": [S.SUBMITTED, S.ENDORSED, S.SHORTLISTED],
    "screened_out": [S.SUBMITTED, S.ENDORSED, S.SCREENED_OUT],
    "waitlisted": [S.SUBMITTED, S.ENDORSED, S.SHORTLISTED, S.WAITLISTED],
    "waitlisted_not_selected": [S.SUBMITTED, S.ENDORSED, S.SHORTLISTED, S.WAITLISTED, S.NOT_SELECTED],
    "not_selected": [S.SUBMITTED, S.ENDORSED, S.SHORTLISTED, S.NOT_SELECTED],
    "selected": [S.SUBMITTED, S.ENDORSED, S.SHORTLISTED, S.SELECTED],
    "deployed": [S.SUBMITTED, S.ENDORSED, S.SHORTLISTED, S.SELECTED, S.DEPLOYED],
}
# States for which an eligible applicant is picked (screened-out ones may fall short).
NEEDS_ELIGIBLE = {"endorsed", "nominated", "shortlisted", "waitlisted", "waitlisted_not_selected",
                  "not_selected", "selected", "deployed", "withdrawn_shortlisted"}

# Current deployments besides those coming from bulletins: mission -> (in mission, planned)
CURRENT_PLAN = {"BINUH": (24, 1), "UKR-CPM": (20, 1), "EUPOL-COPPS": (8, 0), "MONUSCO": (9, 1)}
# Past deployments besides the bulletin-linked ones and the rotations' predecessors.
PAST_PLAN = {"BINUH": 8, "UKR-CPM": 6, "EUPOL-COPPS": 3, "MONUSCO": 4, "MINUSMA": 6, "UNMISS": 4}
ROTATIONS = {"BINUH": 3, "UKR-CPM": 2, "EUPOL-COPPS": 1}
EARLY_RETURNS = ["medical", "compassionate", "security"]
# Days before today on which the closed missions ended.
CLOSED_ON = {"MINUSMA": 820, "UNMISS": 1300}
REST_DAYS = 365  # at least a year at home between two tours of one officer

AREA_CODES = {"ON": "613", "QC": "514", "BC": "604", "AB": "403", "MB": "204", "SK": "306", "NS": "902",
              "NL": "709", "NB": "506", "PE": "902", "CA": "613"}


def ascii_slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return slugify(text.replace("'", ""))


def add_months(day, months: int):
    return day + timedelta(days=round(months * 30.44))


class Command(BaseCommand):
    help = "Load deterministic demo data (agencies, officers, bulletins, applications, deployments)."

    def handle(self, *args, **options):
        started = monotonic_clock.monotonic()
        # Demo records are made up, not changes anyone made: the audit trail starts empty.
        with transaction.atomic(), untracked():
            if Bulletin.objects.filter(created_by__email=data.IPO_EMAIL).exists():
                fixed = self.check_demo_passwords()
                self.stdout.write(
                    "Demo data already present; nothing to do."
                    + (f" Reset {fixed} demo password(s) to the demo password." if fixed else "")
                )
                return
            seeder = Seeder(self)
            summary = seeder.run()
            for seed in demo_seeders():
                summary += list(seed(today=seeder.today, now=seeder.now, rng=seeder.rng))
        elapsed = monotonic_clock.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {elapsed:.1f} s:"))
        for label, value in summary:
            self.stdout.write(f"  {label:<28} {value}")
        self.stdout.write("Logins: manage.py demo_logins")

    def check_demo_passwords(self) -> int:
        """Make sure the three demo logins accept the demo password; only rewrite wrong ones."""
        fixed = 0
        for _label, email in data.DEMO_LOGINS:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                self.stderr.write(f"Demo login {email} is missing; delete the demo data and seed again.")
                continue
            if not user.is_active or not user.check_password(data.PASSWORD):
                user.set_password(data.PASSWORD)
                user.is_active = True
                user.save(update_fields=["password", "is_active"])
                fixed += 1
        return fixed


class Seeder:
    def __init__(self, command):
        self.out = command.stdout
        self.rng = Random(SEED)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.password = make_password(data.PASSWORD)

    # -- helpers -----------------------------------------------------------------------------

    def at(self, day, hour=9, minute=0):
        """An aware datetime on `day` (local time)."""
        return timezone.make_aware(datetime.combine(day, time(hour, minute)))

    def days(self, n: int):
        return self.today + timedelta(days=n)

    def between(self, start, end):
        """A random datetime between two datetimes."""
        span = (end - start).total_seconds()
        return start + timedelta(seconds=self.rng.uniform(0, max(span, 0)))

    def weighted(self, choices: dict):
        return self.rng.choices(list(choices), weights=list(choices.values()))[0]

    # -- the run -----------------------------------------------------------------------------

    def run(self):
        self.seed_agencies()
        self.seed_missions()
        self.seed_staff_and_coordinators()
        self.seed_officers()
        self.seed_officer_logins()
        self.seed_clearances()
        self.seed_bulletins()
        self.seed_notices()
        self.seed_roles()
        self.plan_deployments()
        self.seed_applications()
        self.seed_deployments()
        self.seed_deployment_events()
        self.ready_selected_officers()
        return self.summary()

    # -- agencies and missions ------------------------------------------------------------------

    def seed_agencies(self):
        rows = []
        for slug, name_en, name_fr, kind, province, language, _size, mailbox in data.AGENCIES:
            since = self.today.replace(year=self.rng.randint(1995, 2019), month=self.rng.randint(1, 12), day=1)
            rows.append(Agency(
                slug=slug, name_en=name_en, name_fr=name_fr, kind=kind, province=province, language=language,
                is_partner=True, is_demo=True, partner_since=since,
                mailbox=f"ipo@{slug}.demo.example" if mailbox else "",
            ))
        slug, name_en, name_fr, kind, province, language = data.RCMP
        rows.append(Agency(
            slug=slug, name_en=name_en, name_fr=name_fr, kind=kind, province=province, language=language,
            is_partner=True, is_demo=True, partner_since=self.today.replace(year=1989, month=1, day=1),
            mailbox="ipo@rcmp.demo.example",
        ))
        slugs = [a.slug for a in rows]
        existing = set(Agency.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        Agency.objects.bulk_create([a for a in rows if a.slug not in existing])
        self.agencies = Agency.objects.in_bulk(slugs, field_name="slug")
        self.rcmp = self.agencies["rcmp"]
        self.demo_agency = self.agencies[data.DEMO_AGENCY]

    def seed_missions(self):
        rows = []
        for code, values in data.MISSIONS.items():
            (name_en, name_fr, kind, country_en, country_fr, language, armed, strength, status,
             description_en, description_fr) = values
            rows.append(Mission(
                code=code, name_en=name_en, name_fr=name_fr, kind=kind, country_en=country_en,
                country_fr=country_fr, language=language, armed=armed, authorized_strength=strength,
                status=status, description_en=description_en, description_fr=description_fr,
            ))
        existing = set(Mission.objects.filter(code__in=data.MISSIONS).values_list("code", flat=True))
        Mission.objects.bulk_create([m for m in rows if m.code not in existing])
        self.missions = Mission.objects.in_bulk(list(data.MISSIONS), field_name="code")

    # -- users -----------------------------------------------------------------------------------

    def random_name(self, language: str, woman: bool, indigenous: bool = False):
        if language == "fr":
            first = self.rng.choice(data.FIRST_FR_W if woman else data.FIRST_FR_M)
            last = self.rng.choice(data.LAST_FR)
        else:
            first = self.rng.choice(data.FIRST_EN_W if woman else data.FIRST_EN_M)
            last = self.rng.choice(data.LAST_INDIGENOUS if indigenous else data.LAST_EN)
        return first, last

    def create_users(self, specs):
        """Create the users in `specs` (dicts of User fields) that do not exist yet; return all by email."""
        emails = [s["email"] for s in specs]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        User.objects.bulk_create(
            [User(password=self.password, **s) for s in specs if s["email"] not in existing]
        )
        return User.objects.in_bulk(emails, field_name="email")

    def seed_staff_and_coordinators(self):
        specs = [
            dict(email=data.IPO_EMAIL, first_name="Claire", last_name="Lambert", role=Role.IPO_STAFF,
                 preferred_language="en", is_staff=True),
            dict(email="ipo.gagnon@demo.example", first_name="Marc-André", last_name="Gagnon",
                 role=Role.IPO_STAFF, preferred_language="fr", is_staff=True),
            dict(email="ipo.singh@demo.example", first_name="Harpreet", last_name="Singh",
                 role=Role.IPO_STAFF, preferred_language="en", is_staff=True),
        ]
        self.coordinator_email = {}
        for agency in self.agencies.values():
            first, last = self.random_name(agency.language, self.rng.random() < 0.45)
            if agency.slug == data.DEMO_AGENCY:
                email, first, last = data.COORDINATOR_EMAIL, "Daniel", "Fraser"
            else:
                email = f"coord.{agency.slug}@demo.example"
            self.coordinator_email[agency.pk] = email
            specs.append(dict(email=email, first_name=first, last_name=last, role=Role.COORDINATOR,
                              agency=agency, preferred_language=agency.language))
        users = self.create_users(specs)
        self.ipo = users[data.IPO_EMAIL]
        self.coordinators = {agency_id: users[email] for agency_id, email in self.coordinator_email.items()}
        self.ensure_demo_login(self.ipo, role=Role.IPO_STAFF, agency=None, is_staff=True)
        self.ensure_demo_login(self.coordinators[self.demo_agency.pk], role=Role.COORDINATOR,
                               agency=self.demo_agency, is_staff=False)
        self.user_count = len(users)

    def ensure_demo_login(self, user, *, role, agency, is_staff):
        """A demo login that existed before the seed still gets the right role, agency and password."""
        if user.role == role and user.agency_id == (agency.pk if agency else None) and user.is_active \
                and user.is_staff == is_staff and user.password == self.password:
            return
        user.role, user.agency, user.is_staff, user.is_active = role, agency, is_staff, True
        user.password = self.password
        user.save()

    # -- officers ----------------------------------------------------------------------------------

    def seed_officers(self):
        sizes = [(self.agencies[row[0]], row[6]) for row in data.AGENCIES] + [(self.rcmp, RCMP_OFFICERS)]
        rows = []
        serial = 0
        for agency, size in sizes:
            badges = set()
            for i in range(size):
                serial += 1
                demo = agency.slug == data.DEMO_AGENCY and i == 0
                rows.append(self.make_officer(agency, serial, badges, demo))
        existing = set(
            Officer.objects.filter(agency__in=[a for a, _ in sizes]).values_list("agency_id", "badge_number")
        )
        Officer.objects.bulk_create([o for o in rows if (o.agency_id, o.badge_number) not in existing])
        by_key = {
            (o.agency_id, o.badge_number): o
            for o in Officer.objects.filter(agency__in=[a for a, _ in sizes]).select_related("agency")
        }
        self.officers = [by_key[(o.agency_id, o.badge_number)] for o in rows]
        self.demo_officer = self.officers[[o.email for o in rows].index(data.OFFICER_EMAIL)]
        self.partner_officers = [o for o in self.officers if o.agency_id != self.rcmp.pk]
        self.rcmp_officers = [o for o in self.officers if o.agency_id == self.rcmp.pk]

    def make_officer(self, agency, serial, badges, demo):
        rng = self.rng
        while True:
            badge = str(rng.randint(30000, 69999)) if agency.kind == "rcmp" else str(rng.randint(1000, 9999))
            if badge not in badges:
                badges.add(badge)
                break
        gender = self.weighted({"woman": 33, "man": 65, "undisclosed": 1.5, "another": 0.5})
        francophone = (
            agency.language == "fr"
            or (agency.kind == "rcmp" and rng.random() < 0.22)
            or (agency.slug in data.BILINGUAL_REGIONS and rng.random() < 0.25)
        )
        first, last = self.random_name("fr" if francophone else "en", gender == "woman",
                                       indigenous=agency.kind == "indigenous")
        age = rng.randint(27, 58)
        years = rng.randint(3, min(30, age - 21))
        if francophone:
            french = self.weighted({4: 85, 3: 15})
            english = self.weighted({1: 12, 2: 28, 3: 38, 4: 22})
        elif agency.slug in data.BILINGUAL_REGIONS:
            english, french = 4, self.weighted({0: 10, 1: 15, 2: 25, 3: 30, 4: 20})
        elif agency.kind == "rcmp":
            english, french = 4, self.weighted({0: 25, 1: 25, 2: 20, 3: 18, 4: 12})
        else:
            english, french = 4, self.weighted({0: 40, 1: 30, 2: 15, 3: 10, 4: 5})
        if rng.random() < 0.03:
            french = None
        manual = self.weighted({True: 70, False: 15, None: 15})
        firearms = self.weighted({True: 85, False: 5, None: 10})
        rank = self.rank_for(years)
        email = f"{ascii_slug(first)}.{ascii_slug(last)}.{serial}@{agency.slug}.demo.example"
        if demo:
            first, last, gender, email = "Sarah", "Morin", "woman", data.OFFICER_EMAIL
            age, years, rank, english, french, manual, firearms = 38, 14, "cpl", 4, 3, True, True
        dob = self.today - timedelta(days=age * 365 + rng.randint(15, 340))
        start = self.today - timedelta(days=years * 365 + rng.randint(15, 340))
        phone = f"{AREA_CODES.get(agency.province, '613')}-555-{rng.randint(100, 9999):04d}"
        return Officer(
            agency=agency, badge_number=badge, first_name=first, last_name=last, email=email, phone=phone,
            rank=rank, gender=gender, date_of_birth=dob, service_start=start, english_level=english,
            french_level=french, manual_driving=manual, firearms_qualified=firearms,
        )

    def rank_for(self, years):
        if years < 5:
            return "cst"
        if years < 10:
            return self.weighted({"cst": 60, "cpl": 30, "sgt": 10})
        if years < 18:
            return self.weighted({"cst": 25, "cpl": 30, "sgt": 30, "ssgt": 10, "insp": 5})
        return self.weighted({"cst": 10, "cpl": 20, "sgt": 35, "ssgt": 20, "insp": 10, "supt": 5})

    def seed_officer_logins(self):
        """The demo officer and about 30 others can sign in."""
        others = [o for o in self.officers if o.pk != self.demo_officer.pk]
        chosen = [self.demo_officer, *self.rng.sample(others, 30)]
        specs = [
            dict(email=o.email, first_name=o.first_name, last_name=o.last_name, role=Role.OFFICER,
                 agency=o.agency, preferred_language="fr" if (o.french_level or 0) > (o.english_level or 0)
                 else "en")
            for o in chosen
        ]
        users = self.create_users(specs)
        self.ensure_demo_login(users[data.OFFICER_EMAIL], role=Role.OFFICER, agency=self.demo_agency,
                               is_staff=False)
        linked = []
        for officer in chosen:
            user = users[officer.email]
            if officer.user_id is None and not Officer.objects.filter(user=user).exists():
                officer.user = user
                linked.append(officer)
        Officer.objects.bulk_update(linked, ["user"])
        self.user_count += len(users)

    def seed_clearances(self):
        rows = []
        kinds = Clearance.Kind
        for officer in self.officers:
            wanted = [k for k in (kinds.MEDICAL, kinds.PASSPORT, kinds.SECURITY) if self.rng.random() < 0.85]
            wanted += [k for k in (kinds.PSYCHOLOGICAL, kinds.UN_ASSESSMENT, kinds.PREDEPLOYMENT_TRAINING)
                       if self.rng.random() < 0.4]
            if officer.firearms_qualified and self.rng.random() < 0.6:
                wanted.append(kinds.FIREARMS)
            if len(wanted) < 2:
                wanted = [kinds.MEDICAL, kinds.PASSPORT]
            if officer.pk == self.demo_officer.pk:
                wanted = [kinds.MEDICAL, kinds.PSYCHOLOGICAL, kinds.SECURITY, kinds.UN_ASSESSMENT,
                          kinds.PASSPORT, kinds.FIREARMS]
            for kind in wanted:
                roll = self.rng.random()
                if roll < 0.12:
                    offset = self.rng.randint(-60, -1)
                elif roll < 0.27:
                    offset = self.rng.randint(0, 60)
                else:
                    offset = self.rng.randint(61, 3 * 365)
                if officer.pk == self.demo_officer.pk:  # all valid; the medical due for renewal soon
                    offset = 45 if kind == kinds.MEDICAL else 200 + 97 * wanted.index(kind)
                ref = f"{kind[:3].upper()}-{self.rng.randint(100000, 999999)}"
                rows.append(Clearance(officer=officer, kind=kind, valid_until=self.days(offset), reference=ref))
        Clearance.objects.bulk_create(rows, ignore_conflicts=True)
        self.clearance_count = len(rows)

    # -- bulletins and notices ---------------------------------------------------------------------

    def seed_bulletins(self):
        rows, created = [], {}
        for spec in data.BULLETINS:
            mission = self.missions[spec["mission"]]
            title_en, title_fr = data.ROLE_TITLES[spec["title"]]
            min_years, language, level, firearms, manual, clearances = spec["req"]
            published_days, closes_days, start_days = spec["timing"]
            if published_days == "minusma":
                closed_on = -CLOSED_ON["MINUSMA"]
                published_days, closes_days, start_days = closed_on - 450, closed_on - 420, closed_on - 300
            published_at = self.at(self.days(published_days), 9, 30) if published_days is not None else None
            closes_at = self.at(self.days(closes_days), 16, 0)
            status = spec["status"]
            b = Bulletin(
                reference="", mission=mission, title_en=title_en, title_fr=title_fr,
                positions=spec["positions"], duration_months=spec["months"],
                deployment_start=self.days(start_days), closes_at=closes_at,
                min_years_service=min_years, required_language=language, min_language_level=level,
                requires_firearms=firearms, requires_manual_driving=manual, min_age=25, max_age=62,
                required_clearances=list(clearances), women_priority=spec["women"], status=status,
                published_at=published_at, created_by=self.ipo,
            )
            b.description_en, b.description_fr = self.bulletin_text(b, mission)
            if status == "closed":
                b.closed_at = closes_at
            if status == "cancelled":
                b.cancelled_at = published_at + timedelta(days=9, hours=3)
                b.cancel_reason = ("Position withdrawn by the mission after its mandate review; "
                                   "a new bulletin will follow if the position is re-established.")
            created[spec["num"]] = (
                published_at - timedelta(days=self.rng.randint(2, 7)) if published_at
                else self.now - timedelta(days=self.rng.randint(1, 6), hours=self.rng.randint(0, 8))
            )
            b.reference = f"JPB-{created[spec['num']].year}-{spec['num']:03d}"
            b.num = spec["num"]
            rows.append(b)
        existing = set(Bulletin.objects.filter(reference__in=[b.reference for b in rows])
                       .values_list("reference", flat=True))
        new = Bulletin.objects.bulk_create([b for b in rows if b.reference not in existing])
        for b in new:
            b.created_at = created[b.num]
            b.updated_at = b.cancelled_at or b.closed_at or b.published_at or b.created_at
        Bulletin.objects.bulk_update(new, ["created_at", "updated_at"])
        by_ref = Bulletin.objects.in_bulk([b.reference for b in rows], field_name="reference")
        self.bulletins = {b.num: by_ref[b.reference] for b in rows}

    def bulletin_text(self, b, mission):
        months = b.duration_months
        lang_en = {"en": "English", "fr": "French"}.get(b.required_language, "")
        lang_fr = {"en": "anglais", "fr": "français"}.get(b.required_language, "")
        en = (
            f"{b.title_en} with the {mission.name_en} ({mission.country_en}). You will advise, mentor and "
            f"train host-state police counterparts and report to the Canadian contingent commander. "
            f"Tour of {months} months. Requirements: at least {b.min_years_service} years of police "
            f"service, {lang_en} at an advanced level"
            + (", a current firearms qualification" if b.requires_firearms else "")
            + (", ability to drive a manual transmission" if b.requires_manual_driving else "")
            + ". Apply through your agency's coordinator."
        )
        fr = (
            f"{b.title_fr} au sein de la mission « {mission.name_fr} » ({mission.country_fr}). Vous "
            f"conseillerez, encadrerez et formerez les policiers du pays hôte et relèverez du commandant "
            f"du contingent canadien. Affectation de {months} mois. Exigences : au moins "
            f"{b.min_years_service} ans de service policier, {lang_fr} de niveau avancé"
            + (", qualification au maniement des armes à feu à jour" if b.requires_firearms else "")
            + (", capacité de conduire un véhicule à transmission manuelle" if b.requires_manual_driving else "")
            + ". Présentez votre candidature par l'entremise du coordonnateur de votre service."
        )
        if b.women_priority:
            en += " Women officers are strongly encouraged to apply (UN gender parity strategy)."
            fr += " Les policières sont fortement encouragées à postuler (stratégie de parité de l'ONU)."
        return en, fr

    def seed_notices(self):
        """One notice per partner agency and published bulletin, with the publication emails
        recorded as delivered in the outbox (a notice's delivery state is read from there)."""
        partners = sorted((a for a in self.agencies.values() if a.is_partner), key=lambda a: a.pk)
        existing = set(BulletinNotice.objects.filter(bulletin__in=self.bulletins.values())
                       .values_list("bulletin_id", "agency_id"))
        rows, sent = [], {}
        for num, b in self.bulletins.items():
            if b.published_at is None:
                continue
            for agency in partners:
                acked = self.rng.random() < 0.67
                if agency.pk == self.demo_agency.pk:
                    # the demo coordinator has notices left to acknowledge on open bulletins
                    acked = b.status != Bulletin.Status.PUBLISHED or num in (33, 35)
                sent_at = b.published_at + timedelta(minutes=self.rng.randint(1, 20))
                ack_at = min(sent_at + timedelta(hours=self.rng.uniform(1, 120)), self.now - timedelta(hours=1))
                if (b.pk, agency.pk) in existing:
                    continue
                notice = BulletinNotice(bulletin=b, agency=agency)
                if acked:
                    notice.acknowledged_at = ack_at
                    notice.acknowledged_by = self.coordinators[agency.pk]
                rows.append(notice)
                sent[id(notice)] = sent_at
        BulletinNotice.objects.bulk_create(rows)
        for notice in rows:
            notice.created_at = sent[id(notice)] - timedelta(minutes=1)
        BulletinNotice.objects.bulk_update(rows, ["created_at"], batch_size=500)
        mails = [m for notice in rows for m in self.publication_mails(notice, sent[id(notice)])]
        OutgoingMail.objects.bulk_create(mails, batch_size=500)
        for mail in mails:
            mail.created_at = mail._created
        OutgoingMail.objects.bulk_update(mails, ["created_at"], batch_size=500)
        self.notice_count, self.mail_count = len(rows), len(mails)

    def publication_mails(self, notice, sent_at):
        b, agency = notice.bulletin, notice.agency
        coordinator = self.coordinators[agency.pk]
        recipients = [(coordinator.email, coordinator.preferred_language, coordinator)]
        if agency.mailbox:
            recipients.append((agency.mailbox, agency.language, None))
        domain = getattr(settings, "MESSAGE_ID_DOMAIN", "demo.example")
        for i, (email, language, user) in enumerate(recipients):
            if language == "fr":
                subject = f"Nouvel avis de poste {b.reference} : {b.title_fr}"
                body = (f"À {agency.name_fr} :\n\nUn nouvel avis de poste est ouvert. Veuillez en accuser "
                        f"réception et le diffuser à vos policiers.\n\n{b.description_fr}\n")
            else:
                subject = f"New job posting bulletin {b.reference}: {b.title_en}"
                body = (f"To {agency.name_en}:\n\nA new job posting bulletin is open. Please acknowledge it "
                        f"and circulate it to your officers.\n\n{b.description_en}\n")
            mail = OutgoingMail(
                to=email, user=user, language=language, subject=subject, body_text=body,
                message_id=f"<demo-{notice.outbox_key.replace(':', '-')}-{i}@{domain}>",
                topic=notice.outbox_key, kind="bulletin_published", status=OutgoingMail.Status.SENT,
                attempts=1, claimed_at=sent_at - timedelta(seconds=5), sent_at=sent_at,
            )
            mail._created = sent_at - timedelta(seconds=30)
            yield mail

    # -- the catalogue of roles in missions ---------------------------------------------------------

    def seed_roles(self):
        """The catalogue, in English and French (one no longer offered); a role already there is kept."""
        self.roles = {}
        for position, (name_en, name_fr) in enumerate(data.ROLE_CATALOGUE, start=1):
            role = DeploymentRole.objects.filter(name_en__iexact=name_en).first() or DeploymentRole.objects.create(
                name_en=name_en, name_fr=name_fr, position=position * 10, is_active=name_en not in data.RETIRED_ROLES)
            self.roles[name_en] = role

    # -- deployments: planning ---------------------------------------------------------------------

    def plan_deployments(self):
        """Choose officers and dates for every deployment before anything is written.

        One officer never has two overlapping tours (and rests a year between tours), at most one
        current deployment, and about 60% of the deployments go to partner agencies' officers.
        """
        self.ranges = defaultdict(list)
        for officer_id, start, planned, actual in Deployment.objects.filter(
            officer__in=self.officers
        ).values_list("officer_id", "start_date", "planned_end_date", "actual_end_date"):
            self.ranges[officer_id].append((start, actual or planned))
        self.current_officers = set()
        self.partner_count = self.total_count = 0
        self.planned = []  # dicts of Deployment fields (+ "_linked", "_replaces", ... bookkeeping keys)
        self.mission_current = Counter()

        # 1. Deployments that come from bulletins (their applications end `deployed`).
        self.linked = {}
        for num in (21, 17, 9):
            b = self.bulletins[num]
            count = data.APPLICATION_PLANS[num].count("deployed")
            start = b.deployment_start
            end = add_months(start, b.duration_months)
            self.linked[num] = []
            for _ in range(count):
                officer = self.pick_officer(b.mission, start, end, bulletin=b)
                dep = self.plan(officer, b.mission, start, end, role=self.role_for(officer, b.title_en))
                dep["_linked"] = True
                self.linked[num].append(dep)

        # 2. Other current deployments; one in Ukraine goes to an Ottawa officer for the demo coordinator.
        for code, (in_mission, planned) in CURRENT_PLAN.items():
            mission = self.missions[code]
            for i in range(in_mission + planned):
                for _attempt in range(20):
                    if i < planned:
                        start = self.days(self.rng.randint(7, 45))
                    else:
                        start = self.days(-self.rng.randint(5, 330))
                    end = add_months(start, self.rng.choice([9, 9, 12, 12, 12, 10, 11]))
                    if end > self.days(1):
                        break
                only = self.demo_agency if code == "UKR-CPM" and i == planned else None
                officer = self.pick_officer(mission, start, end, agency=only)
                self.plan(officer, mission, start, end)

        # 3. Rotations: some current tours replaced an officer whose tour ended the day they arrived.
        for code, count in ROTATIONS.items():
            mission = self.missions[code]
            successors = [p for p in self.planned if p["mission"] == mission and p["status"] == D.IN_MISSION
                          and "_linked" not in p and "_replaces" not in p]
            for successor in successors[:count]:
                end = successor["start_date"]
                start = end - timedelta(days=round(self.rng.choice([9, 12]) * 30.44))
                officer = self.pick_officer(mission, start, end)
                successor["_replaces"] = self.plan(officer, mission, start, end, role=successor["role"])

        # 4. Past tours, including the closed missions and the demo officer's earlier tour.
        early_returns = list(EARLY_RETURNS)
        demo_start = self.days(-3 * 365 - 40)
        self.plan(self.demo_officer, self.missions["MONUSCO"], demo_start, add_months(demo_start, 12),
                  role="Community policing adviser")
        for code, count in PAST_PLAN.items():
            mission = self.missions[code]
            closed = CLOSED_ON.get(code)
            for i in range(count - (code == "MONUSCO")):
                if closed:
                    start = self.days(-closed - self.rng.randint(200, 1000))
                else:
                    start = self.days(-self.rng.randint(400, 6 * 365))
                end = add_months(start, self.rng.choice([9, 12, 12]))
                if not closed and end >= self.today:
                    end = self.days(-self.rng.randint(30, 90))
                officer = self.pick_officer(mission, start, end)
                reason = early_returns.pop() if (early_returns and not closed and i == 1) else ""
                self.plan(officer, mission, start, end, repatriation=reason)
        # The first tour of a closed mission held a role the catalogue no longer offers.
        retired = next((p for p in self.planned if p["mission"].code in CLOSED_ON), None)
        if retired is not None:
            retired["role"] = next(iter(data.RETIRED_ROLES))

        for code, count in self.mission_current.items():
            if count > self.missions[code].authorized_strength:
                raise CommandError(f"Demo plan exceeds {code}'s authorised strength ({count}).")

    def plan(self, officer, mission, start, end, role=None, repatriation=""):
        """Record one deployment; its status and actual end follow from the dates."""
        closed = CLOSED_ON.get(mission.code)
        actual = None
        if start > self.today:
            status = D.PLANNED
        elif end > self.today and not closed:
            status = D.IN_MISSION
        else:
            status, actual = D.COMPLETED, end
        if closed and end > self.days(-closed):
            status, actual, repatriation = D.REPATRIATED, self.days(-closed), "mission_closure"
        elif repatriation:
            status, actual = D.REPATRIATED, start + timedelta(days=self.rng.randint(45, 200))
        dep = dict(
            officer=officer, mission=mission, start_date=start, planned_end_date=end, actual_end_date=actual,
            status=status, role=role or self.role_for(officer), repatriation_reason=repatriation,
            repatriation_note=data.REPATRIATION_NOTES.get(repatriation, ""),
        )
        self.planned.append(dep)
        self.ranges[officer.pk].append((start, actual or end))
        if status in (D.PLANNED, D.IN_MISSION):
            self.current_officers.add(officer.pk)
            self.mission_current[mission.code] += 1
        self.total_count += 1
        self.partner_count += officer.agency_id != self.rcmp.pk
        return dep

    def role_for(self, officer, title=None):
        if officer.rank in ("ssgt", "insp", "supt") and self.rng.random() < 0.5:
            return self.rng.choice(data.SENIOR_ROLES)
        if title:
            return title.split(" — ")[0]
        return self.rng.choice(data.DEPLOYMENT_ROLES)

    def is_free(self, officer, start, end):
        if start <= self.today < end or start > self.today:
            if officer.pk in self.current_officers:
                return False
        return all(
            end + timedelta(days=REST_DAYS) <= s or start >= e + timedelta(days=REST_DAYS)
            for s, e in self.ranges[officer.pk]
        )

    def suits(self, officer, mission):
        level = officer.language_level(mission.language) or 0
        if level < 3:
            return False
        return not mission.armed or officer.firearms_qualified is True

    def pick_officer(self, mission, start, end, *, bulletin=None, agency=None):
        want_partner = agency is not None or self.partner_count < round(0.6 * (self.total_count + 1))
        pool = self.partner_officers if want_partner else self.rcmp_officers
        if agency is not None:
            pool = [o for o in pool if o.agency_id == agency.pk]
        candidates = [o for o in pool if o.pk != self.demo_officer.pk and self.is_free(o, start, end)]
        self.rng.shuffle(candidates)
        for check in (
            lambda o: bulletin is not None and self.eligible(o, bulletin),
            lambda o: self.suits(o, mission),
            lambda o: True,
        ):
            for officer in candidates:
                if check(officer):
                    return officer
        raise CommandError(f"No free officer for {mission.code} from {start} to {end}.")

    # -- applications ------------------------------------------------------------------------------

    def eligible(self, officer, bulletin) -> bool:
        on = bulletin.closes_at.date()
        years, age = officer.years_of_service(on), officer.age(on)
        if years is None or years < bulletin.min_years_service:
            return False
        if bulletin.required_language and (officer.language_level(bulletin.required_language) or 0) < (
            bulletin.min_language_level or 0
        ):
            return False
        if bulletin.requires_firearms and officer.firearms_qualified is not True:
            return False
        if bulletin.requires_manual_driving and officer.manual_driving is not True:
            return False
        if age is None or (bulletin.min_age and age < bulletin.min_age):
            return False
        return not (bulletin.max_age and age >= bulletin.max_age)

    def seed_applications(self):
        apps, histories = [], []
        existing = set(Application.objects.filter(bulletin__in=self.bulletins.values())
                       .values_list("bulletin_id", "officer_id"))
        for num, plan in data.APPLICATION_PLANS.items():
            b = self.bulletins[num]
            taken = {self.demo_officer.pk}
            linked = iter(self.linked.get(num, []))
            entries = []
            for state in plan:
                if state == "deployed":
                    dep = next(linked)
                    entries.append((state, dep["officer"], dep))
                    taken.add(dep["officer"].pk)
            for state in plan:
                if state == "deployed":
                    continue
                officer = self.pick_applicant(b, state, taken)
                taken.add(officer.pk)
                entries.append((state, officer, None))
            if num in data.DEMO_OFFICER_APPLICATIONS:
                entries.append((data.DEMO_OFFICER_APPLICATIONS[num], self.demo_officer, None))
            for state, officer, dep in entries:
                if (b.pk, officer.pk) in existing:
                    continue
                app, events = self.make_application(b, officer, state)
                apps.append(app)
                histories.append(events)
                if dep is not None:
                    dep["application"] = app
                    dep["_deployed_at"] = events[-1].created_at
        self.check_positions(apps)
        Application.objects.bulk_create(apps)
        all_events = []
        for app, events in zip(apps, histories, strict=True):
            app.created_at, app.updated_at = events[0].created_at, events[-1].created_at
            for event in events:
                event.application = app
                event._when = event.created_at
            all_events.extend(events)
        Application.objects.bulk_update(apps, ["created_at", "updated_at"], batch_size=500)
        ApplicationEvent.objects.bulk_create(all_events, batch_size=500)
        for event in all_events:
            event.created_at = event._when
        ApplicationEvent.objects.bulk_update(all_events, ["created_at"], batch_size=500)
        self.application_count, self.event_count = len(apps), len(all_events)

    def check_positions(self, apps):
        filled = Counter(a.bulletin_id for a in apps if a.status in (S.SELECTED, S.DEPLOYED))
        for b in self.bulletins.values():
            if filled[b.pk] > b.positions:
                raise CommandError(f"Demo plan selects more than {b.positions} officers on {b.reference}.")

    def pick_applicant(self, bulletin, state, taken):
        candidates = [o for o in self.officers if o.pk not in taken and o.pk not in self.current_officers]
        self.rng.shuffle(candidates)
        language = bulletin.required_language

        def speaks(o):
            return (o.language_level(language) or 0) >= 2 if language else True

        if state in NEEDS_ELIGIBLE:
            best = lambda o: self.eligible(o, bulletin)  # noqa: E731
        elif state == "screened_out":
            best = lambda o: speaks(o) and not self.eligible(o, bulletin)  # noqa: E731
        else:
            best = lambda o: speaks(o) and (self.eligible(o, bulletin) or self.rng.random() < 0.3)  # noqa: E731
        checks = [best, speaks, lambda o: True]
        if bulletin.women_priority and self.rng.random() < 0.6:
            checks.insert(0, lambda o: o.is_woman and best(o))
        for check in checks:
            for officer in candidates:
                if check(officer):
                    return officer
        raise CommandError(f"No applicant left for {bulletin.reference}.")

    def make_application(self, bulletin, officer, state):
        path = PATHS[state]
        coordinator = self.coordinators[officer.agency_id]
        nominated = state == "nominated"
        francophone = (officer.french_level or 0) > (officer.english_level or 0)
        years = officer.years_of_service(bulletin.closes_at.date())
        unit = self.rng.choice(data.UNITS_FR if francophone else data.UNITS_EN)
        template = self.rng.choice(data.STATEMENTS_FR if francophone else data.STATEMENTS_EN)
        app = Application(
            bulletin=bulletin, officer=officer, status=path[-1], statement=template.format(years=years, unit=unit),
            nominated_by=coordinator if nominated else None, release_confirmed=S.ENDORSED in path,
            ineligible=not self.eligible(officer, bulletin),
        )
        # Timestamps: applied while the bulletin was open, IPO steps after it closed.
        limit = self.now - timedelta(minutes=30)
        opened, closes = bulletin.published_at, min(bulletin.closes_at, limit)
        t = self.between(opened + (closes - opened) * 0.05, opened + (closes - opened) * 0.9)
        times = []
        for step in path:
            previous_t = t
            if times:
                if step in (S.ENDORSED, S.AGENCY_DECLINED):
                    t += timedelta(hours=self.rng.uniform(3, 6 * 24))
                elif step == S.WITHDRAWN:
                    t += timedelta(hours=self.rng.uniform(24, 10 * 24))
                elif step in (S.SHORTLISTED, S.SCREENED_OUT):
                    t = max(t, bulletin.closes_at) + timedelta(hours=self.rng.uniform(48, 10 * 24))
                elif step == S.DEPLOYED:
                    t += timedelta(hours=self.rng.uniform(7 * 24, 20 * 24))
                else:
                    t += timedelta(hours=self.rng.uniform(5 * 24, 15 * 24))
                if t > limit:  # not in the future: somewhere between the previous step and now
                    t = previous_t + (limit - previous_t) * self.rng.uniform(0.3, 0.7)
            times.append(t)
        events, previous = [], ""
        for step, when in zip(path, times, strict=True):
            if step == S.SUBMITTED:
                actor = officer.user
            elif step in (S.ENDORSED, S.AGENCY_DECLINED):
                actor = coordinator
            elif step == S.WITHDRAWN:
                actor = officer.user or coordinator
            else:
                actor = self.ipo
            note_key = "nominated" if nominated else str(step)
            note = self.rng.choice(data.NOTES[note_key])
            # the roster's own note when it deploys: a code, in words in each reader's language (roster.notes)
            system = {"note_code": "application.deployed", "note_params": {"mission": bulletin.mission.code}} \
                if step == S.DEPLOYED else {}
            events.append(ApplicationEvent(
                from_status=previous, to_status=step, actor=actor, note=note,
                # IPO staff's notes stay internal; the agency's and the officer's are shared, and so are the
                # deployment's facts (roster.services.applications.note_is_shared)
                note_shared=actor != self.ipo or bool(system), created_at=when, **system,
            ))
            previous = step
        return app, events

    # -- deployments: writing ----------------------------------------------------------------------

    def seed_deployments(self):
        fields = ("officer", "mission", "start_date", "planned_end_date", "actual_end_date", "status",
                  "repatriation_reason", "repatriation_note")
        past = [p for p in self.planned if p["status"] in (D.COMPLETED, D.REPATRIATED)]
        current = [p for p in self.planned if p["status"] in (D.PLANNED, D.IN_MISSION)]
        objects = []
        for group in (past, current):  # predecessors first, so `replaces` can point at them
            rows = []
            for p in group:
                dep = Deployment(application=p.get("application"), catalogue_role=self.roles[p["role"]],
                                 **{f: p[f] for f in fields})
                if "_replaces" in p:
                    dep.replaces = p["_replaces"]["_object"]
                p["_object"] = dep
                rows.append(dep)
            Deployment.objects.bulk_create(rows)
            objects.extend(rows)
        for p in self.planned:
            dep = p["_object"]
            if "_deployed_at" in p:
                created = p["_deployed_at"]
            else:
                created = min(self.at(dep.start_date - timedelta(days=self.rng.randint(20, 60)), 10),
                              self.now - timedelta(hours=self.rng.randint(2, 72)))
            dep.created_at = created
            dep.updated_at = max(created, self.at(dep.actual_end_date, 17)) if dep.actual_end_date else created
        Deployment.objects.bulk_update(objects, ["created_at", "updated_at"], batch_size=500)
        self.deployment_count = len(objects)

    def seed_deployment_events(self):
        """The log each deployment would have: created, started, then completed or repatriated."""
        events = []
        for p in self.planned:
            dep = p["_object"]
            steps = [("created", dep.created_at, {"start": dep.start_date.isoformat(),
                                                  "planned_end": dep.planned_end_date.isoformat()}, "")]
            if dep.status != D.PLANNED:
                steps.append(("started", self.at(dep.start_date, 8), {"on": dep.start_date.isoformat()}, ""))
            if dep.status == D.COMPLETED:
                steps.append(("completed", self.at(dep.actual_end_date, 17), {"on": dep.actual_end_date.isoformat()},
                              ""))
            elif dep.status == D.REPATRIATED:
                steps.append(("repatriated", self.at(dep.actual_end_date, 17),
                              {"on": dep.actual_end_date.isoformat(), "reason": dep.repatriation_reason},
                              dep.repatriation_note))
            for action, when, payload, note in steps:
                event = DeploymentEvent(deployment=dep, action=action, actor=self.ipo, note=note, data=payload)
                event._when = min(when, self.now)
                events.append(event)
        DeploymentEvent.objects.bulk_create(events, batch_size=500)
        for event in events:
            event.created_at = event._when
        DeploymentEvent.objects.bulk_update(events, ["created_at"], batch_size=500)

    def ready_selected_officers(self):
        """Applicants the agencies endorsed hold the clearances their bulletin asks for, valid
        past the tour, as a real file would; so IPO staff can turn a selection into a
        deployment in the demo. The last selected one keeps a gap, to show the override."""
        forwarded = [S.ENDORSED, S.SHORTLISTED, S.WAITLISTED, S.SELECTED, S.NOT_SELECTED]
        apps = list(
            Application.objects.filter(bulletin__in=self.bulletins.values(), status__in=forwarded, ineligible=False)
            .exclude(officer=self.demo_officer).select_related("bulletin").order_by("pk")
        )
        selected = [a for a in apps if a.status == S.SELECTED]
        keep_gap = selected[-1].pk if len(selected) > 1 else None
        until = {}
        for app in apps:
            if app.pk == keep_gap:
                continue
            b = app.bulletin
            end = add_months(b.deployment_start, b.duration_months) + timedelta(days=180)
            for kind in b.required_clearances:
                key = (app.officer_id, kind)
                until[key] = max(until.get(key, end), end)
        for (officer_id, kind), day in until.items():
            Clearance.objects.update_or_create(
                officer_id=officer_id, kind=kind, defaults={"valid_until": day, "reference": "DEMO"}
            )
        gap = next((a for a in selected if a.pk == keep_gap), None)
        if gap is not None and gap.bulletin.required_clearances:
            # a passport (or the first clearance asked) runs out mid-tour
            kind = "passport" if "passport" in gap.bulletin.required_clearances else gap.bulletin.required_clearances[0]
            Clearance.objects.update_or_create(
                officer_id=gap.officer_id, kind=kind,
                defaults={"valid_until": add_months(gap.bulletin.deployment_start, 3), "reference": "DEMO"},
            )

    # -- summary -----------------------------------------------------------------------------------

    def summary(self):
        by_status = Counter(b.status for b in self.bulletins.values())
        deps = Counter(p["status"] for p in self.planned)
        partner_share = 100 * self.partner_count / max(self.total_count, 1)
        women = sum(o.is_woman for o in self.officers)
        return [
            ("partner agencies", sum(a.is_partner and a.kind != "rcmp" for a in self.agencies.values())),
            ("missions", len(self.missions)),
            ("officers", f"{len(self.officers)} ({women} women, {len(self.rcmp_officers)} RCMP)"),
            ("clearances", self.clearance_count),
            ("users", self.user_count),
            ("bulletins", ", ".join(f"{n} {s}" for s, n in sorted(by_status.items()))),
            ("bulletin notices", f"{self.notice_count} ({self.mail_count} emails in the outbox, sent)"),
            ("applications", f"{self.application_count} ({self.event_count} events)"),
            ("deployments", ", ".join(f"{n} {s}" for s, n in sorted(deps.items()))),
            ("from partner agencies", f"{partner_share:.0f}% of deployments"),
        ]
