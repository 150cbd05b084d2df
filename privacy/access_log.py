"""The access log as the DPO reads it: rows filtered by person, member of staff and time, named.

The log (audit) knows ids only; who a person is comes from the describers apps register with
privacy.related (cases: a client's name, year of birth and holding organisation), asked once
per page or per chunk of an export, so a page costs the same number of queries at any size.
"""

import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from privacy import related, scope

PAGE_SIZE = 50
EXPORT_CHUNK = 500
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def access_log_entries(
    *,
    person: uuid.UUID | None = None,
    user=None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AccessLogEntry]:
    """The rows of the log matching the filter, newest first, with their actors' organisations.

    Days are local days: `date_to` includes the whole of that day.
    """
    rows = AccessLogEntry.objects.select_related("actor__organisation").order_by("-seq")
    if person is not None:
        rows = rows.filter(subject_id=person)
    if user is not None:
        rows = rows.filter(actor=user)
    if date_from is not None:
        rows = rows.filter(at__gte=_local_midnight(date_from))
    if date_to is not None:
        rows = rows.filter(at__lt=_local_midnight(date_to + datetime.timedelta(days=1)))
    return rows


def within_scope(entries: QuerySet[AccessLogEntry], user) -> QuerySet[AccessLogEntry]:
    """The rows a DPO reads (privacy/scope.py): all but those about people only other
    organisations hold, unless one of their own staff wrote them; every row for the cluster's
    DPO."""
    elsewhere = scope.elsewhere_only(user)
    if elsewhere is None:
        return entries
    return entries.filter(~elsewhere | Q(actor__organisation_id=user.organisation_id))


@dataclass(frozen=True)
class LogRow:
    """One row of the log as the DPO reads it."""

    entry: AccessLogEntry
    who: str
    role: str
    organisation: str
    person: related.Found | None

    @property
    def at(self) -> datetime.datetime:
        return timezone.localtime(self.entry.at)

    @property
    def short_id(self) -> str:
        return related.short_id(self.entry.subject_id) if self.entry.subject_id else ""

    @property
    def action(self) -> str:
        return str(AccessLogEntry.Action(self.entry.action).label)

    @property
    def purpose(self) -> str:
        code = self.entry.purpose
        return str(Purpose(code).label) if code in Purpose.values else code

    @property
    def outcome(self) -> str:
        return str(AccessLogEntry.Outcome(self.entry.outcome).label)

    @property
    def how(self) -> str:
        """How the access was granted: the row's way; for rows written before the way was
        recorded, what the action tells (an emergency access, a search), else nothing."""
        way = self.entry.way
        if way in AccessLogEntry.Way.values:
            return str(AccessLogEntry.Way(way).label)
        if self.entry.action == AccessLogEntry.Action.BREAK_GLASS:
            return str(AccessLogEntry.Way.BREAK_GLASS.label)
        if self.entry.action == AccessLogEntry.Action.SEARCH:
            return str(AccessLogEntry.Way.SEARCH.label)
        return ""


def _role_label(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code


def log_rows(entries: Iterable[AccessLogEntry], *, with_people: bool = True) -> list[LogRow]:
    """The entries with who did it and whom it concerned, named in a fixed number of queries
    (`with_people=False`: not whom, for a page about one person)."""
    entries = list(entries)
    people = (
        related.describe(e.subject_id for e in entries if e.subject_id is not None)
        if with_people
        else {}
    )
    rows = []
    for entry in entries:
        actor = entry.actor
        rows.append(
            LogRow(
                entry=entry,
                who=(actor.get_full_name() or actor.username) if actor else _("the system"),
                role=_role_label(entry.actor_role),
                organisation=actor.organisation.name if actor and actor.organisation else "",
                person=people.get(entry.subject_id) if entry.subject_id else None,
            )
        )
    return rows


def csv_cell(value) -> str:
    """A value as a CSV cell a spreadsheet shows as text: a would-be formula gets a quote."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_header() -> list[str]:
    return [
        _("Time"),
        _("Position in the log"),
        _("Member of staff"),
        _("Username"),
        _("Role at the time"),
        _("Organisation"),
        _("Person (file identifier)"),
        _("Short id"),
        _("Person"),
        _("Action"),
        _("Purpose"),
        _("Outcome"),
        _("Request id"),
        _("IP address"),
    ]


def csv_lines(entries: QuerySet[AccessLogEntry]) -> Iterator[list[str]]:
    """Every matching row as CSV cells, read and named in chunks (an export of any length)."""
    yield [csv_cell(cell) for cell in csv_header()]
    chunk: list[AccessLogEntry] = []
    for entry in entries.iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(entry)
        if len(chunk) == EXPORT_CHUNK:
            yield from _csv_chunk(chunk)
            chunk = []
    yield from _csv_chunk(chunk)


def _csv_chunk(entries: list[AccessLogEntry]) -> Iterator[list[str]]:
    for row in log_rows(entries):
        entry = row.entry
        cells = [
            row.at.isoformat(timespec="seconds"),
            entry.seq,
            row.who,
            entry.actor.username if entry.actor else "",
            row.role,
            row.organisation,
            entry.subject_id or "",
            row.short_id,
            row.person.name if row.person else "",
            row.action,
            row.purpose,
            row.outcome,
            entry.request_id,
            entry.ip_address or "",
        ]
        yield [csv_cell(cell) for cell in cells]
