import time

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests import factories as f

PASSWORD = "pw-roster-test"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def superuser(db):
    return f.IpoStaffFactory(email="root@example.test", is_superuser=True)


@pytest.fixture
def manager(db):
    """IPO staff given the explicit "manage accounts" permission."""
    user = f.IpoStaffFactory(email="manager@example.test")
    user.user_permissions.add(Permission.objects.get(codename="manage_accounts"))
    return user


def sign_in(client: Client, email: str, password: str = PASSWORD):
    """A real sign-in through the login form (django-axes counts it)."""
    return client.post(reverse("login"), {"username": email, "password": password})


def stale_reauth(client: Client) -> None:
    """As if the password was last given long ago."""
    session = client.session
    session["_reauth_at"] = time.time() - 3600
    session.save()
