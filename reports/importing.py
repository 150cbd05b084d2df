"""The import of past records (issue 12): CSV files of a folder, checked whole, then stored whole.

Reading and checking come first, every row of every file, collecting each error with its file,
line and column; if there is any, nothing is written and the errors are the answer. Then one
transaction writes everything in bulk: data subjects and keys (privacy.vault.subjects_create),
rows sealed by the vault as they are inserted, a history row for each (simple-history's bulk
path, the importer as the user, reason "import"), and one access-log row for the whole import.
The invariants are the services': no two overlapping stays of one client, no stay in a bed
already taken (the import chooses the beds), a facility's stays never more than its beds.
A row whose ref (or, for stays, enrolments and follow-ups, whose key) is already stored is
skipped, so a second import of the same files changes nothing.
"""

import csv
import datetime
import heapq
import re
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from activation.dates import add_months
from activation.models import (
    Enrolment,
    EnrolmentStatus,
    FollowUp,
    FollowUpAnswer,
    LeavingReason,
    Placement,
    PlacementEndReason,
    PlacementKind,
    Programme,
    ProgrammeKind,
    Trade,
)
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.services import access_log_write
from cases.models import Client, Sex
from cases.pesel import validate_pesel
from privacy import vault
from reports.episodes import episodes_refresh
from reports.models import ExternalRef
from shelters.models import Admits, Bed, Facility, FacilityKind, Room, Stay
from shelters.services import CHOSEN_DESTINATIONS

