"""Helpers of the API tests: a token for a login, and a client that sends it."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """The request counts of the throttle (in the cache) start from zero in each test."""
    cache.clear()
    yield
    cache.clear()


def token_for(user, scope="read_write", days=30) -> str:
    from accounts.services import api_token_create

    return api_token_create(user=user, name=f"{user.email} test", scope=scope, days=days)[1]


def api_client(user=None, *, scope="read_write", token: str | None = None, language: str | None = None) -> APIClient:
    """A client calling with an API token of `user` (or `token`); anonymous with neither."""
    client = APIClient()
    raw = token or (token_for(user, scope=scope) if user is not None else None)
    headers = {}
    if raw:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    if language:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    client.credentials(**headers)
    return client


@pytest.fixture
def api(world):
    """A token client per persona of the world (tests/conftest.py)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        anonymous=api_client(),
        ipo=api_client(world.ipo),
        coord_a=api_client(world.coord_a),
        coord_b=api_client(world.coord_b),
        officer_x=api_client(world.user_x),
        officer_y=api_client(world.user_y),
    )
