"""Application documents: plain PDF only (parsed: no scripts, launch actions, embedded files, XFA
forms or encryption), size and number limited, stored under PRIVATE_MEDIA_ROOT and served, as a
download that is never cached, only to those who may see the application."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from roster.models import Application, ApplicationDocument
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = f.minimal_pdf_bytes()
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def upload(name="cv.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def apply_url(bulletin):
    return reverse("roster:application-create", kwargs={"bulletin_pk": bulletin.pk})


def doc_url(application, document):
    return reverse("roster:application-document", kwargs={"pk": application.pk, "doc_pk": document.pk})


@pytest.fixture
def bulletin(world):
    # its tour begins the day officer X's current one (world.dep_x) ends: X meets every requirement
    return f.BulletinFactory(mission=world.mission, deployment_start=world.dep_x.planned_end_date)


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
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="cv.pdf"' in response["Content-Disposition"]
    assert {"no-store", "private"} <= set(response["Cache-Control"].replace(" ", "").split(","))
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


# --- refused kinds of PDF: each built with pypdf, each refused with its message, nothing stored ---

def pdf_bytes(build=None, *, pages=1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=612, height=792)
    if build:
        build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def action(**entries) -> DictionaryObject:
    return DictionaryObject(
        {NameObject(f"/{k}"): NameObject(v) if v.startswith("/") else TextStringObject(v) for k, v in entries.items()}
    )


def link_with(writer, the_action):
    """A link annotation on the first page whose /A is `the_action`."""
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(50), NumberObject(50)]),
        NameObject("/A"): the_action,
    })
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def set_open_action(the_action):
    return lambda w: w._root_object.__setitem__(NameObject("/OpenAction"), the_action)


def set_page_aa(the_action):
    return lambda w: w.pages[0].__setitem__(NameObject("/AA"), DictionaryObject({NameObject("/O"): the_action}))


def file_attachment_annotation(writer):
    spec = DictionaryObject({NameObject("/Type"): NameObject("/Filespec"), NameObject("/F"): TextStringObject("a.exe")})
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/FileAttachment"),
        NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(20), NumberObject(20)]),
        NameObject("/FS"): spec,
    })
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def javascript_name_tree(writer):
    """Document-level JavaScript: the catalog's /Names /JavaScript tree (what `add_js` wrote)."""
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("js"), writer._add_object(JS)])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def xfa_form(writer):
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({
        NameObject("/Fields"): ArrayObject(),
        NameObject("/XFA"): ArrayObject([TextStringObject("template"), TextStringObject("<template/>")]),
    })


JS = action(S="/JavaScript", JS="app.alert(1);")
LAUNCH = action(S="/Launch", F="calc.exe")
CLEAN = f.minimal_pdf_bytes()
POLYGLOT_VALID = CLEAN.replace(b"%\xe2\xe3\xcf\xd3\n", b"%<html><script>alert(1)</script></html>\n")
NOT_A_PDF = "is not a PDF document."
UNREADABLE = "could not be read as a PDF document; it may be damaged or incomplete."

