"""Facilities, rooms, beds and what happens in them: stays, holds, the waitlist, bans.

The database keeps the invariants it can on every engine (one open stay per bed and per client,
through partial unique indexes); on PostgreSQL exclusion constraints also forbid overlapping
periods (migration 0002). Services (shelters/services.py) check the same rules first, so users
get a clear, translated message instead of an integrity error.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from accounts.models import Organisation, OrganisationScoped
from cases.models import Client, Household, HouseholdMember
from privacy.fields import EncryptedTextField, VaultQuerySet
from privacy.models import Subject


class FacilityKind(models.TextChoices):
    NIGHT_SHELTER = "night_shelter", _("Night shelter")
    SHELTER = "shelter", _("Homeless shelter")
    SHELTER_WITH_CARE = "shelter_care", _("Homeless shelter with care services")
    WARMING_CENTRE = "warming_centre", _("Warming centre")
    SINGLE_MOTHER_HOUSE = "mother_house", _("House for single mothers")
    TRAINING_FLAT = "training_flat", _("Training or supported flat")


class Admits(models.TextChoices):
    ANY = "any", _("Anyone")
    MEN = "men", _("Men")
    WOMEN = "women", _("Women")
    MOTHERS = "mothers", _("Mothers with children and pregnant women")


class RoomSex(models.TextChoices):
    ANY = "any", _("Mixed")
    MEN = "men", _("Men")
    WOMEN = "women", _("Women")


class ExitDestination(models.TextChoices):
    OWN_HOUSING = "own_housing", _("Own housing")
    RENTED_ROOM = "rented_room", _("Rented room")
    FAMILY = "family", _("Family or friends")
    OTHER_FACILITY = "other_facility", _("Another facility")
    HOSPITAL = "hospital", _("Hospital")
    PRISON = "prison", _("Prison")
    STREET = "street", _("Street")
    UNKNOWN = "unknown", _("Unknown")
    DIED = "died", _("Died")
    # Set by the services, never chosen in a form: the stay goes on in another bed.
    TRANSFER = "transfer", _("Transferred to another bed")
    # Set by the night rollover of a night shelter: the guest left in the morning.
    NIGHT_ENDED = "night_ended", _("Night ended")


class FacilityQuerySet(OrganisationScoped, models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Facility(models.Model):
    """A place with beds or seats, run by one organisation of the cluster."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices)
    admits = models.CharField(
        _("admits"), max_length=10, choices=Admits.choices, default=Admits.ANY
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Opening hours: winter (October to March) and summer (April to September).
    winter_opens_at = models.TimeField(_("opens in winter"), default=datetime.time(18, 0))
    winter_closes_at = models.TimeField(_("closes in winter"), default=datetime.time(8, 0))
    summer_opens_at = models.TimeField(_("opens in summer"), default=datetime.time(19, 0))
    summer_closes_at = models.TimeField(_("closes in summer"), default=datetime.time(7, 0))
    # Before this hour (local time) a check-in counts for the night that began the day before.
    night_rollover_hour = models.PositiveSmallIntegerField(
        _("the night ends at (hour)"), default=12
    )
    absence_exit_days = models.PositiveSmallIntegerField(
        _("days of absence before an exit is offered"), default=30
    )
    is_winter_mode = models.BooleanField(_("winter mode (overflow places in use)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = FacilityQuerySet.as_manager()
    # Configuration changes (by managers) keep their history: who switched winter mode off, when.
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        permissions = [("operate_facility", "Work as staff of the facility")]
        constraints = [
            models.CheckConstraint(
                condition=Q(night_rollover_hour__lte=23), name="shelters_facility_rollover_hour"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_night_only(self) -> bool:
        """Guests stay one night at a time (night shelter, warming centre)."""
        return self.kind in (FacilityKind.NIGHT_SHELTER, FacilityKind.WARMING_CENTRE)

    @property
    def unit_is_seat(self) -> bool:
        return self.kind == FacilityKind.WARMING_CENTRE

    def night_of(self, moment: datetime.datetime) -> datetime.date:
        """The night a moment belongs to: before the rollover hour, the night of the day before."""
        local = timezone.localtime(moment)
        if local.hour < self.night_rollover_hour:
            return local.date() - datetime.timedelta(days=1)
        return local.date()

    def opening_hours(self, on: datetime.date) -> tuple[datetime.time, datetime.time]:
        if on.month >= 10 or on.month <= 3:
            return self.winter_opens_at, self.winter_closes_at
        return self.summer_opens_at, self.summer_closes_at


class FacilityUserObjectPermission(UserObjectPermissionBase):
    """Direct per-facility permissions of a user (guardian): staff of that facility."""

    content_object = models.ForeignKey(Facility, on_delete=models.CASCADE)


class FacilityGroupObjectPermission(GroupObjectPermissionBase):
    """Direct per-facility permissions of a group (guardian): a team of that facility."""

    content_object = models.ForeignKey(Facility, on_delete=models.CASCADE)


class Room(models.Model):
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="rooms"
    )
    name = models.CharField(_("name"), max_length=100)
    sex = models.CharField(
        _("sex of the room"), max_length=10, choices=RoomSex.choices, default=RoomSex.ANY
    )
    # In a house for single mothers, a room goes to one household.
    is_family_room = models.BooleanField(_("family room"), default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["facility", "name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["facility", "name"], name="shelters_room_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class BedKind(models.TextChoices):
    BED = "bed", _("Bed")
    SEAT = "seat", _("Seat")
    MATTRESS = "mattress", _("Mattress")
    COT = "cot", _("Child bed or cot")


class BedLevel(models.TextChoices):
    NONE = "", _("Single")
    LOWER = "lower", _("Lower bunk")
    UPPER = "upper", _("Upper bunk")


class BedQuerySet(models.QuerySet):
    def available_on(self, day: datetime.date):
        """Beds in the inventory on `day` (capacity is dated, so past rates stay right)."""
        return self.filter(Q(available_until__isnull=True) | Q(available_until__gt=day)).filter(
            available_from__lte=day
        )


class Bed(models.Model):
    """One unit of capacity: a bed, or a seat in a warming centre, or an overflow mattress."""

    # Denormalised from the room: the board and the counts filter beds by facility.
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="beds"
    )
    room = models.ForeignKey(
        Room, verbose_name=_("room"), on_delete=models.PROTECT, related_name="beds"
    )
    label = models.CharField(_("label"), max_length=20)
    kind = models.CharField(_("kind"), max_length=10, choices=BedKind.choices, default=BedKind.BED)
    level = models.CharField(
        _("level"), max_length=5, choices=BedLevel.choices, default=BedLevel.NONE, blank=True
    )
    is_wheelchair_accessible = models.BooleanField(_("wheelchair accessible"), default=False)
    # Overflow places (winter mode) are counted apart from the regular capacity.
    is_overflow = models.BooleanField(_("overflow place"), default=False)
    available_from = models.DateField(_("in the inventory from"), default=datetime.date(2000, 1, 1))
    available_until = models.DateField(_("in the inventory until"), null=True, blank=True)

    objects = BedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["facility", "room__name", "label"]
        verbose_name = _("bed")
        verbose_name_plural = _("beds")
        constraints = [
            models.UniqueConstraint(fields=["room", "label"], name="shelters_bed_unique_label"),
            models.CheckConstraint(
                condition=Q(available_until__isnull=True)
                | Q(available_until__gt=F("available_from")),
                name="shelters_bed_inventory_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room.name} / {self.label}"


class BedOutage(models.Model):
    """A period when a bed is out of service (repairs, bedbugs...), with a reason."""

    bed = models.ForeignKey(Bed, on_delete=models.CASCADE, related_name="outages")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bed out of service")
        verbose_name_plural = _("beds out of service")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="shelters_outage_dates",
            ),
        ]

    def __str__(self) -> str:
        return self.reason


class LocalDateOf(models.DateField):
    """The local date (settings.TIME_ZONE) of the model's datetime `source`, set on every save.

    Kept by the field itself (`pre_save`), so `save()` and `bulk_create` both store it; writes
    that bypass the model must set it themselves (StayQuerySet.update and bulk_update do; raw
    SQL such as seed_scale's COPY writes it): on PostgreSQL a check constraint (migration
    shelters 0008) refuses a row whose date disagrees with `source`.
    """

    def __init__(self, *args, source: str = "", **kwargs):
        self.source = source
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    @staticmethod
    def local_date(moment: datetime.datetime | None) -> datetime.date | None:
        # The project's zone, never the request's: the figures must not depend on who saved.
        if moment is None:
            return None
        return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()

    def pre_save(self, model_instance, add):
        value = self.local_date(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value


class StayQuerySet(VaultQuerySet):
    def update(self, **kwargs):
        """`ended_at` never changes without its stored local date (Stay.ended_on)."""
        if "ended_at" in kwargs and "ended_on" not in kwargs:
            moment = kwargs["ended_at"]
            if moment is not None and not isinstance(moment, datetime.datetime):
                raise FieldError("update(ended_at=<expression>) must set ended_on too.")
            kwargs["ended_on"] = Stay._meta.get_field("ended_on").local_date(moment)
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        if "ended_at" in fields:
            field = Stay._meta.get_field("ended_on")
            for obj in objs:
                field.pre_save(obj, add=False)
            fields = [*fields, "ended_on"] if "ended_on" not in fields else fields
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def open(self):
        return self.filter(ended_at__isnull=True)

    def in_facility(self, facility):
        return self.filter(facility=facility)


class Stay(models.Model):
    """A client in a bed from a moment until a moment (open while `ended_at` is empty).

    A transfer ends one stay and starts the next in another bed, linked by `transferred_from`:
    each bed keeps a clean timeline and the stay's history is kept whole.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    # The client's data subject (the same UUID as `client`): the key of the encrypted notes.
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", editable=False)
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="stays")
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="stays")
    started_at = models.DateTimeField(_("checked in at"))
    ended_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    # The night the stay began (the rollover hour decides for check-ins after midnight).
    night_of = models.DateField(_("night"))
    # The last night the stay covered (set at check-out; open stays run to tonight). Occupancy
    # counts a stay on every night from `night_of` to `last_night`.
    last_night = models.DateField(_("last night"), null=True, blank=True)
    # The local date of `ended_at` (empty while open), stored so the outcome report reads it
    # from the row and its indexes instead of converting every stay's moment per query.
    ended_on = LocalDateOf(_("checked out on"), source="ended_at")
    last_seen_on = models.DateField(_("last seen on"))
    exit_destination = models.CharField(
        _("exit destination"), max_length=20, choices=ExitDestination.choices, blank=True
    )
    transferred_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="transferred_to"
    )
    notes = EncryptedTextField(_("notes"), label="stay.notes", blank=True, max_length=5000)
    override_reason = EncryptedTextField(
        _("reason for the override"), label="stay.override_reason", blank=True, max_length=1000
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = StayQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="shelters_stay_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(subject=F("client")), name="shelters_stay_subject"),
            # One open stay per bed and per client, on every database engine.
            models.UniqueConstraint(
                fields=["bed"], condition=Q(ended_at__isnull=True), name="shelters_stay_open_bed"
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(ended_at__isnull=True),
                name="shelters_stay_open_client",
            ),
        ]
        indexes = [
            models.Index(fields=["facility", "night_of"], name="shelters_stay_night"),
            models.Index(fields=["facility", "started_at"], name="shelters_stay_start"),
            # The outcome report's (reports/measures.py): every stay in each client's order, the
            # columns the measures read included, so PostgreSQL reads the episodes from the
            # index in order (no sort of every stay) and scans a third of the table's pages.
            # SQLite has no INCLUDE: there it is an index of the three columns.
            models.Index(
                fields=["client", "night_of", "id"],
                include=["facility", "last_night", "ended_at", "exit_destination"],
                name="shelters_stay_report",
            ),
            # The outcome report's clients served (the stays ended in or after the period, and
            # the open ones: a range of the stored end date each) and first time (the stays
            # begun in the period), read from the indexes alone on PostgreSQL.
            models.Index(
                fields=["ended_on", "night_of"],
                include=["client", "facility"],
                name="shelters_stay_ended",
            ),
            models.Index(
                fields=["night_of"],
                include=["client", "facility", "last_night"],
                name="shelters_stay_began",
            ),
        ]

    def __str__(self) -> str:
        return f"stay {self.pk}"

    def save(self, *args, **kwargs):
        self.subject_id = self.client_id
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "ended_at" in update_fields:
            # The stored local date follows its moment even in a partial save.
            kwargs["update_fields"] = {*update_fields, "ended_on"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class HoldQuerySet(VaultQuerySet):
    def active(self, at: datetime.datetime | None = None):
        """Holds in force at `at`: an expired hold frees its bed by itself, with no job to run."""
        at = at or timezone.now()
        return self.filter(starts_at__lte=at, ends_at__gt=at)


class Hold(models.Model):
    """A bed reserved for a named client or a referral until a time.

    The referral note is encrypted. Its key is the client's when the hold names one (erasing the
    client makes it unreadable with the rest of their data); a hold for a referral alone gets a
    data subject of its own (kind "referral"): the person expected is not registered yet, and
    a note typed at the door may name them whatever the label asks.
    """

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="holds")
    bed = models.ForeignKey(Bed, on_delete=models.PROTECT, related_name="holds")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # The key of the referral note: the client's subject, or the hold's own (see above).
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", editable=False)
    # Who referred, never a name: "MOPS, skierowanie 12/2026".
    referral = EncryptedTextField(_("referral"), label="hold.referral", blank=True, max_length=200)
    starts_at = models.DateTimeField(_("from"))
    # Expiry; releasing or using the hold brings it forward to that moment.
    ends_at = models.DateTimeField(_("held until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    objects = HoldQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shelters_hold_ends_after_start"
            ),
            # A hold for a client is sealed under the client's key (the referral's own
            # subject otherwise). "For someone" (a client or a referral note) is the service's
            # check: the database cannot read the encrypted note.
            models.CheckConstraint(
                condition=Q(client__isnull=True) | Q(subject=F("client")),
                name="shelters_hold_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"hold {self.pk}"

    def save(self, *args, **kwargs):
        if self.client_id is not None:
            self.subject_id = self.client_id
        super().save(*args, **kwargs)


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a bed")
    ADMITTED = "admitted", _("Admitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UNREACHABLE = "unreachable", _("No longer reachable")


class WaitlistEntry(models.Model):
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="waitlist")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", editable=False)
    added_on = models.DateField(_("added on"))
    # 1 is the most urgent.
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=2, choices=[(1, _("Urgent")), (2, _("Normal")), (3, _("Low"))]
    )
    reason = EncryptedTextField(_("reason"), label="waitlist.reason", blank=True, max_length=2000)
    contact_note = EncryptedTextField(
        _("how to reach"), label="waitlist.contact_note", blank=True, max_length=1000
    )
    status = models.CharField(
        _("status"), max_length=12, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    offered_hold = models.ForeignKey(
        Hold, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist")
        constraints = [
            models.CheckConstraint(
                condition=Q(subject=F("client")), name="shelters_waitlist_subject"
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=3), name="shelters_waitlist_priority"
            ),
            models.UniqueConstraint(
                fields=["facility", "client"],
                condition=Q(status__in=["waiting", "offered"]),
                name="shelters_waitlist_once",
            ),
        ]

    def __str__(self) -> str:
        return f"waitlist {self.pk}"

    def save(self, *args, **kwargs):
        self.subject_id = self.client_id
        super().save(*args, **kwargs)


class BanQuerySet(VaultQuerySet):
    def in_force(self, on: datetime.date):
        return self.filter(lifted_at__isnull=True, starts_on__lte=on, ends_on__gte=on)


class Ban(models.Model):
    """Zakaz pobytu: the client may not be admitted to the facility until `ends_on` (inclusive)."""

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="bans")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", editable=False)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = EncryptedTextField(_("reason"), label="ban.reason", max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    lift_reason = EncryptedTextField(
        _("reason for lifting"), label="ban.lift_reason", blank=True, max_length=2000
    )

    objects = BanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ban")
        verbose_name_plural = _("bans")
        constraints = [
            models.CheckConstraint(condition=Q(subject=F("client")), name="shelters_ban_subject"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="shelters_ban_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"ban {self.pk}"

    def save(self, *args, **kwargs):
        self.subject_id = self.client_id
        super().save(*args, **kwargs)


class RoomAllocationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(ended_at__isnull=True)


class RoomAllocation(models.Model):
    """A room of a house for single mothers given to one household from a moment until a moment.

    The mother (the household's head, a client) has an ordinary `Stay` in a bed of the room; each
    other member a `MemberStay` linked here. One open allocation per room and per household.
    """

    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="allocations")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="allocations")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("checked in at"))
    ended_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    exit_destination = models.CharField(
        _("exit destination"), max_length=20, choices=ExitDestination.choices, blank=True
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = RoomAllocationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("room allocation")
        verbose_name_plural = _("room allocations")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="shelters_allocation_ends_after_start",
            ),
            # One household per room, and one room per household, at a time.
            models.UniqueConstraint(
                fields=["room"],
                condition=Q(ended_at__isnull=True),
                name="shelters_allocation_open_room",
            ),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_at__isnull=True),
                name="shelters_allocation_open_household",
            ),
        ]

    def __str__(self) -> str:
        return f"allocation {self.pk}"


class MemberStayQuerySet(models.QuerySet):
    def open(self):
        return self.filter(ended_at__isnull=True)


class MemberStay(models.Model):
    """A household member (a child, usually) staying in the allocated room with the mother.

    Ids, dates and the room only: the member's name, birth date and sex stay in cases
    (encrypted under the member's own key, sex in clear for counts).
    """

    allocation = models.ForeignKey(
        RoomAllocation, on_delete=models.PROTECT, related_name="member_stays"
    )
    member = models.ForeignKey(HouseholdMember, on_delete=models.PROTECT, related_name="+")
    # Denormalised from the allocation: counts filter by facility and night.
    facility = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="member_stays")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="member_stays")
    started_at = models.DateTimeField(_("checked in at"))
    ended_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    night_of = models.DateField(_("night"))
    last_night = models.DateField(_("last night"), null=True, blank=True)

    objects = MemberStayQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stay of a household member")
        verbose_name_plural = _("stays of household members")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="shelters_memberstay_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(ended_at__isnull=True),
                name="shelters_memberstay_open_member",
            ),
        ]
        indexes = [
            models.Index(fields=["facility", "night_of"], name="shelters_memberstay_night"),
        ]

    def __str__(self) -> str:
        return f"member stay {self.pk}"
