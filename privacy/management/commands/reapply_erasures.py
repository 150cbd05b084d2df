from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from privacy.services import reapply_erasures


class Command(BaseCommand):
    help = "After restoring a backup: erase again every subject named in the erasure ledger file."

    def add_arguments(self, parser):
        parser.add_argument("--ledger", help="path of the ledger (default PRZYSTAN_ERASURE_LEDGER)")

    def handle(self, *args, ledger=None, **options):
        path = Path(ledger) if ledger else settings.PRZYSTAN_ERASURE_LEDGER
        if not path.exists():
            raise CommandError(f"No erasure ledger at {path}.")
        lines = path.read_text(encoding="utf-8").splitlines()
        count = reapply_erasures(lines)
        self.stdout.write(
            f"Ledger has {sum(1 for x in lines if x.strip())} erasures; re-applied {count}."
        )
