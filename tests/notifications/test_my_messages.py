import pytest
from django.urls import reverse

from notifications.models import OutgoingMail
from notifications.selectors import mail_visible_to
from roster import services

pytestmark = pytest.mark.django_db


def message(to, user=None, n=0):
    return OutgoingMail.objects.create(
        to=to, user=user, subject=f"Subject {n}", body_text="Body https://roster.example/x",
        message_id=f"<{to}-{n}@test>",
    )


def test_it_shows_a_person_only_their_own_messages(world):
    mine = message(world.user_x.email, world.user_x)
    by_address = message(world.user_x.email.upper(), None, 1)
    message(world.user_y.email, world.user_y)
    assert set(mail_visible_to(world.user_x)) == {mine, by_address}


def test_it_lists_and_opens_the_officers_messages_from_each_transition(
    world, clients, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.application_transition(application=world.app_x, to="endorsed", actor=world.coord_a,
                                         release_confirmed=True)
    html = clients.officer_x.get(reverse("notifications:my-messages")).content.decode()
    assert "Endorsed by agency" in html
    mail = OutgoingMail.objects.get(to=world.user_x.email)
    detail = clients.officer_x.get(reverse("notifications:my-message-detail", args=[mail.pk]))
    assert detail.status_code == 200 and "Endorsed by agency" in detail.content.decode()
    assert clients.officer_y.get(reverse("notifications:my-message-detail", args=[mail.pk])).status_code == 404
    assert clients.coord_b.get(reverse("notifications:my-message-detail", args=[mail.pk])).status_code == 404


@pytest.mark.parametrize("n", [1, 60])
def test_the_list_runs_a_constant_number_of_queries(world, clients, django_assert_num_queries, n):
    for i in range(n):
        message(world.user_x.email, world.user_x, i)
    with django_assert_num_queries(3):  # session, user, the page (no COUNT)
        response = clients.officer_x.get(reverse("notifications:my-messages"))
    page = response.context["page"]
    assert response.status_code == 200 and len(page.object_list) == min(n, 25)
    if n > 25:
        with django_assert_num_queries(3):
            response = clients.officer_x.get(reverse("notifications:my-messages"), {"after": page.next_cursor})
        assert len(response.context["page"].object_list) == 25
