"""Load the synthetic demo data once (idempotent) and print the demo users.

Refuses to run unless PRZYSTAN_DEMO is on: demo passwords are published in the README.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, seed_accounts


class Command(BaseCommand):
    help = "Load synthetic demo data (organisations, one user per role). Safe to run again."

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError(
                "seed_demo creates accounts with published passwords: it runs only with "
                "PRZYSTAN_DEMO=true (make run sets it)."
            )
        with transaction.atomic():
            users = seed_accounts()
        self.stdout.write("")
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for user in users:
            self.stdout.write(f"  {user.username:<12} {user.role_label} · {user.organisation}")
        self.stdout.write("")
