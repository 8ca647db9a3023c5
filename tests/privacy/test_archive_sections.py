"""What the apps above privacy hold on an officer is in the Privacy Act archive too (privacy.hooks):
welfare (check-ins, return plans, return questionnaires) and the costs claimed for their tours, each
as its requester may read it on the app's pages, in a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from privacy import hooks
from privacy.archive import officer_record
from tests.ledger.conftest import file_claim, pdf, tours  # noqa: F401 (a fixture)
from tests.privacy.conftest import open_zip, record_json, report_html
from tests.welfare.conftest import answered, ended_tour, make_checkin
from welfare import services as welfare_services

MY_RECORD = reverse("privacy:my-record")
CHECKIN_NOTE = "Water supply cut in the camp since Monday."
FOLLOW_UP = "Called the contingent commander; resolved."
COMMENTS = "The mentoring of the Haitian police cadets was the best of my career."


@pytest.fixture
def welfare_record(world, tours):  # noqa: F811
    urgent = make_checkin(world.dep_x, "urgent", days_ago=3, note=CHECKIN_NOTE, contact="+509 3700 0000")
    welfare_services.checkin_follow_up(checkin=urgent, actor=world.ipo, note=FOLLOW_UP)
    make_checkin(world.dep_x, "well", days_ago=1)
    make_checkin(world.dep_y, "urgent", note="Officer Y's own note.")
    ended_tour(world.officer_x, mission=world.mission, ended_days_ago=40)
    plans = welfare_services.return_plans_start(invite=False)
    world.plan = next(p for p in plans if p.officer_id == world.officer_x.pk)
    world.questionnaire = answered(world.officer_x, comments=COMMENTS, leadership=5)
    world.claim = file_claim(world.tour_x, world.coord_a, documents=[pdf("pay-x.pdf")])
    file_claim(world.tour_y, world.coord_b)
    return world


def test_the_officer_s_copy_holds_their_welfare_and_their_answers_but_not_ipo_s_follow_up(welfare_record, clients):
    archive = open_zip(clients.officer_x.get(MY_RECORD))
    data, report = record_json(archive), report_html(archive)
    checkins = data["welfare"]["checkins"]
    assert [c["status"] for c in checkins] == ["urgent", "well"]
    assert checkins[0]["note"] == CHECKIN_NOTE and checkins[0]["followed_up_at"]
    assert checkins[0]["follow_up_note"] is None and FOLLOW_UP not in report  # IPO's internal follow-up
    assert "Officer Y" not in report
    steps = [s["step"] for plan in data["welfare"]["return_plans"] for s in plan["steps"]]
    assert "debriefing" in steps and "psych_6m" in steps
    (answers,) = data["welfare"]["questionnaires"]
    assert answers["leadership"] == 5 and answers["comments"] == COMMENTS
    assert CHECKIN_NOTE in report and COMMENTS in report and "Psychological follow-up at 6 months" in report
    assert 'href="#welfare"' in report
    # the agency's claims are not the officer's to read on the ledger: not in their copy either
    assert "cost_claims" not in data and "pay-x.pdf" not in report
    assert not [n for n in archive.namelist() if n.startswith("documents/claims/")]


def test_ipo_staff_s_copy_holds_the_follow_ups_and_claims_but_never_the_anonymous_answers(welfare_record, clients):
    archive = open_zip(clients.ipo.get(reverse("privacy:officer-record", args=[welfare_record.officer_x.pk])))
    data, report = record_json(archive), report_html(archive)
    assert data["welfare"]["checkins"][0]["follow_up_note"] == FOLLOW_UP and FOLLOW_UP in report
    assert "questionnaires" not in data["welfare"] and COMMENTS not in report
    assert "anonymous to IPO staff" in report
    (claim,) = data["cost_claims"]
    assert claim["salary"] == "20000.00" and claim["currency"] == "CAD" and claim["status"] == "submitted"
    (document,) = claim["documents"]
    assert document["name"] == "pay-x.pdf" and document["file"] in archive.namelist()
    assert archive.read(document["file"]).startswith(b"%PDF")
    assert "$20,000.00" in report and f'href="{document["file"]}"' in report


def test_in_french_the_sections_read_in_french(welfare_record, clients):
    welfare_record.user_x.preferred_language = "fr"
    welfare_record.user_x.save()
    response = clients.officer_x.get(MY_RECORD, HTTP_ACCEPT_LANGUAGE="fr")
    report = report_html(open_zip(response))
    assert "Suivi psychologique à 6 mois" in report or "6 mois" in report
    assert "Welfare and return" not in report and "Check-ins" not in report


def _count(world, user):
    with CaptureQueriesContext(connection) as ctx:
        officer_record(world.officer_x, user)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["ipo", "user_x"])
def test_the_sections_cost_the_same_queries_for_few_rows_and_many(welfare_record, who):
    user = getattr(welfare_record, who)
    small = _count(welfare_record, user)
    for i in range(5):
        make_checkin(welfare_record.dep_x, "concern", days_ago=10 + i, note=f"n{i}")
        answered(welfare_record.officer_x, ended_on=timezone.localdate() - dt.timedelta(days=100 + i))
    welfare_services.return_plans_start(invite=False)
    tour = welfare_record.tour_x
    for start in (dt.date(2024, 7, 1), dt.date(2024, 10, 1)):
        file_claim(tour, welfare_record.coord_a, period_start=start, documents=[pdf("a.pdf"), pdf("b.pdf")])
    assert _count(welfare_record, user) == small


def test_a_registered_section_is_in_the_json_the_report_and_the_zip(world, clients, monkeypatch):
    document = world.app_x.documents.create(file="x.pdf", original_name="ghost.pdf", size=1)  # not in storage

    def provider(officer, user):
        if officer.pk != world.officer_x.pk:
            return None
        link = hooks.ArchiveLink("ghost.pdf", "documents/t/g.pdf")
        table = hooks.ArchiveTable(caption="Test rows", columns=["Day", "Done", "File"],
                                   rows=[[dt.date(2026, 3, 4), True, link]])
        return hooks.ArchiveSection(key="test_section", title="Test section", data={"n": 1}, tables=[table],
                                    files=[(document, "documents/t/g.pdf")])

    monkeypatch.setitem(hooks._ARCHIVE_SECTIONS, "test", provider)
    archive = open_zip(clients.officer_x.get(MY_RECORD))
    assert record_json(archive)["test_section"] == {"n": 1}
    report = report_html(archive)
    assert 'id="test_section"' in report and "Test section" in report and "March 4, 2026" in report
    assert "ghost.pdf <span" in report and "could not be found" in report  # missing from storage: no link
    assert "documents/t/g.pdf" not in archive.namelist()
