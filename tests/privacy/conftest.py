import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile

from audit.services import audit_read
from notifications.models import OutgoingMail
from roster.models import ApplicationEvent, DeploymentEvent, MedalAward
from tests import factories as f

MEDICAL_REFERENCE = "MED-REF-4471"
STATEMENT = "I speak Haitian Creole and served in Port-au-Prince."
EVENT_NOTE = "Endorsed with the chief's release."
DEPLOYMENT_NOTE = "Arrived with the rotation of March."
REPATRIATION_NOTE = "Family emergency at home."
MESSAGE_TEXT = "Your application to BINUH is endorsed."


@pytest.fixture
def record(world):
    """Officer X's record filled in: a medical clearance, an application with a statement, an event
    and a PDF, a deployment with an event, a medal, a message and reads of the record."""
    x = world.officer_x
    world.clearance = f.ClearanceFactory(officer=x, kind="medical", reference=MEDICAL_REFERENCE)
    app = world.app_x
    app.statement = STATEMENT
    app.save()
    world.pdf = f.minimal_pdf_bytes()
    world.document = app.documents.create(
        file=ContentFile(world.pdf, name="cv.pdf"), original_name="My CV (2026).pdf", size=len(world.pdf)
    )
    ApplicationEvent.objects.create(application=app, from_status="", to_status="submitted", actor=world.user_x)
    ApplicationEvent.objects.create(application=app, from_status="submitted", to_status="endorsed",
                                    actor=world.coord_a, note=EVENT_NOTE)
    DeploymentEvent.objects.create(deployment=world.dep_x, action="started", actor=world.ipo,
                                   note=DEPLOYMENT_NOTE, data={"on": world.dep_x.start_date.isoformat()})
    MedalAward.objects.create(officer=x, medal="cpsm", mission=world.mission, awarded_on=dt.date(2025, 6, 1),
                              recorded_by=world.ipo)
    world.mail = OutgoingMail.objects.create(
        to=world.user_x.email, user=world.user_x, subject="Application endorsed", body_text=MESSAGE_TEXT,
        message_id="<endorsed-x@test>", status=OutgoingMail.Status.SENT,
    )
    # a message to someone else: never in X's record
    OutgoingMail.objects.create(to=world.user_y.email, user=world.user_y, subject="For Y only", body_text="Y",
                                message_id="<y@test>")
    audit_read(actor=world.coord_a, obj=x, event="read.officer", officer_id=x.pk)
    return world


def open_zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def record_json(archive: zipfile.ZipFile) -> dict:
    return json.loads(archive.read("record.json"))


def report_html(archive: zipfile.ZipFile) -> str:
    return archive.read("report.html").decode()
