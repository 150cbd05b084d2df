from django.core.management.base import BaseCommand

from privacy.services import blind_indexes_rebuild


class Command(BaseCommand):
    help = "Recompute every blind index (after PRZYSTAN_INDEX_KEY or the truncation changed)."

    def handle(self, *args, **options):
        count = blind_indexes_rebuild()
        self.stdout.write(f"Recomputed the blind indexes of {count} rows.")
