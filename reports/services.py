"""The reports' entry points: the measures of a period, suppressed unless asked otherwise."""

import datetime
import hashlib

from django.core.cache import cache
from django.db import connections, transaction
from django.utils import timezone

from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.services import access_log_write, access_log_write_many
from config.routers import report_reads
from reports.access import files_opened_by, is_coordinator, people_visible_to
from reports.measures import DRILL_CELLS, cell_people, outcome_report
from reports.models import SavedReport
from reports.sql import Scope
from reports.suppression import suppress_report, threshold

# A day: the data stamp already retires a report as soon as anything it counts changes.
CACHE_SECONDS = 24 * 3600


def report_compute(
    *, start: datetime.date, end: datetime.date, unsuppressed: bool = False, by=None, request=None
) -> dict:
    """The outcome report of [start, end]; small counts hidden unless `unsuppressed`.

    Raw counts can single out a person (one exit to prison from a small shelter): printing them
    writes an access-log row (no subject: the row says that raw statistics left the system).
    """
    # Read from the replica when there is one; the access-log row below goes to the primary.
    with report_reads() as using:
        raw = outcome_report(start=start, end=end, using=using)
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


def _stamped_models() -> list:
    """Every model a measure reads (or names a figure by): its history moves with any change."""
    from activation.models import Enrolment, FollowUp, Placement, Programme
    from cases.models import Assessment, Client, PathwayStep
    from shelters.models import Bed, Facility, MemberStay, Stay

    return [
        Stay,
        MemberStay,
        Bed,
        Facility,
        Client,
        Enrolment,
        Programme,
        Placement,
        FollowUp,
        Assessment,
        PathwayStep,
    ]


def _data_stamp(using: str = "default") -> str:
    """Changes whenever anything a report counts changes: one query, whatever the number of tables.

    Every write of those records keeps history (the services, the admin and the import's bulk
    path alike; a deletion writes a history row too) and history rows are never deleted, so the
    newest history id of each table is a generation counter kept in the database: it only grows,
    every web worker reads the same one, and a cached report of any period is simply not found
    after a change. It is read by one statement of scalar subqueries (each the top of a primary
    key index).
    """
    # Table names from the models' own metadata: nothing of anyone's input.
    connection = connections[using]
    newest = ", ".join(
        f"(SELECT MAX(history_id) FROM {connection.ops.quote_name(table)})"  # noqa: S608
        for table in (model.history.model._meta.db_table for model in _stamped_models())
    )
    # The episodes (reports.Episode) are refreshed just after the commit that wrote the stays:
    # a report computed in between would be cached under the stays' new stamp. Their newest id
    # moves with every refresh (DELETE + INSERT of fresh rows), so it retires that report too.
    newest += ", (SELECT MAX(id) FROM reports_episode)"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {newest}")
        row = cursor.fetchone()
    return "-".join(str(stamp or 0) for stamp in row)


def cached_report(*, start: datetime.date, end: datetime.date, scope: Scope) -> tuple[str, dict]:
    """(cache key, the suppressed report) of a period and scope, cached until the data change.

    The cache key holds dates, record ids of facilities and programmes and the data stamp:
    nothing personal. A cached report is the same dictionary the computation returns. The key
    is given back so that what is drawn from the report (the dashboard's tables and charts) can
    be cached under it and retire with it.
    """
    # The stamp and the figures from one database (the replica when there is one): a replica
    # that lags files figures under the stamp they were computed at, never under a newer one.
    with report_reads() as using:
        key_parts = [
            start.isoformat(),
            end.isoformat(),
            ",".join(map(str, scope.facility_ids)) if scope.facility_ids is not None else "all",
            ",".join(map(str, scope.programme_ids)) if scope.programme_ids is not None else "all",
            str(threshold()),
            _data_stamp(using),
        ]
        key = "reports:" + hashlib.sha256("|".join(key_parts).encode()).hexdigest()
        cached = cache.get(key)
        if cached is not None:
            return key, cached
        figures = suppress_report(outcome_report(start=start, end=end, scope=scope, using=using))
    cache.set(key, figures, timeout=CACHE_SECONDS)
    return key, figures


def report_for(*, start: datetime.date, end: datetime.date, scope: Scope) -> dict:
    """The suppressed report of a period and scope, cached until the data change."""
    return cached_report(start=start, end=end, scope=scope)[1]


def saved_report_create(*, by, figures: dict, parameters: dict, start, end) -> SavedReport:
    """Keep the figures as they were shown (suppressed), with the period and the filters."""
    report = SavedReport(
        organisation=None if is_coordinator(by) else by.organisation,
        period_from=start,
        period_to=end,
        parameters=parameters,
        figures=figures,
        created_by=by,
        created_at=timezone.now(),
    )
    report.full_clean()
    report.save()
    return report


def report_cells_with_people(*, by, start: datetime.date, end: datetime.date) -> list[tuple]:
    """The drill-down cells of the period in which `by` may open at least one file.

    (measure, cell) pairs only: no name and no count, so the page shows a link where the user
    has someone to see and nothing where they have no one. Each measure's people come from the
    measure's own SQL (reports.measures.cell_people), over the whole cluster's records.
    """
    by_cell = {}
    with report_reads() as using:
        for measure in DRILL_CELLS:
            for cell, ids in cell_people(
                measure=measure, start=start, end=end, using=using
            ).items():
                by_cell[(measure, cell)] = ids
    # Whose files `by` may open: on the primary (outside report_reads), as every access check.
    reached = files_opened_by(by, _union(by_cell.values()))
    return [key for key, ids in by_cell.items() if reached.intersection(ids)]


def _union(lists) -> set:
    found: set = set()
    for ids in lists:
        found.update(ids)
    return found


def report_people(
    *, by, measure: str, cell: str, start: datetime.date, end: datetime.date, request=None
) -> list:
    """The clients behind one cell whose file `by` may open, each read logged (purpose
    report_people); the others are neither listed nor counted."""
    with report_reads() as using:
        ids = cell_people(measure=measure, start=start, end=end, using=using)[cell]
    # The files and the access-log rows: on the primary.
    clients = people_visible_to(by, ids)
    access_log_write_many(
        actor=by,
        action=AccessLogEntry.Action.VIEW,
        subject_ids=[client.pk for client in clients],
        purpose=Purpose.REPORT_PEOPLE,
        request=request,
    )
    return clients
