"""`manage.py api_demo_tokens --out FILE`: make an API token for each demo login (IPO staff, the
coordinator, the officer) and write them to FILE as JSON {role: token}, readable by its owner only.
A token is shown only once, so a script that calls the API as each role (the Schemathesis step of
.ci/run) makes its own. Only the demo logins of `manage.py seed_demo` get one."""

import json
import os

from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken, User
from accounts.services import API_TOKEN_DAYS, api_token_create

DEMO_LOGINS = {"ipo_staff": "ipo@demo.example", "coordinator": "coordinator@demo.example",
               "officer": "officer@demo.example"}


class Command(BaseCommand):
    help = "Make an API token for each demo login and write them to a file (JSON: role -> token)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="File to write the tokens to (made readable by you only).")
        parser.add_argument("--scope", default=ApiToken.Scope.READ_WRITE, choices=ApiToken.Scope.values)
        parser.add_argument("--days", type=int, default=API_TOKEN_DAYS[0], choices=API_TOKEN_DAYS)
        parser.add_argument("--name", default="demo")

    def handle(self, *args, out, scope, days, name, **options):
        tokens = {}
        for role, email in DEMO_LOGINS.items():
            user = User.objects.filter(email=email, is_active=True).first()
            if user is None:
                raise CommandError(f"No active demo login {email}: run `manage.py seed_demo` first.")
            tokens[role] = api_token_create(user=user, name=name, scope=scope, days=days)[1]
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            json.dump(tokens, handle)
        self.stdout.write(f"{len(tokens)} tokens written to {out}")
