"""`manage.py check_deployment`: is this configuration fit for production? One OK/FAIL line per check."""

from django.core.management.base import BaseCommand, CommandError

from ops.deployment import run_checks


class Command(BaseCommand):
    help = (
        "Check the configuration for production: secrets (SECRET_KEY not the default nor short, DEBUG off), "
        "SITE_URL on https, ALLOWED_HOSTS, mail (a real SMTP server, which answers a NOOP), the Celery broker "
        "(reachable), the private storage (PRIVATE_MEDIA_ROOT writable and outside the static files), the "
        "database (reachable, migrations applied) and Django's `check --deploy`. Prints OK or FAIL per line, "
        "never a secret; exits 1 if anything failed. Run it with the production settings and environment."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                            help="How long to wait for the SMTP server and the broker (default 5).")

    def handle(self, *args, timeout=5.0, **options):
        if timeout <= 0:
            raise CommandError("--timeout must be more than 0.")
        findings = run_checks(timeout=timeout)
        for f in findings:
            mark = self.style.SUCCESS("OK  ") if f.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {f.name}: {f.detail}")
        failed = [f.name for f in findings if not f.ok]
        if failed:
            raise CommandError(f"{len(failed)} of {len(findings)} checks failed: {', '.join(failed)}.")
        self.stdout.write(self.style.SUCCESS(f"All {len(findings)} checks passed."))
