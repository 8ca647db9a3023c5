"""Application documents: PDF only (checked by content), size and number limited, stored under
PRIVATE_MEDIA_ROOT and served only to those who may see the application."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from roster.models import Application
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def upload(name="cv.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def apply_url(bulletin):
    return reverse("roster:application-create", kwargs={"bulletin_pk": bulletin.pk})


def doc_url(application, document):
    return reverse("roster:application-document", kwargs={"pk": application.pk, "doc_pk": document.pk})


@pytest.fixture
def bulletin(world):
    return f.BulletinFactory(mission=world.mission)


@pytest.fixture
def document(world):
    return world.app_x.documents.create(file=ContentFile(PDF, name="cv.pdf"), original_name="cv.pdf", size=len(PDF))


def test_it_accepts_a_real_pdf_and_stores_it_privately(clients, world, bulletin):
    response = clients.officer_x.post(apply_url(bulletin), {"statement": "Hi", "documents": [upload("Résumé.pdf")]})
    assert response.status_code == 302
    document = Application.objects.get(bulletin=bulletin).documents.get()
    assert document.original_name == "Résumé.pdf" and document.size == len(PDF)
    stored = Path(document.file.path)
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert stored.read_bytes() == PDF
    assert stored.name != "Résumé.pdf"  # stored under a random name


@pytest.mark.parametrize(
    "content", [PNG, b"Just some text pretending to be a PDF.\n"], ids=["png", "text"]
)
def test_it_refuses_a_file_that_is_not_a_pdf_with_a_message(clients, world, bulletin, content):
    response = clients.officer_x.post(
        apply_url(bulletin), {"statement": "Hi", "documents": [upload("renamed.pdf", content)]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["documents"] == ["renamed.pdf is not a PDF document."]
    assert not Application.objects.filter(bulletin=bulletin).exists()


def test_it_refuses_a_file_above_the_size_limit(clients, world, bulletin, settings):
    settings.ROSTER = {**settings.ROSTER, "DOCUMENT_MAX_BYTES": 50}
    response = clients.officer_x.post(apply_url(bulletin), {"statement": "Hi", "documents": [upload("big.pdf")]})
    assert response.status_code == 200
    assert "big.pdf is larger than" in response.context["form"].errors["documents"][0]
    assert not Application.objects.filter(bulletin=bulletin).exists()


def test_it_refuses_a_fourth_document(clients, world, bulletin):
    four = [upload(f"doc{i}.pdf") for i in range(4)]
    response = clients.officer_x.post(apply_url(bulletin), {"statement": "Hi", "documents": four})
    assert response.context["form"].errors["documents"] == ["At most 3 documents per application."]
    assert not Application.objects.filter(bulletin=bulletin).exists()
    three = [upload(f"doc{i}.pdf") for i in range(3)]
    assert clients.officer_x.post(apply_url(bulletin), {"statement": "Hi", "documents": three}).status_code == 302
    application = Application.objects.get(bulletin=bulletin)
    edit = reverse("roster:application-edit", kwargs={"pk": application.pk})
    response = clients.officer_x.post(edit, {"statement": "Hi", "documents": [upload("doc4.pdf")]})
    assert response.context["form"].errors["documents"] == ["At most 3 documents per application."]
    assert application.documents.count() == 3


@pytest.mark.parametrize("persona", ["officer_x", "coord_a", "ipo"])
def test_it_serves_the_document_to_those_who_see_the_application(clients, world, document, persona):
    response = getattr(clients, persona).get(doc_url(world.app_x, document))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("persona", ["officer_y", "coord_b"])
def test_it_hides_the_document_from_the_others(clients, world, document, persona):
    assert getattr(clients, persona).get(doc_url(world.app_x, document)).status_code == 404


def test_it_sends_anonymous_visitors_to_the_login(clients, world, document):
    response = clients.anonymous.get(doc_url(world.app_x, document))
    assert response.status_code == 302 and "login/" in response["Location"]


def test_it_refuses_a_guessed_pairing_of_another_application_and_this_document(clients, world, document):
    # app_y is visible to officer Y, coordinator B and IPO staff, but the document is app_x's
    for client in (clients.officer_y, clients.coord_b, clients.ipo):
        assert client.get(doc_url(world.app_y, document)).status_code == 404


def test_it_keeps_documents_outside_any_public_url(clients, world, document):
    from pathlib import Path

    from django.urls import Resolver404, resolve

    path = Path(document.file.path).resolve()
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    for url in (f"/{document.file.name}", f"/media/{document.file.name}", f"/static/{document.file.name}"):
        with pytest.raises(Resolver404):
            resolve(url)
        assert clients.ipo.get(url).status_code == 404


def _stored_files():
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("service", ["submit", "update"])
def test_a_service_that_fails_after_storing_a_document_leaves_no_file_behind(world, bulletin, monkeypatch, service):
    from roster import services
    from roster.services import applications as application_services

    def broken(*args, **kwargs):
        raise RuntimeError("the outbox is unreachable")

    before = _stored_files()
    if service == "submit":
        monkeypatch.setattr(application_services, "_notify_status", broken)
        call = lambda: services.application_submit(  # noqa: E731
            bulletin=bulletin, officer=world.officer_x, actor=world.user_x, statement="Hi",
            documents=[upload()], confirm_ineligible=True)
    else:
        monkeypatch.setattr(application_services.transaction, "on_commit", broken)
        call = lambda: services.application_update(  # noqa: E731
            application=world.app_x, actor=world.user_x, statement="Hi", documents=[upload()])
    with pytest.raises(RuntimeError):
        call()
    assert _stored_files() == before
    assert not Application.objects.filter(bulletin=bulletin).exists()
    assert not world.app_x.documents.exists()