COLUMNS = {
    "facilities.csv": ["facility_ref", "name", "kind", "beds"],
    "clients.csv": [
        "client_ref",
        "first_name",
        "surname",
        "birth_date",
        "sex",
        "pesel",
        "municipality_code",
    ],
    "stays.csv": ["client_ref", "facility_ref", "started_on", "ended_on", "exit_destination"],
    "programmes.csv": ["programme_ref", "name", "kind"],
    "enrolments.csv": ["client_ref", "programme_ref", "started_on", "ended_on", "outcome"],
    "placements.csv": [
        "placement_ref",
        "client_ref",
        "employer",
        "kind",
        "started_on",
        "ended_on",
        "end_reason",
    ],
    "followups.csv": ["placement_ref", "months", "answered_on", "answer"],
}
OUTCOMES = {
    "active": EnrolmentStatus.ACTIVE,
    "completed": EnrolmentStatus.COMPLETED,
    "dropped_out": EnrolmentStatus.DROPPED_OUT,
}
TERYT = re.compile(r"^[0-9]{7}$")
# A stay runs from the evening of its first day to the morning of its last.
EVENING = datetime.time(18, 0)
MORNING = datetime.time(8, 0)
FAR = datetime.date(9000, 1, 1)
BATCH = 2000
MAX_ERRORS = 200


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("%(file)s, line %(line)d, column %(column)s: %(message)s") % {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class ImportRefused(Exception):
    """The files have errors: nothing was stored. `errors` names each file, line and column."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(error) for error in errors[:5]))
        self.errors = errors


@dataclass(frozen=True)
class Progress:
    """One step of an import: `done` rows of `file` read (stage "read") or stored ("stored").

    The command prints it (`str`); the upload page's job keeps the counts (reports/jobs.py).
    """

    file: str
    stage: str
    done: int
    total: int

    def __str__(self) -> str:
        if self.stage == "read":
            return f"{self.file}: {self.done} rows read"
        if self.done == self.total:
            return f"{self.file}: {self.done}"
        return f"{self.file}: {self.done}/{self.total}"


@dataclass
class Row:
    line: int
    values: dict


@dataclass
class Plan:
    """What the checked files ask to store (only rows not stored before)."""

    facilities: list[Row] = field(default_factory=list)
    clients: list[Row] = field(default_factory=list)
    stays: list[Row] = field(default_factory=list)
    programmes: list[Row] = field(default_factory=list)
    enrolments: list[Row] = field(default_factory=list)
    placements: list[Row] = field(default_factory=list)
    followups: list[Row] = field(default_factory=list)


class _Checker:
    def __init__(self):
        self.errors: list[RowError] = []

    def error(self, file: str, line: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(file, line, column, message))

    def required(self, file, row: Row, column) -> str:
        value = row.values[column]
        if not value:
            self.error(file, row.line, column, _("a value is required"))
        return value

    def date(
        self, file, row: Row, column, *, required=True, personal=False
    ) -> datetime.date | None:
        """The column's date; an error quotes a bad value unless it is `personal` (a birth date:
        errors are stored with the import's job and shown on its page, in clear)."""
        value = row.values[column]
        if not value:
            if required:
                self.error(file, row.line, column, _("a date is required"))
            return None
        try:
            return datetime.date.fromisoformat(value) if len(value) == 10 else _bad_date(value)
        except ValueError:
            message = (
                _("not a date (write YYYY-MM-DD)")
                if personal
                else _("%(value)s is not a date (write YYYY-MM-DD)") % {"value": _quote(value)}
            )
            self.error(file, row.line, column, message)
            return None

    def code(self, file, row: Row, column, allowed, *, required=True, personal=False) -> str:
        """The column's code; an error quotes a bad value unless the row is `personal` (a
        client's: a column shifted by one puts a name or a birth date where the code was)."""
        value = row.values[column]
        if not value and not required:
            return ""
        if value not in allowed:
            message = (
                _("not one of: %(allowed)s") % {"allowed": ", ".join(allowed)}
                if personal
                else _("%(value)s is not one of: %(allowed)s")
                % {"value": _quote(value), "allowed": ", ".join(allowed)}
            )
            self.error(file, row.line, column, message)
        return value


def _bad_date(value):
    raise ValueError(value)


def _quote(value: str) -> str:
    # Shown in an error that may go to a terminal: short, and never a whole cell of free text.
    return repr(value[:20])


def read_folder(directory: Path, checker: _Checker) -> dict[str, list[Row]]:
    """Each CSV file present, as rows of stripped values; header errors go to `checker`."""
    tables: dict[str, list[Row]] = {}
    for name, columns in COLUMNS.items():
        path = directory / name
        if not path.exists():
            continue
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle)
                header = [cell.strip() for cell in next(reader, [])]
                unknown = [column for column in header if column not in columns]
                missing = [column for column in columns if column not in header]
                for column in unknown:
                    checker.error(name, 1, column, _("unknown column"))
                for column in missing:
                    checker.error(name, 1, column, _("the column is missing"))
                if unknown or missing:
                    continue
                rows = []
                for cells in reader:
                    if not any(cell.strip() for cell in cells):
                        continue
                    if len(cells) != len(header):
                        checker.error(
                            name,
                            reader.line_num,
                            "-",
                            ngettext(
                                "%(found)d value where the header has %(expected)d",
                                "%(found)d values where the header has %(expected)d",
                                len(cells),
                            )
                            % {"found": len(cells), "expected": len(header)},
                        )
                        continue
                    values = {
                        column: cell.strip() for column, cell in zip(header, cells, strict=True)
                    }
                    if any("\x00" in value for value in values.values()):
                        checker.error(name, reader.line_num, "-", _("a NUL character"))
                        continue
                    rows.append(Row(reader.line_num, values))
                tables[name] = rows
        except UnicodeDecodeError:
            checker.error(name, 1, "-", _("the file is not UTF-8 text"))
    return tables


def _known_refs() -> dict[str, dict[str, str]]:
    refs: dict[str, dict[str, str]] = defaultdict(dict)
    for kind, ref, object_id in ExternalRef.objects.values_list("kind", "ref", "object_id"):
        refs[kind][ref] = object_id
    return refs


