"""What stays say to the retention run (privacy.retention): a recent or open stay keeps a person."""

import datetime
import uuid

from django.db.models import Q

from privacy import retention
from privacy.models import RetentionPeriod
from shelters.models import Stay


def kept_by_stays(periods: dict, today: datetime.date, candidates: set) -> set[uuid.UUID]:
    """The candidates with an open stay, or one that ended on or after the first day kept."""
    before = periods[RetentionPeriod.Kind.STAY].expired_before(today)
    rows = Stay.objects.filter(Q(ended_at__isnull=True) | Q(ended_at__date__gte=before))
    found: set[uuid.UUID] = set()
    ids = sorted(candidates)
    # In chunks: one IN (...) with tens of thousands of ids exceeds SQLite's variable limit.
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        found |= set(rows.filter(client_id__in=chunk).values_list("client_id", flat=True))
    return found


retention.register_keeper("shelters", kept_by_stays)
