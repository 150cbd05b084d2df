"""Writes of the shelters: check-in, check-out, transfer, the night rollover, holds, waitlist, bans,
and the household check-in and check-out of a house for single mothers.

Each is one transaction that locks the rows it changes (the client first, then beds by id, so
two writers never wait for each other in a circle), checks the rules, `full_clean()`s and saves
with a history reason. A refusal is a ValidationError with a translated message; the loser of a
race for a bed is told "This bed has just been taken". PostgreSQL's exclusion constraints and the
partial unique indexes catch anything that slipped past (turned into the same message).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from audit.purposes import Purpose
from audit.services import access_log_write
from cases.models import Client, Household
from privacy import vault
from privacy.models import Subject
from privacy.restriction import processing_allowed
from shelters import access, selectors
from shelters.models import (
    Ban,
    Bed,
    ExitDestination,
    Facility,
    FacilityKind,
    Hold,
    MemberStay,
    Room,
    RoomAllocation,
    Stay,
    WaitlistEntry,
    WaitlistStatus,
)

# Destinations a user may choose at check-out (the others are set by the services).
CHOSEN_DESTINATIONS = [d for d in ExitDestination.values if d not in ("transfer", "night_ended")]
# A clock a few seconds ahead on a phone is not "the future".
CLOCK_SLACK = datetime.timedelta(minutes=2)


def _bed_taken() -> ValidationError:
    return ValidationError(_("This bed has just been taken: choose another one."), code="taken")


def require_operate(by, facility: Facility) -> None:
    """Refuse (PermissionDenied) unless `by` works in `facility`."""
    if not access.can_operate(by, facility):
        raise PermissionDenied(_("You do not work in this facility."))


_require_operate = require_operate


def _lock_client(client: Client) -> Client:
    return Client.objects.select_for_update().get(pk=client.pk)


def _lock_beds(*beds: Bed) -> dict[int, Bed]:
    ids = sorted({b.pk for b in beds})
    locked = Bed.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {b.pk: b for b in locked}


def _last_night(stay: Stay, ended_at: datetime.datetime) -> datetime.date:
    """The last night a stay covered: the night before the day it ended, never before its first."""
    day_before = timezone.localdate(ended_at) - datetime.timedelta(days=1)
    return max(stay.night_of, day_before)


def _admission_checks(
    *,
    by,
    facility: Facility,
    client: Client,
    bed: Bed,
    at: datetime.datetime,
    override_reason: str,
    moving: Stay | None = None,
) -> None:
    """Refuse an admission of `client` to `bed` at `at` that breaks a rule; called under locks."""
    if bed.facility_id != facility.pk:
        raise ValidationError(_("This bed belongs to another facility."), code="facility")
    # A ban names its end date, so staff can tell the person when to come back.
    ban = (
        Ban.objects.in_force(timezone.localdate(at))
        .filter(facility=facility, client=client)
        .order_by("-ends_on")
        .first()
    )
    if ban is not None:
        raise ValidationError(
            _("This person may not be admitted here until %(date)s (a ban is in force).")
            % {"date": ban.ends_on.strftime("%d.%m.%Y")},
            code="banned",
        )
    if not Bed.objects.filter(pk=bed.pk).available_on(timezone.localdate(at)).exists():
        raise ValidationError(_("This bed is not in the inventory on that day."), code="inventory")
    if bed.is_overflow and not facility.is_winter_mode:
        raise ValidationError(
            _("The regular places are full: overflow places are used only in winter mode."),
            code="capacity",
        )
    if selectors.outages_at(at).filter(bed=bed).exists():
        raise ValidationError(_("This bed is out of service."), code="out_of_service")
    mismatch = bed.room.sex not in selectors.sex_allowed(client.sex) or not (
        selectors.facility_admits(facility, client.sex)
    )
    # Only a manager may override a mismatch, and only with a reason on the record.
    overridden = bool(override_reason.strip()) and by.has_role(Role.MANAGER)
    if mismatch and not overridden:
        raise ValidationError(
            _(
                "This room or facility is for the other sex: only a manager may place this "
                "person here, with a reason."
            ),
            code="sex",
        )
    # A family room allocated to a household takes no one else.
    if (
        RoomAllocation.objects.open()
        .filter(room_id=bed.room_id)
        .exclude(household__head=client)
        .exists()
    ):
        raise ValidationError(
            _("This room is allocated to another household."), code="room_allocated"
        )
    hold = Hold.objects.active(at).filter(bed=bed).exclude(client=client).first()
    if hold is not None:
        raise ValidationError(
            _("This bed is held for someone else until %(time)s.")
            % {"time": formats.time_format(timezone.localtime(hold.ends_at), "TIME_FORMAT")},
            code="held",
        )
    others = Stay.objects.exclude(pk=moving.pk) if moving else Stay.objects.all()
    # Any stay of the client still running at `at`, or starting after it, overlaps.
    client_stay = (
        others.filter(client=client)
        .exclude(ended_at__lte=at)
        .select_related("bed__room", "facility")
        .first()
    )
    if client_stay is not None:
        raise ValidationError(
            _("This person already has a stay at that time (%(facility)s, %(bed)s).")
            % {"facility": client_stay.facility.name, "bed": str(client_stay.bed)},
            code="client_overlap",
        )
    if others.filter(bed=bed).exclude(ended_at__lte=at).exists():
        raise _bed_taken()


def _save_stay(stay: Stay, reason: str) -> Stay:
    stay.full_clean(validate_constraints=False)
    stay._change_reason = reason
    try:
        # A savepoint: the database's own refusal becomes the same clear message.
        with transaction.atomic():
            stay.save()
    except IntegrityError:
        raise _bed_taken() from None
    return stay


def _use_holds(client: Client, facility: Facility, at: datetime.datetime) -> None:
    """The client's holds at the facility end when they are admitted."""
    for hold in Hold.objects.active(at).filter(client=client, facility=facility):
        hold.ends_at = max(at, hold.starts_at + datetime.timedelta(microseconds=1))
        hold._change_reason = "used at check-in"
        hold.save()