def check(tables: dict[str, list[Row]], checker: _Checker) -> tuple[Plan, dict]:
    """Every rule on every row; returns what to store and the refs already stored."""
    refs = _known_refs()
    plan = Plan()
    new_refs: dict[str, set[str]] = defaultdict(set)

    def ref_column(file, row, column, kind) -> str:
        ref = checker.required(file, row, column)
        if len(ref) > 100:
            checker.error(file, row.line, column, _("a ref has at most 100 characters"))
        if ref in new_refs[kind]:
            checker.error(file, row.line, column, _("this ref appears twice in the file"))
        new_refs[kind].add(ref)
        return ref

    def known(file, row, column, kind) -> bool:
        ref = row.values[column]
        if ref and ref not in new_refs[kind] and ref not in refs[kind]:
            checker.error(file, row.line, column, _("unknown ref %(ref)s") % {"ref": _quote(ref)})
            return False
        return bool(ref)

    file = "facilities.csv"
    for row in tables.get(file, []):
        ref = ref_column(file, row, "facility_ref", ExternalRef.Kind.FACILITY)
        checker.required(file, row, "name")
        checker.code(file, row, "kind", FacilityKind.values)
        beds = row.values["beds"]
        if not beds.isdigit() or not 1 <= int(beds) <= 2000:
            checker.error(file, row.line, "beds", _("a whole number of beds from 1 to 2000"))
        if ref not in refs[ExternalRef.Kind.FACILITY]:
            plan.facilities.append(row)

    file = "clients.csv"
    for row in tables.get(file, []):
        ref = ref_column(file, row, "client_ref", ExternalRef.Kind.CLIENT)
        for column in ("first_name", "surname"):
            if len(checker.required(file, row, column)) > 100:
                checker.error(file, row.line, column, _("at most 100 characters"))
        checker.date(file, row, "birth_date", required=False, personal=True)
        checker.code(file, row, "sex", Sex.values, personal=True)
        if row.values["pesel"]:
            try:
                validate_pesel(row.values["pesel"])
            except ValidationError as error:
                checker.error(file, row.line, "pesel", " ".join(error.messages))
        code = row.values["municipality_code"]
        if code and not TERYT.match(code):
            checker.error(file, row.line, "municipality_code", _("a TERYT code has 7 digits"))
        if ref not in refs[ExternalRef.Kind.CLIENT]:
            plan.clients.append(row)

    file = "programmes.csv"
    for row in tables.get(file, []):
        ref = ref_column(file, row, "programme_ref", ExternalRef.Kind.PROGRAMME)
        if len(checker.required(file, row, "name")) > 200:
            checker.error(file, row.line, "name", _("at most 200 characters"))
        checker.code(file, row, "kind", ProgrammeKind.values)
        if ref not in refs[ExternalRef.Kind.PROGRAMME]:
            plan.programmes.append(row)

    _check_stays(tables.get("stays.csv", []), checker, known, plan, refs)

    file = "enrolments.csv"
    for row in tables.get(file, []):
        known(file, row, "client_ref", ExternalRef.Kind.CLIENT)
        known(file, row, "programme_ref", ExternalRef.Kind.PROGRAMME)
        for column in ("client_ref", "programme_ref"):
            checker.required(file, row, column)
        started = checker.date(file, row, "started_on")
        ended = checker.date(file, row, "ended_on", required=False)
        outcome = checker.code(file, row, "outcome", list(OUTCOMES))
        _dates_in_order(checker, file, row, started, ended)
        if outcome == "active" and ended is not None:
            checker.error(file, row.line, "ended_on", _("an active enrolment has no end date"))
        if outcome in ("completed", "dropped_out") and ended is None:
            checker.error(file, row.line, "ended_on", _("a finished enrolment needs its end date"))
        row.values["_started"], row.values["_ended"] = started, ended
        plan.enrolments.append(row)

    file = "placements.csv"
    for row in tables.get(file, []):
        ref = ref_column(file, row, "placement_ref", ExternalRef.Kind.PLACEMENT)
        known(file, row, "client_ref", ExternalRef.Kind.CLIENT)
        checker.required(file, row, "client_ref")
        if len(checker.required(file, row, "employer")) > 200:
            checker.error(file, row.line, "employer", _("at most 200 characters"))
        checker.code(file, row, "kind", PlacementKind.values)
        started = checker.date(file, row, "started_on")
        ended = checker.date(file, row, "ended_on", required=False)
        _dates_in_order(checker, file, row, started, ended)
        reason = checker.code(file, row, "end_reason", PlacementEndReason.values, required=False)
        if reason and ended is None:
            checker.error(file, row.line, "end_reason", _("a reason needs an end date"))
        row.values["_started"], row.values["_ended"] = started, ended
        if ref not in refs[ExternalRef.Kind.PLACEMENT]:
            plan.placements.append(row)

    file = "followups.csv"
    seen_followups = set()
    for row in tables.get(file, []):
        known(file, row, "placement_ref", ExternalRef.Kind.PLACEMENT)
        checker.required(file, row, "placement_ref")
        months = checker.code(file, row, "months", ["3", "6", "12"])
        answered = checker.date(file, row, "answered_on", required=False)
        answer = checker.code(file, row, "answer", FollowUpAnswer.values, required=False)
        if bool(answered) != bool(answer):
            checker.error(file, row.line, "answer", _("an answer and its date go together"))
        key = (row.values["placement_ref"], months)
        if key in seen_followups:
            checker.error(file, row.line, "months", _("this follow-up appears twice"))
        seen_followups.add(key)
        row.values["_answered"] = answered
        plan.followups.append(row)
    return plan, refs


