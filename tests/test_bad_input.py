"""Bad input gets a clear answer and changes nothing: never a 500."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from missions.models import Bulletin
from roster.models import ApplicationDocument
from tests import factories as f

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"
PDF = f.minimal_pdf_bytes()


@pytest.mark.parametrize(
    "persona,url",
    [
        ("coord_a", f"/agency/applications/?bulletin={HUGE}"),
        ("ipo", "/outbox/?q=%00"),
        ("ipo", "/officers/?q=%00"),
        ("ipo", "/bulletins/?q=%00&page=abc"),
        ("ipo", "/bulletins/?status=bogus&mission=abc"),
        ("ipo", "/roster/?mission=abc&status=bogus&page=-1"),
        ("ipo", "/exports/deployments.csv?start=9999-99-99&end=x"),
    ],
)
def test_it_answers_odd_query_strings_without_an_error(clients, persona, url):
    assert getattr(clients, persona).get(url).status_code in (200, 302)


def test_it_refuses_a_huge_applicant_id_in_the_pipeline(world, clients):
    url = reverse("roster:bulletin-pipeline-action", kwargs={"bulletin_pk": world.bulletin.pk})
    response = clients.ipo.post(url, {"action": "shortlist", "applications": [HUGE]})
    assert response.status_code in (200, 302)


def test_it_refuses_an_implausible_deployment_date(world, clients):
    app = f.ApplicationFactory(bulletin=f.BulletinFactory(mission=world.mission), status="selected")
    url = reverse("roster:deployment-create", kwargs={"application_pk": app.pk})
    response = clients.ipo.post(url, {"role": "Adviser", "mission": HUGE, "start_date": "9999-12-01"})
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2100" in response.content.decode()
    app.refresh_from_db()
    assert app.status == "selected"


def test_it_refuses_an_implausible_closing_date(world, clients):
    draft = f.BulletinFactory(mission=world.mission, status=Bulletin.Status.DRAFT)
    url = reverse("missions:bulletin-edit", kwargs={"pk": draft.pk})
    data = {
        "mission": world.mission.pk, "title_en": "T", "title_fr": "T", "description_en": "D",
        "description_fr": "D", "positions": 1, "duration_months": 12, "deployment_start": "2027-01-01",
        "closes_at": "9999-12-31T23:59", "min_years_service": 0,
    }
    response = clients.ipo.post(url, data)
    assert response.status_code == 200
    assert "Enter a date between 1900 and 2100" in response.content.decode()


def test_it_keeps_a_document_when_the_edit_that_removes_it_is_refused(world, clients, settings):
    app = world.app_x
    client = clients.officer_x
    client.post(reverse("roster:application-edit", kwargs={"pk": app.pk}),
                {"statement": "v1", "documents": [SimpleUploadedFile("cv.pdf", PDF, "application/pdf")]})
    doc = ApplicationDocument.objects.get(application=app)
    response = client.post(
        reverse("roster:application-edit", kwargs={"pk": app.pk}),
        {"statement": "v2", "remove_documents": [doc.pk],
         "documents": [SimpleUploadedFile("cv2.pdf", b"not a pdf at all", "application/pdf")]},
    )
    assert response.status_code == 200 and "is not a PDF document" in response.content.decode()
    doc.refresh_from_db()
    assert doc.file.storage.exists(doc.file.name)
    url = reverse("roster:application-document", kwargs={"pk": app.pk, "doc_pk": doc.pk})
    assert client.get(url).status_code == 200


def test_it_refuses_to_acknowledge_a_closed_bulletin(world, clients):
    f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    world.bulletin.status = Bulletin.Status.CLOSED
    world.bulletin.save()
    response = clients.coord_a.post(reverse("missions:bulletin-acknowledge", kwargs={"pk": world.bulletin.pk}))
    assert response.status_code == 302
    assert not world.bulletin.notices.filter(acknowledged_at__isnull=False).exists()


def test_the_dates_of_every_record_are_plausible(world):
    from django.core.exceptions import ValidationError

    world.officer_x.date_of_birth = dt.date(1850, 1, 1)
    with pytest.raises(ValidationError):
        world.officer_x.full_clean()
