"""Who saw a person's file, and unusual access: reads of the access log for holders and DPOs.

Both are aggregations done by the database over the access log (audit), never loops over its
rows in Python: a page costs the same few queries whatever the size of the log.

- `who_saw(subject_id)`: every row about the person in the last 12 months (who, role,
  organisation, when, how the access was granted), for the holders of the file and the DPO.
- `unusual_access(user)`: for a DPO, four findings over the last days, by the thresholds their
  organisation set (`AccessWatch`): many files opened by one person within an hour, emergency
  accesses, access outside working hours (shelter staff left out: shelters work at night), and
  searches that opened nothing (a search hit followed within a day by no read of that person
  by the same user, or a search that found nobody).
"""

import datetime
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractMinute, TruncDate, TruncHour
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.record import save_with_history
from audit.services import access_log_write
from privacy import scope
from privacy.models import AccessWatch

Action = AccessLogEntry.Action
Outcome = AccessLogEntry.Outcome

WHO_SAW_MONTHS = 12
# The days the unusual-access page looks back over.
WATCH_DAYS = 30
# A read of a file: what "opened" means for the findings.
OPENING = (Action.VIEW, Action.BREAK_GLASS)


def months_ago(now: datetime.datetime, months: int = WHO_SAW_MONTHS) -> datetime.datetime:
    """The same moment `months` months earlier (the 29th of February becomes the 28th)."""
    year, month = divmod(now.month - 1 - months, 12)
    year, month = now.year + year, month + 1
    for day in (now.day, 30, 29, 28):
        try:
            return now.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def who_saw(subject_id: uuid.UUID, *, now: datetime.datetime | None = None) -> QuerySet:
    """Every access to the person by a member of staff in the last 12 months, newest first
    (refused attempts too: the outcome says so), with the actors' organisations."""
    since = months_ago(now or timezone.now())
    return (
        AccessLogEntry.objects.filter(subject_id=subject_id, at__gte=since, actor__isnull=False)
        .select_related("actor__organisation")
        .order_by("-seq")
    )


# --- unusual access -----------------------------------------------------------------------


def watch_of(organisation) -> AccessWatch:
    """The organisation's thresholds (the defaults, unsaved, until its DPO sets them)."""
    found = AccessWatch.objects.filter(organisation=organisation).first()
    return found or AccessWatch(organisation=organisation)


def access_watch_save(*, by, organisation, request=None, **values) -> AccessWatch:
    """Set the organisation's thresholds of unusual access (its DPO); history keeps the old."""
    with transaction.atomic():
        watch = AccessWatch.objects.select_for_update().filter(organisation=organisation).first()
        watch = watch or AccessWatch(organisation=organisation)
        for name, value in values.items():
            setattr(watch, name, value)
        save_with_history(watch, by=by, reason="access_watch")
        access_log_write(
            actor=by, action=Action.UPDATE, purpose=Purpose.UNUSUAL_ACCESS, request=request
        )
    return watch


def _watched_rows(user, since: datetime.datetime) -> QuerySet:
    """The rows a DPO watches: by staff of their organisation (everyone's for the cluster DPO)."""
    rows = AccessLogEntry.objects.filter(at__gte=since, actor__isnull=False)
    if not scope.acts_for_cluster(user):
        rows = rows.filter(actor__organisation_id=user.organisation_id)
    return rows


@dataclass(frozen=True)
class Finding:
    """One person's unusual access: what, when (the hour, the day or the last time), how much."""

    actor: User
    when: datetime.datetime | datetime.date
    rows: int
    files: int = 0


def _named(found: list[dict], *, when: str, rows: str, files: str | None = None) -> list[Finding]:
    """The aggregated values with their actors loaded (one query for them all)."""
    actors = User.objects.select_related("organisation").in_bulk({f["actor"] for f in found})
    return [
        Finding(
            actor=actors[f["actor"]],
            when=f[when],
            rows=f[rows],
            files=f[files] if files else 0,
        )
        for f in found
    ]


