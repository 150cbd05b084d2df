"""Writes of a facility's configuration, by a manager of its organisation: the facility itself,
rooms, beds, out-of-service periods, winter mode, and who operates the facility.

Each checks the manager's reach again (`access.facilities_managed_by`), runs in one transaction,
`full_clean()`s and saves with a history reason (Facility, Room, Bed and BedOutage keep their
history). Granting or revoking the facility to a worker is also an access-log row, and the
facility's history names the worker by id (as teams do), since guardian's rows keep no history.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from accounts.roles import Role
from audit.services import access_log_write
from shelters import access
from shelters.models import Bed, BedOutage, Facility, Room, Stay

# Who may be given a facility to operate: the roles whose pages reach a facility's board.
OPERATOR_ROLES = (Role.SHELTER_STAFF, Role.MANAGER, Role.SOCIAL_WORKER)


def _require_manager_of(by, facility: Facility | None) -> None:
    """Refuse unless `by` manages `facility` (or, for a new one, manages an organisation)."""
    if facility is None or facility.pk is None:
        # A new facility belongs to the manager's own organisation.
        if not (by.is_active and by.has_role(Role.MANAGER) and by.organisation_id):
            raise PermissionDenied(_("Only a manager configures facilities."))
        return
    if not access.facilities_managed_by(by).filter(pk=facility.pk).exists():
        raise PermissionDenied(_("Only a manager of this facility's organisation configures it."))


def _save(instance, reason: str):
    instance.full_clean()
    instance._change_reason = reason
    instance.save()
    return instance


def facility_save(*, by, facility: Facility) -> Facility:
    """Create a facility of the manager's organisation, or save changes to one they manage."""
    creating = facility.pk is None
    _require_manager_of(by, facility)
    with transaction.atomic():
        if creating:
            facility.organisation_id = by.organisation_id
        return _save(facility, "facility created" if creating else "facility changed")


def winter_mode_set(*, by, facility: Facility, on: bool) -> Facility:
    """Switch winter mode (overflow places in use) on or off."""
    _require_manager_of(by, facility)
    with transaction.atomic():
        facility = Facility.objects.select_for_update().get(pk=facility.pk)
        if facility.is_winter_mode != on:
            facility.is_winter_mode = on
            _save(facility, "winter mode on" if on else "winter mode off")
    return facility


def room_save(*, by, room: Room) -> Room:
    """Create or change a room; its name is unique in the facility."""
    _require_manager_of(by, room.facility)
    with transaction.atomic():
        if Room.objects.filter(facility=room.facility, name=room.name).exclude(pk=room.pk).exists():
            raise ValidationError(
                {"name": _("This facility already has a room of that name.")}, code="unique"
            )
        return _save(room, "room created" if room.pk is None else "room changed")


def bed_save(*, by, bed: Bed) -> Bed:
    """Create or change a bed of a room; its label is unique in the room.

    A bed leaves the inventory by its `available_until` date (past rates stay right), never by
    deletion; a bed someone sleeps in cannot leave it before they are checked out.
    """
    _require_manager_of(by, bed.room.facility)
    with transaction.atomic():
        bed.facility_id = bed.room.facility_id
        if Bed.objects.filter(room=bed.room, label=bed.label).exclude(pk=bed.pk).exists():
            raise ValidationError(
                {"label": _("This room already has a bed with that label.")}, code="unique"
            )
        today = timezone.localdate()
        occupied = bed.pk is not None and Stay.objects.filter(bed=bed, ended_at__isnull=True)
        if occupied and occupied.exists():
            if bed.available_until is not None and bed.available_until <= today:
                raise ValidationError(
                    {"available_until": _("Someone sleeps in this bed: check them out first.")},
                    code="occupied",
                )
            if bed.available_from > today:
                raise ValidationError(
                    {"available_from": _("Someone sleeps in this bed: check them out first.")},
                    code="occupied",
                )
        return _save(bed, "bed created" if bed.pk is None else "bed changed")


