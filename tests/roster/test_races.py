"""Races on PostgreSQL: threads with their own connections, released together by a barrier."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from roster import services
from roster.models import Application, ApplicationStatus
from tests import factories as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(n, work):
    barrier = threading.Barrier(n)
    outcomes = []
    lock = threading.Lock()

    def run(i):
        try:
            barrier.wait(timeout=10)
            result = work(i)
            with lock:
                outcomes.append(("ok", result))
        except Exception as exc:  # noqa: BLE001 - the outcome is what we count
            with lock:
                outcomes.append(("refused", exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a racer is still waiting: a lock was never released"
    assert len(outcomes) == n, outcomes
    return outcomes


def test_it_never_selects_beyond_the_positions_under_concurrency():
    ipo = f.IpoStaffFactory()
    staff = [ipo, f.IpoStaffFactory()]
    bulletin = f.BulletinFactory(positions=2)
    apps = [f.ApplicationFactory(bulletin=bulletin, status=ApplicationStatus.SHORTLISTED) for _ in range(8)]

    outcomes = race(8, lambda i: services.application_transition(
        application=apps[i], to=ApplicationStatus.SELECTED, actor=staff[i % 2], note="race"))

    ok = [o for o in outcomes if o[0] == "ok"]
    refused = [o for o in outcomes if o[0] == "refused"]
    assert len(ok) == 2
    assert len(refused) == 6 and all(isinstance(e, ValidationError) for _, e in refused)
    assert Application.objects.filter(bulletin=bulletin, status=ApplicationStatus.SELECTED).count() == 2


def test_the_exclusion_constraint_lets_one_of_twenty_overlapping_inserts_survive():
    import datetime as dt

    from roster.models import Deployment

    officer = f.OfficerFactory()
    missions = [f.MissionFactory() for _ in range(2)]
    start = dt.date(2027, 1, 1)

    outcomes = race(20, lambda i: Deployment.objects.create(
        officer=officer, mission=missions[i % 2], role="adviser",
        start_date=start + dt.timedelta(days=i), planned_end_date=start + dt.timedelta(days=300)))

    assert sum(1 for o in outcomes if o[0] == "ok") == 1
    assert Deployment.objects.filter(officer=officer).count() == 1


def test_it_never_deploys_one_officer_twice_over_the_same_dates_under_concurrency():
    import datetime as dt

    from roster.models import Deployment

    ipo = f.IpoStaffFactory()
    officer = f.OfficerFactory()
    apps = [
        f.ApplicationFactory(officer=officer, status=ApplicationStatus.SELECTED,
                             bulletin=f.BulletinFactory(mission=f.MissionFactory(), required_clearances=[]))
        for _ in range(6)
    ]
    start = dt.date(2027, 3, 1)

    outcomes = race(6, lambda i: services.deployment_create(
        application=apps[i], actor=ipo, role="adviser", start_date=start + dt.timedelta(days=i)))

    ok = [o for o in outcomes if o[0] == "ok"]
    assert len(ok) == 1, outcomes
    assert all(isinstance(e, ValidationError) for kind, e in outcomes if kind == "refused"), outcomes
    assert Deployment.objects.filter(officer=officer).count() == 1
    assert Application.objects.filter(officer=officer, status=ApplicationStatus.DEPLOYED).count() == 1


def test_deployment_changes_lock_the_officer_before_checking_for_an_overlap():
    """The lock that makes the race above deterministic: without it, concurrent creations for one
    officer reach the exclusion constraint together and PostgreSQL may answer with a deadlock."""
    import datetime as dt

    from django.test.utils import CaptureQueriesContext

    ipo = f.IpoStaffFactory()
    app = f.ApplicationFactory(status=ApplicationStatus.SELECTED, bulletin=f.BulletinFactory(required_clearances=[]))
    with CaptureQueriesContext(connection) as ctx:
        deployment = services.deployment_create(application=app, actor=ipo, role="adviser",
                                                start_date=dt.date(2027, 3, 1))
    with CaptureQueriesContext(connection) as ext:
        services.deployment_extend(deployment=deployment, actor=ipo, new_end=deployment.planned_end_date
                                   + dt.timedelta(days=30), reason="mandate renewed", override_strength=True)
    for captured in (ctx, ext):
        sqls = [q["sql"] for q in captured.captured_queries]
        officer_lock = next(i for i, s in enumerate(sqls) if 'FROM "agencies_officer"' in s and "FOR UPDATE" in s)
        overlap_check = next(i for i, s in enumerate(sqls) if 'FROM "roster_deployment"' in s and "FOR UPDATE" not in s)
        assert officer_lock < overlap_check
