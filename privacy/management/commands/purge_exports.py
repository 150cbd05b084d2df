from django.core.management.base import BaseCommand

from privacy.exports import exports_purge


class Command(BaseCommand):
    help = "Delete the files of data packages past their 24 hours (run it from a timer)."

    def handle(self, *args, **options):
        count = exports_purge()
        self.stdout.write(f"purge_exports: {count} file(s) deleted")