def _dates_in_order(checker, file, row, started, ended) -> None:
    if started is not None and ended is not None and ended < started:
        checker.error(file, row.line, "ended_on", _("the end is before the start"))


def _check_stays(rows: list[Row], checker: _Checker, known: Callable, plan: Plan, refs) -> None:
    """Dates, codes, refs, and no two overlapping stays of one client (in the file or stored)."""
    file = "stays.csv"
    by_client: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        ok_client = known(file, row, "client_ref", ExternalRef.Kind.CLIENT)
        ok_facility = known(file, row, "facility_ref", ExternalRef.Kind.FACILITY)
        for column in ("client_ref", "facility_ref"):
            checker.required(file, row, column)
        started = checker.date(file, row, "started_on")
        ended = checker.date(file, row, "ended_on", required=False)
        _dates_in_order(checker, file, row, started, ended)
        exit_code = checker.code(
            file, row, "exit_destination", CHOSEN_DESTINATIONS, required=ended is not None
        )
        if ended is None and exit_code:
            checker.error(file, row.line, "exit_destination", _("an open stay has no exit yet"))
        row.values["_started"], row.values["_ended"] = started, ended
        if ok_client and ok_facility and started is not None:
            by_client[row.values["client_ref"]].append(row)
    # Stays stored before, of the clients named here: a row equal to one of them is skipped.
    stored: dict[str, list[tuple]] = defaultdict(list)
    client_ids = {
        refs[ExternalRef.Kind.CLIENT][ref]: ref
        for ref in by_client
        if ref in refs[ExternalRef.Kind.CLIENT]
    }
    facility_refs = {v: k for k, v in refs[ExternalRef.Kind.FACILITY].items()}
    if client_ids:
        for client_id, facility_id, night_of, ended_at in Stay.objects.filter(
            client_id__in=list(client_ids)
        ).values_list("client_id", "facility_id", "night_of", "ended_at"):
            ended = timezone.localdate(ended_at) if ended_at else None
            stored[client_ids[str(client_id)]].append(
                (night_of, ended, facility_refs.get(str(facility_id)))
            )
    for ref, stays in by_client.items():
        existing = stored.get(ref, [])
        keys = {(s, f) for s, _e, f in existing}
        fresh = [
            row for row in stays if (row.values["_started"], row.values["facility_ref"]) not in keys
        ]
        spans = [(s, e or FAR, None) for s, e, _f in existing] + [
            (row.values["_started"], row.values["_ended"] or FAR, row) for row in fresh
        ]
        spans.sort(key=lambda span: (span[0], span[1]))
        latest_end, latest_row = None, None
        for started, ended, row in spans:
            # Evening of the start to the morning of the end: ending the day another starts is
            # not an overlap.
            if latest_end is not None and started < latest_end:
                culprit = row or latest_row
                if culprit is not None:
                    checker.error(
                        file,
                        culprit.line,
                        "started_on",
                        _("this stay overlaps another stay of the same person"),
                    )
            if latest_end is None or ended > latest_end:
                latest_end, latest_row = ended, row
        plan.stays.extend(fresh)