def stay_check_in(
    *,
    by,
    facility: Facility,
    client: Client,
    bed: Bed | None = None,
    started_at: datetime.datetime | None = None,
    notes: str = "",
    override_reason: str = "",
    request=None,
) -> Stay:
    """Check `client` into `bed` (or the suggested free bed) of `facility`.

    Refused with a translated message: future start, ban in force, bed out of service or out
    of the inventory, overflow outside winter mode, the other sex's room without a manager's
    override, a bed held for someone else, overlapping stays of the bed or the client.
    """
    _require_operate(by, facility)
    now = timezone.now()
    started_at = started_at or now
    if started_at > now + CLOCK_SLACK:
        raise ValidationError(_("A stay cannot start in the future."), code="future")
    with transaction.atomic():
        client = _lock_client(client)
        if bed is None:
            bed = selectors.suggest_bed(facility, client, started_at)
            if bed is None:
                raise ValidationError(
                    _("No free place matches this person: the facility is full."),
                    code="capacity",
                )
        bed = _lock_beds(bed)[bed.pk]
        _admission_checks(
            by=by,
            facility=facility,
            client=client,
            bed=bed,
            at=started_at,
            override_reason=override_reason,
        )
        stay = Stay(
            client=client,
            subject_id=client.pk,
            facility=facility,
            bed=bed,
            started_at=started_at,
            night_of=facility.night_of(started_at),
            last_seen_on=timezone.localdate(started_at),
            notes=notes,
            override_reason=override_reason,
            checked_in_by=by,
        )
        # Restricted processing (art. 18 GDPR) never refuses a bed for the night: a vital
        # interest (art. 18(2)); the stay's history and the log row name that legal basis.
        restricted = not processing_allowed(client.pk)
        _save_stay(stay, "check-in-art-18-2" if restricted else "check-in")
        _use_holds(client, facility, started_at)
        for entry in WaitlistEntry.objects.filter(
            facility=facility,
            client=client,
            status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED],
        ):
            entry.status = WaitlistStatus.ADMITTED
            entry._change_reason = "admitted"
            entry.save()
        access_log_write(
            actor=by,
            action="update",
            subject_id=client.pk,
            purpose=Purpose.CHECK_IN_RESTRICTED if restricted else Purpose.CHECK_IN,
            request=request,
            way="facility_staff",
        )
    return stay


