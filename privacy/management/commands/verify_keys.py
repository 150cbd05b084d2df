from django.core.management.base import BaseCommand, CommandError

from privacy.services import keys_verify


class Command(BaseCommand):
    help = "Unwrap every data key and report how many each KEK opens, and any that fail."

    def handle(self, *args, **options):
        report = keys_verify()
        per_kek = ", ".join(f"{kek}: {n}" for kek, n in sorted(report.by_kek.items())) or "none"
        summary = (
            f"Data keys unwrapped by KEK ({per_kek}); destroyed by erasure: {report.destroyed}."
        )
        if not report.ok:
            first = ", ".join(str(pk) for pk in report.failed[:10])
            raise CommandError(
                f"{summary} FAILED to unwrap {len(report.failed)} keys (ids {first})."
            )
        self.stdout.write(f"OK: {summary}")
