import datetime as dt

import pytest

from roster import eligibility
from tests import factories as f

pytestmark = pytest.mark.django_db
START = dt.date(2027, 3, 1)


@pytest.fixture
def bulletin(db):
    return f.BulletinFactory(
        deployment_start=START, min_years_service=10, required_language="fr", min_language_level=3,
        requires_firearms=True, requires_manual_driving=True, min_age=25, max_age=62,
        required_clearances=["medical", "passport"],
    )


def officer(**kw):
    base = dict(service_start=dt.date(2015, 1, 1), french_level=4, firearms_qualified=True, manual_driving=True,
                date_of_birth=dt.date(1985, 1, 1))
    base.update(kw)
    o = f.OfficerFactory(**base)
    f.ClearanceFactory(officer=o, kind="medical", valid_until=START + dt.timedelta(days=400))
    f.ClearanceFactory(officer=o, kind="passport", valid_until=START + dt.timedelta(days=400))
    return o


def by_rule(result):
    return {r.rule: r for r in result.results}


def test_it_passes_an_officer_meeting_every_rule(bulletin):
    result = eligibility.check(officer(), bulletin)
    assert result.eligible and result.outcome == "pass"
    assert len(result.results) == 8  # 5 rules, 2 clearances, availability


def test_it_explains_years_of_service(bulletin):
    r = by_rule(eligibility.check(officer(service_start=dt.date(2017, 6, 1)), bulletin))["service"]
    assert r.outcome == "fail"
    assert r.reason == "9 years of service; this bulletin asks for 10."


@pytest.mark.parametrize(
    "change,rule,outcome",
    [
        ({"french_level": 2}, "language", "fail"),
        ({"french_level": None}, "language", "unknown"),
        ({"firearms_qualified": False}, "firearms", "fail"),
        ({"firearms_qualified": None}, "firearms", "unknown"),
        ({"manual_driving": False}, "driving", "fail"),
        ({"manual_driving": None}, "driving", "unknown"),
        ({"date_of_birth": dt.date(1964, 1, 1)}, "age", "fail"),
        ({"date_of_birth": dt.date(2003, 1, 1)}, "age", "fail"),
        ({"date_of_birth": None}, "age", "unknown"),
        ({"service_start": None}, "service", "unknown"),
    ],
)
def test_it_checks_each_rule(bulletin, change, rule, outcome):
    result = eligibility.check(officer(**change), bulletin)
    assert by_rule(result)[rule].outcome == outcome
    assert result.eligible is (outcome != "fail")


def test_it_fails_a_clearance_missing_or_expiring_before_the_start(bulletin):
    o = officer()
    o.clearances.filter(kind="passport").update(valid_until=START - dt.timedelta(days=1))
    o.clearances.filter(kind="medical").delete()
    rules = by_rule(eligibility.check(o, bulletin))
    assert rules["clearance:passport"].outcome == "fail" and "expires" in rules["clearance:passport"].reason
    assert rules["clearance:medical"].outcome == "fail" and "No Medical" in rules["clearance:medical"].reason


def test_it_checks_nothing_a_bulletin_does_not_ask_but_availability(db):
    b = f.BulletinFactory(min_years_service=0, required_clearances=[])
    assert [r.rule for r in eligibility.check(f.OfficerFactory(service_start=None), b).results] == ["availability"]


# --- the tour: clearances through its end, and the officer not committed elsewhere over it ----------
# The bulletin: a 12-month tour from 2027-02-11, so [2027-02-11, 2028-02-11).

TOUR_START, TOUR_END = dt.date(2027, 2, 11), dt.date(2028, 2, 11)


@pytest.fixture
def tour_bulletin(db):
    return f.BulletinFactory(reference="JPB-2026-020", mission=f.MissionFactory(code="MINUSCA"),
                             deployment_start=TOUR_START, duration_months=12, min_years_service=0,
                             required_clearances=["passport"])