def _check_out_moment(destination: str, ended_at: datetime.datetime | None) -> datetime.datetime:
    """The moment a check-out ends at (now unless given), refused without a chosen destination
    (no default becomes data) or in the future."""
    now = timezone.now()
    if destination not in CHOSEN_DESTINATIONS:
        raise ValidationError(_("Choose where the person went."), code="destination")
    ended_at = ended_at or now
    if ended_at > now + CLOCK_SLACK:
        raise ValidationError(_("A check-out cannot be in the future."), code="future")
    return ended_at


def stay_check_out(
    *,
    by,
    stay: Stay,
    destination: str,
    ended_at: datetime.datetime | None = None,
    request=None,
) -> Stay:
    """End an open stay with an exit destination. Refused: before check-in, or in the future."""
    _require_operate(by, stay.facility)
    ended_at = _check_out_moment(destination, ended_at)
    with transaction.atomic():
        stay = Stay.objects.select_for_update().get(pk=stay.pk)
        if stay.ended_at is not None:
            raise ValidationError(_("This stay has already ended."), code="ended")
        if ended_at <= stay.started_at:
            raise ValidationError(
                _("The check-out cannot be before the check-in."), code="before_start"
            )
        stay.ended_at = ended_at
        stay.last_night = _last_night(stay, ended_at)
        stay.exit_destination = destination
        stay.checked_out_by = by
        _save_stay(stay, "check-out")
        access_log_write(
            actor=by,
            action="update",
            subject_id=stay.client_id,
            purpose="check_out",
            request=request,
        )
    return stay


def stay_transfer(*, by, stay: Stay, bed: Bed, override_reason: str = "", request=None) -> Stay:
    """Move an open stay to another bed (of this or another facility); the old stay links on."""
    facility = bed.facility
    _require_operate(by, stay.facility)
    _require_operate(by, facility)
    now = timezone.now()
    with transaction.atomic():
        client = _lock_client(stay.client)
        beds = _lock_beds(stay.bed, bed)
        old = Stay.objects.select_for_update().get(pk=stay.pk)
        if old.ended_at is not None:
            raise ValidationError(_("This stay has already ended."), code="ended")
        if old.bed_id == bed.pk:
            raise ValidationError(_("The person is already in this bed."), code="same_bed")
        _admission_checks(
            by=by,
            facility=facility,
            client=client,
            bed=beds[bed.pk],
            at=now,
            override_reason=override_reason,
            moving=old,
        )
        tonight = facility.night_of(now)
        old.ended_at = now
        # Tonight counts once, in the new bed: the old part ends with last night (a transfer
        # on the first night leaves the old part with no night at all).
        old.last_night = tonight - datetime.timedelta(days=1)
        old.exit_destination = ExitDestination.TRANSFER
        old.checked_out_by = by
        _save_stay(old, "transfer out")
        new = Stay(
            client=client,
            subject_id=client.pk,
            facility=facility,
            bed=beds[bed.pk],
            started_at=now,
            night_of=tonight,
            last_seen_on=old.last_seen_on,
            transferred_from=old,
            notes=old.notes,
            override_reason=override_reason,
            checked_in_by=by,
        )
        _save_stay(new, "transfer in")
        access_log_write(
            actor=by, action="update", subject_id=client.pk, purpose="transfer", request=request
        )
    return new


