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
    assert len(result.results) == 7


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


def test_it_checks_nothing_a_bulletin_does_not_ask(db):
    b = f.BulletinFactory(min_years_service=0, required_clearances=[])
    assert eligibility.check(f.OfficerFactory(service_start=None), b).results == []
