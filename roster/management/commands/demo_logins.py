"""`manage.py demo_logins`: print the demo logins, their password and the local URL."""

import os

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from agencies.models import User

from . import _demo_data as data


class Command(BaseCommand):
    help = "Print the three demo logins (see seed_demo) and where to sign in."

    def handle(self, *args, **options):
        port = os.environ.get("PORT", "8000").strip() or "8000"
        emails = [email for _, email in data.DEMO_LOGINS]
        try:
            present = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        except DatabaseError:  # not migrated yet
            present = set()
        rows = [("Role", "Email", "Password")] + [
            (role, email, data.PASSWORD) for role, email in data.DEMO_LOGINS
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        rule = "+".join("-" * (w + 2) for w in widths)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo logins: http://127.0.0.1:{port}/"))
        self.stdout.write(f"+{rule}+")
        for i, row in enumerate(rows):
            self.stdout.write("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
            if i == 0:
                self.stdout.write(f"+{rule}+")
        self.stdout.write(f"+{rule}+")
        missing = [email for _, email in data.DEMO_LOGINS if email not in present]
        if missing:
            self.stdout.write(self.style.WARNING(
                f"Not in this database yet: {', '.join(missing)}. Run `manage.py seed_demo` first."
            ))
        self.stdout.write("")
