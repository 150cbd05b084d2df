"""Reads shared by the board, the services and reports. Query counts do not grow with the data."""

import datetime
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from cases.models import Client, Household
from config.compiled import Compiled, prepared_cursor
from privacy import vault
from privacy.blind import normalise
from privacy.fields import ERASED
from shelters.models import (
    Admits,
    Ban,
    Bed,
    BedOutage,
    Facility,
    Hold,
    MemberStay,
    Room,
    RoomAllocation,
    RoomSex,
    Stay,
    WaitlistEntry,
    WaitlistStatus,
)
from shelters.people import Person, person, person_from_row


def outages_at(at: datetime.datetime) -> QuerySet[BedOutage]:
    return BedOutage.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at), starts_at__lte=at)


# --- the state of a bed, and the counts: one definition for the board, the lists, the city -----

FREE, OCCUPIED, HELD, OUT, UNUSED = "free", "occupied", "held", "out", "unused"
# A bed with no stay in a room allocated to a household: the household's, not free.
FAMILY = "family"
STATES = (FREE, OCCUPIED, HELD, OUT, FAMILY, UNUSED)


def beds_with_state(at: datetime.datetime, facility_ids) -> QuerySet[Bed]:
    """Beds of the facilities in the inventory on `at`'s day, each annotated with its `state`.

    The one definition of a bed's state (docs/architecture.md, "Counting beds"), first that holds:
    occupied (an open stay: the person is in it, whatever else is true), out of service (an
    outage at `at`), held (a hold in force), family (its room is allocated to a household),
    unused (an overflow place while winter mode is off), else free.
    """
    return (
        Bed.objects.filter(facility_id__in=facility_ids)
        .available_on(timezone.localdate(at))
        .annotate(
            state=Case(
                When(
                    Exists(Stay.objects.filter(bed=OuterRef("pk"), ended_at__isnull=True)),
                    then=Value(OCCUPIED),
                ),
                When(Exists(outages_at(at).filter(bed=OuterRef("pk"))), then=Value(OUT)),
                When(Exists(Hold.objects.active(at).filter(bed=OuterRef("pk"))), then=Value(HELD)),
                When(
                    Exists(RoomAllocation.objects.open().filter(room=OuterRef("room"))),
                    then=Value(FAMILY),
                ),
                When(Q(is_overflow=True, facility__is_winter_mode=False), then=Value(UNUSED)),
                default=Value(FREE),
                output_field=CharField(),
            )
        )
    )


@dataclass
class BedCounts:
    """Tonight's figures of one facility (see `add` for what counts where).

    `places` are the beds in use tonight: the regular ones, plus the overflow places while
    winter mode is on (and any overflow place someone still sleeps in). Every place is in
    exactly one state, so free + occupied + held + out + family == places.
    """

    places: int = 0
    overflow_places: int = 0
    free: int = 0
    free_overflow: int = 0
    free_men: int = 0
    free_women: int = 0
    free_any: int = 0
    free_accessible: int = 0
    occupied: int = 0
    occupied_overflow: int = 0
    held: int = 0
    out: int = 0
    family: int = 0
    # Overflow places not in use (winter mode off): shown, never counted as places.
    unused: int = 0

    def add(self, *, state: str, is_overflow: bool, room_sex: str, accessible: bool, n: int = 1):
        if state == UNUSED:
            self.unused += n
            return
        self.places += n
        self.overflow_places += n if is_overflow else 0
        setattr(self, state, getattr(self, state) + n)
        if state == OCCUPIED and is_overflow:
            self.occupied_overflow += n
        if state == FREE:
            self.free_overflow += n if is_overflow else 0
            setattr(self, f"free_{room_sex}", getattr(self, f"free_{room_sex}") + n)
            self.free_accessible += n if accessible else 0

    @property
    def regular_places(self) -> int:
        return self.places - self.overflow_places


