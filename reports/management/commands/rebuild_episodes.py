"""Rebuild every client's episodes (reports.Episode) from the stays, set-based."""

import time

from django.core.management.base import BaseCommand

from reports.episodes import episodes_rebuild


class Command(BaseCommand):
    help = "Rebuild the episodes table from every stay (after a bulk write that sent no signal)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        from reports.models import Episode

        started = time.perf_counter()
        episodes_rebuild(using=database)
        count = Episode.objects.using(database).count()
        self.stdout.write(f"{count} episodes in {time.perf_counter() - started:.1f} s")