def outage_create(
    *,
    by,
    bed: Bed,
    starts_at: datetime.datetime,
    reason: str,
    ends_at: datetime.datetime | None = None,
) -> BedOutage:
    """Take a bed out of service from `starts_at` (until `ends_at`, or until ended).

    Refused: a bed someone sleeps in (move them first), and a period that overlaps another
    outage of the same bed.
    """
    _require_manager_of(by, bed.facility)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")}, code="reason")
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must come after the start.")}, code="dates")
    with transaction.atomic():
        bed = Bed.objects.select_for_update().get(pk=bed.pk)
        now = timezone.now()
        if (
            starts_at <= now
            and (ends_at is None or ends_at > now)
            and Stay.objects.filter(bed=bed, ended_at__isnull=True).exists()
        ):
            raise ValidationError(
                _("Someone sleeps in this bed: move them to another bed first."), code="occupied"
            )
        others = BedOutage.objects.filter(bed=bed).exclude(ends_at__lte=starts_at)
        if ends_at is not None:
            others = others.filter(starts_at__lt=ends_at)
        if others.exists():
            raise ValidationError(
                _("This bed is already out of service in that period."), code="overlap"
            )
        outage = BedOutage(
            bed=bed, starts_at=starts_at, ends_at=ends_at, reason=reason, created_by=by
        )
        return _save(outage, "out of service")


def outage_end(*, by, outage: BedOutage) -> BedOutage:
    """End an outage now (the bed is back in service); a planned one that has not begun is
    ended at its own start, which removes it."""
    _require_manager_of(by, outage.bed.facility)
    with transaction.atomic():
        outage = BedOutage.objects.select_for_update().select_related("bed").get(pk=outage.pk)
        now = timezone.now()
        if outage.ends_at is not None and outage.ends_at <= now:
            raise ValidationError(_("This period has already ended."), code="ended")
        # The end must stay after the start (a database check): a planned outage ends a moment
        # after it would have begun, so it never takes effect.
        outage.ends_at = max(now, outage.starts_at + datetime.timedelta(seconds=1))
        return _save(outage, "back in service")


def operator_candidates(facility: Facility):
    """Active staff of the facility's organisation who may be given it, not holding it yet."""
    from accounts.models import User

    holding = access.operators_of(facility).values("pk")
    return (
        User.objects.of_organisation(facility.organisation_id)
        .filter(is_active=True)
        .with_role(*OPERATOR_ROLES)
        .exclude(pk__in=holding)
        .order_by("last_name", "first_name", "username")
    )


def operator_grant(*, by, facility: Facility, user, request=None) -> None:
    """Let `user` operate `facility` (its board, check-in and out, holds, waitlist, bans)."""
    _require_manager_of(by, facility)
    if not operator_candidates(facility).filter(pk=user.pk).exists():
        raise ValidationError(
            _("Only active staff of the facility's organisation can be added."), code="candidate"
        )
    with transaction.atomic():
        facility = Facility.objects.select_for_update().get(pk=facility.pk)
        assign_perm(access.OPERATE, user, facility)
        facility._change_reason = f"operator granted: user {user.pk}"
        facility.save()
        access_log_write(
            actor=by, action="update", purpose="facility_operator_grant", request=request
        )


def operator_revoke(*, by, facility: Facility, user, request=None) -> None:
    """Take `facility` away from `user` (they no longer reach its board or its people)."""
    _require_manager_of(by, facility)
    if not access.operators_of(facility).filter(pk=user.pk).exists():
        raise ValidationError(_("This person does not operate this facility."), code="operator")
    with transaction.atomic():
        facility = Facility.objects.select_for_update().get(pk=facility.pk)
        remove_perm(access.OPERATE, user, facility)
        facility._change_reason = f"operator revoked: user {user.pk}"
        facility.save()
        access_log_write(
            actor=by, action="update", purpose="facility_operator_revoke", request=request
        )