REFUSED = {
    "polyglot-html-after-header": (b"%PDF-1.4\n<html><script>alert(1)</script></html>", NOT_A_PDF),
    "polyglot-html-in-a-valid-pdf": (POLYGLOT_VALID, NOT_A_PDF),
    "polyglot-html-after-eof": (CLEAN + b"<!DOCTYPE html><script>alert(1)</script>", NOT_A_PDF),
    "old-minimal-bytes": (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
                          UNREADABLE),
    "truncated": (CLEAN[: len(CLEAN) // 2], UNREADABLE),
    "truncated-with-eof": (CLEAN[: len(CLEAN) // 2] + b"\n%%EOF\n", UNREADABLE),
    "no-pages": (pdf_bytes(pages=0), "has no pages."),
    "encrypted": (pdf_bytes(lambda w: w.encrypt("secret", algorithm="RC4-128")),
                  "is encrypted or protected by a password. Upload a PDF without protection."),
    "encrypted-empty-password": (pdf_bytes(lambda w: w.encrypt("", "owner", algorithm="RC4-128")),
                                 "is encrypted or protected by a password. Upload a PDF without protection."),
    "javascript-names": (pdf_bytes(javascript_name_tree), "contains JavaScript. Upload a PDF without scripts."),
    "javascript-open-action": (pdf_bytes(set_open_action(JS)), "contains JavaScript. Upload a PDF without scripts."),
    "javascript-page-aa": (pdf_bytes(set_page_aa(JS)), "contains JavaScript. Upload a PDF without scripts."),
    "javascript-annotation": (pdf_bytes(lambda w: link_with(w, JS)),
                              "contains JavaScript. Upload a PDF without scripts."),
    "launch-open-action": (pdf_bytes(set_open_action(LAUNCH)),
                           "contains an action that launches a program or file. Upload a plain PDF."),
    "launch-page-aa": (pdf_bytes(set_page_aa(LAUNCH)),
                       "contains an action that launches a program or file. Upload a plain PDF."),
    "launch-annotation": (pdf_bytes(lambda w: link_with(w, LAUNCH)),
                          "contains an action that launches a program or file. Upload a plain PDF."),
    "embedded-file": (pdf_bytes(lambda w: w.add_attachment("payload.exe", b"MZ...")),
                      "contains embedded files. Upload a PDF without attachments."),
    "file-attachment-annotation": (pdf_bytes(file_attachment_annotation),
                                   "contains embedded files. Upload a PDF without attachments."),
    "xfa-form": (pdf_bytes(xfa_form), "contains an XFA form. Print it to a plain PDF and upload that."),
}


@pytest.mark.parametrize("kind", REFUSED)
def test_it_refuses_an_unsafe_or_broken_pdf_with_its_message_and_stores_nothing(clients, world, bulletin, kind):
    content, message = REFUSED[kind]
    before = _stored_files()
    documents_before = ApplicationDocument.objects.count()
    response = clients.officer_x.post(
        apply_url(bulletin), {"statement": "Hi", "documents": [upload("cv.pdf", content)]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["documents"] == [f"cv.pdf {message}"]
    assert not Application.objects.filter(bulletin=bulletin).exists()
    assert ApplicationDocument.objects.count() == documents_before
    assert _stored_files() == before


@pytest.mark.parametrize("kind", ["javascript-open-action", "launch-annotation", "embedded-file", "truncated"])
def test_it_refuses_an_unsafe_pdf_added_to_an_existing_application(clients, world, kind):
    content, message = REFUSED[kind]
    before = _stored_files()
    edit = reverse("roster:application-edit", kwargs={"pk": world.app_x.pk})
    response = clients.officer_x.post(edit, {"statement": "Hi", "documents": [upload("cv.pdf", content)]})
    assert response.status_code == 200
    assert response.context["form"].errors["documents"] == [f"cv.pdf {message}"]
    assert not world.app_x.documents.exists()
    assert _stored_files() == before


def test_it_accepts_a_clean_pdf_made_with_pypdf_and_serves_it_as_a_download(clients, world, bulletin):
    content = pdf_bytes(lambda w: link_with(w, action(S="/URI", URI="https://www.rcmp-grc.gc.ca/")), pages=2)
    response = clients.officer_x.post(
        apply_url(bulletin), {"statement": "Hi", "documents": [upload("cv.pdf", content)]}
    )
    assert response.status_code == 302
    application = Application.objects.get(bulletin=bulletin)
    document = application.documents.get()
    assert Path(document.file.path).read_bytes() == content
    download = clients.ipo.get(doc_url(application, document))
    assert download["Content-Disposition"].startswith("attachment")
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == content


def test_the_check_puts_the_file_pointer_back_at_the_start():
    from roster.documents import pdf_problem

    for content in (CLEAN, REFUSED["javascript-names"][0]):
        file = upload("cv.pdf", content)
        file.read(10)
        pdf_problem(file)
        assert file.tell() == 0


def test_it_refuses_a_pdf_with_too_many_objects_to_check(monkeypatch):
    from roster import documents

    file = upload("cv.pdf", pdf_bytes(pages=3))
    assert documents.pdf_problem(file) is None
    monkeypatch.setattr(documents, "MAX_OBJECTS", 3)
    assert documents.pdf_problem(file) == f"cv.pdf {UNREADABLE}"
