# ruff: noqa: S608 - the SQL is assembled from model metadata and the module's constants; values are bound.
"""National-size synthetic data (issue 14): `manage.py seed_scale`.

A million clients, 600 facilities with 20,000 beds and ten years of stays, written by bulk paths
that still do what the real writes do, in one transaction:

- facilities, rooms and beds through simple-history's bulk path (a history row each);
- clients: each a data subject with its own random data key, wrapped by the current KEK
  (privacy.crypto.wrap_key); every encrypted column sealed by privacy.crypto.encrypt from the
  field's own encode(), bound to the row (version 2: the client's id is the subject's, known
  before the insert); blind indexes by Client.refresh_blind_indexes itself; a history row
  ("+", by the seeding user, on the day of registration) copied from each client row by one
  INSERT … SELECT. Names are made of syllables (no real person's), PESELs synthetic and valid;
- stays: in every bed one stay per period of PERIOD days, starting a few evenings into the period
  (the bed's own offset) and lasting less than a period, so a bed never holds two people; the
  stay of slot s (period k, bed b: s = k·beds + b) goes to client (s·A + seed) mod clients, so a
  client's stays are `clients` slots apart, at least two periods when there are two clients per
  bed or more (so two stays of one client never overlap either). The stay covering the last day
  stays open (one per bed at most, one per client at most). Ids are given here, so the two
  encrypted columns (notes, the override's reason: empty, as a check-in writes them) are sealed
  under the client's key and bound to the row like a real check-in's. History rows as the
  services write them, by two INSERT … SELECT: the check-in ("+", the stay as it was opened)
  and, for a closed stay, the check-out ("~").

On PostgreSQL the rows go in by COPY; the loaded tables' foreign keys and exclusion constraints
(no two stays of a bed, or of a client, overlap) are dropped for the load and added back at the
end, which checks every row at once. On SQLite (small sizes only) by executemany, with every
constraint in place. What is not written: caseloads, notes, plans, programmes, the clients'
derived episode fields (episode start, episodes in three years, pathway stage: left at their
defaults), phone numbers and e-mails (a synthetic number could be somebody's).
"""

import datetime
import enum
import random
import time
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import Organisation, User
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.services import access_log_write
from cases.models import Client, Sex
from cases.pesel import synthesize
from privacy import crypto, keys
from privacy.fields import EncryptedField, row_identity
from privacy.models import DataKey, Subject
from reports.episodes import episodes_rebuild
from reports.models import Episode
from shelters.models import Bed, ExitDestination, Facility, FacilityKind, Room, Stay

REASON = "seed_scale"
USERNAME = "seed-scale"
# A bed's stays: one a period, starting on the bed's own evening of the period, lasting
# from half a period to a day less than one (a bed is then in use about three nights in four).
PERIOD = 28
MIN_NIGHTS = PERIOD // 2
BEDS_PER_ROOM = 8
CHUNK = 10_000
# Multiplier of the slot → client mapping (coprime with the number of clients, see _spread).
SPREAD = 7_919

KINDS = [
    FacilityKind.SHELTER,
    FacilityKind.NIGHT_SHELTER,
    FacilityKind.SHELTER,
    FacilityKind.SHELTER_WITH_CARE,
    FacilityKind.WARMING_CENTRE,
    FacilityKind.SINGLE_MOTHER_HOUSE,
    FacilityKind.TRAINING_FLAT,
    FacilityKind.SHELTER,
]
EXITS = [
    ExitDestination.OWN_HOUSING,
    ExitDestination.RENTED_ROOM,
    ExitDestination.FAMILY,
    ExitDestination.OTHER_FACILITY,
    ExitDestination.HOSPITAL,
    ExitDestination.STREET,
    ExitDestination.STREET,
    ExitDestination.UNKNOWN,
]
MUNICIPALITIES = ["1465011", "1261011", "0264011", "3064011", "2469011", "0661011", ""]
# Invented names: syllables put together, so no list of real people's names is used.
ONSETS = ["Bo", "Mi", "Ra", "Le", "Wi", "Ja", "Ze", "Do", "Ka", "Sta", "Gra", "Bro", "Zdzi", "Ło"]
MIDDLES = ["le", "ro", "mi", "sła", "da", "ni", "to", "ża", "wie", "go", "ci", "lu"]
FIRST_ENDS = {True: ["na", "ta", "la", "sia", "mira"], False: ["mir", "sław", "dan", "rek", "ch"]}
STEMS = ["Kro", "Wierz", "Sos", "Gra", "Du", "Le", "Brzo", "Ja", "Ol", "Ży", "Ciem", "Przy"]
SURNAME_MIDDLES = ["bo", "no", "wa", "ci", "sza", "ra", "dzie", "ło", "mi", "ko"]
SURNAME_ENDS = [("wski", "wska"), ("cki", "cka"), ("ak", "ak"), ("wicz", "wicz"), ("ny", "na")]


