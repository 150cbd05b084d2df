"""Reads shared by the board, the services and reports. Query counts do not grow with the data."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cases.models import Client
from privacy import vault
from shelters.models import (
    Admits,
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


def outages_at(at: datetime.datetime) -> QuerySet[BedOutage]:
    return BedOutage.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=at), starts_at__lte=at)


def usable_beds(facility: Facility, at: datetime.datetime) -> QuerySet[Bed]:
    """Beds of the facility in the inventory tonight; overflow places only in winter mode."""
    beds = Bed.objects.filter(facility=facility).available_on(timezone.localdate(at))
    if not facility.is_winter_mode:
        beds = beds.filter(is_overflow=False)
    return beds


def free_beds(facility: Facility, at: datetime.datetime) -> QuerySet[Bed]:
    """Usable beds with no open stay, no hold in force and no outage at `at`."""
    return usable_beds(facility, at).exclude(
        Exists(Stay.objects.filter(bed=OuterRef("pk"), ended_at__isnull=True))
        | Exists(Hold.objects.active(at).filter(bed=OuterRef("pk")))
        | Exists(outages_at(at).filter(bed=OuterRef("pk")))
        | Exists(RoomAllocation.objects.open().filter(room=OuterRef("room")))
    )


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

FREE, OCCUPIED, HELD, OUT, UNUSED = "free", "occupied", "held", "out", "unused"
# A bed with no stay in a room allocated to a household: the household's, not free.
FAMILY = "family"


@dataclass
class BoardHousehold:
    """A household in its room: the mother's display name and the children's first names.

    Only the board of the house itself builds this: staff of that house see the names.
    """

    allocation: RoomAllocation
    name: str
    children: list[str]


@dataclass
class BoardBed:
    bed: Bed
    state: str
    stay: Stay | None = None
    hold: Hold | None = None
    outage: BedOutage | None = None
    name: str = ""
    nights: int = 0


@dataclass
class Board:
    facility: Facility
    at: datetime.datetime
    night: datetime.date
    beds: list[BoardBed]
    counts: dict = field(default_factory=dict)
    households: dict[int, BoardHousehold] = field(default_factory=dict)


def bed_board(facility: Facility, at: datetime.datetime | None = None) -> Board:
    """Every bed of a facility with its state and occupant, and tonight's counts.

    Five queries whatever the number of beds: beds, open stays (with their clients), the keys
    of the occupants and holders, holds in force, outages.
    """
    at = at or timezone.now()
    night = facility.night_of(at)
    beds = list(
        Bed.objects.filter(facility=facility)
        .available_on(timezone.localdate(at))
        .select_related("room")
        .order_by("room__name", "label")
    )
    stays = {
        s.bed_id: s
        for s in Stay.objects.filter(facility=facility, ended_at__isnull=True).select_related(
            "client"
        )
    }
    holds = {
        h.bed_id: h
        for h in Hold.objects.active(at).filter(facility=facility).select_related("client")
    }
    allocations, member_stays = _households(facility)
    vault.prefetch(
        [s.client_id for s in stays.values()]
        + [h.client_id for h in holds.values()]
        + [a.household.head_id for a in allocations]
        + [m.member_id for m in member_stays]
    )
    households = {
        a.room_id: BoardHousehold(
            allocation=a,
            name=a.household.head.display_name,
            children=[str(m.member.first_name) for m in member_stays if m.allocation_id == a.pk],
        )
        for a in allocations
    }
    outages = {o.bed_id: o for o in outages_at(at).filter(bed__facility=facility)}

    rows = []
    counts = Counter()
    for bed in beds:
        row = BoardBed(bed=bed, state=FREE)
        if bed.pk in stays:
            row.state, row.stay = OCCUPIED, stays[bed.pk]
            row.name = row.stay.client.display_name
            row.nights = (night - row.stay.night_of).days + 1
        elif bed.pk in outages:
            row.state, row.outage = OUT, outages[bed.pk]
        elif bed.pk in holds:
            row.state, row.hold = HELD, holds[bed.pk]
            row.name = row.hold.client.display_name if row.hold.client_id else row.hold.referral
        elif bed.room_id in households:
            row.state, row.name = FAMILY, households[bed.room_id].name
        elif bed.is_overflow and not facility.is_winter_mode:
            row.state = UNUSED
        rows.append(row)
        if bed.is_overflow:
            counts["overflow_total"] += 1
            counts["overflow_occupied"] += row.state == OCCUPIED
            counts["overflow_free"] += row.state == FREE
            continue
        counts["capacity"] += 1
        counts[row.state] += 1
        if row.state == FREE:
            counts[f"free_{bed.room.sex}"] += 1
            counts["free_accessible"] += bed.is_wheelchair_accessible
    for member_stay in member_stays:
        counts["children"] += 1
        counts[f"children_{member_stay.member.sex}"] += 1
    return Board(
        facility=facility,
        at=at,
        night=night,
        beds=rows,
        counts=dict(counts),
        households=households,
    )


def _households(facility: Facility) -> tuple[list[RoomAllocation], list[MemberStay]]:
    """Open allocations and member stays of a house for single mothers (two queries; none
    for other facilities, whose board keeps its query count)."""
    if facility.kind != "mother_house":
        return [], []
    allocations = list(
        RoomAllocation.objects.open()
        .filter(facility=facility)
        .select_related("household__head", "room")
        .order_by("room__name")
    )
    member_stays = list(
        MemberStay.objects.open()
        .filter(facility=facility)
        .select_related("member")
        .order_by("member__birth_year", "pk")
    )
    return allocations, member_stays


def board_filter(board: Board, *, state: str = "", sex: str = "", accessible: bool = False):
    rows = board.beds
    if state:
        rows = [r for r in rows if r.state == state]
    if sex:
        rows = [r for r in rows if r.bed.room.sex == sex]
    if accessible:
        rows = [r for r in rows if r.bed.is_wheelchair_accessible]
    return rows


def last_night_guests(facility: Facility, at: datetime.datetime) -> list[Stay]:
    """Last night's guests of a night-only facility not back yet: "same bed as last night"."""
    last_night = facility.night_of(at) - datetime.timedelta(days=1)
    in_now = Stay.objects.filter(ended_at__isnull=True).values("client_id")
    stays = list(
        Stay.objects.filter(facility=facility, night_of=last_night, ended_at__isnull=False)
        .exclude(client_id__in=in_now)
        .select_related("client", "bed__room")
        .order_by("bed__room__name", "bed__label")
    )
    vault.prefetch(s.client_id for s in stays)
    return stays


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
