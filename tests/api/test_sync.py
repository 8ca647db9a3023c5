"""Incremental sync reads `updated_at`: every change a service makes to an officer, an application or a
deployment moves it, bulk updates included."""

import datetime as dt

from django.utils import timezone

from agencies.models import Officer
from roster.models import Application, Deployment
from tests import factories as f


def test_anonymisation_moves_updated_at_of_the_applications_and_deployments_it_erases(db):
    from privacy.services import officer_anonymise

    officer = f.OfficerFactory()
    application = f.ApplicationFactory(officer=officer, status="not_selected", statement="My story")
    deployment = f.DeploymentFactory(officer=officer, status="completed", repatriation_note="",
                                     start_date=dt.date(2018, 1, 1), planned_end_date=dt.date(2019, 1, 1),
                                     actual_end_date=dt.date(2019, 1, 1))
    long_ago = timezone.now() - dt.timedelta(days=3000)
    Application.objects.update(updated_at=long_ago)
    Deployment.objects.update(updated_at=long_ago)
    Officer.objects.update(updated_at=long_ago)
    before = timezone.now()
    assert officer_anonymise(officer=officer, today=timezone.localdate() + dt.timedelta(days=3650))
    application.refresh_from_db()
    deployment.refresh_from_db()
    assert application.statement == "" and application.updated_at >= before
    assert deployment.updated_at >= before
    officer.refresh_from_db()
    assert officer.updated_at >= before
