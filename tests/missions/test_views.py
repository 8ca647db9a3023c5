"""Mission and bulletin pages: IPO staff write and publish, agencies acknowledge, everyone reads."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from missions.models import Bulletin, BulletinNotice, Mission
from notifications.models import OutgoingMail
from roster.models import Application
from tests import factories as f

pytestmark = pytest.mark.django_db

OTTAWA = ZoneInfo("America/Toronto")


def bulletin_data(mission, **overrides):
    data = {
        "reference": "",
        "mission": mission.pk,
        "title_en": "Police adviser",
        "title_fr": "Conseiller de police",
        "description_en": "Advise the host-state police.",
        "description_fr": "Conseiller la police de l'État hôte.",
        "positions": 3,
        "duration_months": 12,
        "deployment_start": (timezone.localdate() + dt.timedelta(days=120)).isoformat(),
        "closes_at": "2031-06-01T17:00",
        "min_years_service": 5,
        "required_language": "fr",
        "min_language_level": 3,
        "min_age": "",
        "max_age": "",
        "required_clearances": ["medical", "passport"],
        "women_priority": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- create, edit -------------------------------------------------------------------------

def test_it_creates_a_draft_with_the_next_reference(clients, world):
    response = clients.ipo.post(reverse("missions:bulletin-create"), bulletin_data(world.mission))
    bulletin = Bulletin.objects.exclude(pk=world.bulletin.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("missions:bulletin-detail", kwargs={"pk": bulletin.pk})
    assert bulletin.status == Bulletin.Status.DRAFT
    assert bulletin.reference.startswith(f"JPB-{timezone.localdate().year}-")
    assert bulletin.created_by == world.ipo
    assert bulletin.required_clearances == ["medical", "passport"]
    assert bulletin.women_priority is True


def test_it_reads_the_closing_time_in_ottawa_time(clients, world):
    clients.ipo.post(reverse("missions:bulletin-create"), bulletin_data(world.mission, closes_at="2031-01-15T17:00"))
    bulletin = Bulletin.objects.exclude(pk=world.bulletin.pk).get()
    assert bulletin.closes_at == dt.datetime(2031, 1, 15, 17, 0, tzinfo=OTTAWA)
    assert bulletin.closes_at == dt.datetime(2031, 1, 15, 22, 0, tzinfo=dt.UTC)
    html = clients.ipo.get(reverse("missions:bulletin-edit", kwargs={"pk": bulletin.pk})).content.decode()
    assert 'type="datetime-local"' in html and 'value="2031-01-15T17:00"' in html


def test_it_shows_form_errors_next_to_their_fields(clients, world):
    response = clients.ipo.post(
        reverse("missions:bulletin-create"), bulletin_data(world.mission, positions=0, min_age=50, max_age=40)
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "positions" in form.errors
    assert form.errors["max_age"] == ["The maximum age must be above the minimum age."]
    assert Bulletin.objects.count() == 1


def test_it_edits_a_draft(clients, world):
    draft = f.BulletinFactory(mission=world.mission, status=Bulletin.Status.DRAFT)
    url = reverse("missions:bulletin-edit", kwargs={"pk": draft.pk})
    assert clients.ipo.get(url).status_code == 200
    response = clients.ipo.post(url, bulletin_data(world.mission, reference=draft.reference, title_en="Mentor"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title_en == "Mentor"
    assert draft.positions == 3


def test_it_does_not_edit_a_published_bulletin(clients, world):
    url = reverse("missions:bulletin-edit", kwargs={"pk": world.bulletin.pk})
    response = clients.ipo.post(url, bulletin_data(world.mission, title_en="Changed"), follow=True)
    assert "Only a draft can be edited" in response.content.decode()
    world.bulletin.refresh_from_db()
    assert world.bulletin.title_en == "Police adviser"


# --- publish --------------------------------------------------------------------------------

def test_it_publishes_a_draft_and_notifies_every_partner_agency(clients, world, django_capture_on_commit_callbacks):
    draft = f.BulletinFactory(mission=world.mission, status=Bulletin.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        response = clients.ipo.post(reverse("missions:bulletin-publish", kwargs={"pk": draft.pk}))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Bulletin.Status.PUBLISHED
    assert {n.agency_id for n in draft.notices.all()} == {world.agency_a.pk, world.agency_b.pk}
    assert OutgoingMail.objects.filter(kind="bulletin_published").count() == 2


def test_it_refuses_to_publish_with_each_reason_next_to_its_field(clients, world):
    draft = f.BulletinFactory(
        mission=world.mission,
        status=Bulletin.Status.DRAFT,
        title_fr="",
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    response = clients.ipo.post(reverse("missions:bulletin-publish", kwargs={"pk": draft.pk}))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.is_bound
    assert form.errors["title_fr"] == ["A title in French is required to publish."]
    assert form.errors["closes_at"] == ["The closing date has passed; choose a later one to publish."]
    assert "This bulletin cannot be published yet." in messages_of(response)
    html = response.content.decode()
    assert 'action="{}"'.format(reverse("missions:bulletin-edit", kwargs={"pk": draft.pk})) in html
    assert 'value="Police adviser"' in html  # the bulletin's current values
    draft.refresh_from_db()
    assert draft.status == Bulletin.Status.DRAFT
    assert not draft.notices.exists()


def test_it_says_why_a_published_bulletin_is_not_published_again(clients, world):
    response = clients.ipo.post(reverse("missions:bulletin-publish", kwargs={"pk": world.bulletin.pk}), follow=True)
    assert "Only a draft can be published" in response.content.decode()


def test_it_previews_both_languages_and_what_is_missing(clients, world):
    draft = f.BulletinFactory(mission=world.mission, status=Bulletin.Status.DRAFT, description_fr="")
    response = clients.ipo.get(reverse("missions:bulletin-preview", kwargs={"pk": draft.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Police adviser" in html and "Conseiller de police" in html
    assert 'lang="en"' in html and 'lang="fr"' in html
    assert "A description in French is required to publish." in html


# --- close, cancel, duplicate ------------------------------------------------------------------

def test_it_closes_a_published_bulletin_after_confirmation(clients, world):
    url = reverse("missions:bulletin-close", kwargs={"pk": world.bulletin.pk})
    assert "Close the bulletin now" in clients.ipo.get(url).content.decode()
    world.bulletin.refresh_from_db()
    assert world.bulletin.status == Bulletin.Status.PUBLISHED
    response = clients.ipo.post(url)
    assert response.status_code == 302
    world.bulletin.refresh_from_db()
    assert world.bulletin.status == Bulletin.Status.CLOSED


def test_it_cancels_with_a_reason(clients, world):
    url = reverse("missions:bulletin-cancel", kwargs={"pk": world.bulletin.pk})
    html = clients.ipo.get(url).content.decode()
    assert "<textarea" in html and "required" in html
    response = clients.ipo.post(url, {"reason": "The mandate was not renewed."})
    assert response.status_code == 302
    world.bulletin.refresh_from_db()
    assert world.bulletin.status == Bulletin.Status.CANCELLED
    assert world.bulletin.cancel_reason == "The mandate was not renewed."
    assert "The mandate was not renewed." in clients.ipo.get(response["Location"]).content.decode()


def test_it_asks_why_a_bulletin_is_cancelled(clients, world):
    response = clients.ipo.post(reverse("missions:bulletin-cancel", kwargs={"pk": world.bulletin.pk}), {"reason": " "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [
        "Say why the bulletin is cancelled; the agencies are told."
    ]
    world.bulletin.refresh_from_db()
    assert world.bulletin.status == Bulletin.Status.PUBLISHED


def test_it_duplicates_into_a_new_draft_and_opens_its_edit_page(clients, world):
    response = clients.ipo.post(reverse("missions:bulletin-duplicate", kwargs={"pk": world.bulletin.pk}))
    copy = Bulletin.objects.exclude(pk=world.bulletin.pk).get()
    assert copy.status == Bulletin.Status.DRAFT
    assert copy.title_fr == world.bulletin.title_fr
    assert response["Location"] == reverse("missions:bulletin-edit", kwargs={"pk": copy.pk})


# --- forbidden ----------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["coord_a", "officer_x"])
@pytest.mark.parametrize(
    "name,data",
    [
        ("missions:bulletin-publish", {}),
        ("missions:bulletin-close", {}),
        ("missions:bulletin-cancel", {"reason": "No."}),
        ("missions:bulletin-duplicate", {}),
        ("missions:bulletin-edit", {}),
    ],
)
def test_it_forbids_staff_actions_to_agencies(clients, world, persona, name, data):
    response = getattr(clients, persona).post(reverse(name, kwargs={"pk": world.bulletin.pk}), data)
    assert response.status_code == 403
    world.bulletin.refresh_from_db()
    assert world.bulletin.status == Bulletin.Status.PUBLISHED
    assert Bulletin.objects.count() == 1


@pytest.mark.parametrize("persona", ["coord_a", "officer_x"])
def test_it_forbids_creating_a_bulletin_or_a_mission_to_agencies(clients, world, persona):
    client = getattr(clients, persona)
    assert client.post(reverse("missions:bulletin-create"), bulletin_data(world.mission)).status_code == 403
    assert client.post(reverse("missions:mission-create"), {"code": "NEW"}).status_code == 403
    assert Bulletin.objects.count() == 1 and Mission.objects.count() == 1


@pytest.mark.parametrize("persona", ["coord_a", "officer_x"])
def test_it_hides_a_draft_from_agencies(clients, world, persona):
    draft = f.BulletinFactory(mission=world.mission, status=Bulletin.Status.DRAFT)
    client = getattr(clients, persona)
    assert client.get(reverse("missions:bulletin-detail", kwargs={"pk": draft.pk})).status_code == 404
    assert client.post(reverse("missions:bulletin-publish", kwargs={"pk": draft.pk})).status_code == 404
    assert draft.reference not in client.get(reverse("missions:bulletin-list")).content.decode()


# --- the bulletin page -------------------------------------------------------------------------

def test_it_lists_the_requirements_in_words(clients, world):
    b = world.bulletin
    b.min_years_service, b.required_language, b.min_language_level = 5, "fr", 3
    b.requires_firearms, b.requires_manual_driving, b.min_age, b.max_age = True, True, 25, 60
    b.required_clearances, b.women_priority = ["medical", "un_assessment"], True
    b.save()
    html = clients.officer_x.get(reverse("missions:bulletin-detail", kwargs={"pk": b.pk})).content.decode()
    for text in [
        "At least 5 years of police service",
        "French: Advanced level or better",
        "Current firearms qualification",
        "manual transmission",
        "Aged 25 or older and younger than 60",
        "Medical, UN assessment (SAAT)",
        "Priority to women",
        "(Ottawa time)",
        "Conseiller de police",  # the other language, in its collapsible section
    ]:
        assert text in html, text
    assert html.count("<h1") == 1
    assert "Publish and notify" not in html and "Notices to partner agencies" not in html


def test_it_shows_the_delivery_of_each_notice_to_ipo_staff(clients, world):
    a = f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    b = f.BulletinNoticeFactory(
        bulletin=world.bulletin, agency=world.agency_b, acknowledged_at=timezone.now(), acknowledged_by=world.coord_b
    )
    c = f.BulletinNoticeFactory(bulletin=world.bulletin, agency=f.AgencyFactory(slug="agency-c"))
    mail(a, "failed", last_error="SMTPRecipientsRefused: 550 no such user")
    mail(b, "sent", sent_at=timezone.now())
    mail(c, "queued")
    response = clients.ipo.get(reverse("missions:bulletin-detail", kwargs={"pk": world.bulletin.pk}))
    html = response.content.decode()
    assert "3 agencies notified: 1 sent, 1 failed, 1 queued; 1 acknowledged" in html
    assert "550 no such user" in html
    assert reverse("missions:notice-resend", kwargs={"pk": world.bulletin.pk, "notice_pk": a.pk}) in html
    assert reverse("missions:notice-resend", kwargs={"pk": world.bulletin.pk, "notice_pk": b.pk}) not in html
    assert world.coord_b.get_full_name() in html


def test_it_resends_a_failed_notice(clients, world):
    notice = f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    failed = mail(notice, "failed", last_error="boom")
    url = reverse("missions:notice-resend", kwargs={"pk": world.bulletin.pk, "notice_pk": notice.pk})
    assert clients.coord_a.post(url).status_code == 403
    response = clients.ipo.post(url, follow=True)
    assert "1 message to Agency A Police queued again." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == OutgoingMail.Status.QUEUED


# --- acknowledge ---------------------------------------------------------------------------------

def test_it_lets_a_coordinator_acknowledge_for_their_agency(clients, world):
    notice = f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_b)
    page = reverse("missions:bulletin-detail", kwargs={"pk": world.bulletin.pk})
    assert "Acknowledge for Agency A Police" in clients.coord_a.get(page).content.decode()
    response = clients.coord_a.post(reverse("missions:bulletin-acknowledge", kwargs={"pk": world.bulletin.pk}))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.acknowledged_by == world.coord_a and notice.acknowledged_at is not None
    assert BulletinNotice.objects.get(agency=world.agency_b).acknowledged_at is None
    html = clients.coord_a.get(page).content.decode()
    assert "Acknowledged by" in html and "Acknowledge for" not in html


@pytest.mark.parametrize("persona", ["ipo", "officer_x"])
def test_it_forbids_acknowledging_to_others_than_coordinators(clients, world, persona):
    f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    url = reverse("missions:bulletin-acknowledge", kwargs={"pk": world.bulletin.pk})
    response = getattr(clients, persona).post(url)
    assert response.status_code == 403
    assert not BulletinNotice.objects.filter(acknowledged_at__isnull=False).exists()


def test_it_refuses_an_acknowledgement_from_an_agency_that_was_not_notified(clients, world):
    f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    response = clients.coord_b.post(reverse("missions:bulletin-acknowledge", kwargs={"pk": world.bulletin.pk}))
    assert response.status_code == 403


# --- the bulletin list ----------------------------------------------------------------------------

def test_it_filters_and_searches_bulletins(clients, world):
    other = f.MissionFactory(code="UNMISS", language="en")
    f.BulletinFactory(mission=other, reference="JPB-2026-900", title_en="Gender adviser")
    f.BulletinFactory(mission=world.mission, reference="JPB-2026-901", status=Bulletin.Status.CLOSED)
    f.BulletinFactory(
        mission=world.mission, reference="JPB-2026-902", closes_at=timezone.now() - dt.timedelta(hours=1)
    )
    url = reverse("missions:bulletin-list")

    def refs(client, **params):
        return {b.reference for b in client.get(url, params).context["page"]}

    assert refs(clients.coord_a, q="gender") == {"JPB-2026-900"}
    assert refs(clients.coord_a, q="901") == {"JPB-2026-901"}
    assert refs(clients.coord_a, language="en") == {"JPB-2026-900"}
    assert refs(clients.coord_a, mission=other.pk) == {"JPB-2026-900"}
    assert refs(clients.coord_a, status="closed") == {"JPB-2026-901"}
    assert refs(clients.coord_a, open_now="on") == {world.bulletin.reference, "JPB-2026-900"}


@pytest.mark.parametrize("params, in_use", [
    ({}, 0), ({"page": "2"}, 0), ({"q": "  "}, 0), ({"q": "gender"}, 1), ({"q": "gender", "status": "closed"}, 2),
])
def test_the_filters_fold_away_on_a_phone_unless_some_are_in_use(clients, world, params, in_use):
    html = clients.officer_x.get(reverse("missions:bulletin-list"), params).content.decode()
    assert 'data-bs-target="#filters"' in html and 'id="filters"' in html
    assert ('class="collapse d-md-block show"' in html) == bool(in_use)
    assert (f"Search and filters ({in_use} in use)" in html) == bool(in_use)


def test_it_offers_draft_and_cancelled_filters_only_to_ipo_staff(clients, world):
    url = reverse("missions:bulletin-list")
    assert 'value="draft"' in clients.ipo.get(url).content.decode()
    html = clients.coord_a.get(url).content.decode()
    assert 'value="draft"' not in html and 'value="cancelled"' not in html and 'value="published"' in html


def test_it_paginates_bulletins_by_25(clients, world):
    f.BulletinFactory.create_batch(30, mission=world.mission)
    response = clients.officer_x.get(reverse("missions:bulletin-list"))
    page = response.context["page"]
    assert len(page.object_list) == 25 and page.has_next and not page.has_previous
    response = clients.officer_x.get(reverse("missions:bulletin-list"), {"after": page.next_cursor})
    assert len(response.context["page"].object_list) == 6 and not response.context["page"].has_next


def test_it_links_to_the_feeds_from_the_list(clients, world):
    html = clients.officer_x.get(reverse("missions:bulletin-list")).content.decode()
    assert reverse("missions:bulletin-feed", kwargs={"lang": "en"}) in html
    assert reverse("missions:bulletin-feed", kwargs={"lang": "fr"}) in html


# --- feeds -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang,title", [("en", "Police adviser"), ("fr", "Conseiller de police")])
def test_it_feeds_only_open_published_bulletins_in_each_language(client, world, lang, title):
    f.BulletinFactory(mission=world.mission, reference="JPB-2026-801", status=Bulletin.Status.DRAFT)
    f.BulletinFactory(mission=world.mission, reference="JPB-2026-802", status=Bulletin.Status.CLOSED)
    f.BulletinFactory(mission=world.mission, reference="JPB-2026-803", status=Bulletin.Status.CANCELLED)
    f.BulletinFactory(mission=world.mission, reference="JPB-2026-804", closes_at=timezone.now() - dt.timedelta(hours=1))
    response = client.get(reverse("missions:bulletin-feed", kwargs={"lang": lang}))  # no login
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    xml = response.content.decode()
    assert f'xml:lang="{lang}"' in xml
    assert f"{world.bulletin.reference} — {title} (BINUH)" in xml
    for ref in ("JPB-2026-801", "JPB-2026-802", "JPB-2026-803", "JPB-2026-804"):
        assert ref not in xml


def test_it_has_no_feed_in_other_languages(client, world):
    assert client.get(reverse("missions:bulletin-feed", kwargs={"lang": "de"})).status_code == 404


# --- missions ----------------------------------------------------------------------------------------

def test_it_counts_officers_deployed_and_in_the_pipeline_without_double_counting(clients, world):
    f.DeploymentFactory(mission=world.mission, status="completed")
    f.DeploymentFactory(mission=world.mission, status="planned")
    second = f.BulletinFactory(mission=world.mission)
    Application.objects.filter(pk=world.app_x.pk).update(status="selected")
    f.ApplicationFactory(bulletin=second, status="selected")
    f.ApplicationFactory(bulletin=second, status="shortlisted")
    f.ApplicationFactory(bulletin=second, status="waitlisted")
    response = clients.coord_a.get(reverse("missions:mission-detail", kwargs={"pk": world.mission.pk}))
    strength, mission = response.context["strength"], response.context["mission"]
    assert (strength.in_mission, strength.planned, strength.filled, strength.selected) == (2, 1, 3, 2)
    assert (mission.pipeline_shortlisted, mission.pipeline_waitlisted) == (1, 1)
    assert (strength.vacant, strength.over) == (48 - 3, 0)  # the selected fill no position yet
    html = response.content.decode()
    assert "3 filled of 48 authorised · 45 vacant" in html
    assert "2 in mission, 1 planned · 2 selected, not yet deployed" in html
    assert 'data-testid="strength-definition"' in html
    assert second.reference in html
    listing = clients.officer_x.get(reverse("missions:mission-list"))
    assert listing.context["missions"][0].strength == strength


def test_it_lists_only_the_visible_bulletins_of_a_mission(clients, world):
    draft = f.BulletinFactory(mission=world.mission, status=Bulletin.Status.DRAFT)
    url = reverse("missions:mission-detail", kwargs={"pk": world.mission.pk})
    assert draft.reference not in clients.officer_x.get(url).content.decode()
    assert draft.reference in clients.ipo.get(url).content.decode()


def test_it_creates_and_edits_a_mission(clients, world):
    data = {
        "code": "MINUSCA",
        "name_en": "UN Mission in the Central African Republic",
        "name_fr": "Mission des Nations Unies en République centrafricaine",
        "kind": "un",
        "status": "active",
        "country_en": "Central African Republic",
        "country_fr": "République centrafricaine",
        "language": "fr",
        "authorized_strength": 10,
    }
    response = clients.ipo.post(reverse("missions:mission-create"), data)
    mission = Mission.objects.get(code="MINUSCA")
    assert response["Location"] == reverse("missions:mission-detail", kwargs={"pk": mission.pk})
    edit = reverse("missions:mission-edit", kwargs={"pk": mission.pk})
    assert clients.coord_a.get(edit).status_code == 403
    clients.ipo.post(edit, {**data, "authorized_strength": 12, "armed": "on"})
    mission.refresh_from_db()
    assert mission.authorized_strength == 12 and mission.armed


def test_it_refuses_a_duplicate_mission_code_next_to_the_field(clients, world):
    response = clients.ipo.post(
        reverse("missions:mission-create"),
        {"code": "BINUH", "name_en": "x", "name_fr": "x", "kind": "un", "status": "active", "country_en": "x",
         "country_fr": "x", "language": "fr", "authorized_strength": 1},
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors


def test_it_shows_bulletins_and_missions_in_the_navigation(clients):
    html = clients.officer_x.get("/").content.decode()
    assert reverse("missions:bulletin-list") in html and reverse("missions:mission-list") in html
    assert reverse("notifications:outbox") not in html
    assert reverse("notifications:outbox") in clients.ipo.get("/").content.decode()


def mail(notice, status, **extra):
    return OutgoingMail.objects.create(
        to=f"{notice.agency.slug}-{status}@example.test",
        subject="New bulletin",
        body_text="…",
        message_id=f"<{notice.pk}-{status}@test>",
        topic=notice.outbox_key,
        kind="bulletin_published",
        status=status,
        **extra,
    )


@pytest.mark.parametrize("rotations", [1, 12])
def test_it_shows_rotation_handovers_on_the_mission_page_in_constant_queries(
    world, clients, django_assert_num_queries, rotations
):
    import datetime as dt

    from tests import factories as f

    for i in range(rotations):
        outgoing = f.DeploymentFactory(mission=world.mission, officer=f.OfficerFactory(agency=world.agency_a))
        f.DeploymentFactory(
            mission=world.mission, officer=f.OfficerFactory(agency=world.agency_a), replaces=outgoing,
            status="planned", start_date=outgoing.planned_end_date + dt.timedelta(days=i - 5),
            planned_end_date=outgoing.planned_end_date + dt.timedelta(days=300),
        )
    url = reverse("missions:mission-detail", kwargs={"pk": world.mission.pk})
    with django_assert_num_queries(5):  # session, user, mission with counts, bulletins, deployments
        html = clients.ipo.get(url).content.decode()
    assert html.count('data-testid="handover-table"') == 1
    assert "Overlap (days)" in html and "Gap (days)" in html


def test_it_shows_staff_each_bulletins_progress(world, clients):
    from django.utils import timezone

    from missions.selectors import bulletins_with_progress
    from tests import factories as f

    f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a, acknowledged_at=timezone.now())
    f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_b)
    f.ApplicationFactory(bulletin=world.bulletin, status="selected")
    f.ApplicationFactory(bulletin=world.bulletin, status="shortlisted")
    b = bulletins_with_progress(Bulletin.objects.filter(pk=world.bulletin.pk)).get()
    assert (b.notices_total, b.notices_acknowledged) == (2, 1)
    assert (b.applications_total, b.applications_awaiting, b.positions_filled) == (4, 1, 1)
    html = clients.ipo.get(reverse("missions:bulletin-list")).content.decode()
    assert ">1/2<" in html and ">1/2</td>" in html  # acknowledged 1 of 2; filled 1 of 2 positions
    assert "To decide" not in clients.coord_a.get(reverse("missions:bulletin-list")).content.decode()


def test_it_acknowledges_from_the_coordinator_home_and_comes_back(world, clients):
    from tests import factories as f

    notice = f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    assert "Acknowledge" in clients.coord_a.get("/").content.decode()
    url = reverse("missions:bulletin-acknowledge", kwargs={"pk": world.bulletin.pk})
    response = clients.coord_a.post(url, {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    notice.refresh_from_db()
    assert notice.acknowledged_by == world.coord_a
    response = clients.coord_a.post(url, {"next": "https://evil.example/"})
    assert response["Location"] == reverse("missions:bulletin-detail", kwargs={"pk": world.bulletin.pk})


def test_it_lets_a_coordinator_circulate_from_the_bulletin_page(world, clients):
    from tests import factories as f

    f.BulletinNoticeFactory(bulletin=world.bulletin, agency=world.agency_a)
    page = reverse("missions:bulletin-detail", kwargs={"pk": world.bulletin.pk})
    assert "Circulate to our officers" in clients.coord_a.get(page).content.decode()
    response = clients.coord_a.post(reverse("missions:bulletin-circulate", kwargs={"pk": world.bulletin.pk}),
                                    follow=True)
    html = response.content.decode()
    assert "circulated to 1 officer of Agency A Police" in html
    assert 'data-testid="circulated"' in html and "Circulate to our officers" not in html


@pytest.mark.parametrize(
    "url_name,button",
    [("missions:bulletin-list", "New bulletin"), ("missions:mission-list", "New mission")],
)
def test_it_offers_the_create_buttons_to_ipo_staff_only(world, clients, url_name, button):
    assert button in clients.ipo.get(reverse(url_name)).content.decode()
    for persona in ("coord_a", "officer_x"):
        assert button not in getattr(clients, persona).get(reverse(url_name)).content.decode()


def test_it_offers_editing_a_mission_to_ipo_staff_only(world, clients):
    page = reverse("missions:mission-detail", kwargs={"pk": world.mission.pk})
    assert "Edit mission" in clients.ipo.get(page).content.decode()
    assert "Edit mission" not in clients.coord_a.get(page).content.decode()
