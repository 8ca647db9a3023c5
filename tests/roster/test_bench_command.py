"""`manage.py bench_pages`: grows the demo data with synthetic officers, then times the main pages."""

import re
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from agencies.models import Officer
from roster.models import Application, ApplicationEvent, ApplicationStatus, Deployment

pytestmark = pytest.mark.django_db

EXPECTED = {
    "ipo": {"/", "/bulletins/", "/missions/", "/officers/", "/roster/", "/dashboard/", "/outbox/",
            "/exports/roster.csv"},
    "coordinator": {"/", "/bulletins/", "/missions/", "/officers/", "/roster/", "/dashboard/",
                    "/agency/applications/"},
    "officer": {"/", "/bulletins/", "/missions/", "/my/applications/"},
}
ROW = re.compile(r"^(ipo|coordinator|officer)\s+(\S+)\s+(\d{3})\s+(\d+)\s+[\d.]+\s+[\d.]+\s+\d+$")


def bench(*args):
    out = StringIO()
    call_command("bench_pages", *args, "--requests", "2", "--warmup", "0", stdout=out, stderr=StringIO())
    return out.getvalue()


def table(output):
    """{role: {url: (status, queries)}} from the printed table."""
    pages = defaultdict(dict)
    for line in output.splitlines():
        if m := ROW.match(line.strip()):
            pages[m[1]][m[2]] = (int(m[3]), int(m[4]))
    return pages


def assert_no_overlapping_deployments():
    spans = defaultdict(list)
    for officer_id, start, planned, actual in Deployment.objects.values_list(
        "officer_id", "start_date", "planned_end_date", "actual_end_date"
    ):
        spans[officer_id].append((start, actual or planned))
    for officer_id, ranges in spans.items():
        ranges.sort()
        for (_s1, e1), (s2, _e2) in zip(ranges, ranges[1:], strict=False):
            assert e1 <= s2, f"officer {officer_id} has overlapping deployments: {ranges}"


def test_it_refuses_to_grow_without_the_demo_data():
    with pytest.raises(CommandError, match="seed_demo"):
        bench("--grow", "5")
    assert not Officer.objects.exists()


def test_it_grows_the_demo_data_and_every_page_answers_200():
    call_command("seed_demo", stdout=StringIO(), stderr=StringIO())
    before = Officer.objects.count()

    output = bench("--grow", "50")

    assert Officer.objects.count() == before + 50
    bench_officers = Officer.objects.filter(badge_number__startswith="BENCH-")
    assert bench_officers.count() == 50
    assert bench_officers.filter(first_name="Bench", last_name="Officer 00001", badge_number="BENCH-00001").exists()
    assert set(bench_officers.annotate(n=Count("clearances")).values_list("n", flat=True)) == {2}
    deployed = Deployment.objects.filter(officer__in=bench_officers)
    assert 20 <= deployed.count() <= 30
    assert deployed.filter(status="completed").exists()
    assert_no_overlapping_deployments()
    apps = Application.objects.filter(officer__in=bench_officers)
    assert 12 <= apps.count() <= 20
    assert set(apps.values_list("status", flat=True)) <= {ApplicationStatus.SUBMITTED, ApplicationStatus.ENDORSED}
    assert set(apps.values_list("bulletin__status", flat=True)) <= {"published", "closed"}
    assert ApplicationEvent.objects.filter(application__in=apps).count() == apps.count()

    pages = table(output)
    for role, urls in EXPECTED.items():
        assert urls <= set(pages[role]), (role, output)
        assert all(status == 200 for status, _queries in pages[role].values()), output
    assert any(url.endswith("/pipeline/") for url in pages["ipo"])
    assert all(queries > 0 for role in pages.values() for _status, queries in role.values())
    assert "Warning" not in output  # the warning goes to stderr

    bench("--grow", "50")

    assert Officer.objects.count() == before + 100
    badges = list(Officer.objects.filter(badge_number__startswith="BENCH-").values_list("badge_number", flat=True))
    assert len(badges) == len(set(badges)) == 100
    assert "BENCH-00100" in badges
    assert_no_overlapping_deployments()
