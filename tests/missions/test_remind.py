"""IPO staff remind, by hand, the agencies that have neither acknowledged a bulletin nor nominated
anyone; the page names them first."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from missions import services
from missions.models import Bulletin, BulletinNotice
from notifications.models import MailBatch, OutgoingMail
from tests import factories as f
from tests.pages import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world):
    bulletin = f.BulletinFactory(mission=world.mission, status=Bulletin.Status.DRAFT, published_at=None)
    services.bulletin_publish(bulletin=bulletin, actor=world.ipo)
    OutgoingMail.objects.all().delete()
    MailBatch.objects.all().delete()
    BulletinNotice.objects.filter(bulletin=bulletin, agency=world.agency_a).update(
        acknowledged_at=timezone.now(), acknowledged_by=world.coord_a)
    bulletin.refresh_from_db()
    return bulletin


def test_the_page_names_the_agencies_a_reminder_reaches_and_sends_nothing(world, clients, published):
    page = page_text(clients.ipo.get(reverse("missions:bulletin-remind", args=[published.pk])))
    assert "Agency B Police" in page and "Agency A Police" not in page
    assert not OutgoingMail.objects.exists() and not MailBatch.objects.exists()


def test_a_reminder_by_hand_reaches_only_agencies_that_have_not_acknowledged_or_nominated(
    world, clients, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = clients.ipo.post(reverse("missions:bulletin-remind", args=[published.pk]))
    assert response.status_code == 302
    assert set(OutgoingMail.objects.values_list("to", flat=True)) == {world.coord_b.email}
    assert OutgoingMail.objects.get().kind == "bulletin_reminder"
    assert BulletinNotice.objects.get(bulletin=published, agency=world.agency_b).reminded_at is not None


def test_an_agency_that_nominated_someone_is_not_reminded(world, published):
    f.ApplicationFactory(bulletin=published, officer=world.officer_y, nominated_by=world.coord_b)
    with pytest.raises(ValidationError):
        services.bulletin_remind(bulletin=published, actor=world.ipo)
    assert not OutgoingMail.objects.exists() and not MailBatch.objects.exists()


def test_only_ipo_staff_remind_and_only_an_open_bulletin(world, clients, published):
    with pytest.raises(PermissionDenied):
        services.bulletin_remind(bulletin=published, actor=world.coord_a)
    assert clients.coord_a.post(reverse("missions:bulletin-remind", args=[published.pk])).status_code == 403
    services.bulletin_close(bulletin=published, actor=world.ipo)
    MailBatch.objects.all().delete()
    with pytest.raises(ValidationError):
        services.bulletin_remind(bulletin=published, actor=world.ipo)
    assert not OutgoingMail.objects.exists() and not MailBatch.objects.exists()


def test_the_bulletin_page_offers_the_reminder_to_ipo_staff_on_an_open_bulletin(world, clients, published):
    url = reverse("missions:bulletin-remind", args=[published.pk])
    assert url in page_text(clients.ipo.get(reverse("missions:bulletin-detail", args=[published.pk])))
    assert url not in page_text(clients.coord_a.get(reverse("missions:bulletin-detail", args=[published.pk])))
