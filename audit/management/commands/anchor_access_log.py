"""Anchor the access log: append its signed chain head to the anchor file (run by a timer)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from audit.partitions import access_log_partition_ahead
from audit.services import AnchorRefused, access_log_anchor


class Command(BaseCommand):
    help = (
        "Check the access log since the newest anchor and append the signed chain head to "
        "PRZYSTAN_ANCHOR_FILE (and PRZYSTAN_ANCHOR_SYSLOG); on PostgreSQL make the log's next "
        "months' partitions. Run it from a timer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help="the anchor file (default PRZYSTAN_ANCHOR_FILE)")

    def handle(self, *args, file=None, **options):
        try:
            written = access_log_anchor(path=Path(file) if file else None)
        except AnchorRefused as refused:
            raise CommandError(f"{refused}; nothing was anchored.") from None
        except OSError as error:
            # The file is written before syslog: say which of the two failed.
            raise CommandError(f"Anchoring failed: {error}") from None
        sent = f" and syslog {written.syslog}" if written.syslog else ""
        others = len(written.lines) - 1
        more = f" and the heads of {others} other chain(s)" if others else ""
        self.stdout.write(
            f"Anchored seq {written.seq} (MAC {written.mac[:16]}…){more} to {written.path}{sent}"
        )
        # On PostgreSQL the next months' partitions of the log, made ahead (cheap, idempotent).
        try:
            made = access_log_partition_ahead()
        except DatabaseError as error:
            raise CommandError(f"Making the access log's next partitions failed: {error}") from None
        if made:
            self.stdout.write(f"Made {made} monthly partition(s) of the access log ahead.")
        if written.bad_anchors:
            lines = "; ".join(str(bad) for bad in written.bad_anchors)
            raise CommandError(
                f"{len(written.bad_anchors)} line(s) of the anchor file are not valid anchors: "
                f"{lines}. Run verify_access_log."
            )
