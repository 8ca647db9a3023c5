"""The benchmark's "who could go?" line (bench/candidates.py), without a server: which bulletin it
times, what it reports, and the printed table."""

import pytest

from bench import candidates
from missions.models import Bulletin
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_it_times_the_biggest_draft_or_open_bulletin_and_prints_its_query_count(world):
    for _ in range(4):
        f.OfficerFactory(agency=world.agency_a, french_level=4)
    f.BulletinFactory(mission=world.mission, positions=9, status=Bulletin.Status.CLOSED)  # not open: ignored
    biggest = f.BulletinFactory(mission=world.mission, positions=7, status=Bulletin.Status.DRAFT,
                                min_years_service=5, required_language="fr", min_language_level=3)

    rows = candidates.measure(samples=2)

    assert candidates.biggest_bulletin() == biggest
    assert [r["reference"] for r in rows] == [biggest.reference] * 2
    assert rows[0]["officers"] == 6 and rows[0]["eligible"] == 4  # X and Y: French level 2
    assert rows[0]["queries"] == 4 and rows[1]["queries"] == 4  # officers, deployments, selections, pool
    assert all(r["ms"] > 0 for r in rows)
    lines = candidates.report_lines(rows, samples=2)
    assert lines[0].startswith('"Who could go?"') and "median of 2" in lines[0]
    assert lines[1].split() == ["computation", "bulletin", "status", "officers", "eligible", "ms", "queries"]
    assert lines[3].split()[-5:-2] == ["draft", "6", "4"] and lines[3].endswith(" 4")


def test_nothing_to_time_says_so(db):
    assert candidates.measure() == []
    assert candidates.report_lines([]) == ['"Who could go?": no draft or open bulletin to time.']
