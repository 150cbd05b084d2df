from django.core.management.base import BaseCommand, CommandError

from privacy.services import BindReport, ciphertexts_bind


class Command(BaseCommand):
    help = (
        "Rewrite the field values sealed before row binding (ciphertext version 1) bound to their "
        "row (version 2). Never changes a value; safe to stop and run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        report = BindReport()
        for done in ciphertexts_bind(batch_size=batch_size, report=report):
            if options["verbosity"] > 1:
                self.stdout.write(f"  {done} bound")
        summary = (
            f"Bound {report.bound} values to their rows; left as they are: {report.erased} of "
            "erased people."
        )
        if report.failed:
            first = ", ".join(report.failed[:10])
            raise CommandError(f"{summary} {len(report.failed)} values do not open ({first}).")
        self.stdout.write(summary)
