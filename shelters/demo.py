"""Synthetic demo data for the shelters: four facilities, tonight's guests, a year of past stays.

Invented names only (cases.demo's lists) and generated PESELs. Past stays are written with
bulk_create (sealed like any save, but without history rows: they are background figures for
the board and the selectors). Tonight's check-ins, holds, the waitlist and the ban go through
the services, as a shelter worker's would.
"""

import datetime
import random

from django.utils import timezone
from guardian.shortcuts import assign_perm

from accounts.demo import FOUNDATION, WELFARE_CENTRE
from accounts.models import Organisation, User
from cases.demo import MEN, SURNAMES, WOMEN
from cases.models import Client, Household, HouseholdMember
from cases.pesel import synthesize
from privacy import vault
from shelters import selectors, services, walkins
from shelters.models import Bed, ExitDestination, Facility, Room, RoomAllocation, Stay

NIGHT_SHELTER = "Noclegownia św. Marcina (demo)"
SHELTER = "Schronisko Przystań (demo)"
MOTHER_HOUSE = "Dom dla Matek z Dziećmi Przystań (demo)"
# Beds of a family room of the house: (rooms 01-08, rooms 09-12).
FAMILY_ROOM_BEDS = (3, 4)
WARMING_CENTRE = "Ogrzewalnia Miejska (demo)"

EXITS = [
    ExitDestination.RENTED_ROOM,
    ExitDestination.FAMILY,
    ExitDestination.OTHER_FACILITY,
    ExitDestination.UNKNOWN,
    ExitDestination.STREET,
    ExitDestination.OWN_HOUSING,
    ExitDestination.HOSPITAL,
]


def _facility(org, name, kind, admits, rooms, **extra) -> Facility:
    facility = Facility.objects.create(
        organisation=org, name=name, kind=kind, admits=admits, **extra
    )
    start = timezone.localdate() - datetime.timedelta(days=400)
    for room_name, sex, count, overflow in rooms:
        room = Room.objects.create(
            facility=facility, name=room_name, sex=sex, is_family_room=kind == "mother_house"
        )
        for n in range(1, count + 1):
            Bed.objects.create(
                facility=facility,
                room=room,
                label=f"{'M' if overflow else ''}{n}",
                kind="mattress" if overflow else ("seat" if kind == "warming_centre" else "bed"),
                level="" if kind != "night_shelter" else ("lower" if n % 2 else "upper"),
                is_wheelchair_accessible=(n == 1 and not overflow),
                is_overflow=overflow,
                available_from=start,
            )
    return facility


def _client(
    rng: random.Random, *, female: bool, serial: int, name: tuple[str, str] | None = None
) -> Client:
    """A synthetic client; `name` (first name, surname) replaces the drawn one, after the draws,
    so that naming someone on purpose does not shift the rest of the demo's random choices."""
    subject = vault.subject_create(kind="client")
    born = datetime.date(rng.randint(1955, 2003), rng.randint(1, 12), rng.randint(1, 28))
    first_name = rng.choice(WOMEN if female else MEN)
    surname = rng.choice(SURNAMES)[1 if female else 0]
    first_name, surname = name or (first_name, surname)
    client = Client(
        subject=subject,
        first_name=first_name,
        surname=surname,
        pesel=synthesize(born, female=female, serial=serial) if serial % 3 else "",
        birth_date=born,
        sex="female" if female else "male",
    )
    client._change_reason = "seed_demo"
    client.save()
    return client