def stay_update_notes(*, by, stay: Stay, notes: str, request=None) -> Stay:
    """Change a stay's (encrypted) notes; the old text stays in the history, encrypted too."""
    _require_operate(by, stay.facility)
    with transaction.atomic():
        stay = Stay.objects.select_for_update().get(pk=stay.pk)
        stay.notes = notes
        stay.full_clean(validate_constraints=False)
        stay._change_reason = "notes"
        stay.save()
        access_log_write(
            actor=by,
            action="update",
            subject_id=stay.client_id,
            purpose="stay_notes",
            request=request,
        )
    return stay


def stay_mark_present(*, by, stay: Stay, on: datetime.date | None = None) -> Stay:
    """Record that the guest was seen today (absence counts from the last presence)."""
    _require_operate(by, stay.facility)
    on = on or timezone.localdate()
    with transaction.atomic():
        stay = Stay.objects.select_for_update().get(pk=stay.pk)
        if stay.ended_at is not None:
            raise ValidationError(_("This stay has already ended."), code="ended")
        stay.last_seen_on = max(stay.last_seen_on, on)
        stay._change_reason = "present"
        stay.save()
    return stay


def night_rollover(*, facility: Facility, at: datetime.datetime | None = None, by=None) -> int:
    """End the stays of earlier nights in a night-only facility; returns how many ended.

    A night's stays end at the rollover hour of the next morning, so a guest checked in after
    midnight still counts for the night that began the evening before.
    """
    at = at or timezone.now()
    if not facility.is_night_only:
        return 0
    if by is not None:
        _require_operate(by, facility)
    tonight = facility.night_of(at)
    ended = 0
    with transaction.atomic():
        stays = Stay.objects.select_for_update().filter(
            facility=facility, ended_at__isnull=True, night_of__lt=tonight
        )
        for stay in stays:
            morning = datetime.datetime.combine(
                stay.night_of + datetime.timedelta(days=1),
                datetime.time(facility.night_rollover_hour),
            )
            stay.ended_at = max(
                timezone.make_aware(morning), stay.started_at + datetime.timedelta(seconds=1)
            )
            stay.last_night = stay.night_of
            stay.exit_destination = ExitDestination.NIGHT_ENDED
            stay.checked_out_by = by
            _save_stay(stay, "night rollover")
            ended += 1
    return ended


def night_rollover_all(*, at: datetime.datetime | None = None) -> dict[int, int]:
    """The night rollover of every active night-only facility (run by a timer); ids -> ended.

    Safe to run as often as one likes: a night's stays end once, at the rollover hour of the
    morning after, whenever the run happens (an hourly timer is enough).
    """
    facilities = Facility.objects.active().filter(
        kind__in=[FacilityKind.NIGHT_SHELTER, FacilityKind.WARMING_CENTRE]
    )
    return {facility.pk: night_rollover(facility=facility, at=at) for facility in facilities}


# --- households in a house for single mothers ----------------------------------------------


