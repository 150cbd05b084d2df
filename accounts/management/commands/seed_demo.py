"""Load the synthetic demo data once (idempotent) and print the demo users.

Refuses to run unless PRZYSTAN_DEMO is on: demo passwords are published in the README.
"""

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from accounts.demo import DEMO_PASSWORD, second_factor_lines, seed_accounts


class Command(BaseCommand):
    help = "Load synthetic demo data (organisations, users, clients...). Safe to run again."

    def handle(self, *args, **options):
        if not settings.DEMO:
            raise CommandError(
                "seed_demo creates accounts with published passwords: it runs only with "
                "PRZYSTAN_DEMO=true (make run sets it)."
            )
        with transaction.atomic():
            users = seed_accounts()
            # Each app may seed its own demo data (AppConfig.demo_seed names a function).
            for config in apps.get_app_configs():
                if getattr(config, "demo_seed", None):
                    created = import_string(config.demo_seed)()
                    if created:
                        self.stdout.write(f"Demo data for {config.label}: {created} created.")
            # Seeds that must see every app's data (a restriction refuses new processing).
            for config in apps.get_app_configs():
                if getattr(config, "demo_seed_after", None):
                    created = import_string(config.demo_seed_after)()
                    if created:
                        self.stdout.write(f"Demo data for {config.label}: {created} created.")
        self.stdout.write("")
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for user in users:
            self.stdout.write(f"  {user.username:<12} {user.role_label} · {user.organisation}")
        self.stdout.write("")
        for line in second_factor_lines():
            self.stdout.write(line)
        self.stdout.write("")