# --- writing -------------------------------------------------------------------------------------


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def store(
    plan: Plan, refs: dict, *, by, organisation, progress: Callable[[Progress], None]
) -> dict:
    """Write the plan in bulk; returns how many of each record were created."""
    created: dict[str, int] = {}
    new_refs: list[ExternalRef] = []
    facility_ids = {ref: int(pk) for ref, pk in refs[ExternalRef.Kind.FACILITY].items()}
    client_ids = {ref: uuid.UUID(pk) for ref, pk in refs[ExternalRef.Kind.CLIENT].items()}
    programme_ids = {ref: int(pk) for ref, pk in refs[ExternalRef.Kind.PROGRAMME].items()}
    placement_ids = {ref: int(pk) for ref, pk in refs[ExternalRef.Kind.PLACEMENT].items()}

    def history(objs, model):
        return bulk_create_with_history(
            objs, model, batch_size=BATCH, default_user=by, default_change_reason="import"
        )

    # Facilities, each with one room of `beds` beds; they admit anyone (a manager narrows it).
    facilities = history(
        [
            Facility(
                organisation=organisation,
                name=row.values["name"],
                kind=row.values["kind"],
                admits=Admits.ANY,
            )
            for row in plan.facilities
        ],
        Facility,
    )
    rooms = history([Room(facility=facility, name=_("Imported")) for facility in facilities], Room)
    beds = []
    for row, facility, room in zip(plan.facilities, facilities, rooms, strict=True):
        facility_ids[row.values["facility_ref"]] = facility.pk
        new_refs.append(
            ExternalRef(kind="facility", ref=row.values["facility_ref"], object_id=str(facility.pk))
        )
        beds += [
            Bed(
                facility=facility,
                room=room,
                label=str(n),
                kind="seat" if facility.kind == FacilityKind.WARMING_CENTRE else "bed",
                available_from=datetime.date(2000, 1, 1),
            )
            for n in range(1, int(row.values["beds"]) + 1)
        ]
    history(beds, Bed)
    created["facilities"] = len(facilities)
    progress(Progress("facilities.csv", "stored", len(facilities), len(facilities)))

    # Clients, a page at a time: the page's subjects and keys in bulk, then the page sealed under
    # those keys while they are in hand (a large import outlives the vault's key cache, and
    # reading each key back would cost a query per client: docs/benchmarks.md).
    today = timezone.localdate()
    for start in range(0, len(plan.clients), BATCH):
        page = plan.clients[start : start + BATCH]
        with vault.holding_new_keys():
            subjects = vault.subjects_create(kind="client", count=len(page))
            clients = []
            for row, subject in zip(page, subjects, strict=True):
                values = row.values
                birth = (
                    datetime.date.fromisoformat(values["birth_date"])
                    if values["birth_date"]
                    else None
                )
                client = Client(
                    subject=subject,
                    first_name=values["first_name"],
                    surname=values["surname"],
                    pesel=values["pesel"],
                    birth_date=birth,
                    birth_year=birth.year if birth else None,
                    sex=values["sex"],
                    municipality_code=values["municipality_code"],
                    registered_on=today,
                    registered_by=by,
                )
                client.refresh_blind_indexes()
                clients.append(client)
                client_ids[values["client_ref"]] = subject.pk
                new_refs.append(
                    ExternalRef(kind="client", ref=values["client_ref"], object_id=str(subject.pk))
                )
            history(clients, Client)
        done = start + len(page)
        progress(Progress("clients.csv", "stored", done, len(plan.clients)))
    created["clients"] = len(plan.clients)

    created["stays"] = _store_stays(plan.stays, facility_ids, client_ids, by, history, progress)

    trade = None
    programmes = []
    for row in plan.programmes:
        if row.values["kind"] == ProgrammeKind.WORKSHOP and trade is None:
            # A workshop teaches a trade; the spreadsheets do not say which.
            trade, _created = Trade.objects.get_or_create(
                code="imported", defaults={"name": _("Not recorded (imported)")}
            )
        programmes.append(
            Programme(
                organisation=organisation,
                name=row.values["name"],
                kind=row.values["kind"],
                trade=trade if row.values["kind"] == ProgrammeKind.WORKSHOP else None,
                external_ref=row.values["programme_ref"],
                created_by=by,
            )
        )
    for row, programme in zip(plan.programmes, history(programmes, Programme), strict=True):
        programme_ids[row.values["programme_ref"]] = programme.pk
        new_refs.append(
            ExternalRef(
                kind="programme", ref=row.values["programme_ref"], object_id=str(programme.pk)
            )
        )
    created["programmes"] = len(programmes)
    progress(Progress("programmes.csv", "stored", len(programmes), len(programmes)))

    stored_enrolments = set(
        Enrolment.objects.filter(programme_id__in=list(programme_ids.values())).values_list(
            "client_id", "programme_id", "started_on"
        )
    )
    enrolments = []
    for row in plan.enrolments:
        values = row.values
        client_id = client_ids[values["client_ref"]]
        programme_id = programme_ids[values["programme_ref"]]
        key = (client_id, programme_id, values["_started"])
        if key in stored_enrolments:
            continue
        stored_enrolments.add(key)
        status = OUTCOMES[values["outcome"]]
        enrolments.append(
            Enrolment(
                client_id=client_id,
                programme_id=programme_id,
                status=status,
                applied_on=values["_started"],
                accepted_on=values["_started"],
                started_on=values["_started"],
                ended_on=values["_ended"],
                leaving_reason=LeavingReason.NOT_RECORDED
                if status == EnrolmentStatus.DROPPED_OUT
                else "",
                enrolled_by=by,
            )
        )
    history(enrolments, Enrolment)
    created["enrolments"] = len(enrolments)
    progress(Progress("enrolments.csv", "stored", len(enrolments), len(enrolments)))

    placements = [
        Placement(
            client_id=client_ids[row.values["client_ref"]],
            kind=row.values["kind"],
            employer_name=row.values["employer"],
            started_on=row.values["_started"],
            ended_on=row.values["_ended"],
            end_reason=row.values["end_reason"],
            recorded_by=by,
            external_ref=row.values["placement_ref"],
        )
        for row in plan.placements
    ]
    for row, placement in zip(plan.placements, history(placements, Placement), strict=True):
        placement_ids[row.values["placement_ref"]] = placement.pk
        new_refs.append(
            ExternalRef(
                kind="placement", ref=row.values["placement_ref"], object_id=str(placement.pk)
            )
        )
    created["placements"] = len(placements)
    progress(Progress("placements.csv", "stored", len(placements), len(placements)))

    placement_rows = {
        p.pk: p
        for p in Placement.objects.filter(pk__in=list(placement_ids.values())).only(
            "id", "client", "started_on"
        )
    }
    stored_followups = set(
        FollowUp.objects.filter(placement_id__in=list(placement_ids.values())).values_list(
            "placement_id", "months"
        )
    )
    followups = []
    for row in plan.followups:
        placement = placement_rows[placement_ids[row.values["placement_ref"]]]
        months = int(row.values["months"])
        if (placement.pk, months) in stored_followups:
            continue
        followups.append(
            FollowUp(
                placement=placement,
                client_id=placement.client_id,
                months=months,
                due_on=add_months(placement.started_on, months),
                answered_on=row.values["_answered"],
                answer=row.values["answer"],
                answered_by=by,
            )
        )
    history(followups, FollowUp)
    created["followups"] = len(followups)
    progress(Progress("followups.csv", "stored", len(followups), len(followups)))

    ExternalRef.objects.bulk_create(new_refs, batch_size=BATCH)
    return created


