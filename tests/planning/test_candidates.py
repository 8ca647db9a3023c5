"""Issue 13, "who could go?": counts on hand-made officers with known answers (each of the "one rule
only" officers fails exactly one rule, the availability clash included), the breakdowns, the talent
pool, the what-if sentence and its form, the pages' permissions (IPO staff, coordinators of agencies A
and B, an officer), the one-click nomination, and pinned query counts with few and many officers."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import Clearance, Officer
from missions.models import Bulletin
from planning.candidates import selectors
from planning.candidates.evaluate import Population, evaluate
from planning.candidates.forms import WhatIfForm
from planning.candidates.whatif import compare
from planning.pool.models import PoolEntry
from roster.models import Application, ApplicationStatus, Deployment
from tests import factories as f

pytestmark = pytest.mark.django_db

REQUIREMENTS = dict(min_years_service=10, required_language="fr", min_language_level=3, requires_firearms=True,
                    requires_manual_driving=True, min_age=25, max_age=62, required_clearances=["passport", "medical"],
                    duration_months=12)


def years_ago(years, days=0):
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days) if (today.month, today.day) != (2, 29) \
        else dt.date(today.year - years, 2, 28) - dt.timedelta(days=days)


def officer(agency, name, *, gender="man", clearances=("passport", "medical"), **fields):
    """An officer meeting every requirement of REQUIREMENTS unless `fields` say otherwise."""
    values = dict(agency=agency, first_name=name, last_name=name.title(), gender=gender, french_level=4,
                  english_level=4, service_start=years_ago(15), date_of_birth=years_ago(40), firearms_qualified=True,
                  manual_driving=True)
    values.update(fields)
    o = f.OfficerFactory(**values)
    for kind in clearances:
        f.ClearanceFactory(officer=o, kind=kind, valid_until=timezone.localdate() + dt.timedelta(days=900))
    return o


@pytest.fixture
def people(world):
    """16 active officers of partner agencies (with the world's X and Y, who fail several rules each):
    4 meet every requirement (one with data missing), 9 fail exactly one rule, 1 fails two."""
    a, b = world.agency_a, world.agency_b
    draft = f.BulletinFactory(mission=world.mission, status=Bulletin.Status.DRAFT, published_at=None,
                              reference="JPB-T-DRAFT", **REQUIREMENTS)
    start = draft.deployment_start
    p = SimpleNamespace(draft=draft)
    p.ok_a1 = officer(a, "ada", gender="woman")
    p.ok_a2 = officer(a, "abel")
    p.ok_b1 = officer(b, "bea", gender="woman")
    p.missing = officer(a, "moe", manual_driving=None)  # not recorded: unknown, not a failure
    p.service = officer(a, "sue", gender="woman", service_start=years_ago(5))
    p.language = officer(b, "lea", gender="woman", french_level=2)
    p.firearms = officer(a, "fred", firearms_qualified=False)
    p.driving = officer(b, "dan", manual_driving=False)
    p.young = officer(a, "yan", gender="woman", date_of_birth=start.replace(year=start.year - 22))
    p.passport = officer(a, "pat", clearances=("medical",))
    p.medical = officer(b, "meg", gender="woman", clearances=("passport",))
    Clearance.objects.create(officer=p.medical, kind="medical", valid_until=start + dt.timedelta(days=30))
    p.clash = officer(a, "cleo", gender="woman")
    f.DeploymentFactory(officer=p.clash, mission=world.mission, start_date=start - dt.timedelta(days=100),
                        planned_end_date=start + dt.timedelta(days=40), status=Deployment.Status.PLANNED)
    p.selected = officer(b, "seb")
    other = f.BulletinFactory(mission=world.mission, deployment_start=start + dt.timedelta(days=60),
                              status=Bulletin.Status.CLOSED)
    f.ApplicationFactory(bulletin=other, officer=p.selected, status=ApplicationStatus.SELECTED)
    p.two = officer(b, "tom", service_start=years_ago(3), french_level=1)
    # not counted: inactive, anonymised, or of an agency that is not a partner
    officer(a, "ina", is_active=False)
    officer(a, "ann", anonymised_at=timezone.now())
    officer(f.AgencyFactory(slug="not-partner", is_partner=False), "noel")
    PoolEntry.objects.create(officer=p.ok_a1, available_from=timezone.localdate())
    PoolEntry.objects.create(officer=p.service, available_from=timezone.localdate())
    PoolEntry.objects.create(officer=p.two, available_from=start + dt.timedelta(days=1))  # too late
    return p


def test_the_counts_on_known_officers(people):
    s = selectors.who_could_go(people.draft)

    assert s.officers == 16
    assert s.eligible_ids == {people.ok_a1.pk, people.ok_a2.pk, people.ok_b1.pk, people.missing.pk}
    assert (s.eligible, s.eligible_women, s.eligible_missing_data) == (4, 2, 1)
    assert s.one_away == 9
    assert s.one_rule == {"service": 1, "language": 1, "firearms": 1, "driving": 1, "age": 1,
                          "clearance:passport": 1, "clearance:medical": 1, "availability": 2}
    assert s.one_rule_women == {"service": 1, "language": 1, "age": 1, "clearance:medical": 1, "availability": 1}
    assert (s.in_pool, s.one_away_in_pool) == (1, 1)
    assert {r["key"] for r in s.rule_rows()} == set(s.one_rule)
    assert s.labels["availability"] == "Availability over the tour"


def test_the_breakdowns(people, world):
    s = selectors.who_could_go(people.draft)
    agency = s.breakdowns["agency"]

    assert (agency[world.agency_a.pk].officers, agency[world.agency_a.pk].eligible,
            agency[world.agency_a.pk].one_away, agency[world.agency_a.pk].eligible_women) == (9, 3, 5, 1)
    assert (agency[world.agency_b.pk].officers, agency[world.agency_b.pk].eligible,
            agency[world.agency_b.pk].one_away) == (7, 1, 4)
    assert s.breakdowns["gender"]["woman"].eligible == 2 and s.breakdowns["gender"]["man"].eligible == 2
    assert s.breakdowns["french"][4].eligible == 4 and s.breakdowns["french"][2].one_away == 1
    assert s.breakdowns["rank"]["cst"].officers == 16
    tables = {t["key"]: t for t in selectors.breakdown_tables(s)}
    assert [r["label"] for r in tables["agency"]["rows"]] == ["Agency A Police", "Agency B Police"]


def test_a_selection_on_the_bulletin_itself_is_no_clash(people, world):
    Application.objects.create(bulletin=people.draft, officer=people.ok_a2, status=ApplicationStatus.SELECTED)

    assert people.ok_a2.pk in selectors.who_could_go(people.draft).eligible_ids


def test_the_evaluation_agrees_with_roster_eligibility_rule_by_rule(world):
    """The fast evaluator gives each officer the same failed rules as roster.eligibility.check_many, on
    varied officers (birthdays on the tour's start, 29 February, missing data, clearances expiring on
    the tour's last day, commitments ending the day the tour starts) and varied bulletins."""
    import random

    from roster.eligibility import check_many

    rng = random.Random(13)
    start = dt.date(2028, 2, 29)
    days = [start, start - dt.timedelta(days=1), start + dt.timedelta(days=1), dt.date(2000, 2, 29)]
    agency = world.agency_a
    for i in range(80):
        birth = rng.choice([None, *(d.replace(year=d.year - rng.choice([24, 25, 61, 62]))
                                    if (d.month, d.day) != (2, 29) else dt.date(d.year - 24, 2, 29) for d in days)])
        o = f.OfficerFactory(agency=agency, date_of_birth=birth,
                             service_start=rng.choice([None, dt.date(2018, 2, 28), dt.date(2018, 3, 1),
                                                       dt.date(2016, 2, 29), dt.date(2010, 1, 1)]),
                             english_level=rng.choice([None, 0, 2, 3]), french_level=rng.choice([None, 1, 2, 4]),
                             manual_driving=rng.choice([None, True, False]),
                             firearms_qualified=rng.choice([None, True, False]))
        for kind in rng.sample(["passport", "medical", "security"], rng.randint(0, 3)):
            f.ClearanceFactory(officer=o, kind=kind, valid_until=rng.choice(
                [start - dt.timedelta(days=1), start, dt.date(2029, 2, 28), dt.date(2029, 3, 1), dt.date(2031, 1, 1)]))
        if i % 7 == 0:
            f.DeploymentFactory(officer=o, mission=world.mission, start_date=dt.date(2027, 3, 1),
                                planned_end_date=rng.choice([start, start + dt.timedelta(days=1)]),
                                status=rng.choice([Deployment.Status.PLANNED, Deployment.Status.COMPLETED]))
    bulletins = [
        f.BulletinFactory(mission=world.mission, deployment_start=start, status=Bulletin.Status.DRAFT, **REQUIREMENTS),
        f.BulletinFactory(mission=world.mission, deployment_start=start, duration_months=12, min_years_service=10,
                          required_language="en", min_language_level=None, min_age=25, max_age=None,
                          required_clearances=["security"]),
        f.BulletinFactory(mission=world.mission, deployment_start=start + dt.timedelta(days=1), min_age=None,
                          max_age=62, requires_firearms=True, required_clearances=[]),
    ]
    officers = list(Officer.objects.all())
    population = Population.load(officers=Officer.objects.all())
    index = {row[0]: i for i, row in enumerate(population.officers)}
    for b in bulletins:
        expected = check_many(officers, b)
        outcome = evaluate(population, b)
        for o in officers:
            assert outcome.failed(index[o.pk]) == {r.rule for r in expected[o.pk].failures}, (o.pk, b.pk)
            assert outcome.unknown[index[o.pk]] == bool(expected[o.pk].unknowns), (o.pk, b.pk)


def test_the_evaluation_agrees_with_roster_eligibility_on_commitments_and_edge_rules(world):
    """The same comparison on what the first one leaves out: every kind of commitment against a tour
    [Jan 31 2028, Feb 29 2029) (a planned tour ending on its first day or starting on its end day, a tour
    returned early, one whose arrival was recorded late, a selection on another bulletin or on this one,
    a deployment coming from this bulletin), language levels at, under and without the level asked (the
    default level, and level None), ages on both edges with a minimum age of 0, duplicated clearances and
    a clearance expiring the day before or on the tour's end."""
    from roster.eligibility import check_many

    start, end = dt.date(2028, 1, 31), dt.date(2029, 2, 28)
    DRAFT = Bulletin.Status.DRAFT
    bulletins = [
        f.BulletinFactory(mission=world.mission, deployment_start=start, duration_months=13, status=DRAFT,
                          required_language="en", min_language_level=None, min_age=0, max_age=40,
                          required_clearances=["passport", "passport"]),
        f.BulletinFactory(mission=world.mission, deployment_start=start, duration_months=13, status=DRAFT,
                          required_language="fr", min_language_level=0, min_years_service=1),
    ]
    this = bulletins[0]
    other = f.BulletinFactory(mission=world.mission, deployment_start=end, duration_months=6,
                              status=Bulletin.Status.CLOSED)
    before = f.BulletinFactory(mission=world.mission, deployment_start=dt.date(2027, 2, 1), duration_months=12,
                               status=Bulletin.Status.CLOSED)  # [Feb 1 2027, Feb 1 2028): overlaps by one day
    a = world.agency_a
    levels = [None, 1, 2, 3]
    births = [None, dt.date(1988, 1, 31), dt.date(1988, 2, 1), dt.date(1988, 1, 30), start,
              start + dt.timedelta(days=1)]
    commitments = [
        None,
        dict(start_date=dt.date(2027, 1, 31), planned_end_date=start, status=Deployment.Status.PLANNED),
        dict(start_date=dt.date(2027, 1, 31), planned_end_date=start + dt.timedelta(days=1),
             status=Deployment.Status.PLANNED),
        dict(start_date=end, planned_end_date=dt.date(2029, 12, 1), status=Deployment.Status.PLANNED),
        dict(start_date=end - dt.timedelta(days=1), planned_end_date=dt.date(2029, 12, 1),
             status=Deployment.Status.PLANNED),
        dict(start_date=dt.date(2027, 6, 1), planned_end_date=dt.date(2028, 6, 1), actual_end_date=dt.date(2028, 1, 15),
             actual_start_date=dt.date(2027, 6, 1), status=Deployment.Status.IN_MISSION),
        dict(start_date=end - dt.timedelta(days=10), actual_start_date=end, planned_end_date=dt.date(2029, 12, 1),
             status=Deployment.Status.IN_MISSION),
        dict(start_date=dt.date(2028, 3, 1), planned_end_date=dt.date(2028, 9, 1), status=Deployment.Status.CANCELLED,
             cancelled_at=timezone.now(), cancellation_reason="Called off"),
        "selected-other", "selected-before", "selected-this", "deployed-this",
    ]
    officers = []
    for i in range(len(commitments) * 2):
        o = f.OfficerFactory(agency=a, english_level=levels[i % 4], french_level=levels[(i + 1) % 4],
                             date_of_birth=births[i % len(births)],
                             service_start=[None, dt.date(2027, 1, 31), dt.date(2027, 2, 1)][i % 3])
        officers.append(o)
        if i % 3:
            f.ClearanceFactory(officer=o, kind="passport", valid_until=[end - dt.timedelta(days=1), end][i % 2])
        c = commitments[i % len(commitments)]
        if isinstance(c, dict):
            f.DeploymentFactory(officer=o, mission=world.mission, **c)
        elif c == "selected-other":
            f.ApplicationFactory(bulletin=other, officer=o, status=ApplicationStatus.SELECTED)
        elif c == "selected-before":
            f.ApplicationFactory(bulletin=before, officer=o, status=ApplicationStatus.SELECTED)
        elif c == "selected-this":
            f.ApplicationFactory(bulletin=this, officer=o, status=ApplicationStatus.SELECTED)
        elif c == "deployed-this":
            app = f.ApplicationFactory(bulletin=this, officer=o, status=ApplicationStatus.DEPLOYED)
            f.DeploymentFactory(officer=o, mission=world.mission, application=app, start_date=start,
                                planned_end_date=end, status=Deployment.Status.PLANNED)
    population = Population.load(officers=Officer.objects.filter(pk__in=[o.pk for o in officers]))
    index = {row[0]: i for i, row in enumerate(population.officers)}
    seen = set()
    for b in bulletins:
        expected = check_many(officers, b)
        outcome = evaluate(population, b)
        assert (outcome.start, outcome.end) == (start, end)
        for o in officers:
            failed = {r.rule for r in expected[o.pk].failures}
            assert outcome.failed(index[o.pk]) == failed, (o.pk, b.pk)
            assert outcome.unknown[index[o.pk]] == bool(expected[o.pk].unknowns), (o.pk, b.pk)
            seen |= {(b.pk, rule) for rule in failed}
    # the data are varied enough for each rule to fail somewhere, and availability to pass and fail
    assert {(this.pk, "availability"), (this.pk, "age"), (this.pk, "language"), (this.pk, "clearance:passport"),
            (bulletins[1].pk, "service"), (bulletins[1].pk, "availability")} <= seen
    free = [o for o in officers if "availability" not in {r.rule for r in check_many([o], this)[o.pk].failures}]
    assert free and len(free) < len(officers)


# --- what if ---------------------------------------------------------------------------------------------

def test_lowering_service_says_how_many_officers_and_women_it_adds(people):
    variant = Bulletin.objects.get(pk=people.draft.pk)
    variant.min_years_service = 4
    population = Population.load(clearance_kinds={"passport", "medical"})

    effect = compare(population, people.draft, variant)

    assert (effect.before, effect.after, effect.added, effect.added_women, effect.removed) == (4, 5, 1, 1, 0)
    assert effect.sentence == ("Lowering service from 10 to 4 years adds 1 officer, 1 of them a woman. "
                               "5 officers would meet every requirement (4 now).")


def test_the_what_if_sentence_in_french(people):
    variant = Bulletin.objects.get(pk=people.draft.pk)
    variant.min_years_service = 4
    population = Population.load(clearance_kinds={"passport", "medical"})

    with translation_override("fr"):
        effect = compare(population, people.draft, variant)
        nobody = compare(population, people.draft, Bulletin.objects.get(pk=people.draft.pk))

    assert effect.sentence == ("Abaisser le service de 10 à 4 ans ajoute 1 policier ou policière, dont 1 femme. "
                               "5 policiers ou policières satisferaient à toutes les exigences (4 actuellement).")
    assert nobody.changes == [] and nobody.added == nobody.removed == 0


def test_a_mixed_change_says_what_it_adds_and_removes(people):
    variant = Bulletin.objects.get(pk=people.draft.pk)
    variant.requires_manual_driving = False
    variant.required_clearances = ["passport", "medical", "security"]
    for o in (people.driving, people.ok_a1):
        f.ClearanceFactory(officer=o, kind="security")
    population = Population.load()

    effect = compare(population, people.draft, variant)

    # the driver is in; of the eligible, only Ada holds a security clearance
    assert (effect.added, effect.removed, effect.removed_women) == (1, 3, 1)
    assert effect.sentence == (
        "No longer requiring manual driving and requiring the clearance “Security clearance” adds 1 officer, "
        "0 of them women, and removes 3 officers, 1 of them a woman. "
        "2 officers would meet every requirement (4 now).")


def page(client, bulletin, **params):
    return client.get(reverse("planning:candidates-bulletin", kwargs={"pk": bulletin.pk}), params)


def whatif_params(bulletin, **changes):
    values = WhatIfForm.initial_of(bulletin)
    values.update(changes)
    params = {k: v for k, v in values.items() if v not in (None, False)}
    params["deployment_start"] = values["deployment_start"].isoformat()
    params = {k: ("on" if v is True else v) for k, v in params.items()}
    params["whatif"] = "1"
    return params


def test_the_page_shows_the_counts_and_the_what_if_sentence_without_saving(people, clients):
    response = page(clients.ipo, people.draft, **whatif_params(people.draft, min_years_service=4))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="eligible">4<' in html and 'data-testid="one-away">9<' in html
    assert "Lowering service from 10 to 4 years adds 1 officer, 1 of them a woman." in html
    assert "Ada" not in html and "Ada" not in html.replace("Agency", "")  # counts, no names
    people.draft.refresh_from_db()
    assert people.draft.min_years_service == 10


def test_invalid_what_if_input_is_said_next_to_its_field_and_breaks_nothing(people, clients):
    response = page(clients.ipo, people.draft, **whatif_params(people.draft, min_age=40, max_age=30,
                                                               min_years_service="ten"))

    assert response.status_code == 200
    form = response.context["form"]
    assert "max_age" in form.errors and "min_years_service" in form.errors
    assert response.context["effect"] is None
    assert "The maximum age must be above the minimum age." in response.content.decode()


def test_only_ipo_staff_open_the_counts_page(people, clients):
    for client in (clients.coord_a, clients.officer_x):
        assert page(client, people.draft).status_code == 403
    assert page(clients.anonymous, people.draft).status_code == 302
    assert clients.ipo.get(reverse("planning:candidates-bulletin", kwargs={"pk": 999999})).status_code == 404


def test_the_bulletin_page_links_to_who_could_go_for_ipo_staff_only(people, clients):
    url = reverse("planning:candidates-bulletin", kwargs={"pk": people.draft.pk})
    detail = reverse("missions:bulletin-detail", kwargs={"pk": people.draft.pk})

    assert url in clients.ipo.get(detail).content.decode()
    published = f.BulletinFactory(mission=people.draft.mission)
    f.BulletinNoticeFactory(bulletin=published, agency=people.ok_a1.agency)
    coordinator_page = clients.coord_a.get(reverse("missions:bulletin-detail", kwargs={"pk": published.pk}))
    text = coordinator_page.content.decode()
    assert f'href="{reverse("planning:candidates-bulletin", kwargs={"pk": published.pk})}"' not in text
    assert reverse("planning:candidates-agency", kwargs={"pk": published.pk}) in text


def add_officers(agency, n):
    for i in range(n):
        officer(agency, f"many{i}", gender="woman" if i % 3 else "man")


def test_the_counts_page_runs_the_same_queries_with_few_and_many_officers(people, clients, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    params = whatif_params(people.draft, min_years_service=4)
    page(clients.ipo, people.draft, **params)
    with CaptureQueriesContext(connection) as few:
        assert page(clients.ipo, people.draft, **params).status_code == 200
    add_officers(world.agency_b, 30)
    with CaptureQueriesContext(connection) as many:
        response = page(clients.ipo, people.draft, **params)
    assert response.context["summary"].officers == 46
    # session, user, bulletin; officers, clearances, deployments, selections; talent pool; agencies' names
    assert len(few) == len(many) == 9, [q["sql"][:80] for q in many]


# --- coordinators ----------------------------------------------------------------------------------------

@pytest.fixture
def published(people):
    b = Bulletin.objects.get(pk=people.draft.pk)
    b.status = Bulletin.Status.PUBLISHED
    b.published_at = timezone.now()
    b.save()
    return b


def agency_page(client, bulletin, **params):
    return client.get(reverse("planning:candidates-agency", kwargs={"pk": bulletin.pk}), params)


def test_a_coordinator_sees_only_their_agency_officers_and_counts(published, people, clients):
    a = agency_page(clients.coord_a, published)
    b = agency_page(clients.coord_b, published)

    assert {o.pk for o in a.context["officers"]} == {people.ok_a1.pk, people.ok_a2.pk, people.missing.pk}
    assert {o.pk for o in b.context["officers"]} == {people.ok_b1.pk}
    assert (a.context["summary"].officers, a.context["summary"].eligible, a.context["summary"].one_away) == (9, 3, 5)
    assert (b.context["summary"].officers, b.context["summary"].eligible, b.context["summary"].one_away) == (7, 1, 4)
    assert "Bea" not in a.content.decode() and "Ada" not in b.content.decode()


def test_the_agency_page_is_for_coordinators_and_published_bulletins(people, published, clients):
    assert agency_page(clients.ipo, published).status_code == 403
    assert agency_page(clients.officer_x, published).status_code == 403
    draft = f.BulletinFactory(mission=published.mission, status=Bulletin.Status.DRAFT)
    assert agency_page(clients.coord_a, draft).status_code == 404


def nominate(client, bulletin, officer_pk):
    return client.post(reverse("planning:candidates-nominate", kwargs={"pk": bulletin.pk}), {"officer": officer_pk})


def test_one_click_nominates_and_the_officer_then_shows_as_applied(published, people, clients, world):
    response = nominate(clients.coord_a, published, people.ok_a1.pk)

    assert response.status_code == 302
    application = Application.objects.get(bulletin=published, officer=people.ok_a1)
    assert application.status == ApplicationStatus.ENDORSED and application.nominated_by == world.coord_a
    assert application.release_confirmed and not application.ineligible
    listed = {o.pk: o.has_applied for o in agency_page(clients.coord_a, published).context["officers"]}
    assert listed[people.ok_a1.pk] is True and listed[people.ok_a2.pk] is False
    again = nominate(clients.coord_a, published, people.ok_a1.pk)
    assert again.status_code == 302
    assert Application.objects.filter(bulletin=published, officer=people.ok_a1).count() == 1


def test_nomination_refuses_another_agency_officer_and_other_roles(published, people, clients):
    assert nominate(clients.coord_a, published, people.ok_b1.pk).status_code == 404
    assert nominate(clients.coord_a, published, "x").status_code == 404
    assert nominate(clients.officer_x, published, people.ok_a1.pk).status_code == 403
    assert nominate(clients.ipo, published, people.ok_a1.pk).status_code == 403
    assert clients.coord_a.get(reverse("planning:candidates-nominate", kwargs={"pk": published.pk})).status_code == 405
    assert not Application.objects.filter(bulletin=published, officer__in=[people.ok_a1, people.ok_b1]).exists()


def test_nomination_refuses_anonymised_inactive_and_malformed_officers(published, people, clients, world):
    gone = officer(world.agency_a, "gus")
    Officer.objects.filter(pk=gone.pk).update(anonymised_at=timezone.now())
    retired = officer(world.agency_a, "rita", is_active=False)

    for value in (gone.pk, retired.pk, "²", "1" * 30, ""):
        assert nominate(clients.coord_a, published, value).status_code == 404, value
    assert not Application.objects.filter(bulletin=published).exists()


def test_nominating_an_officer_who_fails_a_rule_changes_nothing_and_says_why(published, people, clients):
    response = nominate(clients.coord_a, published, people.firearms.pk)

    assert response.status_code == 302
    assert not Application.objects.filter(bulletin=published, officer=people.firearms).exists()
    shown = clients.coord_a.get(response.url).content.decode()
    assert "does not meet every requirement" in shown


def test_a_coordinator_of_another_agency_cannot_nominate_a_listed_officer(published, people, clients):
    listed = [o.pk for o in agency_page(clients.coord_a, published).context["officers"]]
    assert listed
    for pk in listed:
        assert nominate(clients.coord_b, published, pk).status_code == 404
    assert not Application.objects.filter(bulletin=published).exists()


def test_the_agency_list_is_in_name_order_across_its_pages(published, people, clients, world, monkeypatch):
    from planning.candidates import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    officer(world.agency_a, "aaron")  # the newest officer, first by name
    names = []
    for number in (1, 2):
        response = agency_page(clients.coord_a, published, page=number)
        names += [o.last_name for o in response.context["officers"]]
    assert names == ["Aaron", "Abel", "Ada", "Moe"]
    assert response.context["page"].paginator.num_pages == 2
    assert agency_page(clients.coord_a, published, page=3).context["page"].number == 2  # past the end: the last
    assert agency_page(clients.coord_a, published, page="x").context["page"].number == 1


def test_the_agency_page_runs_the_same_queries_with_few_and_many_officers(published, people, clients, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agency_page(clients.coord_a, published)
    with CaptureQueriesContext(connection) as few:
        agency_page(clients.coord_a, published)
    add_officers(world.agency_a, 30)
    with CaptureQueriesContext(connection) as many:
        response = agency_page(clients.coord_a, published)
    assert len(response.context["officers"]) == 33
    # session, user, bulletin; the agency's officers, clearances, deployments, selections; talent pool; the
    # page's officers (with has_applied); the audit entry of the read
    assert len(few) == len(many) == 11, [q["sql"][:60] for q in many]


# --- the publication notice names each agency's count ------------------------------------------------------

def test_each_agency_notice_names_how_many_of_its_officers_meet_every_requirement(
    people, world, django_capture_on_commit_callbacks
):
    from missions.services import bulletin_publish
    from notifications.models import OutgoingMail

    world.coord_b.preferred_language = "fr"
    world.coord_b.save()
    with django_capture_on_commit_callbacks(execute=True):
        bulletin_publish(bulletin=people.draft, actor=world.ipo)

    url = reverse("planning:candidates-agency", kwargs={"pk": people.draft.pk})
    mails = {m.to: m for m in OutgoingMail.objects.filter(kind="bulletin_published")}
    english, french = mails[world.coord_a.email], mails[world.coord_b.email]
    assert "3 of your active officers meet every requirement of this bulletin" in english.body_text
    assert url in english.body_text and url in english.body_html
    assert "3 of your active officers meet every requirement" in english.body_html
    assert french.language == "fr"
    assert url in french.body_text and url in french.body_html
    with translation_override("fr"):
        from django.utils.translation import ngettext

        sentence = ngettext(
            "%(n)s of your active officers meets every requirement of this bulletin, availability included.",
            "%(n)s of your active officers meet every requirement of this bulletin, availability included.", 1,
        ) % {"n": 1}
    assert sentence in french.body_text


def test_other_bulletin_messages_carry_no_count(people, world, django_capture_on_commit_callbacks):
    from missions.notice_hooks import notice_context

    assert notice_context(people.draft, [world.agency_a.pk], template="bulletin_closed") == {}
    counts = notice_context(people.draft, [world.agency_a.pk, world.agency_b.pk, None], template="bulletin_published")
    assert {k: v["candidates_eligible"] for k, v in counts.items()} == {world.agency_a.pk: 3, world.agency_b.pk: 1}


def translation_override(lang):
    from django.utils import translation

    return translation.override(lang)


# --- the gender balance of open bulletins ------------------------------------------------------------------

@pytest.mark.parametrize("figures, flagged", [
    (dict(eligible=20, eligible_women=5, applicants=4, applicant_women=0), True),
    (dict(eligible=20, eligible_women=5, applicants=10, applicant_women=1), True),  # 10% < half of 25%
    (dict(eligible=20, eligible_women=5, applicants=8, applicant_women=1), False),  # 12.5%: not below
    (dict(eligible=20, eligible_women=5, applicants=8, applicant_women=2), False),  # 25%: not below
    (dict(eligible=20, eligible_women=4, applicants=8, applicant_women=0), False),  # too few eligible women
    (dict(eligible=30, eligible_women=5, applicants=8, applicant_women=0), False),  # 16.7% < 20% eligible
    (dict(eligible=20, eligible_women=5, applicants=2, applicant_women=0), False),  # too few applicants
    (dict(eligible=0, eligible_women=0, applicants=5, applicant_women=0), False),
])
def test_the_flag_rule(figures, flagged):
    assert selectors.is_flagged(**figures) is flagged


def test_an_open_bulletin_where_women_are_eligible_but_not_applying_is_flagged(published, people, world, settings,
                                                                                clients):
    settings.ROSTER = {**settings.ROSTER, "CANDIDATES_FLAG_MIN_ELIGIBLE_WOMEN": 2}
    Application.objects.filter(bulletin=published).delete()
    for o in (people.ok_a2, people.two, people.driving):
        f.ApplicationFactory(bulletin=published, officer=o)

    rows = {b.bulletin.pk: b for b in selectors.gender_balance()}

    row = rows[published.pk]
    assert (row.eligible, row.eligible_women, row.applicants, row.applicant_women) == (4, 2, 3, 0)
    assert row.flagged and row.eligible_share == 50
    assert not rows[world.bulletin.pk].flagged  # the world's bulletin: nobody eligible
    overview = clients.ipo.get(reverse("planning:candidates-overview"))
    assert overview.status_code == 200 and overview.context["flagged"] == 1
    assert 'data-testid="flagged"' in overview.content.decode()
    assert "JPB-T-DRAFT" in overview.content.decode()

    f.ApplicationFactory(bulletin=published, officer=people.ok_a1)  # a woman: 1 of 4, 25% is half of 50%
    assert not {b.bulletin.pk: b for b in selectors.gender_balance()}[published.pk].flagged


def test_the_dashboard_panel_lists_the_flagged_bulletins_for_ipo_staff(published, people, world, settings, clients):
    from planning.candidates.panels import dashboard_panel
    from roster.home_hooks import dashboard_panels

    settings.ROSTER = {**settings.ROSTER, "CANDIDATES_FLAG_MIN_ELIGIBLE_WOMEN": 2}
    for o in (people.ok_a2, people.two, people.driving):
        f.ApplicationFactory(bulletin=published, officer=o)

    panel = dashboard_panel(world.ipo)
    assert [b.bulletin.pk for b in panel["context"]["candidates_flagged"]] == [published.pk]
    assert dashboard_panel(world.coord_a) is None and dashboard_panel(world.user_x) is None
    assert any(p["template"] == "planning/candidates/_dashboard_panel.html"
               for p in dashboard_panels(world.ipo, today=timezone.localdate()))
    page = clients.ipo.get(reverse("roster:dashboard"))
    assert page.status_code == 200 and 'data-testid="candidates-dashboard"' in page.content.decode()


def test_the_overview_is_for_ipo_staff(people, clients):
    assert clients.coord_a.get(reverse("planning:candidates-overview")).status_code == 403
    assert clients.officer_x.get(reverse("planning:candidates-overview")).status_code == 403


def test_the_gender_balance_runs_the_same_queries_with_few_and_many_bulletins_and_officers(
    published, people, world
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        selectors.gender_balance()
    for _ in range(5):
        f.BulletinFactory(mission=world.mission, required_clearances=["security"])
    add_officers(world.agency_a, 20)
    with CaptureQueriesContext(connection) as many:
        rows = selectors.gender_balance()
    assert len(rows) == 7
    assert len(few) == len(many) == 5


def test_the_overview_runs_the_same_queries_with_few_and_many_bulletins_and_officers(people, published, world,
                                                                                       clients):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("planning:candidates-overview")
    clients.ipo.get(url)
    with CaptureQueriesContext(connection) as few:
        clients.ipo.get(url)
    for _ in range(4):
        f.BulletinFactory(mission=world.mission, required_clearances=["security"])
        f.BulletinFactory(mission=world.mission, status=Bulletin.Status.DRAFT)
    add_officers(world.agency_a, 20)
    with CaptureQueriesContext(connection) as many:
        response = clients.ipo.get(url)
    assert len(response.context["balance"]) == 6 and len(response.context["drafts"]) == 4
    assert len(few) == len(many) == 8, [q["sql"][:80] for q in many]


def test_the_demo_seeder_adds_just_enough_applicants_for_one_flag_and_only_once(published, people, world, settings):
    import random

    from planning.candidates import demo

    settings.ROSTER = {**settings.ROSTER, "CANDIDATES_FLAG_MIN_ELIGIBLE_WOMEN": 2}
    Application.objects.filter(bulletin=published).delete()
    Bulletin.objects.filter(pk=world.bulletin.pk).update(status=Bulletin.Status.CLOSED)  # one open bulletin
    today, now = timezone.localdate(), timezone.now()

    lines = demo.seed(today=today, now=now, rng=random.Random(1))

    assert lines == [("gender balance flag", f"{published.reference} (3 more applicants, all men)")]
    added = Application.objects.filter(bulletin=published)
    assert added.count() == 3 and set(added.values_list("officer__gender", flat=True)) == {"man"}
    assert all(a.events.get().to_status == "submitted" for a in added)
    assert [b.bulletin.pk for b in selectors.gender_balance() if b.flagged] == [published.pk]
    assert demo.seed(today=today, now=now, rng=random.Random(1)) == []
    assert Application.objects.filter(bulletin=published).count() == 3