@dataclass(frozen=True)
class Sizes:
    clients: int = 1_000_000
    facilities: int = 600
    beds: int = 20_000
    years: int = 10
    seed: int = 14
    until: datetime.date | None = None  # the last night (today when not given)


class SeedRefused(Exception):
    """The sizes cannot be seeded as asked (the message says why)."""


def check_sizes(sizes: Sizes) -> None:
    if min(sizes.clients, sizes.facilities, sizes.beds, sizes.years) < 1:
        raise SeedRefused("every size must be at least 1")
    if sizes.beds < sizes.facilities:
        raise SeedRefused("each facility needs a bed at least: --beds must be >= --facilities")
    if sizes.clients < 2 * sizes.beds:
        # A client's stays are `clients` slots apart: two periods at least, or two of them
        # could overlap (beds start their periods on different evenings).
        raise SeedRefused("at least two clients a bed: --clients must be >= 2 x --beds")


def database_is_empty() -> bool:
    return not (Client.objects.exists() or Facility.objects.exists() or Stay.objects.exists())


class Phase:
    """Times a phase and prints its rows a second (progress lines for a long run)."""

    def __init__(self, out: Callable[[str], None], name: str):
        self.out, self.name = out, name
        self.started = time.perf_counter()
        self.timings: dict[str, float] = {}

    def step(self, done: int, total: int) -> None:
        elapsed = time.perf_counter() - self.started
        rate = done / elapsed if elapsed else 0.0
        self.out(f"  {self.name}: {done:,}/{total:,} ({rate:,.0f} rows/s)")

    def end(self, rows: int) -> float:
        elapsed = time.perf_counter() - self.started
        rate = rows / elapsed if elapsed else 0.0
        self.out(f"{self.name}: {rows:,} rows in {elapsed:.1f} s ({rate:,.0f} rows/s)")
        return elapsed


# --- writing rows ---------------------------------------------------------------------------


def _plain(value):
    """A choice's plain value: psycopg would write an Enum member's name, not its value."""
    return value.value if isinstance(value, enum.Enum) else value


def _sqlite_value(value):
    """What Django's SQLite backend stores for a value (the raw cursor does not adapt them)."""
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class Writer:
    """Rows into a table, a batch at a time: COPY on PostgreSQL (one COPY at a time on the
    connection, so several writers take turns), executemany elsewhere."""

    def __init__(self, cursor, table: str, columns: list[str], batch: int = CHUNK):
        self.cursor, self.size = cursor, batch
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        table = connection.ops.quote_name(table)
        self.pg = connection.vendor == "postgresql"
        if self.pg:
            self._sql = f"COPY {table} ({names}) FROM STDIN"
        else:
            marks = ", ".join(["%s"] * len(columns))
            self._sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        self._batch: list[tuple] = []
        self.rows = 0

    def write(self, row: tuple) -> None:
        self.rows += 1
        self._batch.append(row)
        if len(self._batch) >= self.size:
            self.flush()

    def flush(self) -> None:
        if not self._batch:
            return
        if self.pg:
            with self.cursor.copy(self._sql) as copy:
                for row in self._batch:
                    copy.write_row(row)
        else:
            self.cursor.executemany(
                self._sql, [tuple(_sqlite_value(v) for v in row) for row in self._batch]
            )
        self._batch = []

    def close(self) -> None:
        self.flush()


def _checks(cursor, tables: Iterable[str]) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the tables' foreign keys and exclusion constraints."""
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'x') ORDER BY contype, conname",
        [list(tables)],
    )
    return cursor.fetchall()


def _next_id(cursor, model) -> int:
    cursor.execute(f"SELECT MAX({model._meta.pk.column}) FROM {model._meta.db_table}")
    return (cursor.fetchone()[0] or 0) + 1