def available_officer(passport_until=TOUR_END + dt.timedelta(days=30)):
    o = f.OfficerFactory()
    f.ClearanceFactory(officer=o, kind="passport", valid_until=passport_until)
    return o


def deployment(o, *, start, end, status="planned", code="UNFICYP", **kw):
    return f.DeploymentFactory(officer=o, mission=f.MissionFactory(code=code), start_date=start,
                               planned_end_date=end, status=status, **kw)


def selection(o, *, start, months, reference="JPB-2026-014", code="BINUH"):
    b = f.BulletinFactory(reference=reference, mission=f.MissionFactory(code=code), deployment_start=start,
                          duration_months=months)
    return f.ApplicationFactory(bulletin=b, officer=o, status="selected")


def cancelled_fields():
    """A cancelled tour carries its reason where the model has the fields (issue 9, item 1)."""
    from django.utils import timezone

    from roster.models import Deployment

    names = {fld.name for fld in Deployment._meta.get_fields()}
    return {"cancelled_at": timezone.now(), "cancellation_reason": "Visa refused"} if "cancelled_at" in names else {}


def availability_of(o, b):
    return by_rule(eligibility.check(o, b))["availability"]


def test_the_tour_runs_for_the_bulletins_months_from_its_start(tour_bulletin):
    assert eligibility.tour(tour_bulletin) == (TOUR_START, TOUR_END)


def test_an_officer_free_over_the_tour_passes_and_is_told_the_dates(tour_bulletin):
    result = eligibility.check(available_officer(), tour_bulletin)
    r = by_rule(result)["availability"]
    assert r.outcome == "pass"
    assert r.reason == "No other deployment or selection from 2027-02-11 to 2028-02-11."
    assert result.summary == "Meets every requirement" and result.clash == ""


def test_a_planned_tour_over_the_dates_fails_and_names_it(tour_bulletin):
    o = available_officer()
    deployment(o, start=dt.date(2027, 3, 1), end=dt.date(2028, 3, 1))
    result = eligibility.check(o, tour_bulletin)
    r = by_rule(result)["availability"]
    assert r.outcome == "fail" and not result.eligible
    assert r.reason == "Planned for UNFICYP from 2027-03-01 to 2028-03-01."
    assert result.clash == r.reason
    assert result.summary == "1 of 2 requirements not met"


def test_a_tour_in_mission_over_the_dates_fails_and_names_it(tour_bulletin):
    o = available_officer()
    deployment(o, start=dt.date(2026, 10, 2), end=dt.date(2027, 10, 2), status="in_mission")
    r = availability_of(o, tour_bulletin)
    assert r.outcome == "fail"
    assert r.reason == "In mission at UNFICYP until 2027-10-02."


def test_a_selection_on_another_bulletin_over_the_dates_fails_and_names_it(tour_bulletin):
    o = available_officer()
    selection(o, start=dt.date(2026, 11, 1), months=6)  # [2026-11-01, 2027-05-01)
    r = availability_of(o, tour_bulletin)
    assert r.outcome == "fail"
    assert r.reason == "Selected for JPB-2026-014 (BINUH) from 2026-11-01 to 2027-05-01."


def test_every_clash_is_named_in_date_order(tour_bulletin):
    o = available_officer()
    deployment(o, start=dt.date(2027, 9, 1), end=dt.date(2028, 9, 1))
    selection(o, start=dt.date(2026, 11, 1), months=6)
    assert availability_of(o, tour_bulletin).reason == (
        "Selected for JPB-2026-014 (BINUH) from 2026-11-01 to 2027-05-01. "
        "Planned for UNFICYP from 2027-09-01 to 2028-09-01."
    )


