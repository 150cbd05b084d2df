"""Run an uploaded import that is still waiting (the upload page's job; reports/jobs.py)."""

import uuid

from django.core.management.base import BaseCommand, CommandError

from reports.jobs import JobNotStarted, job_run
from reports.models import ImportJob


class Command(BaseCommand):
    help = (
        "Run the queued import job ID (an upload whose server stopped before it ran): the same "
        "work as the upload page's background thread."
    )

    def add_arguments(self, parser):
        parser.add_argument("job_id", help="the job's id (in its page's address)")
        parser.add_argument(
            "--restart",
            action="store_true",
            help=(
                "run a job shown as running whose server stopped mid-import (its transaction "
                "was rolled back, so nothing of it is stored); make sure no server still runs it"
            ),
        )

    def handle(self, *args, job_id, restart, **options):
        try:
            pk = uuid.UUID(job_id)
        except ValueError:
            raise CommandError(f"{job_id!r} is not a job id.") from None
        status = ImportJob.objects.filter(pk=pk).values_list("status", flat=True).first()
        if status is None:
            raise CommandError(f"No import job {pk}.")
        if status == ImportJob.Status.RUNNING and restart:
            job = ImportJob.objects.get(pk=pk)
            job.status = ImportJob.Status.QUEUED
            job.save(update_fields=["status"])
        elif status != ImportJob.Status.QUEUED:
            raise CommandError(f"The job is {status}, not queued: nothing to run.")
        try:
            job = job_run(pk)
        except JobNotStarted:
            raise CommandError("The database stayed busy: the job is still queued.") from None
        if job.status == ImportJob.Status.DONE:
            summary = ", ".join(
                f"{name} {counts['created']}" for name, counts in job.result.items()
            )
            self.stdout.write(f"Imported: {summary}.")
        elif job.status == ImportJob.Status.FAILED:
            for error in job.errors:
                self.stderr.write(
                    f"{error['file']}, {error['line']}, {error['column']}: {error['message']}"
                )
            raise CommandError(f"{len(job.errors)} error(s): nothing was imported.")
        else:
            raise CommandError(f"The job is {job.status}: another runner took it.")