def _reset_sequence(cursor, model) -> None:
    if connection.vendor == "postgresql":
        table, pk = model._meta.db_table, model._meta.pk.column
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), (SELECT MAX({pk}) FROM {table}))",
            [table, pk],
        )


def _defaults(model) -> dict[str, object]:
    """The value of each field in a new instance (what a real save would seal or store)."""
    blank = model()
    return {f.attname: _plain(getattr(blank, f.attname)) for f in model._meta.concrete_fields}


# --- synthetic people -----------------------------------------------------------------------


class People:
    """Synthetic people, one after another, from a seeded generator (same seed, same people)."""

    FIRST_DAY = datetime.date(1940, 1, 1)
    DAYS = (datetime.date(2006, 12, 31) - FIRST_DAY).days + 1

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.serials: dict[datetime.date, int] = {}

    def next(self) -> dict:
        rng = self.rng
        female = rng.random() < 0.3
        born = self.FIRST_DAY + datetime.timedelta(days=rng.randrange(self.DAYS))
        serial = self.serials.get(born, 0)
        self.serials[born] = serial + 1
        first = rng.choice(ONSETS) + rng.choice(MIDDLES) + rng.choice(FIRST_ENDS[female])
        surname = (
            rng.choice(STEMS)
            + rng.choice(SURNAME_MIDDLES)
            + rng.choice(SURNAME_ENDS)[1 if female else 0]
        )
        return {
            "first_name": first,
            "surname": surname,
            # Serial 0..999 per day of birth; past 1000 the sex digit changes too (synthesize).
            "pesel": synthesize(born, female=female, serial=serial),
            "birth_date": born,
            "sex": Sex.FEMALE if female else Sex.MALE,
            "citizenship": "polskie",
            "preferred_language": "polski",
            "homelessness_reasons": rng.choice([["eviction"], ["debt"], ["family_breakdown"]]),
            "income_sources": rng.choice([["social_benefit"], ["none"], ["pension"]]),
            "identity_documents": rng.choice([["id_card"], ["none"]]),
            "addictions": rng.choice([["alcohol"], ["none"], ["none"]]),
        }


# --- the seeding ----------------------------------------------------------------------------


@dataclass
class Plan:
    """Where the stays go: slots (period, bed) over the days from `first` to `until`."""

    sizes: Sizes
    until: datetime.date
    first: datetime.date
    periods: int

    @classmethod
    def of(cls, sizes: Sizes) -> "Plan":
        until = sizes.until or timezone.localdate()
        first = until - datetime.timedelta(days=round(365.25 * sizes.years))
        periods = (until - first).days // PERIOD + 1
        return cls(sizes, until, first, periods)

    def spread(self) -> tuple[int, int]:
        """(multiplier, its inverse) modulo the number of clients: slot s → client s·A + seed."""
        n = self.sizes.clients
        a = SPREAD
        while _gcd(a, n) != 1:
            a += 1
        return a % n if n > 1 else 0, pow(a, -1, n) if n > 1 else 0

    def registered_on(self, c: int, inverse: int) -> datetime.date:
        """Client c registers on the first day of the period of their first stay."""
        n = self.sizes.clients
        first_slot = (c - self.sizes.seed) * inverse % n if n > 1 else 0
        period = min(first_slot // self.sizes.beds, self.periods - 1)
        return min(self.first + datetime.timedelta(days=period * PERIOD), self.until)


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def seed_scale(*, sizes: Sizes, out: Callable[[str], None] = print) -> dict[str, int]:
    """Write `sizes` of synthetic data in one transaction; the rows written and phase times."""
    check_sizes(sizes)
    plan = Plan.of(sizes)
    figures: dict[str, float] = {}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        organisation, _created = Organisation.objects.get_or_create(
            name="Sieć placówek (dane syntetyczne)",
            defaults={"kind": Organisation.Kind.FOUNDATION},
        )
        user, _created = User.objects.get_or_create(
            username=USERNAME,
            defaults={"organisation": organisation, "password": make_password(None)},
        )
        beds = _facilities(plan, organisation, user, out, figures)
        loaded = [
            DataKey._meta.db_table,
            Client._meta.db_table,
            Client.history.model._meta.db_table,
            Stay._meta.db_table,
            Stay.history.model._meta.db_table,
        ]
        dropped = _checks(cursor, loaded) if connection.vendor == "postgresql" else []
        if dropped:
            # Django's foreign keys are deferred: the checks still pending (the beds') run now,
            # or PostgreSQL refuses to alter the tables.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _definition in dropped:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        deks, client_ids = _clients(cursor, plan, user, out, figures)
        _stays(cursor, plan, beds, deks, client_ids, user, out, figures)
        phase = Phase(out, "constraints added back (every row checked)")
        for table, name, definition in dropped:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        if dropped:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        figures["constraints_s"] = phase.end(len(dropped))
        # The stays went in without signals: the outcome report's episodes table is built from
        # them all at once, as `manage.py rebuild_episodes` does (docs/measures.md).
        phase = Phase(out, "episodes (reports.Episode)")
        episodes_rebuild()
        figures["episodes_s"] = phase.end(Episode.objects.count())
        access_log_write(
            actor=user, action=AccessLogEntry.Action.CREATE, purpose=Purpose.IMPORT_RECORDS
        )
    if connection.vendor == "postgresql":
        # VACUUM too, where it may run (not inside a caller's transaction): rows written in
        # bulk are not yet marked visible to all, and until autovacuum gets to them every
        # index-only scan also reads the table (the reports' probes of each client's stays).
        vacuum = not connection.in_atomic_block
        phase = Phase(out, "VACUUM (ANALYZE)" if vacuum else "ANALYZE")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)" if vacuum else "ANALYZE")
        figures["analyze_s"] = phase.end(0)
    figures["total_s"] = time.perf_counter() - started
    out(f"seed_scale: done in {figures['total_s']:.0f} s")
    return figures


