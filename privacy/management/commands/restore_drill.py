from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from privacy.restore_drill import DrillError, restore_drill


class Command(BaseCommand):
    help = (
        "Restore the database (or a dump file) into a new database, run reapply_erasures, "
        "verify_keys and verify_access_log against it, then drop it (PostgreSQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dump", help="a pg_dump file (custom format) to restore instead of a fresh dump"
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep the drill database (to look at it)"
        )

    def handle(self, *args, dump=None, keep=False, **options):
        try:
            report = restore_drill(dump=Path(dump) if dump else None, keep=keep)
        except DrillError as error:
            raise CommandError(str(error)) from None
        for step in report.steps:
            self.stdout.write(f"{'OK' if step.ok else 'FAILED'}  {step.name}: {step.said}")
        where = "dropped" if report.dropped else "kept"
        if not report.ok:
            raise CommandError(f"Restore drill FAILED (database {report.database} {where}).")
        self.stdout.write(f"Restore drill passed (database {report.database} {where}).")
