"""The benchmark's "who could go?" line (issue 13): planning.candidates.selectors.who_could_go for the
biggest draft or open bulletin (most positions, then the latest), over every generated officer,
timed in-process (median of a few calls after a warm-up) with its query count; and the same with a
what-if (two years of service less), as the page computes it."""

from __future__ import annotations

import copy
import statistics
import time

from . import report


def biggest_bulletin():
    from django.db.models import Q
    from django.utils import timezone

    from missions.models import Bulletin

    return (Bulletin.objects.filter(Q(status=Bulletin.Status.DRAFT)
                                    | Q(status=Bulletin.Status.PUBLISHED, closes_at__gt=timezone.now()))
            .select_related("mission").order_by("-positions", "-pk").first())


def _timed(call, samples: int) -> tuple[float, int, object]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm-up: imports, translations
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    return statistics.median(times), len(queries), result


def measure(samples: int = 5) -> list[dict]:
    """Rows for the report: what was timed, the bulletin, officers counted, eligible, median ms, queries."""
    from planning.candidates.evaluate import Population
    from planning.candidates.selectors import clearance_kinds_of, who_could_go
    from planning.candidates.whatif import compare

    bulletin = biggest_bulletin()
    if bulletin is None:
        return []
    ms, queries, summary = _timed(lambda: who_could_go(bulletin), samples)
    rows = [dict(label="who could go?", reference=bulletin.reference, status=bulletin.status,
                 officers=summary.officers, eligible=summary.eligible, ms=ms, queries=queries)]
    variant = copy.copy(bulletin)
    variant.min_years_service = max(0, (bulletin.min_years_service or 0) - 2)

    def with_what_if():
        population = Population.load(clearance_kinds=clearance_kinds_of(bulletin, variant))
        found = who_could_go(bulletin, population=population)
        compare(population, bulletin, variant)
        return found

    ms, queries, summary = _timed(with_what_if, samples)
    rows.append(dict(label="who could go? + what-if (service - 2 years)", reference=bulletin.reference,
                     status=bulletin.status, officers=summary.officers, eligible=summary.eligible, ms=ms,
                     queries=queries))
    return rows


def report_lines(rows: list[dict], samples: int = 5) -> list[str]:
    if not rows:
        return ['"Who could go?": no draft or open bulletin to time.']
    lines = [f'"Who could go?" (planning.candidates, in-process; median of {samples} calls after a warm-up):']
    lines += ["  " + line for line in report.table(
        ("computation", "bulletin", "status", "officers", "eligible", "ms", "queries"),
        [(r["label"], r["reference"], r["status"], f"{r['officers']:,}", f"{r['eligible']:,}",
          report.number(r["ms"]), r["queries"]) for r in rows],
        right=(3, 4, 5, 6),
    )]
    return lines