def _facilities(plan: Plan, organisation, user, out, figures) -> list[tuple[int, int]]:
    """Facilities, rooms of up to BEDS_PER_ROOM beds, beds; (bed id, facility id) in order."""
    sizes = plan.sizes
    phase = Phase(out, "facilities, rooms and beds")

    def history(objs, model):
        return bulk_create_with_history(
            objs, model, batch_size=2000, default_user=user, default_change_reason=REASON
        )

    facilities = history(
        [
            Facility(
                organisation=organisation,
                name=f"Placówka {n + 1}",
                kind=KINDS[n % len(KINDS)],
            )
            for n in range(sizes.facilities)
        ],
        Facility,
    )
    # Beds spread evenly, the first facilities one more each when they do not divide.
    per, extra = divmod(sizes.beds, sizes.facilities)
    counts = [per + (1 if n < extra else 0) for n in range(sizes.facilities)]
    rooms, room_of = [], []
    for facility, count in zip(facilities, counts, strict=True):
        for r in range(-(-count // BEDS_PER_ROOM)):
            rooms.append(Room(facility=facility, name=f"Pokój {r + 1}"))
            room_of.append(facility)
    rooms = history(rooms, Room)
    by_facility: dict[int, list] = {}
    for room in rooms:
        by_facility.setdefault(room.facility_id, []).append(room)
    beds = []
    for facility, count in zip(facilities, counts, strict=True):
        for n in range(count):
            beds.append(
                Bed(
                    facility=facility,
                    room=by_facility[facility.pk][n // BEDS_PER_ROOM],
                    label=str(n + 1),
                    kind="seat" if facility.kind == FacilityKind.WARMING_CENTRE else "bed",
                    available_from=plan.first - datetime.timedelta(days=1),
                )
            )
    beds = history(beds, Bed)
    if beds and beds[0].pk is None:  # a backend that returns no ids from bulk inserts
        beds = list(Bed.objects.filter(facility__in=facilities).order_by("pk"))
    figures["facilities_s"] = phase.end(len(facilities) + len(rooms) + len(beds))
    return [(bed.pk, bed.facility_id) for bed in beds]


def _clients(cursor, plan: Plan, user, out, figures):
    """Subjects, wrapped data keys, sealed clients with blind indexes, their history rows."""
    sizes = plan.sizes
    phase = Phase(out, "clients (subjects, data keys, sealed rows, blind indexes)")
    ring = keys.kek_ring()
    kek, kek_id = ring.keys[ring.current], ring.current
    now = timezone.now()
    first_key = _next_id(cursor, DataKey)
    people = People(sizes.seed)
    _a, inverse = plan.spread()
    defaults = _defaults(Client)
    encrypted = [f for f in Client._meta.concrete_fields if isinstance(f, EncryptedField)]
    # A value the same for everyone is encoded once (sealing still happens per row).
    constant = {
        f.attname: f.encode(defaults[f.attname])
        for f in encrypted
        if f.attname not in People(0).next()
    }
    row_label, _pk = row_identity(Client)
    plain_columns = [f for f in Client._meta.concrete_fields if not isinstance(f, EncryptedField)]
    columns = [f.column for f in encrypted] + [f.column for f in plain_columns]
    subjects = Writer(cursor, Subject._meta.db_table, ["id", "kind", "created_at"])
    data_keys = Writer(
        cursor, DataKey._meta.db_table, ["id", "subject_id", "kek_id", "wrapped", "created_at"]
    )
    clients = Writer(cursor, Client._meta.db_table, columns)
    deks: list[tuple[int, bytes]] = []
    client_ids: list[uuid.UUID] = []
    for c in range(sizes.clients):
        sid = uuid.uuid4()
        dek = crypto.new_data_key()
        key_id = first_key + c
        subjects.write((sid, "client", now))
        data_keys.write(
            (key_id, sid, kek_id, crypto.wrap_key(dek, kek=kek, kek_id=kek_id, subject_id=sid), now)
        )
        person = people.next()
        row = crypto.row_binding(row_label, sid)
        sealed = [
            crypto.encrypt(
                constant[f.attname] if f.attname in constant else f.encode(person[f.attname]),
                key=dek,
                key_id=key_id,
                label=f.label,
                subject_id=sid,
                row=row,
            )
            for f in encrypted
        ]
        # The indexes as Client.save computes them, from the same plaintext.
        indexed = SimpleNamespace(**{f.attname: defaults[f.attname] for f in encrypted} | person)
        Client.refresh_blind_indexes(indexed)
        values = defaults | {
            "subject_id": sid,
            "birth_year": person["birth_date"].year,
            "sex": person["sex"].value,
            "municipality_code": MUNICIPALITIES[c % len(MUNICIPALITIES)],
            "registered_on": plan.registered_on(c, inverse),
            "registered_by_id": user.pk,
            "pesel_bidx": indexed.pesel_bidx,
            "name_bidx": indexed.name_bidx,
            "surname_birth_bidx": indexed.surname_birth_bidx,
        }
        clients.write((*sealed, *(values[f.attname] for f in plain_columns)))
        deks.append((key_id, dek))
        client_ids.append(sid)
        if (c + 1) % 100_000 == 0:
            phase.step(c + 1, sizes.clients)
    for writer in (subjects, data_keys, clients):
        writer.close()
    _reset_sequence(cursor, DataKey)
    figures["clients_s"] = phase.end(sizes.clients)

    phase = Phase(out, "client history rows (INSERT … SELECT)")
    history = Client.history.model
    copied = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    if connection.vendor == "postgresql":
        registered_at = "(c.registered_on + time '10:00') AT TIME ZONE %s"
        zone = [settings.TIME_ZONE]
    else:
        # SQLite keeps UTC text; 09:00 UTC is 10:00 in Warsaw in winter (small demo sizes).
        registered_at = "c.registered_on || ' 09:00:00'"
        zone = []
    cursor.execute(
        f"INSERT INTO {history._meta.db_table} ({', '.join(copied)}, history_date, "
        "history_change_reason, history_type, history_user_id) "
        f"SELECT {', '.join('c.' + c for c in copied)}, {registered_at}, %s, '+', %s "
        f"FROM {Client._meta.db_table} c JOIN {DataKey._meta.db_table} d "
        "ON d.subject_id = c.subject_id WHERE d.id BETWEEN %s AND %s",
        [*zone, REASON, user.pk, first_key, first_key + sizes.clients - 1],
    )
    figures["client_history_s"] = phase.end(cursor.rowcount)
    return deks, client_ids


def _stays(cursor, plan: Plan, beds, deks, client_ids, user, out, figures) -> None:
    """The stays, slot by slot in time order (as they were written), and their history rows."""
    sizes = plan.sizes
    phase = Phase(out, "stays (sealed, row-bound)")
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    evening, morning = datetime.time(18, 0, tzinfo=zone), datetime.time(8, 0, tzinfo=zone)
    first_stay = _next_id(cursor, Stay)
    notes, override = Stay._meta.get_field("notes"), Stay._meta.get_field("override_reason")
    empty_notes, empty_override = notes.encode(""), override.encode("")
    row_label, _pk = row_identity(Stay)
    columns = [
        "id", "client_id", "subject_id", "facility_id", "bed_id", "started_at", "ended_at",
        "ended_on", "night_of", "last_night", "last_seen_on", "exit_destination", "notes",
        "override_reason", "checked_in_by_id", "checked_out_by_id",
    ]  # fmt: skip
    stays = Writer(cursor, Stay._meta.db_table, columns)
    a, _inverse = plan.spread()
    n_clients, seed = sizes.clients, sizes.seed
    # Each bed's own evening of the period, and each slot's length, from the seed.
    rng = random.Random(sizes.seed + 1)
    offsets = [rng.randrange(PERIOD) for _ in beds]
    days = (plan.until - plan.first).days
    expected = sum(
        1 for b in range(len(beds)) for k in range(plan.periods) if k * PERIOD + offsets[b] <= days
    )
    stay_id = first_stay
    for k in range(plan.periods):
        for b, (bed_id, facility_id) in enumerate(beds):
            start = k * PERIOD + offsets[b]
            if start > days:
                continue
            s = k * len(beds) + b
            c = (s * a + seed) % n_clients
            sid = client_ids[c]
            key_id, dek = deks[c]
            nights = MIN_NIGHTS + rng.randrange(PERIOD - MIN_NIGHTS)
            night_of = plan.first + datetime.timedelta(days=start)
            started_at = datetime.datetime.combine(night_of, evening) + datetime.timedelta(
                minutes=rng.randrange(240)
            )
            row = crypto.row_binding(row_label, stay_id)
            sealed = [
                crypto.encrypt(
                    plaintext, key=dek, key_id=key_id, label=field.label, subject_id=sid, row=row
                )
                for field, plaintext in ((notes, empty_notes), (override, empty_override))
            ]
            if start + nights >= days:
                # Still in the bed on the last night: open (ends after the last morning).
                ended = (None, None, plan.until, "", None, None)
            else:
                last = night_of + datetime.timedelta(days=nights)
                ended = (
                    datetime.datetime.combine(last, morning),
                    last - datetime.timedelta(days=1),
                    last,
                    EXITS[rng.randrange(len(EXITS))].value,
                    user.pk,
                    # The stored local end date (Stay.ended_on): the morning's own date.
                    last,
                )
            stays.write(
                (
                    stay_id,
                    sid,
                    sid,
                    facility_id,
                    bed_id,
                    started_at,
                    ended[0],
                    ended[5],
                    night_of,
                    ended[1],
                    ended[2],
                    ended[3],
                    *sealed,
                    user.pk,
                    ended[4],
                )  # fmt: skip
            )
            stay_id += 1
            if (stay_id - first_stay) % 500_000 == 0:
                phase.step(stay_id - first_stay, expected)
    stays.close()
    _reset_sequence(cursor, Stay)
    written = stay_id - first_stay
    figures["stays_s"] = phase.end(written)
    figures["stays"] = written

    # History as the services write it: the check-in's row, then the check-out's.
    history = Stay.history.model
    copied = [f.column for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    at_check_in = {
        "ended_at": "NULL",
        "ended_on": "NULL",
        "last_night": "NULL",
        "last_seen_on": "night_of",
        "exit_destination": "''",
        "checked_out_by_id": "NULL",
    }
    for kind, when, who, where, values in (
        ("+", "started_at", "checked_in_by_id", "", at_check_in),
        ("~", "ended_at", "checked_out_by_id", " AND ended_at IS NOT NULL", {}),
    ):
        phase = Phase(out, f"stay history rows '{kind}' (INSERT … SELECT)")
        cursor.execute(
            f"INSERT INTO {history._meta.db_table} ({', '.join(copied)}, history_date, "
            "history_change_reason, history_type, history_user_id) "
            f"SELECT {', '.join(values.get(c, c) for c in copied)}, {when}, %s, %s, {who} "
            f"FROM {Stay._meta.db_table} WHERE id BETWEEN %s AND %s{where}",
            [REASON, kind, first_stay, stay_id - 1],
        )
        figures[f"stay_history_{'in' if kind == '+' else 'out'}_s"] = phase.end(cursor.rowcount)
