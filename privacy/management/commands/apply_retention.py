from django.core.management.base import BaseCommand
from django.utils import timezone

from privacy.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Erase, through the vault's erasure, the people whose records have outlived the retention "
        "periods (run daily by a timer). --dry-run lists what it would do: counts and ids only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run, **options):
        run = retention_apply(today=timezone.localdate(), dry_run=dry_run)
        verb = "Would erase" if dry_run else "Erased"
        count = len(run.subjects) if dry_run else run.erased
        self.stdout.write(
            f"{verb} {count} people (case closed before {run.case_closed_before}, no stay ended "
            f"on or after {run.stay_ended_before})."
        )
        for subject_id in run.subjects:
            self.stdout.write(f"  subject {subject_id}")
        self.stdout.write(
            f"Access log: {run.access_log_expired} entries older than {run.access_log_before} "
            "(kept: pruning behind a signed anchor is not built yet)."
        )
