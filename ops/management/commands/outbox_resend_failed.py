"""`manage.py outbox_resend_failed [--kind KIND] [--since DATE] [--dry-run]`: queue the failed messages
again, in bulk."""

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.kinds import KIND_LABELS
from notifications.services import mail_resend_failed


def parse_since(value: str):
    """A date (YYYY-MM-DD: from its start, Ottawa time) or an ISO date and time."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since: not a date (YYYY-MM-DD) or date and time (ISO 8601): {value!r}")
    if len(value) <= 10:
        moment = datetime.combine(moment.date(), time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Queue the failed outbox messages again (same Message-ID, attempts reset), all of them or those of one "
        "--kind queued since --since. One transaction; the messages go to the workers after it commits, a task "
        "per batch of messages. --dry-run only counts them. Kinds: " + ", ".join(sorted(KIND_LABELS)) + "."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", default="", help="Only messages of this kind (see above).")
        parser.add_argument("--since", default="", metavar="DATE",
                            help="Only messages queued at or after this date (YYYY-MM-DD) or time (ISO 8601).")
        parser.add_argument("--dry-run", action="store_true", help="Count the messages; change nothing.")

    def handle(self, *args, kind="", since="", dry_run=False, **options):
        kind = kind.strip()
        since_at = parse_since(since.strip()) if since.strip() else None
        ids = mail_resend_failed(kind=kind, since=since_at, dry_run=dry_run)
        what = f" of kind {kind!r}" if kind else ""
        when = f" queued since {since_at.isoformat()}" if since_at else ""
        if dry_run:
            self.stdout.write(f"Dry run: {len(ids)} failed messages{what}{when} would be queued again; "
                              "nothing was changed.")
        else:
            self.stdout.write(f"{len(ids)} failed messages{what}{when} queued again.")