def _past_stays(
    facility,
    beds,
    clients,
    rng,
    *,
    days: int,
    nightly: bool,
    share: float = 0.0,
    keep_free: int = 0,
) -> list[Stay]:
    """Past stays ending before today: nightly ones, or runs of weeks per bed.

    In a long-stay facility a `share` of the beds then gets an open stay that begins after the
    bed's last past stay; the last `keep_free` beds never get one, whatever the draw, so that
    the demo's promises (a room for the demo household, beds to hold tonight) hold on every
    date: the draw itself depends on the date (fuller nights in winter take more numbers).
    A person of the pool is never in two stays at once.
    """
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    stays = []

    def at(day, hour):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=tz)

    if nightly:
        for back in range(days, 1, -1):
            night = today - datetime.timedelta(days=back)
            # Fuller in winter.
            fill = 0.9 if night.month in (11, 12, 1, 2, 3) else 0.55
            guests = rng.sample(clients, min(len(clients), int(len(beds) * fill)))
            for bed, client in zip(beds, guests, strict=False):
                stays.append(
                    Stay(
                        client=client,
                        subject_id=client.pk,
                        facility=facility,
                        bed=bed,
                        started_at=at(night, 20),
                        ended_at=at(night + datetime.timedelta(days=1), 7),
                        night_of=night,
                        last_night=night,
                        last_seen_on=night,
                        exit_destination=ExitDestination.NIGHT_ENDED,
                    )
                )
        return stays
    busy: dict = {c.pk: [] for c in clients}

    def free_client(first, last):
        """Someone of the pool not staying anywhere between `first` and `last`."""
        for client in rng.sample(clients, len(clients)):
            if all(e < first or s > last for s, e in busy[client.pk]):
                busy[client.pk].append((first, last))
                return client
        return None

    for index, bed in enumerate(beds):
        may_stay_tonight = index < len(beds) - keep_free
        day = today - datetime.timedelta(days=days - rng.randint(0, 20))
        while True:
            end = day + datetime.timedelta(days=rng.randint(14, 120))
            if end >= today - datetime.timedelta(days=2):
                break
            client = free_client(day, end)
            if client is not None:
                stays.append(
                    Stay(
                        client=client,
                        subject_id=client.pk,
                        facility=facility,
                        bed=bed,
                        started_at=at(day, 14),
                        ended_at=at(end, 10),
                        night_of=day,
                        last_night=end - datetime.timedelta(days=1),
                        last_seen_on=end,
                        exit_destination=rng.choice(EXITS),
                    )
                )
            day = end + datetime.timedelta(days=rng.randint(0, 6))
        day = min(day, today - datetime.timedelta(days=1))
        stays_tonight = rng.random() < share and may_stay_tonight
        client = free_client(day, datetime.date.max) if stays_tonight else None
        if client is not None:
            stays.append(
                Stay(
                    client=client,
                    subject_id=client.pk,
                    facility=facility,
                    bed=bed,
                    started_at=at(day, 15),
                    night_of=day,
                    last_seen_on=max(day, today - datetime.timedelta(days=rng.randint(0, 3))),
                )
            )
    return stays


