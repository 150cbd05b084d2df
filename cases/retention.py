"""What case files say to the retention run (privacy.retention): whose case closed long ago, and
which documents have outlived their own period."""

import datetime
import uuid

from cases.models import Client, Document
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


def documents_expired(periods: dict, today: datetime.date) -> set[uuid.UUID]:
    """The files of documents whose case closed before the first day the documents' period keeps
    (a period the DPO may set shorter than the case file's), of people not erased."""
    before = periods[RetentionPeriod.Kind.DOCUMENT].expired_before(today)
    return set(
        Document.objects.filter(
            client__closed_on__lt=before,
            client__subject__erased_at__isnull=True,
            file__shredded_at__isnull=True,
        ).values_list("file_id", flat=True)
    )


retention.register_candidates("cases", closed_long_ago)
retention.register_files("cases", documents_expired)