def household_check_in(
    *,
    by,
    household: Household,
    room: Room,
    started_at: datetime.datetime | None = None,
    notes: str = "",
    request=None,
) -> RoomAllocation:
    """Allocate `room` of a house for single mothers to `household` and check everyone in.

    The mother (the head) gets an ordinary stay in a free bed of the room through
    `stay_check_in` (so bans, sex, holds and overlaps are checked as for anyone); each active
    member a `MemberStay`. One transaction: all of them or nobody.
    """
    facility = room.facility
    _require_operate(by, facility)
    if facility.kind != FacilityKind.SINGLE_MOTHER_HOUSE:
        raise ValidationError(
            _("Rooms are allocated to households only in a house for single mothers."),
            code="not_mother_house",
        )
    now = timezone.now()
    started_at = started_at or now
    if started_at > now + CLOCK_SLACK:
        raise ValidationError(_("A stay cannot start in the future."), code="future")
    with transaction.atomic():
        # Lock order: the client, then the room, then beds (stay_check_in), as elsewhere.
        mother = _lock_client(household.head)
        room = Room.objects.select_for_update().get(pk=room.pk)
        if RoomAllocation.objects.open().filter(room=room).exists():
            raise ValidationError(
                _("This room is already allocated to a household."), code="room_taken"
            )
        if RoomAllocation.objects.open().filter(household=household).exists():
            raise ValidationError(_("This household already has a room."), code="household_placed")
        members = list(household.members.filter(is_active=True).order_by("pk"))
        if MemberStay.objects.open().filter(member__in=members).exists():
            raise ValidationError(
                _("A member of this household is already staying somewhere."),
                code="member_overlap",
            )
        bed = (
            selectors.free_beds(facility, started_at)
            .filter(room=room)
            .order_by("is_overflow", "label")
            .first()
        )
        if bed is None:
            raise ValidationError(_("This room has no free bed."), code="capacity")
        allocation = RoomAllocation(
            facility=facility,
            room=room,
            household=household,
            started_at=started_at,
            allocated_by=by,
        )
        allocation.full_clean(validate_constraints=False)
        allocation._change_reason = "household check-in"
        try:
            with transaction.atomic():
                allocation.save()
        except IntegrityError:
            raise ValidationError(
                _("This room is already allocated to a household."), code="room_taken"
            ) from None
        # The allocation exists now, so the mother's own check-in sees the room as hers.
        stay_check_in(
            by=by,
            facility=facility,
            client=mother,
            bed=bed,
            started_at=started_at,
            notes=notes,
            request=request,
        )
        night = facility.night_of(started_at)
        for member in members:
            member_stay = MemberStay(
                allocation=allocation,
                member=member,
                facility=facility,
                room=room,
                started_at=started_at,
                night_of=night,
            )
            member_stay.full_clean(validate_constraints=False)
            member_stay._change_reason = "household check-in"
            member_stay.save()
            access_log_write(
                actor=by,
                action="update",
                subject_id=member.pk,
                purpose="household_check_in",
                request=request,
            )
    return allocation


def household_check_out(
    *,
    by,
    allocation: RoomAllocation,
    destination: str,
    ended_at: datetime.datetime | None = None,
    request=None,
) -> RoomAllocation:
    """End a household's allocation: the mother's stay and every member's, at once."""
    _require_operate(by, allocation.facility)
    ended_at = _check_out_moment(destination, ended_at)
    with transaction.atomic():
        allocation = (
            RoomAllocation.objects.select_for_update()
            .select_related("facility", "household")
            .get(pk=allocation.pk)
        )
        if allocation.ended_at is not None:
            raise ValidationError(_("This household has already left."), code="ended")
        if ended_at <= allocation.started_at:
            raise ValidationError(
                _("The check-out cannot be before the check-in."), code="before_start"
            )
        # The mother may have been checked out on her own before (e.g. to hospital).
        mother_stay = Stay.objects.filter(
            client_id=allocation.household.head_id,
            facility=allocation.facility,
            ended_at__isnull=True,
        ).first()
        if mother_stay is not None:
            stay_check_out(
                by=by,
                stay=mother_stay,
                destination=destination,
                ended_at=ended_at,
                request=request,
            )
        for member_stay in MemberStay.objects.select_for_update().filter(
            allocation=allocation, ended_at__isnull=True
        ):
            member_stay.ended_at = ended_at
            member_stay.last_night = max(
                member_stay.night_of, timezone.localdate(ended_at) - datetime.timedelta(days=1)
            )
            member_stay.full_clean(validate_constraints=False)
            member_stay._change_reason = "household check-out"
            member_stay.save()
            access_log_write(
                actor=by,
                action="update",
                subject_id=member_stay.member_id,
                purpose="household_check_out",
                request=request,
            )
        allocation.ended_at = ended_at
        allocation.exit_destination = destination
        allocation.ended_by = by
        allocation.full_clean(validate_constraints=False)
        allocation._change_reason = "household check-out"
        allocation.save()
    return allocation


