from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Erase, through the vault's erasure, the people whose records have outlived the retention "
        "periods, shred the documents past their own period, and prune the access log behind a "
        "signed anchor (run daily by a timer). "
        "--dry-run lists what it would do: counts and ids only."
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
        shred = "Would shred" if dry_run else "Shredded"
        files = len(run.files) if dry_run else run.files_shredded
        self.stdout.write(
            f"{shred} {files} documents of people who stay (case closed before "
            f"{run.documents_before})."
        )
        self.stdout.write(_access_log(run))
        # The erasures stand; the refused prune must reach whoever watches the timer.
        if run.access_log_refused:
            raise CommandError(f"Access log not pruned: {run.access_log_refused}")


def _access_log(run) -> str:
    expired = f"Access log: {run.access_log_expired} entries older than {run.access_log_before}"
    anchor = run.access_log_anchor
    if anchor is None:
        if run.access_log_expired:
            return f"{expired}; kept: no signed anchor older than {run.access_log_before}."
        return f"{expired}."
    behind = f"behind the anchor of seq {anchor.seq} at {anchor.at}"
    if len(run.access_log_anchors) > 1:
        # One anchor a chain (audit/prune.py): each named, so no chain's cut goes unsaid.
        each = "; ".join(
            f"chain {chain}: seq {one.seq} at {one.at}" for chain, one in run.access_log_anchors
        )
        behind = f"behind the anchors of {len(run.access_log_anchors)} chains ({each})"
    if run.dry_run:
        return f"{expired}; would prune {run.access_log_prunable} {behind}."
    if run.access_log_refused:
        return f"{expired}; none pruned."
    return f"{expired}; pruned {run.access_log_pruned} {behind}."
