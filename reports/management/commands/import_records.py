"""Import past records from a folder of CSV files (issue 12; the format is in README.md)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reports.importing import ImportRefused, import_records


class Command(BaseCommand):
    help = (
        "Import facilities, clients, stays, programmes, enrolments, placements and follow-ups "
        "from the CSV files of DIR: all of it in one transaction, or nothing and the errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="the folder with the CSV files")
        parser.add_argument(
            "--by", required=True, help="username of the staff member who imports (history)"
        )

    def handle(self, *args, directory, by, **options):
        folder = Path(directory)
        if not folder.is_dir():
            raise CommandError(f"{directory} is not a folder.")
        user = get_user_model().objects.filter(username=by, is_active=True).first()
        if user is None or user.organisation_id is None:
            raise CommandError(f"No active user {by!r} with an organisation.")
        try:
            created = import_records(
                directory=folder,
                by=user,
                organisation=user.organisation,
                progress=lambda step: self.stdout.write(str(step)),
            )
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(refused.errors)} error(s): nothing was imported.") from None
        summary = ", ".join(f"{name} {count}" for name, count in created.items())
        self.stdout.write(f"Imported: {summary}.")