@pytest.mark.parametrize("start,end,outcome", [
    (dt.date(2026, 2, 11), TOUR_START, "pass"),  # ends the day this tour begins
    (dt.date(2026, 2, 12), TOUR_START + dt.timedelta(days=1), "fail"),  # one day of overlap
    (TOUR_END, dt.date(2029, 2, 11), "pass"),  # begins the day this tour ends
    (TOUR_END - dt.timedelta(days=1), dt.date(2029, 2, 11), "fail"),  # one day of overlap
    (dt.date(2027, 5, 1), dt.date(2027, 8, 1), "fail"),  # inside the tour
    (dt.date(2026, 1, 1), dt.date(2029, 1, 1), "fail"),  # around the tour
])
def test_tours_are_half_open_ranges(tour_bulletin, start, end, outcome):
    o = available_officer()
    deployment(o, start=start, end=end, status="in_mission")
    assert availability_of(o, tour_bulletin).outcome == outcome


@pytest.mark.parametrize("start,months,outcome", [
    (dt.date(2026, 2, 11), 12, "pass"),  # the other tour ends on 2027-02-11
    (dt.date(2026, 2, 12), 12, "fail"),
    (TOUR_END, 6, "pass"),
    (dt.date(2028, 2, 10), 6, "fail"),
])
def test_a_selections_tour_is_its_bulletins_tour(tour_bulletin, start, months, outcome):
    o = available_officer()
    selection(o, start=start, months=months)
    assert availability_of(o, tour_bulletin).outcome == outcome


def test_a_deployment_ends_on_its_actual_end_when_it_has_one(tour_bulletin):
    o = available_officer()
    deployment(o, start=dt.date(2026, 6, 1), end=dt.date(2027, 6, 1), status="in_mission",
               actual_end_date=TOUR_START)
    assert availability_of(o, tour_bulletin).outcome == "pass"


@pytest.mark.parametrize("status", ["completed", "repatriated", "cancelled"])
def test_a_tour_that_is_over_or_called_off_does_not_block(tour_bulletin, status):
    o = available_officer()
    extra = cancelled_fields() if status == "cancelled" else {"actual_end_date": dt.date(2027, 6, 1)}
    deployment(o, start=dt.date(2027, 3, 1), end=dt.date(2028, 3, 1), status=status, **extra)
    assert availability_of(o, tour_bulletin).outcome == "pass"


@pytest.mark.parametrize("status", ["submitted", "endorsed", "shortlisted", "waitlisted", "not_selected", "withdrawn"])
def test_an_application_not_selected_does_not_block(tour_bulletin, status):
    o = available_officer()
    application = selection(o, start=TOUR_START, months=12)
    application.status = status
    application.save()
    assert availability_of(o, tour_bulletin).outcome == "pass"


def test_the_bulletins_own_selection_and_deployment_do_not_block(tour_bulletin):
    o = available_officer()
    own = f.ApplicationFactory(bulletin=tour_bulletin, officer=o, status="selected")
    assert availability_of(o, tour_bulletin).outcome == "pass"
    own.status = "deployed"
    own.save()
    deployment(o, start=TOUR_START, end=TOUR_END, application=own)
    assert availability_of(o, tour_bulletin).outcome == "pass"
    # ...but the same deployment blocks another bulletin over the same dates
    other = f.BulletinFactory(deployment_start=TOUR_START + dt.timedelta(days=60), required_clearances=[])
    assert availability_of(o, other).reason == "Planned for UNFICYP from 2027-02-11 to 2028-02-11."


def test_the_clash_sentences_fill_their_placeholders_in_french(tour_bulletin):
    from django.utils import translation

    o = available_officer()
    deployment(o, start=dt.date(2026, 10, 2), end=dt.date(2027, 10, 2), status="in_mission")
    deployment(o, start=dt.date(2027, 10, 2), end=dt.date(2028, 10, 2))
    selection(o, start=dt.date(2026, 11, 1), months=6)
    with translation.override("fr"):
        result = eligibility.check(o, tour_bulletin)
        r = by_rule(result)["availability"]
        summary = result.summary
    assert r.outcome == "fail"
    for part in ("UNFICYP", "2027-10-02", "2028-10-02", "JPB-2026-014", "BINUH", "2026-11-01", "2027-05-01"):
        assert part in r.reason
    assert "%(" not in r.reason and "%(" not in r.label
    assert summary == "1 exigence sur 2 non satisfaite"  # already translated


