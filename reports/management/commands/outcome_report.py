"""Print the outcome measures of a period as one JSON object (issue 12; docs/measures.md)."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from reports.services import report_compute


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date: write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Print every outcome measure of the period [--from, --to] (both days included) as one "
        "JSON object, small counts suppressed. --unsuppressed prints the raw counts (operators "
        "only) and writes an access-log row."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument(
            "--json", action="store_true", help="print JSON (the only format, kept for scripts)"
        )
        parser.add_argument(
            "--unsuppressed", action="store_true", help="raw counts; logged in the access log"
        )

    def handle(self, *args, start, end, unsuppressed=False, **options):
        start, end = _date(start), _date(end)
        if end < start:
            raise CommandError("The period ends before it starts.")
        report = report_compute(start=start, end=end, unsuppressed=unsuppressed, by=None)
        self.stdout.write(json.dumps(report, ensure_ascii=False, indent=1))