def seed() -> int:
    """Create the demo facilities and their year, once (nothing if they exist)."""
    foundation = Organisation.objects.filter(name=FOUNDATION).first()
    city = Organisation.objects.filter(name=WELFARE_CENTRE).first()
    staff = User.objects.filter(username="schronisko").first()
    if foundation is None or city is None:
        return 0
    if Facility.objects.filter(name=SHELTER).exists():
        _household_room(staff)
        return 0
    rng = random.Random(5)
    night_shelter = _facility(
        foundation,
        NIGHT_SHELTER,
        "night_shelter",
        "any",
        [
            *[(f"Sala {n}", "men", 8, False) for n in range(1, 5)],
            ("Sala 5", "women", 8, False),
            ("Korytarz", "men", 6, True),
        ],
        address="ul. Zimowa 3, Przykładowo",
        phone="+48 22 100 20 30",
        is_winter_mode=True,
    )
    shelter = _facility(
        foundation,
        SHELTER,
        "shelter",
        "any",
        [*[(f"Pokój {n}", "men", 8, False) for n in range(1, 7)]]
        + [(f"Pokój {n}", "women", 6, False) for n in range(7, 9)],
        address="ul. Dębowa 12, Przykładowo",
        phone="+48 22 100 20 31",
    )
    mothers = _facility(
        foundation,
        MOTHER_HOUSE,
        "mother_house",
        "mothers",
        # Family rooms: a bed for the mother and one for each child of the household the room
        # takes (a mother with up to two children, in the last four up to three), so that a
        # household's stays (hers and the children's, MemberStay) never outnumber the room's
        # places and the house's occupancy stays at or under 100 %.
        [(f"Pokój {n:02d}", "women", FAMILY_ROOM_BEDS[n > 8], False) for n in range(1, 13)],
        address="ul. Lipowa 5, Przykładowo",
        phone="+48 22 100 20 32",
    )
    warming = _facility(
        city,
        WARMING_CENTRE,
        "warming_centre",
        "any",
        [("Sala", "any", 30, False)],
        address="ul. Dworcowa 1, Przykładowo",
        phone="+48 22 100 20 33",
    )
    for user in User.objects.filter(username__in=["schronisko", "kierownik"]):
        for facility in (night_shelter, shelter, mothers):
            assign_perm("shelters.operate_facility", user, facility)

    # Synthetic guests (invented names), a pool per facility: a year of long stays, and the
    # last two months of nights (nightly stays are many rows; two months show the pattern).
    def pool(count, *, female, serial):
        return [_client(rng, female=female(n), serial=serial + n) for n in range(count)]

    night_men = pool(32, female=lambda n: False, serial=0)
    night_women = pool(8, female=lambda n: True, serial=100)
    shelter_men = pool(70, female=lambda n: False, serial=200)
    shelter_women = pool(16, female=lambda n: True, serial=400)
    mothers_pool = pool(16, female=lambda n: True, serial=500)
    warming_pool = pool(20, female=lambda n: n % 4 == 0, serial=600)

    def beds(facility, sex=None):
        queryset = facility.beds.filter(is_overflow=False).order_by("pk")
        if facility.kind == "mother_house":
            # One bed a family room: a past stay of the house is one mother's, alone in her
            # room (no two women's families share one), so the draws are as with one-bed rooms.
            queryset = queryset.filter(label="1")
        return list(queryset.filter(room__sex=sex) if sex else queryset)

    def past(facility, sex, people, *, nightly, days=365, share=0.0, keep_free=0):
        return _past_stays(
            facility,
            beds(facility, sex),
            people,
            rng,
            days=days,
            nightly=nightly,
            share=share,
            keep_free=keep_free,
        )

    stays = [
        *past(night_shelter, "men", night_men, nightly=True, days=60),
        *past(night_shelter, "women", night_women, nightly=True, days=60),
        # Tonight's two holds need free men's beds; the demo household needs a free room and
        # the house's check-in another one.
        *past(shelter, "men", shelter_men, nightly=False, share=0.9, keep_free=4),
        *past(shelter, "women", shelter_women, nightly=False, share=0.8, keep_free=1),
        *past(mothers, None, mothers_pool, nightly=False, share=0.75, keep_free=2),
        *past(warming, None, warming_pool, nightly=True, days=45),
    ]
    # Every stay was checked in by someone (the demo's shelter staff): a stay saved without it
    # fails its own validation, and the demo's open stays could not be checked out.
    desk = User.objects.filter(username="schronisko").first()
    for stay in stays:
        stay.checked_in_by = desk
        stay.checked_out_by = desk if stay.ended_at else None
    # bulk_create sends no post_save: reports.demo.seed (the last app's seed) rebuilds the
    # outcome report's episodes from every demo stay.
    Stay.objects.bulk_create(stays, batch_size=500)
    # One guest of the shelter has not been seen for over a month: the board offers an exit.
    absent = Stay.objects.filter(facility=shelter, ended_at__isnull=True).order_by("pk").first()
    if absent is not None:
        Stay.objects.filter(pk=absent.pk).update(
            last_seen_on=timezone.localdate() - datetime.timedelta(days=40)
        )

    # Tonight, through the services, by the demo shelter worker.
    if staff is not None:
        known = Client.objects.filter(registered_by__username="pracownik", sex="male")
        _tonight(staff, night_shelter, shelter, [*list(known[:6]), *night_men[:20]], rng)
        _waiting_household(staff, mothers, rng)
        _walk_ins(staff, [night_shelter, shelter])
        _mother_records(staff, night_shelter, shelter)
    _household_room(staff)
    return len(stays)


def _mother_records(staff, night_shelter, shelter) -> None:
    """The demo mother of cases.demo gets a ban and a waitlist place: her data package (the
    DPO's export, docs/privacy.md) then shows records of most kinds."""
    mother = (
        Client.objects.filter(registered_by__username="pracownik", household__isnull=False)
        .order_by("pk")
        .first()
    )
    if mother is None:
        return
    services.ban_impose(
        by=staff,
        facility=night_shelter,
        client=mother,
        ends_on=timezone.localdate() + datetime.timedelta(days=14),
        reason="Kłótnia z inną mieszkanką w nocy, po upomnieniu",
    )
    services.waitlist_add(
        by=staff,
        facility=shelter,
        client=mother,
        reason="Czeka na pokój rodzinny z dwojgiem dzieci",
        contact_note="Przez pracownika socjalnego",
    )


def _household_room(staff) -> None:
    """The demo household of cases.demo (a mother and two children) in a free room of the house.

    Idempotent: nothing if that household already has (or had) a room, or no room is free.
    """
    house = Facility.objects.filter(name=MOTHER_HOUSE).first()
    household = (
        Household.objects.filter(head__registered_by__username="pracownik")
        .order_by("created_at")
        .first()
    )
    if staff is None or house is None or household is None:
        return
    if RoomAllocation.objects.filter(household=household).exists():
        return
    if Stay.objects.open().filter(client=household.head).exists():
        return
    room = (
        Room.objects.filter(facility=house)
        .exclude(pk__in=Stay.objects.open().values("bed__room_id"))
        .exclude(pk__in=RoomAllocation.objects.open().values("room_id"))
        .order_by("name")
        .first()
    )
    if room is None:
        return
    services.household_check_in(by=staff, household=household, room=room)


