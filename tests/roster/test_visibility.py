"""The visibility matrix: selectors carry the rule; pages answer 404 for what may not be seen."""

import pytest
from django.urls import reverse

from agencies.selectors import officer_visible_to
from roster.selectors import application_visible_to, deployment_visible_to

pytestmark = pytest.mark.django_db


def test_it_shows_ipo_staff_everything(world):
    assert set(officer_visible_to(world.ipo)) == {world.officer_x, world.officer_y}
    assert set(application_visible_to(world.ipo)) == {world.app_x, world.app_y}
    assert set(deployment_visible_to(world.ipo)) == {world.dep_x, world.dep_y}


def test_it_limits_a_coordinator_to_their_agency(world):
    assert list(officer_visible_to(world.coord_a)) == [world.officer_x]
    assert list(application_visible_to(world.coord_a)) == [world.app_x]
    assert list(deployment_visible_to(world.coord_a)) == [world.dep_x]
    assert list(officer_visible_to(world.coord_b)) == [world.officer_y]


def test_it_limits_an_officer_to_themself(world):
    assert list(officer_visible_to(world.user_x)) == [world.officer_x]
    assert list(application_visible_to(world.user_x)) == [world.app_x]
    assert list(deployment_visible_to(world.user_y)) == [world.dep_y]


def test_it_shows_nothing_to_anonymous_or_inactive_users(world):
    from django.contrib.auth.models import AnonymousUser

    assert not officer_visible_to(AnonymousUser()).exists()
    world.user_x.is_active = False
    assert not application_visible_to(world.user_x).exists()


@pytest.mark.parametrize(
    "url_name,obj",
    [
        ("agencies:officer-detail", "officer_y"),
        ("roster:application-detail", "app_y"),
        ("roster:deployment-detail", "dep_y"),
    ],
)
def test_it_answers_404_to_a_coordinator_of_another_agency(world, clients, url_name, obj):
    url = reverse(url_name, kwargs={"pk": getattr(world, obj).pk})
    assert clients.coord_a.get(url).status_code == 404
    assert clients.coord_b.get(url).status_code == 200


@pytest.mark.parametrize(
    "url_name,obj",
    [
        ("agencies:officer-detail", "officer_y"),
        ("roster:application-detail", "app_y"),
        ("roster:deployment-detail", "dep_y"),
    ],
)
def test_it_answers_404_to_another_officer(world, clients, url_name, obj):
    url = reverse(url_name, kwargs={"pk": getattr(world, obj).pk})
    assert clients.officer_x.get(url).status_code == 404
    assert clients.officer_y.get(url).status_code == 200


def test_it_answers_404_for_an_object_that_does_not_exist(clients):
    assert clients.ipo.get(reverse("roster:application-detail", kwargs={"pk": 999999})).status_code == 404
