"""`manage.py retention [--dry-run] [--today YYYY-MM-DD]`: anonymise the officers past the retention
period (or, with --dry-run, list them and change nothing). The report names officers by id and
agency only, never by name: it ends up in logs."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from privacy.services import retention_run


class Command(BaseCommand):
    help = "Anonymise the officers with no application or deployment activity for ROSTER_RETENTION_YEARS."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List who is due; change nothing.")
        parser.add_argument("--today", help="Count the period up to this day (YYYY-MM-DD) instead of today.")

    def handle(self, *args, dry_run=False, today=None, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today: not a date (YYYY-MM-DD): {today!r}")
        report = retention_run(dry_run=dry_run, today=day)
        self.stdout.write(
            f"Retention period: {report.years} years; last activity before {report.cutoff.isoformat()} "
            f"(on {report.today.isoformat()})."
        )
        noun = "officer" if len(report.due) == 1 else "officers"
        if dry_run:
            self.stdout.write(f"Dry run: {len(report.due)} {noun} due for anonymisation; nothing was changed.")
        else:
            self.stdout.write(f"{len(report.due)} {noun} due; {len(report.anonymised)} anonymised.")
        for row in report.due:
            self.stdout.write(
                f"  officer {row.officer_id}  agency {row.agency}  last activity {row.last_activity.isoformat()}"
                f"  due since {row.due_since.isoformat()}"
            )
        if report.skipped:
            self.stdout.write(f"Skipped (no longer due): {', '.join(map(str, report.skipped))}")
        if report.failed:
            self.stderr.write(self.style.ERROR(f"Failed: {', '.join(map(str, report.failed))} (see the log)."))
