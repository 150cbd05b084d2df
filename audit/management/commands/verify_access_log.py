"""Check the access log's hash chain; exit non-zero naming the first broken row."""

from django.core.management.base import BaseCommand, CommandError

from audit.verify import access_log_verify


class Command(BaseCommand):
    help = "Verify the access log's hash chain and name the first broken entry."

    def handle(self, *args, **options):
        result = access_log_verify()
        if result.broken:
            raise CommandError(f"Access log {result.broken}")
        self.stdout.write(f"OK: {result.entries} entries, chain intact")
