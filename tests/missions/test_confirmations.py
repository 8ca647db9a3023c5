"""Consequential actions ask first: publishing says how many agencies and people it notifies,
inviting says where the login goes. The GET changes nothing."""

import pytest
from django.urls import reverse

from agencies.models import User
from missions.models import Bulletin
from tests import factories as f
from tests.pages import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(world):
    world.agency_b.mailbox = "notices@agency-b.example"
    world.agency_b.save()
    return f.BulletinFactory(mission=world.mission, status=Bulletin.Status.DRAFT, published_at=None)


def test_publishing_says_how_many_agencies_and_people_it_notifies_before_doing_it(world, clients, draft):
    response = clients.ipo.get(reverse("missions:bulletin-publish", args=[draft.pk]))
    assert response.status_code == 200
    # agencies A and B are partners: coordinators A and B, plus agency B's mailbox
    assert "This will notify 2 agencies (3 people) by email, at once." in page_text(response)
    draft.refresh_from_db()
    assert draft.status == Bulletin.Status.DRAFT
    assert clients.ipo.post(reverse("missions:bulletin-publish", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Bulletin.Status.PUBLISHED


def test_the_bulletin_page_links_to_the_confirmation_rather_than_publishing_in_one_click(world, clients, draft):
    page = page_text(clients.ipo.get(reverse("missions:bulletin-detail", args=[draft.pk])))
    assert f'href="{reverse("missions:bulletin-publish", args=[draft.pk])}"' in page
    assert f'action="{reverse("missions:bulletin-publish", args=[draft.pk])}"' not in page


def test_only_ipo_staff_see_the_publish_confirmation(world, clients, draft):
    for persona in ("coord_a", "officer_x"):
        assert getattr(clients, persona).get(reverse("missions:bulletin-publish", args=[draft.pk])).status_code in (
            403, 404)


def test_inviting_an_officer_says_where_the_login_goes_before_sending(world, clients, mailoutbox):
    officer = f.OfficerFactory(agency=world.agency_a, user=None, email="nadia@agency-a.example")
    url = reverse("accounts:officer-invite", args=[officer.pk])
    page = clients.coord_a.get(url)
    assert page.status_code == 200 and "nadia@agency-a.example" in page_text(page)
    assert not User.objects.filter(email="nadia@agency-a.example").exists() and not mailoutbox
    assert clients.coord_b.get(url).status_code == 404
    assert clients.officer_x.get(url).status_code == 404
    detail = page_text(clients.coord_a.get(reverse("agencies:officer-detail", args=[officer.pk])))
    assert f'href="{url}"' in detail
    assert clients.coord_a.post(url).status_code == 302
    assert User.objects.filter(email="nadia@agency-a.example").exists()


def test_after_an_early_close_every_list_shows_the_bulletin_as_closed(world, clients):
    import datetime as dt

    from django.utils import timezone

    from missions import services

    closes = timezone.now() + dt.timedelta(days=5)
    bulletin = f.BulletinFactory(mission=world.mission, closes_at=closes)
    f.ApplicationFactory(bulletin=bulletin, officer=f.OfficerFactory(agency=world.agency_a))
    services.bulletin_close(bulletin=bulletin, actor=world.ipo)
    pages = {
        "bulletin list": clients.coord_a.get(reverse("missions:bulletin-list"), {"status": "closed"}),
        "bulletin page": clients.coord_a.get(reverse("missions:bulletin-detail", args=[bulletin.pk])),
        "agency applications": clients.coord_a.get(reverse("roster:agency-applications")),
        "coordinator home": clients.coord_a.get(reverse("home")),
    }
    from django.utils.formats import date_format

    stale = [f"Closes {date_format(timezone.localtime(closes), fmt)}" for fmt in ("DATETIME_FORMAT",
                                                                                  "SHORT_DATETIME_FORMAT")]
    stale += [f"closes {date_format(timezone.localtime(closes), 'DATETIME_FORMAT')}"]
    for name, response in pages.items():
        html = page_text(response)
        assert response.status_code == 200, name
        assert not any(text in html for text in stale), name
    assert "Closed early on" in page_text(pages["bulletin page"])
    assert "Closed early on" in page_text(pages["agency applications"])
