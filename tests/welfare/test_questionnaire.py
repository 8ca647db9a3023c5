"""The return questionnaire: the officer of an ended tour answers it once; nobody else reads it one by one."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.welfare.conftest import ANSWERS, ended_tour
from welfare import selectors, services
from welfare.models import ReturnQuestionnaire, fiscal_year_of

pytestmark = pytest.mark.django_db

FORM = {**{k: str(v) for k, v in ANSWERS.items()}, "comments": "Great tour.", "comments_shareable": "on"}


def test_the_officer_answers_once_per_ended_tour(world):
    tour = ended_tour(world.officer_x)
    row = services.questionnaire_submit(user=world.user_x, deployment=tour, answers=ANSWERS)
    assert row.officer == world.officer_x and row.returned_on == tour.actual_end_date
    assert row.fiscal_year == fiscal_year_of(tour.actual_end_date)
    with pytest.raises(ValidationError, match="already answered"):
        services.questionnaire_submit(user=world.user_x, deployment=tour, answers=ANSWERS)


def test_the_fiscal_year_runs_from_april_to_march():
    import datetime as dt

    assert fiscal_year_of(dt.date(2025, 3, 31)) == 2024
    assert fiscal_year_of(dt.date(2025, 4, 1)) == 2025


def test_nobody_answers_for_the_officer_nor_about_a_tour_still_running(world):
    tour = ended_tour(world.officer_x)
    for user in (world.ipo, world.coord_a, world.user_y):
        with pytest.raises(PermissionDenied):
            services.questionnaire_submit(user=user, deployment=tour, answers=ANSWERS)
    with pytest.raises(PermissionDenied):
        services.questionnaire_submit(user=world.user_x, deployment=world.dep_x, answers=ANSWERS)


def test_an_answer_out_of_the_scale_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.questionnaire_submit(user=world.user_x, deployment=ended_tour(world.officer_x),
                                      answers={**ANSWERS, "leadership": 9, "go_again": "maybe"})
    assert {"leadership", "go_again"} <= set(exc.value.message_dict)


def test_comments_are_shareable_only_when_there_are_comments(world):
    row = services.questionnaire_submit(user=world.user_x, deployment=ended_tour(world.officer_x),
                                        answers={**ANSWERS, "comments": "  ", "comments_shareable": True})
    assert row.comments == "" and row.comments_shareable is False


def test_the_officer_answers_on_the_page_and_then_reads_their_answers(world, clients):
    tour = ended_tour(world.officer_x)
    url = f"/welfare/questionnaire/{tour.pk}/"
    form = clients.officer_x.get(url).content.decode()
    assert form.count('type="radio"') == 6 * 5 + 4 + 5 + 3 + 3
    missing = clients.officer_x.post(url, {**FORM, "leadership": ""})
    assert missing.status_code == 200 and "Choose an answer." in missing.content.decode()
    assert clients.officer_x.post(url, FORM).status_code == 302
    row = ReturnQuestionnaire.objects.get()
    assert (row.leadership, row.responsibilities, row.comments_shareable) == (4, "more", True)
    answers = clients.officer_x.get(url).content.decode()
    assert 'data-testid="my-answers"' in answers and "Great tour." in answers and "Considerably" in answers
    assert clients.officer_x.post(url, FORM).status_code == 302  # a second answer is refused
    assert ReturnQuestionnaire.objects.count() == 1


def test_nobody_else_reads_an_officers_answers_one_by_one(world, clients):
    tour = ended_tour(world.officer_x)
    services.questionnaire_submit(user=world.user_x, deployment=tour, answers={**ANSWERS, "comments": "Secret"})
    for persona in ("ipo", "coord_a"):
        assert getattr(clients, persona).get(f"/welfare/questionnaire/{tour.pk}/").status_code == 403
        assert not selectors.questionnaire_visible_to(getattr(world, persona)).exists()
    assert clients.coord_b.get(f"/welfare/questionnaire/{tour.pk}/").status_code == 404
    assert clients.officer_y.get(f"/welfare/questionnaire/{tour.pk}/").status_code == 404


def test_my_returns_lists_each_ended_tour_with_its_questionnaire(world, clients):
    tour = ended_tour(world.officer_x)
    page = clients.officer_x.get("/welfare/my-returns/").content.decode()
    assert f"/welfare/questionnaire/{tour.pk}/" in page and "Answer the return questionnaire" in page
    assert "Debriefing" in page  # the plan started when the page loaded
    services.questionnaire_submit(user=world.user_x, deployment=tour, answers=ANSWERS)
    assert "See your answers" in clients.officer_x.get("/welfare/my-returns/").content.decode()


def test_anonymising_an_officer_erases_their_welfare_free_text_and_keeps_the_figures(world, settings):
    from notifications.models import OutgoingMail

    settings.ROSTER = {**settings.ROSTER, "IPO_DUTY_EMAIL": "duty@ipo.example"}
    services.checkin_create(user=world.user_x, status="urgent", note="My wife is ill", contact="+509", shared=True)
    world.dep_x.checkins.update(follow_up_note="Called her")
    services.checkin_create(user=world.user_y, status="urgent", note="Other officer", contact="+1")
    said = {**ANSWERS, "comments": "Named my colleague", "comments_shareable": True}
    row = services.questionnaire_submit(user=world.user_x, deployment=ended_tour(world.officer_x), answers=said)
    other = services.questionnaire_submit(user=world.user_y, deployment=ended_tour(world.officer_y),
                                          answers={**ANSWERS, "comments": "Kept"})
    assert services.officer_welfare_erase(officer_id=world.officer_x.pk) == {
        "checkins": 1, "questionnaires": 1, "messages": 2}  # the duty desk's and coordinator A's alerts
    checkin = world.dep_x.checkins.get()
    assert (checkin.note, checkin.contact, checkin.follow_up_note, checkin.status) == ("", "", "", "urgent")
    mails = OutgoingMail.objects.filter(kind="welfare_urgent")
    for mail in mails:
        said_there = mail.subject + mail.body_text + mail.body_html
        assert "My wife is ill" not in said_there and "Xavier" not in said_there
    assert sum("Other officer" in mail.body_text for mail in mails) == 1  # officer Y's alert is kept
    row.refresh_from_db()
    other.refresh_from_db()
    assert (row.comments, row.comments_shareable, row.leadership) == ("", False, 4)
    assert other.comments == "Kept"
