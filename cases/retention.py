"""What case files say to the retention run (privacy.retention): whose case closed long ago."""

import datetime
import uuid

from cases.models import Client
from privacy import retention
from privacy.models import RetentionPeriod


def closed_long_ago(periods: dict, today: datetime.date) -> set[uuid.UUID]:
    """The clients whose case was closed before the first day the case-file period keeps."""
    before = periods[RetentionPeriod.Kind.CASE_FILE].expired_before(today)
    return set(
        Client.objects.filter(closed_on__lt=before, subject__erased_at__isnull=True).values_list(
            "pk", flat=True
        )
    )


retention.register_candidates("cases", closed_long_ago)