def household_transfer(
    *, by, allocation: RoomAllocation, room: Room, request=None
) -> RoomAllocation:
    """Move a whole household to another room of the same house: the mother and every child.

    One transaction: the allocation of the old room ends and one of the new room begins (the
    room's history shows who lived there when); the mother's stay moves to a free bed of the
    new room as any transfer does (the old part ends with last night, so no night counts
    twice); each member stay ends and a new one begins in the new room. Refused with a clear
    message: the same room, a room of another facility, a room allocated to another household
    (`room_taken`), a room with no free bed (`capacity`).
    """
    _require_operate(by, allocation.facility)
    now = timezone.now()
    with transaction.atomic():
        # Lock order as in household_check_in: the mother, then rooms (by id), then beds.
        mother = _lock_client(allocation.household.head)
        rooms = {
            r.pk: r
            for r in Room.objects.select_for_update()
            .filter(pk__in=sorted({allocation.room_id, room.pk}))
            .order_by("pk")
        }
        old = (
            RoomAllocation.objects.select_for_update()
            .select_related("facility", "household")
            .get(pk=allocation.pk)
        )
        if old.ended_at is not None:
            raise ValidationError(_("This household has already left."), code="ended")
        target = rooms[room.pk]
        if target.pk == old.room_id:
            raise ValidationError(_("The household is already in this room."), code="same_room")
        if target.facility_id != old.facility_id:
            raise ValidationError(_("This room belongs to another facility."), code="facility")
        if RoomAllocation.objects.open().filter(room=target).exists():
            raise ValidationError(
                _("This room is already allocated to a household."), code="room_taken"
            )
        bed = (
            selectors.free_beds(old.facility, now)
            .filter(room=target)
            .order_by("is_overflow", "label")
            .first()
        )
        if bed is None:
            raise ValidationError(_("This room has no free bed."), code="capacity")
        old.ended_at = now
        old.exit_destination = ExitDestination.TRANSFER
        old.ended_by = by
        old.full_clean(validate_constraints=False)
        old._change_reason = "household transfer out"
        old.save()
        new = RoomAllocation(
            facility=old.facility,
            room=target,
            household=old.household,
            started_at=now,
            allocated_by=by,
        )
        new.full_clean(validate_constraints=False)
        new._change_reason = "household transfer in"
        try:
            with transaction.atomic():
                new.save()
        except IntegrityError:
            raise ValidationError(
                _("This room is already allocated to a household."), code="room_taken"
            ) from None
        # The new allocation exists, so the mother's transfer sees the room as hers.
        mother_stay = Stay.objects.filter(
            client=mother, facility=old.facility, ended_at__isnull=True
        ).first()
        if mother_stay is not None:
            stay_transfer(by=by, stay=mother_stay, bed=bed, request=request)
        tonight = old.facility.night_of(now)
        for member_stay in (
            MemberStay.objects.select_for_update()
            .filter(allocation=old, ended_at__isnull=True)
            .order_by("pk")
        ):
            member_stay.ended_at = now
            # As for a bed: tonight counts once, in the new room.
            member_stay.last_night = tonight - datetime.timedelta(days=1)
            member_stay.full_clean(validate_constraints=False)
            member_stay._change_reason = "household transfer out"
            member_stay.save()
            moved = MemberStay(
                allocation=new,
                member_id=member_stay.member_id,
                facility=old.facility,
                room=target,
                started_at=now,
                night_of=tonight,
            )
            moved.full_clean(validate_constraints=False)
            moved._change_reason = "household transfer in"
            moved.save()
            access_log_write(
                actor=by,
                action="update",
                subject_id=member_stay.member_id,
                purpose="household_transfer",
                request=request,
            )
    return new


# --- holds -------------------------------------------------------------------------------------