# Two namesakes ("Ryszard D." both): one waits for the night shelter, the other is banned from
# it. The board, the check-in search, the waitlist and the bans tell them apart by the year of
# birth and the short id.
NAMESAKES = {23: ("Ryszard", "Dąbrowski"), 27: ("Ryszard", "Dębowiak")}


def _tonight(staff, night_shelter, shelter, guests, rng) -> None:
    now = timezone.now()
    fresh_men = [
        _client(rng, female=False, serial=900 + n, name=NAMESAKES.get(n)) for n in range(30)
    ]
    fresh_women = [_client(rng, female=True, serial=950 + n) for n in range(4)]
    # The night shelter tonight: last nights' regulars and some of the social workers' clients.
    for client in guests + fresh_women[:2]:
        services.stay_check_in(
            by=staff,
            facility=night_shelter,
            client=client,
            started_at=now - datetime.timedelta(minutes=rng.randint(5, 120)),
        )
    # A hold for a referral and one for a named person; a waitlist; a ban.
    free = list(
        shelter.beds.filter(room__sex="men", is_overflow=False)
        .exclude(pk__in=Stay.objects.open().values("bed_id"))
        .order_by("pk")
    )
    services.hold_place(
        by=staff,
        facility=shelter,
        bed=free[0],
        until=now + datetime.timedelta(hours=3),
        referral="MOPS Przykładowo, skierowanie 41/2026",
    )
    services.hold_place(
        by=staff,
        facility=shelter,
        bed=free[1],
        until=now + datetime.timedelta(hours=2),
        client=fresh_men[22],
    )
    for n, client in enumerate(fresh_men[23:27] + fresh_women[2:4]):
        services.waitlist_add(
            by=staff,
            facility=shelter if n % 2 else night_shelter,
            client=client,
            priority=1 + n % 3,
            reason="Skierowanie z MOPS" if n % 2 else "Zgłosił się sam",
            contact_note="Telefon przez pracownika socjalnego",
        )
    services.ban_impose(
        by=staff,
        facility=night_shelter,
        client=fresh_men[27],
        ends_on=timezone.localdate() + datetime.timedelta(days=21),
        reason="Spożywanie alkoholu na terenie placówki mimo upomnień",
    )


def _waiting_household(staff, house, rng) -> None:
    """A second household, on the house's waitlist: the household check-in offers the mother."""
    mother = _client(rng, female=True, serial=990, name=("Jadwiga", "Modrzewska"))
    household = Household(head=mother)
    household._change_reason = "seed_demo"
    household.save()
    for first_name, born, sex in (
        ("Antoś", datetime.date(2021, 6, 3), "male"),
        ("Hania", datetime.date(2024, 1, 20), "female"),
    ):
        member = HouseholdMember(
            subject=vault.subject_create(kind="household_member"),
            household=household,
            first_name=first_name,
            surname="Modrzewska" if sex == "female" else "Modrzewski",
            birth_date=born,
            relationship="child",
            sex=sex,
        )
        member._change_reason = "seed_demo"
        member.save()
    services.waitlist_add(
        by=staff,
        facility=house,
        client=mother,
        priority=1,
        reason="Skierowanie z MOPS: matka z dwójką dzieci",
        contact_note="Telefon przez pracownika socjalnego",
    )


# Two people who came to the door tonight, registered by the shelter worker and checked in:
# they wait in the foundation's "new walk-ins" list for a social worker (`pracownik`).
WALK_INS = [
    {
        "first_name": "Tadeusz",
        "surname": "Wędrowny",
        "sex": "male",
        "birth_year": 1964,
        "birth_year_estimated": True,
        "note": "Przyszedł sam, zmarznięty; mówi, że od tygodnia nocuje na dworcu.",
        "legal_basis": "vital_interest",
    },
    {
        "first_name": "Krystyna",
        "surname_refused": True,
        "sex": "female",
        "birth_year": 1979,
        "note": "Przywieziona przez patrol straży miejskiej; nie chce podać nazwiska.",
        "legal_basis": "public_task",
    },
]


def _walk_ins(staff, facilities) -> None:
    """The two walk-ins, each in the first free regular bed of their sex (the night shelter
    first, else the shelter): tonight's guests leave the night shelter's rooms partly free on
    any date, and the shelter keeps free beds too."""
    now = timezone.now()
    for record in WALK_INS:
        allowed = selectors.sex_allowed(record["sex"])
        for facility in facilities:
            bed = (
                selectors.free_beds(facility, now)
                .filter(room__sex__in=allowed, is_overflow=False)
                .order_by("pk")
                .first()
            )
            if bed is not None:
                walkins.walk_in_admit(by=staff, facility=facility, bed=bed, **record)
                break
