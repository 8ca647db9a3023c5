"""`manage.py outbox_status [--json] [--max-age SECONDS] [--max-queued N]`: the outbox backlog, for
monitoring and cron alerts."""

import json

from django.core.management.base import BaseCommand, CommandError

from notifications.selectors import outbox_backlog


def _non_negative(value: str) -> int:
    import argparse

    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}")
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value}")
    return number


class Command(BaseCommand):
    help = (
        "Print the outbox backlog: messages queued, sending and failed, batches not yet made into messages, "
        "and the age in seconds of the oldest message waiting to be sent (a queued message or an unfinished "
        "batch). Exits 1 when --max-age or --max-queued is exceeded (for cron and alerting), else 0. "
        "Reads only; prints no address or content."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", dest="as_json",
                            help="Print one JSON object instead of lines of text.")
        parser.add_argument("--max-age", type=_non_negative, metavar="SECONDS",
                            help="Exit 1 if the oldest waiting message is older than this many seconds.")
        parser.add_argument("--max-queued", type=_non_negative, metavar="N",
                            help="Exit 1 if more than N messages are queued.")

    def handle(self, *args, as_json=False, max_age=None, max_queued=None, **options):
        backlog = outbox_backlog()
        age = backlog["oldest_waiting_seconds"]
        problems = []
        if max_age is not None and age is not None and age > max_age:
            problems.append(f"the oldest waiting message is {age} s old (more than {max_age} s)")
        if max_queued is not None and backlog["queued"] > max_queued:
            problems.append(f"{backlog['queued']} messages are queued (more than {max_queued})")
        if as_json:
            self.stdout.write(json.dumps({
                "queued": backlog["queued"],
                "sending": backlog["sending"],
                "failed": backlog["failed"],
                "batches": backlog["batches"],
                "oldest_waiting_seconds": age,
                "oldest_waiting_at": backlog["oldest_waiting_at"].isoformat() if backlog["oldest_waiting_at"] else None,
                "ok": not problems,
                "problems": problems,
            }, sort_keys=True))
        else:
            self.stdout.write(f"queued: {backlog['queued']}")
            self.stdout.write(f"sending: {backlog['sending']}")
            self.stdout.write(f"failed: {backlog['failed']}")
            self.stdout.write(f"batches not fanned out: {backlog['batches']}")
            self.stdout.write(f"oldest waiting (seconds): {'-' if age is None else age}")
        if problems:
            raise CommandError("Outbox over its limits: " + "; ".join(problems) + ".")