def hold_place(
    *,
    by,
    facility: Facility,
    bed: Bed,
    until: datetime.datetime,
    client: Client | None = None,
    referral: str = "",
    request=None,
) -> Hold:
    """Reserve a free bed for a named client or a referral until `until`."""
    _require_operate(by, facility)
    now = timezone.now()
    if until <= now:
        raise ValidationError(_("A hold must end in the future."), code="past")
    if client is None and not referral.strip():
        raise ValidationError(_("Name the client or the referral."), code="for_whom")
    with transaction.atomic():
        if client is not None:
            client = _lock_client(client)
        bed = _lock_beds(bed)[bed.pk]
        if bed.facility_id != facility.pk:
            raise ValidationError(_("This bed belongs to another facility."), code="facility")
        if Stay.objects.filter(bed=bed, ended_at__isnull=True).exists():
            raise ValidationError(_("This bed is occupied: it cannot be held."), code="occupied")
        if Hold.objects.active(now).filter(bed=bed).exists():
            raise ValidationError(_("This bed is already held."), code="held")
        if selectors.outages_at(now).filter(bed=bed).exists():
            raise ValidationError(_("This bed is out of service."), code="out_of_service")
        if (
            client is not None
            and (
                Ban.objects.in_force(timezone.localdate(now)).filter(
                    facility=facility, client=client
                )
            ).exists()
        ):
            raise ValidationError(
                _("A ban is in force: this person cannot hold a bed here."), code="banned"
            )
        # A hold for a referral alone gets a data subject of its own: its key seals the note.
        subject_id = client.pk if client is not None else None
        if subject_id is None:
            subject_id = vault.subject_create(kind=Subject.Kind.REFERRAL).pk
        hold = Hold(
            facility=facility,
            bed=bed,
            client=client,
            subject_id=subject_id,
            referral=referral.strip(),
            starts_at=now,
            ends_at=until,
            created_by=by,
        )
        hold.full_clean()
        hold._change_reason = "hold"
        hold.save()
        if client is not None:
            access_log_write(
                actor=by, action="update", subject_id=client.pk, purpose="hold", request=request
            )
    return hold


def hold_release(*, by, hold: Hold) -> Hold:
    """End a hold now (the bed is free again)."""
    _require_operate(by, hold.facility)
    now = timezone.now()
    with transaction.atomic():
        hold = Hold.objects.select_for_update().get(pk=hold.pk)
        if hold.ends_at > now:
            hold.ends_at = max(now, hold.starts_at + datetime.timedelta(microseconds=1))
            hold._change_reason = "released"
            hold.save()
    return hold


# --- waitlist ----------------------------------------------------------------------------------


def waitlist_add(
    *,
    by,
    facility: Facility,
    client: Client,
    priority: int = 2,
    reason: str = "",
    contact_note: str = "",
    request=None,
) -> WaitlistEntry:
    """Put a client on a facility's waitlist: by its staff, or by the client's social worker."""
    if not (access.can_operate(by, facility) or access.in_caseload(by, client)):
        raise PermissionDenied(_("You may not put this person on this waitlist."))
    with transaction.atomic():
        client = _lock_client(client)
        if WaitlistEntry.objects.filter(
            facility=facility,
            client=client,
            status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED],
        ).exists():
            raise ValidationError(_("This person is already on this waitlist."), code="duplicate")
        entry = WaitlistEntry(
            facility=facility,
            client=client,
            subject_id=client.pk,
            added_on=timezone.localdate(),
            priority=priority,
            reason=reason,
            contact_note=contact_note,
            created_by=by,
        )
        entry.full_clean(validate_constraints=False)
        entry._change_reason = "waitlist"
        entry.save()
        access_log_write(
            actor=by, action="update", subject_id=client.pk, purpose="waitlist", request=request
        )
    return entry