def bed_counts(facilities, at: datetime.datetime | None = None) -> dict[int, BedCounts]:
    """Tonight's counts per facility id: the same figures the board shows, in one grouped query.

    The facility list, the city view and the board all count through `BedCounts.add` over the
    states of `beds_with_state`, so they cannot disagree.
    """
    at = at or timezone.now()
    ids = [f.pk for f in facilities]
    counts = {pk: BedCounts() for pk in ids}
    rows = (
        beds_with_state(at, ids)
        .order_by()
        .values("facility_id", "state", "is_overflow", "room__sex", "is_wheelchair_accessible")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counts[row["facility_id"]].add(
            state=row["state"],
            is_overflow=row["is_overflow"],
            room_sex=row["room__sex"],
            accessible=row["is_wheelchair_accessible"],
            n=row["n"],
        )
    return counts


# How beds are offered for a choice (check-in, walk-in, transfer), as the board's "free now":
# the regular places room by room, the overflow places (winter mattresses) last.
BED_CHOICE_ORDER = ("is_overflow", "room__name", "label")


def free_beds(facility: Facility, at: datetime.datetime) -> QuerySet[Bed]:
    """Beds in the state "free" at `at` (`beds_with_state`): what check-in and holds may use."""
    return beds_with_state(at, [facility.pk]).filter(state=FREE)


def rooms_without_household(facility: Facility) -> QuerySet[Room]:
    """Rooms of a house for single mothers with no household in them now."""
    return (
        Room.objects.filter(facility=facility)
        .exclude(Exists(RoomAllocation.objects.open().filter(room=OuterRef("pk"))))
        .order_by("name")
    )


def sex_allowed(sex: str) -> list[str]:
    """Room sexes a client of `sex` may be placed in without a manager's override."""
    if sex == "male":
        return [RoomSex.ANY, RoomSex.MEN]
    if sex == "female":
        return [RoomSex.ANY, RoomSex.WOMEN]
    return [RoomSex.ANY, RoomSex.MEN, RoomSex.WOMEN]


def facility_admits(facility: Facility, sex: str) -> bool:
    if facility.admits == Admits.MEN:
        return sex != "female"
    if facility.admits in (Admits.WOMEN, Admits.MOTHERS):
        return sex != "male"
    return True


def suggest_bed(
    facility: Facility, client: Client, at: datetime.datetime, *, wheelchair: bool = False
) -> Bed | None:
    """The bed to offer `client`: their own hold first, else a free bed that matches.

    Matching: the room's sex; a wheelchair-accessible bed when needed, and otherwise the
    accessible beds last, so they stay free for those who need them; lower bunks first.
    """
    held = (
        Hold.objects.active(at).filter(facility=facility, client=client).select_related("bed")
    ).first()
    if held is not None:
        return held.bed
    beds = free_beds(facility, at).filter(room__sex__in=sex_allowed(client.sex))
    if wheelchair:
        beds = beds.filter(is_wheelchair_accessible=True)
    return (
        beds.select_related("room")
        .order_by("is_overflow", "is_wheelchair_accessible", "level", "room__name", "label")
        .first()
    )


# --- the bed board -----------------------------------------------------------------------------

# The columns of a client the shelters' lists show: the name fields (to decrypt), and the clear
# year of birth and sex. Loading only these spares the other fifteen encrypted columns a
# conversion each (and their bytes a trip from the database).
PERSON_FIELDS = ("first_name", "surname", "birth_year", "sex")


def _client_only(prefix: str = "client") -> list[str]:
    return [f"{prefix}__{name}" for name in PERSON_FIELDS]


@dataclass
class BoardChild:
    """A child (household member) in the room of a house for single mothers."""

    first_name: str
    full_name: str
    birth_year: int | None
    sex: str


@dataclass
class BoardHousehold:
    """A household in its room: the mother and the children.

    Only the board of the house itself builds this: staff of that house see the names.
    """

    allocation: RoomAllocation
    room_name: str
    mother: Person
    children: list[BoardChild]


@dataclass
class BoardBed:
    """One bed as the board shows it: where it is, its state, and who is in it or holds it."""

    id: int
    label: str
    room_id: int
    room_name: str
    room_sex: str
    is_accessible: bool
    is_overflow: bool
    state: str
    stay_id: int | None = None
    started_at: datetime.datetime | None = None
    nights: int = 0
    # The occupant, or the person a hold names.
    person: Person | None = None
    # The full name (the roll, for a fire evacuation): never on the board itself.
    full_name: str = ""
    # A hold for a referral alone: the referral's note.
    referral: str = ""
    hold_until: datetime.datetime | None = None
    outage_reason: str = ""
    # The household whose room this bed is in (state family).
    household: Person | None = None


@dataclass
class BoardRoom:
    id: int
    name: str
    sex: str
    beds: list[BoardBed]

    @property
    def free(self) -> int:
        return sum(bed.state == FREE for bed in self.beds)

    @property
    def sex_label(self) -> str:
        return str(RoomSex(self.sex).label)


@dataclass
class Board:
    facility: Facility
    at: datetime.datetime
    night: datetime.date
    beds: list[BoardBed]
    counts: BedCounts
    households: dict[int, BoardHousehold] = field(default_factory=dict)
    # Children of a house for single mothers: "total", and by sex ("female", "male"...).
    children: dict[str, int] = field(default_factory=dict)

    @property
    def free_beds(self) -> list[BoardBed]:
        """Free beds, regular places before overflow ones: the first thing staff look for."""
        return sorted((b for b in self.beds if b.state == FREE), key=lambda b: b.is_overflow)


def board_rooms(rows: list[BoardBed]) -> list[BoardRoom]:
    """Rows grouped by room, in the rows' order (the board lists beds room by room)."""
    rooms: dict[int, BoardRoom] = {}
    for row in rows:
        if row.room_id not in rooms:
            rooms[row.room_id] = BoardRoom(row.room_id, row.room_name, row.room_sex, [])
        rooms[row.room_id].beds.append(row)
    # Rooms of overflow places only (a corridor of winter mattresses) come last.
    return sorted(rooms.values(), key=lambda room: all(bed.is_overflow for bed in room.beds))


BOARD_BED_COLUMNS = (
    "pk",
    "label",
    "room_id",
    "room__name",
    "room__sex",
    "is_wheelchair_accessible",
    "is_overflow",
    "state",
)
# Values no real call passes, to find where the statement's parameters go (`board_beds`).
_PROBE_AT = datetime.datetime(1901, 2, 3, 4, 5, 6, 70809, tzinfo=datetime.UTC)
_PROBE_FACILITY = -918_273_645
# Per database alias: (SQL, parameters, which parameter is which value) or None.
_board_beds_compiled: dict[str, tuple[str, list, list[str | None]] | None] = {}


def _board_beds_query(at: datetime.datetime, facility_id: int) -> QuerySet:
    return (
        beds_with_state(at, [facility_id])
        .order_by("room__name", "label")
        .values_list(*BOARD_BED_COLUMNS)
    )


def _adapted(at: datetime.datetime, facility_id: int) -> dict[str, object]:
    """The three values of the statement as the database driver is given them."""
    ops = connection.ops
    return {
        "at": ops.adapt_datetimefield_value(at),
        "day": ops.adapt_datefield_value(timezone.localdate(at)),
        "facility": facility_id,
    }


def _compile_board_beds() -> tuple[str, list, list[str | None]] | None:
    """`beds_with_state`'s statement for one facility, built by the ORM once with probe values,
    and where each of the three values goes; None if a probe cannot be found (then the ORM
    builds every statement, as before)."""
    sql, params = _board_beds_query(_PROBE_AT, _PROBE_FACILITY).query.sql_with_params()
    probes = _adapted(_PROBE_AT, _PROBE_FACILITY)
    slots = []
    for param in params:
        # Compared by type and value, so True never matches 1 nor a date a datetime.
        slots.append(
            next(
                (n for n, v in probes.items() if type(v) is type(param) and v == param),
                None,
            )
        )
    if set(slots) - {None} != set(probes):
        return None
    return sql, list(params), slots


def board_beds(at: datetime.datetime, facility_id: int) -> list[tuple]:
    """The board's beds of one facility with their states (`beds_with_state`), as raw rows in
    the order of BOARD_BED_COLUMNS (booleans may come as 0/1 from SQLite).

    The statement is `beds_with_state`'s own, built by the ORM once per process and then run
    with this call's values: building its four EXISTS cost the board refresh 2.6 ms of CPU on
    every request, running it 0.15 ms (SQLite, 60 beds; docs/benchmarks.md, issue 14).
    """
    if connection.alias not in _board_beds_compiled:
        _board_beds_compiled[connection.alias] = _compile_board_beds()
    compiled = _board_beds_compiled[connection.alias]
    if compiled is None:
        return list(_board_beds_query(at, facility_id))
    sql, params, slots = compiled
    values = _adapted(at, facility_id)
    # Prepared on PostgreSQL, once per connection (config/compiled.py).
    with prepared_cursor() as cursor:
        cursor.execute(sql, [values[s] if s else p for p, s in zip(params, slots, strict=True)])
        return cursor.fetchall()


def _board_stays_query(facility_id: int) -> QuerySet:
    """The open stays of a facility with their clients' shown columns, by bed."""
    return Stay.objects.filter(facility_id=facility_id, ended_at__isnull=True).values_list(
        "bed_id",
        "pk",
        "night_of",
        "started_at",
        "client_id",
        *_client_only(),
        # A walk-in's estimated year (one join, no query per row).
        "client__walk_in__birth_year_estimated",
    )


# Built once a process (config/compiled.py): building it cost each refresh about 1 ms of CPU.
_board_stays = Compiled(_board_stays_query, ids=("facility_id",))


def bed_board(facility: Facility, at: datetime.datetime | None = None) -> Board:
    """Every bed of a facility with its state and occupant, and tonight's counts.

    At most five queries whatever the number of beds (two more in a house for single mothers):
    the beds with their states, the open stays with their clients' names, the holds, the
    outages (each only when some bed is in that state) and the data keys not yet cached. The
    counts are folded from the same states as `bed_counts`, so the board and the lists agree.
    """
    at = at or timezone.now()
    night = facility.night_of(at)
    rows = [
        BoardBed(pk, label, room_id, room_name, room_sex, bool(accessible), bool(overflow), state)
        for pk, label, room_id, room_name, room_sex, accessible, overflow, state in board_beds(
            at, facility.pk
        )
    ]
    states = {row.state for row in rows}
    stays, holds, outages = {}, {}, {}
    if OCCUPIED in states:
        # Raw columns, not model instances: 60 stays and their clients built as objects cost
        # more than the rest of the board (docs/benchmarks.md); the names open as the model
        # would open them (people.person_from_row).
        stays = {row[0]: row[1:] for row in _board_stays.rows(facility_id=facility.pk)}
    if HELD in states:
        holds = {
            h.bed_id: h
            for h in Hold.objects.active(at)
            .filter(facility=facility)
            .select_related("client")
            .only("bed_id", "ends_at", "subject_id", "referral", "client_id", *_client_only())
        }
    if OUT in states:
        outages = dict(
            outages_at(at).filter(bed__facility=facility).values_list("bed_id", "reason")
        )
    allocations, member_stays = _households(facility)
    vault.prefetch(
        [s[3] for s in stays.values()]
        + [h.subject_id for h in holds.values()]
        + [a.household.head_id for a in allocations]
        + [m.member_id for m in member_stays]
    )
    households = {a.room_id: _board_household(a, member_stays) for a in allocations}
    counts = BedCounts()
    for row in rows:
        if row.state == OCCUPIED and row.id in stays:
            stay_id, night_of, started_at, client_id, *names = stays[row.id]
            row.stay_id, row.started_at = stay_id, started_at
            row.person, row.full_name = person_from_row(client_id, *names)
            row.nights = (night - night_of).days + 1
        elif row.state == HELD and row.id in holds:
            hold = holds[row.id]
            row.hold_until = hold.ends_at
            if hold.client_id:
                row.person = person(hold.client)
            else:
                row.referral = str(hold.referral)
        elif row.state == OUT:
            row.outage_reason = outages.get(row.id, "")
        elif row.state == FAMILY and row.room_id in households:
            row.household = households[row.room_id].mother
        counts.add(
            state=row.state,
            is_overflow=row.is_overflow,
            room_sex=row.room_sex,
            accessible=row.is_accessible,
        )
    # Children have no bed of their own: counted apart, by sex (the house's board only).
    children = Counter(m.member.sex for m in member_stays)
    children["total"] = len(member_stays)
    return Board(
        facility=facility,
        at=at,
        night=night,
        beds=rows,
        counts=counts,
        households=households,
        children=dict(children),
    )


def _member_full_name(member) -> str:
    """A household member's full name for the roll; an erased member is one neutral marker."""
    if ERASED in (member.first_name, member.surname):
        return str(ERASED)
    return f"{member.first_name} {member.surname or ''}".strip()


def _board_household(allocation: RoomAllocation, member_stays) -> BoardHousehold:
    return BoardHousehold(
        allocation=allocation,
        room_name=allocation.room.name,
        mother=person(allocation.household.head),
        children=[
            BoardChild(
                first_name=str(m.member.first_name),
                full_name=_member_full_name(m.member),
                birth_year=m.member.birth_year,
                sex=m.member.sex,
            )
            for m in member_stays
            if m.allocation_id == allocation.pk
        ],
    )


def _households(
    facility: Facility, *, allocation_id: int | None = None
) -> tuple[list[RoomAllocation], list[MemberStay]]:
    """Open allocations and member stays of a house for single mothers (two queries; none
    for other facilities, whose board keeps its query count)."""
    if facility.kind != "mother_house":
        return [], []
    allocations = RoomAllocation.objects.open().filter(facility=facility)
    if allocation_id is not None:
        allocations = allocations.filter(pk=allocation_id)
    allocations = list(
        allocations.select_related("household__head", "room")
        .only(
            "room_id",
            "started_at",
            "facility_id",
            "room__name",
            "household__head_id",
            *_client_only("household__head"),
        )
        .order_by("room__name")
    )
    member_stays = list(
        MemberStay.objects.open()
        .filter(allocation__in=[a.pk for a in allocations])
        .select_related("member")
        .only(
            "allocation_id",
            "member_id",
            "member__first_name",
            "member__surname",
            "member__birth_year",
            "member__sex",
        )
        .order_by("member__birth_year", "pk")
    )
    return allocations, member_stays


def board_filter(board: Board, *, state: str = "", sex: str = "", accessible: bool = False):
    rows = board.beds
    if state:
        rows = [r for r in rows if r.state == state]
    if sex:
        rows = [r for r in rows if r.room_sex == sex]
    if accessible:
        rows = [r for r in rows if r.is_accessible]
    return rows


@dataclass
class ReturningGuest:
    """Last night's guest, not back yet: "same bed as last night" only where that bed is free."""

    stay: Stay
    person: Person
    bed_is_free: bool
    banned_until: datetime.date | None


def last_night_guests(facility: Facility, at: datetime.datetime) -> list[ReturningGuest]:
    """Last night's guests of a night-only facility not back yet, sorted by room and bed."""
    last_night = facility.night_of(at) - datetime.timedelta(days=1)
    in_now = Stay.objects.filter(ended_at__isnull=True).values("client_id")
    stays = list(
        Stay.objects.filter(facility=facility, night_of=last_night, ended_at__isnull=False)
        .exclude(client_id__in=in_now)
        .select_related("client", "bed__room")
        .only("bed_id", "bed__label", "bed__room__name", "client_id", *_client_only())
        .order_by("bed__room__name", "bed__label")
    )
    if not stays:
        return []
    free = set(free_beds(facility, at).values_list("pk", flat=True))
    bans = dict(
        Ban.objects.in_force(timezone.localdate(at))
        .filter(facility=facility, client_id__in=[s.client_id for s in stays])
        .order_by("ends_on")
        .values_list("client_id", "ends_on")
    )
    vault.prefetch(s.client_id for s in stays)
    return [
        ReturningGuest(
            stay=s,
            person=person(s.client),
            bed_is_free=s.bed_id in free,
            banned_until=bans.get(s.client_id),
        )
        for s in stays
    ]


def absent_stays(facility: Facility, today: datetime.date) -> QuerySet[Stay]:
    """Open stays with no presence for the facility's absence limit: offered for exit."""
    limit = today - datetime.timedelta(days=facility.absence_exit_days)
    return (
        Stay.objects.filter(facility=facility, ended_at__isnull=True, last_seen_on__lte=limit)
        .select_related("client", "bed__room")
        .with_keys()
    )


def waitlist(facility: Facility) -> QuerySet[WaitlistEntry]:
    return (
        WaitlistEntry.objects.filter(
            facility=facility, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
        )
        .select_related("client", "offered_hold__bed__room")
        .order_by("priority", "added_on", "pk")
        .with_keys()
    )


# --- choosing a person: check-in, households -----------------------------------------------------


@dataclass
class Candidate:
    """Someone this facility may check in, with what tells them apart from a namesake."""

    person: Person
    surname_key: str
    is_waiting: bool = False
    hold_bed: str = ""
    banned_until: datetime.date | None = None


def _in_a_bed() -> Exists:
    """The client has an open stay somewhere: one index probe per client (not a list of every
    open stay in the city)."""
    return Exists(Stay.objects.filter(client=OuterRef("pk"), ended_at__isnull=True))


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _words(text: str) -> list[str]:
    return normalise(text or "").split()


def check_in_candidates(
    facility: Facility,
    text: str = "",
    *,
    at: datetime.datetime | None = None,
    limit: int = 20,
    include=None,
) -> tuple[list[Candidate], int]:
    """People this facility may check in whose names start with what was typed; (shown, found).

    The set is the facility's known clients (`access.clients_known_to`: waitlist, holds, past
    stays) minus anyone now in a bed anywhere; only that set is decrypted, never the case
    files. Every typed word must begin the first name or the surname (case and Polish letters
    do not matter). Nothing typed: the people expected (waiting or holding a bed). Sorted by
    surname, first name and year of birth; bans in force are shown (check-in refuses them).
    """
    from shelters.access import clients_known_to

    at = at or timezone.now()
    words = _words(text)
    expected = set(
        WaitlistEntry.objects.filter(
            facility=facility, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
        ).values_list("client_id", flat=True)
    )
    holds = {
        h.client_id: f"{h.bed.room.name} / {h.bed.label}"
        for h in Hold.objects.active(at)
        .filter(facility=facility, client__isnull=False)
        .select_related("bed__room")
        .only("client_id", "bed__label", "bed__room__name")
    }
    clients = clients_known_to(facility).exclude(_in_a_bed()).only(*PERSON_FIELDS)
    chosen = _uuid_or_none(include)
    if not words:
        clients = clients.filter(Q(pk__in=expected | set(holds)) | Q(pk=chosen))
    clients = list(clients)
    vault.prefetch(c.pk for c in clients)
    found = []
    for client in clients:
        names = _words(str(client.first_name)) + _words(str(client.surname))
        if all(any(name.startswith(word) for name in names) for word in words):
            found.append(client)
    found.sort(
        key=lambda c: (normalise(str(c.surname)), normalise(str(c.first_name)), c.birth_year or 0)
    )
    shown = found[:limit]
    # The person already chosen (from the waitlist, last night's list) stays on the list.
    picked = [c for c in clients if c.pk == chosen and c not in shown]
    shown = picked + shown
    bans = dict(
        Ban.objects.in_force(timezone.localdate(at))
        .filter(facility=facility, client_id__in=[c.pk for c in shown])
        .order_by("ends_on")
        .values_list("client_id", "ends_on")
    )
    return [
        Candidate(
            person=person(c),
            surname_key=normalise(str(c.surname)),
            is_waiting=c.pk in expected,
            hold_bed=holds.get(c.pk, ""),
            banned_until=bans.get(c.pk),
        )
        for c in shown
    ], len(found)


def check_in_clients(facility: Facility) -> QuerySet[Client]:
    """Whom a check-in form accepts: the facility's known clients not in a bed anywhere."""
    from shelters.access import clients_known_to

    return clients_known_to(facility).exclude(_in_a_bed())


def household_check_in_households(facility: Facility) -> QuerySet[Household]:
    """Households a house may check in: the mother known to it, not placed, not in a bed."""
    from shelters.access import households_known_to

    return (
        households_known_to(facility)
        .exclude(pk__in=RoomAllocation.objects.open().values("household_id"))
        .exclude(Exists(Stay.objects.filter(client=OuterRef("head"), ended_at__isnull=True)))
        .annotate(
            children=Count("members", filter=Q(members__is_active=True)),
        )
    )


def board_household(allocation: RoomAllocation) -> BoardHousehold:
    """One household in its room, as the house's board shows it (the mother and the children)."""
    allocations, member_stays = _households(allocation.facility, allocation_id=allocation.pk)
    vault.prefetch([allocation.household.head_id] + [m.member_id for m in member_stays])
    return _board_household(allocations[0], member_stays)