def many_files(rows: QuerySet, threshold: int) -> list[Finding]:
    """Users who opened more than `threshold` different files within one clock hour."""
    found = (
        rows.filter(action__in=OPENING, outcome=Outcome.OK, subject_id__isnull=False)
        .annotate(hour=TruncHour("at"))
        .values("actor", "hour")
        .annotate(opened=Count("id"), files=Count("subject_id", distinct=True))
        .filter(files__gt=threshold)
        .order_by("-hour")
    )
    return _named(list(found), when="hour", rows="opened", files="files")


def emergency_accesses(rows: QuerySet) -> list[Finding]:
    """Users who read files through break-glass: how many reads, of how many files, the last."""
    found = (
        rows.filter(action=Action.BREAK_GLASS)
        .values("actor")
        .annotate(reads=Count("id"), files=Count("subject_id", distinct=True), last=Max("at"))
        .order_by("-last")
    )
    return _named(list(found), when="last", rows="reads", files="files")


def outside_hours(rows: QuerySet, watch: AccessWatch) -> list[Finding]:
    """Users who opened files outside the working day (local time); shelter staff are left
    out, since shelters work at night."""
    start = watch.day_starts_at.hour * 60 + watch.day_starts_at.minute
    end = watch.day_ends_at.hour * 60 + watch.day_ends_at.minute
    minute = ExtractHour("at") * 60 + ExtractMinute("at")
    rows = rows.filter(action__in=OPENING, subject_id__isnull=False).exclude(
        actor_role=Role.SHELTER_STAFF
    )
    rows = rows.annotate(minute=minute)
    # A working day that wraps past midnight (a night shift) is outside between end and start.
    if start <= end:
        rows = rows.filter(Q(minute__lt=start) | Q(minute__gte=end))
    else:
        rows = rows.filter(minute__gte=end, minute__lt=start)
    found = (
        rows.values("actor")
        .annotate(reads=Count("id"), files=Count("subject_id", distinct=True), last=Max("at"))
        .order_by("-last")
    )
    return _named(list(found), when="last", rows="reads", files="files")


def empty_searches(rows: QuerySet, threshold: int) -> list[Finding]:
    """Users who, in one day, made more than `threshold` searches that opened nothing."""
    opened = AccessLogEntry.objects.filter(
        actor=OuterRef("actor"),
        subject_id=OuterRef("subject_id"),
        action__in=OPENING,
        at__gte=OuterRef("at"),
        at__lt=OuterRef("at") + datetime.timedelta(days=1),
    )
    found = (
        rows.filter(action=Action.SEARCH)
        .annotate(opened=Exists(opened))
        .filter(opened=False)
        .annotate(day=TruncDate("at"))
        .values("actor", "day")
        .annotate(searches=Count("id"))
        .filter(searches__gt=threshold)
        .order_by("-day")
    )
    return _named(list(found), when="day", rows="searches")


@dataclass(frozen=True)
class UnusualAccess:
    watch: AccessWatch
    since: datetime.datetime
    many_files: list[Finding]
    emergency: list[Finding]
    outside_hours: list[Finding]
    empty_searches: list[Finding]

    @property
    def anything(self) -> bool:
        return bool(self.many_files or self.emergency or self.outside_hours or self.empty_searches)


def unusual_access(user, *, now: datetime.datetime | None = None) -> UnusualAccess:
    """The four findings of the last WATCH_DAYS days for a DPO, by their organisation's
    thresholds (eight queries: four aggregations and their actors)."""
    since = (now or timezone.now()) - datetime.timedelta(days=WATCH_DAYS)
    watch = watch_of(user.organisation)
    rows = _watched_rows(user, since)
    return UnusualAccess(
        watch=watch,
        since=since,
        many_files=many_files(rows, watch.files_per_hour),
        emergency=emergency_accesses(rows),
        outside_hours=outside_hours(rows, watch),
        empty_searches=empty_searches(rows, watch.empty_searches_per_day),
    )