def waitlist_offer_next(
    *, by, facility: Facility, hours: int = 2, entry: WaitlistEntry | None = None
) -> WaitlistEntry | None:
    """Offer a free bed to the first waiting person it fits (or to `entry`), holding it.

    The first by priority, then by date, for whom a matching free bed exists gets a hold of
    `hours` hours; returns that entry, or None when no free bed fits anyone.
    """
    _require_operate(by, facility)
    now = timezone.now()
    candidates = (
        [entry]
        if entry is not None
        else list(
            WaitlistEntry.objects.filter(facility=facility, status=WaitlistStatus.WAITING)
            .select_related("client")
            .order_by("priority", "added_on", "pk")
        )
    )
    for candidate in candidates:
        if candidate.status != WaitlistStatus.WAITING:
            raise ValidationError(_("This person is not waiting any more."), code="status")
        bed = selectors.suggest_bed(facility, candidate.client, now)
        if bed is None:
            continue
        if (
            Ban.objects.in_force(timezone.localdate(now))
            .filter(facility=facility, client=candidate.client)
            .exists()
        ):
            continue
        with transaction.atomic():
            hold = hold_place(
                by=by,
                facility=facility,
                bed=bed,
                until=now + datetime.timedelta(hours=hours),
                client=candidate.client,
            )
            candidate = WaitlistEntry.objects.select_for_update().get(pk=candidate.pk)
            candidate.status = WaitlistStatus.OFFERED
            candidate.offered_hold = hold
            candidate._change_reason = "offered"
            candidate.save()
        return candidate
    if entry is not None:
        raise ValidationError(_("No free place matches this person."), code="capacity")
    return None


def waitlist_set_status(*, by, entry: WaitlistEntry, status: str) -> WaitlistEntry:
    """Mark a waitlist entry withdrawn or no longer reachable (or waiting again)."""
    _require_operate(by, entry.facility)
    allowed = [WaitlistStatus.WAITING, WaitlistStatus.WITHDRAWN, WaitlistStatus.UNREACHABLE]
    if status not in allowed:
        raise ValidationError(_("Choose a valid status."), code="status")
    with transaction.atomic():
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.offered_hold_id and status != WaitlistStatus.OFFERED:
            hold_release(by=by, hold=entry.offered_hold)
        entry.status = status
        entry._change_reason = f"status {status}"
        entry.save()
    return entry


# --- bans --------------------------------------------------------------------------------------


def ban_impose(
    *,
    by,
    facility: Facility,
    client: Client,
    ends_on: datetime.date,
    reason: str,
    starts_on: datetime.date | None = None,
    request=None,
) -> Ban:
    """Ban a client from a facility until `ends_on` (inclusive), with an encrypted reason."""
    _require_operate(by, facility)
    starts_on = starts_on or timezone.localdate()
    if not reason.strip():
        raise ValidationError(_("Give the reason for the ban."), code="reason")
    if ends_on < starts_on:
        raise ValidationError(_("A ban cannot end before it starts."), code="dates")
    with transaction.atomic():
        client = _lock_client(client)
        ban = Ban(
            facility=facility,
            client=client,
            subject_id=client.pk,
            starts_on=starts_on,
            ends_on=ends_on,
            reason=reason.strip(),
            created_by=by,
        )
        ban.full_clean(validate_constraints=False)
        ban._change_reason = "ban"
        ban.save()
        access_log_write(
            actor=by, action="update", subject_id=client.pk, purpose="ban", request=request
        )
    return ban


def ban_lift(*, by, ban: Ban, reason: str, request=None) -> Ban:
    """Lift a ban early: a manager's decision, with a reason."""
    _require_operate(by, ban.facility)
    if not by.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only a manager may lift a ban."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for lifting the ban."), code="reason")
    with transaction.atomic():
        ban = Ban.objects.select_for_update().get(pk=ban.pk)
        if ban.lifted_at is not None:
            raise ValidationError(_("This ban has already been lifted."), code="lifted")
        ban.lifted_at = timezone.now()
        ban.lifted_by = by
        ban.lift_reason = reason.strip()
        ban._change_reason = "ban lifted"
        ban.save()
        access_log_write(
            actor=by, action="update", subject_id=ban.client_id, purpose="ban_lift", request=request
        )
    return ban
