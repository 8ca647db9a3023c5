"""`manage.py create_ipo_admin`: the first IPO administrator, from the environment, without a prompt
(the compose `migrate` service runs it at every start)."""

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ops.services import ipo_admin_create


class Command(BaseCommand):
    help = (
        "Create the first IPO administrator (IPO staff with administration rights: staff and superuser) from "
        "the environment: ROSTER_ADMIN_EMAIL, ROSTER_ADMIN_PASSWORD (checked by the password validators), and "
        "optionally ROSTER_ADMIN_NAME (\"First Last\") and ROSTER_ADMIN_LANGUAGE (en or fr). Does nothing when "
        "ROSTER_ADMIN_EMAIL is not set, and leaves a login that already has that email exactly as it is, so it "
        "is safe to run at every start. The password is never printed. Two-step verification is set up at the "
        "first sign-in where it is required."
    )

    def handle(self, *args, **options):
        email = os.environ.get("ROSTER_ADMIN_EMAIL", "").strip()
        if not email:
            self.stdout.write("ROSTER_ADMIN_EMAIL is not set: no administrator to create.")
            return
        try:
            result = ipo_admin_create(
                email=email,
                password=os.environ.get("ROSTER_ADMIN_PASSWORD", ""),
                name=os.environ.get("ROSTER_ADMIN_NAME", ""),
                language=os.environ.get("ROSTER_ADMIN_LANGUAGE", "en").strip() or "en",
            )
        except ValidationError as exc:
            raise CommandError("No administrator created: " + " ".join(exc.messages))
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"IPO administrator created (user id {result.user_id})."))
        else:
            self.stdout.write(f"A login with that email already exists (user id {result.user_id}, role "
                              f"{result.role}): left unchanged.")