def _store_stays(rows, facility_ids, client_ids, by, history, progress) -> int:
    """The stays, each in a bed free from its evening to its morning (chosen here)."""
    by_facility: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_facility[facility_ids[row.values["facility_ref"]]].append(row)
    stays = []
    for facility_id, facility_rows in by_facility.items():
        # Each bed is free from a day on: after its last stored stay (never, if open).
        free_from = {
            pk: datetime.date.min
            for pk in Bed.objects.filter(facility_id=facility_id)
            .order_by("pk")
            .values_list("pk", flat=True)
        }
        for bed_id, night_of, ended_at in Stay.objects.filter(facility_id=facility_id).values_list(
            "bed_id", "night_of", "ended_at"
        ):
            end = _bed_free_from(night_of, timezone.localdate(ended_at) if ended_at else None)
            free_from[bed_id] = max(free_from[bed_id], end)
        heap = [(day, pk) for pk, day in free_from.items()]
        heapq.heapify(heap)
        facility_rows.sort(key=lambda row: (row.values["_started"], row.values["_ended"] or FAR))
        for row in facility_rows:
            started, ended = row.values["_started"], row.values["_ended"]
            if not heap or heap[0][0] > started:
                raise ImportRefused(
                    [
                        RowError(
                            "stays.csv",
                            row.line,
                            "facility_ref",
                            _("more people at once than the facility has beds"),
                        )
                    ]
                )
            _day, bed_id = heapq.heappop(heap)
            heapq.heappush(heap, (_bed_free_from(started, ended), bed_id))
            started_at = _at(started, EVENING)
            ended_at = None
            if ended is not None:
                # A stay that ends the day it starts ends an hour after it began.
                ended_at = max(_at(ended, MORNING), started_at + datetime.timedelta(hours=1))
            client_id = client_ids[row.values["client_ref"]]
            stays.append(
                Stay(
                    client_id=client_id,
                    subject_id=client_id,
                    facility_id=facility_id,
                    bed_id=bed_id,
                    started_at=started_at,
                    ended_at=ended_at,
                    night_of=started,
                    last_night=max(started, ended - datetime.timedelta(days=1)) if ended else None,
                    last_seen_on=ended or started,
                    exit_destination=row.values["exit_destination"],
                    checked_in_by=by,
                    checked_out_by=by if ended else None,
                )
            )
    for start in range(0, len(stays), BATCH):
        page = stays[start : start + BATCH]
        # The page's keys in one query a thousand, not one per client whose key left the cache.
        vault.prefetch({stay.subject_id for stay in page})
        history(page, Stay)
        done = min(start + BATCH, len(stays))
        progress(Progress("stays.csv", "stored", done, len(stays)))
    # bulk_create sends no post_save: the episodes of these clients are refreshed here, in the
    # import's own transaction (set-based, pages of clients).
    episodes_refresh({stay.client_id for stay in stays})
    return len(stays)


def _bed_free_from(started: datetime.date, ended: datetime.date | None) -> datetime.date:
    """The first evening a bed is free after a stay: its end (the next day for a same-day stay)."""
    if ended is None:
        return FAR
    return max(ended, started + datetime.timedelta(days=1))


def import_records(
    *, directory: Path, by, organisation, progress: Callable[[Progress], None] = lambda step: None
) -> dict:
    """Check the CSV files of `directory`, then store them in one transaction; counts created.

    Raises ImportRefused with every error found (file, line, column) and stores nothing.
    """
    checker = _Checker()
    tables = read_folder(directory, checker)
    for name, rows in tables.items():
        progress(Progress(name, "read", len(rows), len(rows)))
    plan, refs = check(tables, checker)
    if checker.errors:
        raise ImportRefused(checker.errors)
    with transaction.atomic():
        created = store(plan, refs, by=by, organisation=organisation, progress=progress)
        access_log_write(
            actor=by, action=AccessLogEntry.Action.CREATE, purpose=Purpose.IMPORT_RECORDS
        )
    return created