# Clearances are valid through the tour's planned end (as deployment_create asks), not only on its start.

@pytest.mark.parametrize("valid_until,outcome", [
    (TOUR_END - dt.timedelta(days=1), "fail"),
    (TOUR_END, "pass"),
    (TOUR_END + dt.timedelta(days=1), "pass"),
])
def test_a_clearance_must_be_valid_until_the_tour_ends(tour_bulletin, valid_until, outcome):
    r = by_rule(eligibility.check(available_officer(passport_until=valid_until), tour_bulletin))["clearance:passport"]
    assert r.outcome == outcome


def test_a_passport_expiring_during_the_tour_says_so(tour_bulletin):
    result = eligibility.check(available_officer(passport_until=dt.date(2027, 3, 4)), tour_bulletin)
    r = by_rule(result)["clearance:passport"]
    assert r.outcome == "fail" and not result.eligible
    assert r.reason == "Passport valid until 2027-03-04, before the tour ends on 2028-02-11."


def test_a_clearance_expiring_before_the_start_still_says_so(tour_bulletin):
    r = by_rule(eligibility.check(available_officer(passport_until=dt.date(2027, 2, 10)), tour_bulletin))
    assert r["clearance:passport"].reason == "Passport expires on 2027-02-10, before the deployment start (2027-02-11)."


def test_the_clearance_sentence_fills_its_placeholders_in_french(tour_bulletin):
    from django.utils import translation

    with translation.override("fr"):
        r = by_rule(eligibility.check(available_officer(passport_until=dt.date(2027, 3, 4)), tour_bulletin))
    reason = r["clearance:passport"].reason
    assert "Passeport" in reason  # the clearance's name is already translated
    assert "2027-03-04" in reason and "2028-02-11" in reason and "%(" not in reason


def test_the_rules_sentences_follow_the_active_language_one_after_the_other(tour_bulletin):
    """The labels and sentence templates are translated once per language and kept: English, then
    French, then English again each read in their own language."""
    from django.utils import translation

    o = available_officer(passport_until=dt.date(2027, 3, 4))
    seen = []
    for language in ("en", "fr", "en"):
        with translation.override(language):
            r = by_rule(eligibility.check(o, tour_bulletin))
        seen.append((r["clearance:passport"].label, r["availability"].label))
    assert seen[0] == seen[2] == ("Passport", "Availability over the tour")
    assert seen[1][0] == "Passeport" and seen[1][1] != "Availability over the tour"


# Many officers at once: their commitments come from two prefetch queries, never one per officer.

@pytest.mark.parametrize("n", [2, 20])
def test_prefetched_officers_are_checked_without_a_query_each(tour_bulletin, django_assert_num_queries, n):
    from agencies.models import Officer

    for i in range(n):
        o = available_officer()
        deployment(o, start=dt.date(2026, 10, 2), end=dt.date(2027, 10, 2), status="in_mission", code=f"M{i}")
        selection(o, start=dt.date(2026, 11, 1), months=6, reference=f"JPB-2026-{100 + i}")
    with django_assert_num_queries(4):  # officers, clearances, current deployments, selections
        officers = list(Officer.objects.filter(clearances__isnull=False).distinct()
                        .prefetch_related("clearances", *eligibility.commitment_prefetches()))
        results = [eligibility.check(o, tour_bulletin, clearances=o.clearances.all()) for o in officers]
    assert len(results) == n
    assert all(r.clash.startswith("In mission at M") and "Selected for JPB-2026-1" in r.clash for r in results)
