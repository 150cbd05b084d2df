"""The reports' entry points: the measures of a period, suppressed unless asked otherwise."""

import datetime

from django.db import transaction

from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.services import access_log_write
from reports.measures import outcome_report
from reports.suppression import suppress_report


def report_compute(
    *, start: datetime.date, end: datetime.date, unsuppressed: bool = False, by=None, request=None
) -> dict:
    """The outcome report of [start, end]; small counts hidden unless `unsuppressed`.

    Raw counts can single out a person (one exit to prison from a small shelter): printing them
    writes an access-log row (no subject: the row says that raw statistics left the system).
    """
    raw = outcome_report(start=start, end=end)
    if not unsuppressed:
        return suppress_report(raw)
    with transaction.atomic():
        access_log_write(
            actor=by,
            action=AccessLogEntry.Action.EXPORT,
            purpose=Purpose.REPORT_UNSUPPRESSED,
            request=request,
        )
    return raw
