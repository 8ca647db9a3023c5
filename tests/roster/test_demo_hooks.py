"""seed_demo runs the demo seeders that higher apps register (roster.demo_hooks)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from roster import demo_hooks

pytestmark = pytest.mark.django_db


def test_a_registered_seeder_runs_once_with_the_demo_clock_and_its_lines_are_printed(monkeypatch):
    calls = []

    def seed(*, today, now, rng):
        calls.append((today, timezone.localtime(now).date(), rng.random() < 1))  # the same day, locally
        return [("Things from above", 3)]

    monkeypatch.setattr(demo_hooks, "_SEEDERS", {**demo_hooks._SEEDERS, "test": seed})
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert len(calls) == 1 and calls[0][0] == calls[0][1] and calls[0][2]
    assert "Things from above" in out.getvalue()
