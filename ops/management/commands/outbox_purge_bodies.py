"""`manage.py outbox_purge_bodies [--dry-run] [--batch-size N]`: delete the content of old delivered
messages (also run every night by beat: "outbox-purge-bodies")."""

from django.core.management.base import BaseCommand, CommandError

from notifications.services import outbox_purge_bodies


class Command(BaseCommand):
    help = (
        "Delete the content of the outbox messages delivered more than ROSTER_OUTBOX_BODY_RETENTION_DAYS days "
        "ago (default 90): their text and HTML bodies and last error are emptied, and their subject, which may "
        "name someone, is replaced by a note. The delivery record (recipient, kind, dates, Message-ID) stays. "
        "In batches, one transaction each; running it again changes nothing more. --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count the messages due; change nothing.")
        parser.add_argument("--batch-size", type=int, default=500, metavar="N",
                            help="Messages per transaction (default 500).")

    def handle(self, *args, dry_run=False, batch_size=500, **options):
        try:
            report = outbox_purge_bodies(dry_run=dry_run, batch_size=batch_size)
        except ValueError as exc:
            raise CommandError(str(exc))
        cutoff = report.cutoff.isoformat(timespec="seconds")
        if dry_run:
            self.stdout.write(f"Dry run: {report.due} delivered messages sent before {cutoff} ({report.days} days) "
                              "would lose their content; nothing was changed.")
        else:
            self.stdout.write(f"Content deleted from {report.purged} delivered messages sent before {cutoff} "
                              f"({report.days} days).")
