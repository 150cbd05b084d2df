"""The rules of admission, check-out, transfer, the night, holds, the waitlist and bans."""

import contextlib
import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from audit.models import AccessLogEntry
from shelters import selectors, services
from shelters.models import Ban, BedOutage, Hold, Stay, WaitlistEntry
from tests.factories import make_client

H = datetime.timedelta(hours=1)


@contextlib.contextmanager
def refused(code):
    """Expect a ValidationError with `code` (messages are translated; codes are stable)."""
    with pytest.raises(ValidationError) as caught:
        yield caught
    assert caught.value.code == code, caught.value


def check_in(staff, facility, client, bed=None, **kwargs):
    return services.stay_check_in(by=staff, facility=facility, client=client, bed=bed, **kwargs)


def test_staff_check_a_man_into_the_suggested_bed_of_the_mens_room(
    staff_of_a, facility_a, man, evening
):
    stay = check_in(staff_of_a, facility_a, man)
    assert stay.bed.room.sex == "men"
    assert stay.night_of == evening.date()
    assert stay.history.get().history_change_reason == "check-in"
    assert AccessLogEntry.objects.filter(
        subject_id=man.pk, action="update", purpose="check_in"
    ).exists()


def test_a_woman_is_suggested_a_bed_in_the_womens_room(staff_of_a, facility_a, woman, evening):
    assert check_in(staff_of_a, facility_a, woman).bed.room.sex == "women"


def test_check_in_after_midnight_counts_for_the_night_before(staff_of_a, facility_a, man, evening):
    with time_machine.travel(evening + 4 * H, tick=False):
        stay = check_in(staff_of_a, facility_a, man)
    assert stay.night_of == evening.date()


def test_the_night_rolls_over_at_the_configured_hour(staff_of_a, facility_a, man, evening):
    facility_a.night_rollover_hour = 9
    facility_a.save()
    assert facility_a.night_of(evening + 11 * H) == evening.date()  # 08:00 next morning
    assert facility_a.night_of(evening + 12 * H) == evening.date() + datetime.timedelta(days=1)


def test_night_rollover_ends_last_nights_stays_in_a_night_shelter(
    staff_of_a, facility_a, man, woman, evening
):
    check_in(staff_of_a, facility_a, man)
    with time_machine.travel(evening + 13 * H, tick=False):  # 10:00 next day: still last night
        assert services.night_rollover(facility=facility_a) == 0
    with time_machine.travel(evening + 16 * H, tick=False):  # 13:00: the night is over
        assert services.night_rollover(facility=facility_a, by=staff_of_a) == 1
    stay = Stay.objects.get()
    assert stay.exit_destination == "night_ended"
    assert stay.last_night == evening.date()
    assert timezone.localtime(stay.ended_at).hour == 12


def test_same_bed_as_last_night_lists_guests_not_yet_back(
    staff_of_a, facility_a, beds, man, evening
):
    check_in(staff_of_a, facility_a, man, beds["1.3"])
    next_evening = evening + 24 * H
    with time_machine.travel(next_evening, tick=False):
        services.night_rollover(facility=facility_a)
        guests = selectors.last_night_guests(facility_a, next_evening)
        assert [g.stay.bed.label for g in guests] == ["1.3"]
        check_in(staff_of_a, facility_a, man, guests[0].stay.bed)
        assert selectors.last_night_guests(facility_a, next_evening) == []


def test_a_bed_cannot_take_a_second_guest(staff_of_a, facility_a, beds, man, evening):
    other = make_client(first_name="Bogdan", surname="Cisowski", sex="male")
    check_in(staff_of_a, facility_a, man, beds["1.1"])
    with refused("taken"):
        check_in(staff_of_a, facility_a, other, beds["1.1"])
    assert Stay.objects.count() == 1


def test_a_client_cannot_be_in_two_beds(staff_of_a, facility_a, beds, man, evening):
    check_in(staff_of_a, facility_a, man, beds["1.1"])
    with refused("client_overlap"):
        check_in(staff_of_a, facility_a, man, beds["1.2"])
    assert Stay.objects.count() == 1


def test_overlapping_backdated_stays_are_refused(staff_of_a, facility_a, beds, man, evening):
    other = make_client(first_name="Bogdan", surname="Cisowski", sex="male")
    stay = check_in(staff_of_a, facility_a, man, beds["1.1"], started_at=evening - 3 * H)
    services.stay_check_out(by=staff_of_a, stay=stay, destination="family")
    # The bed was taken from 18:00 to 21:00: a stay from 19:00 overlaps it.
    with refused("taken"):
        check_in(staff_of_a, facility_a, other, beds["1.1"], started_at=evening - 2 * H)
    with refused("client_overlap"):
        check_in(staff_of_a, facility_a, man, beds["1.2"], started_at=evening - 2 * H)
    assert Stay.objects.count() == 1


def test_a_stay_cannot_start_in_the_future(staff_of_a, facility_a, man, evening):
    with refused("future"):
        check_in(staff_of_a, facility_a, man, started_at=evening + H)
    assert not Stay.objects.exists()


def test_check_out_before_check_in_is_refused(staff_of_a, facility_a, man, evening):
    stay = check_in(staff_of_a, facility_a, man)
    with refused("before_start"):
        services.stay_check_out(
            by=staff_of_a, stay=stay, destination="street", ended_at=evening - H
        )
    stay.refresh_from_db()
    assert stay.ended_at is None


def test_check_out_records_the_destination(staff_of_a, facility_a, man, evening):
    stay = check_in(staff_of_a, facility_a, man)
    with time_machine.travel(evening + 36 * H, tick=False):
        services.stay_check_out(by=staff_of_a, stay=stay, destination="rented_room")
    stay.refresh_from_db()
    assert stay.exit_destination == "rented_room"
    assert stay.last_night == evening.date() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.stay_check_out(by=staff_of_a, stay=stay, destination="street")


def test_a_bed_out_of_service_is_refused(staff_of_a, facility_a, beds, man, evening):
    BedOutage.objects.create(bed=beds["1.1"], starts_at=evening - 24 * H, reason="pluskwy")
    with refused("out_of_service"):
        check_in(staff_of_a, facility_a, man, beds["1.1"])
    # The suggestion skips it.
    assert check_in(staff_of_a, facility_a, man).bed != beds["1.1"]


def test_a_banned_client_is_refused_with_the_end_date(staff_of_a, facility_a, man, evening):
    services.ban_impose(
        by=staff_of_a,
        facility=facility_a,
        client=man,
        ends_on=datetime.date(2026, 2, 28),
        reason="Agresja wobec innych",
    )
    with refused("banned") as caught:
        check_in(staff_of_a, facility_a, man)
    # The date as 28.02.2026, so staff can tell the person when to come back.
    assert "28.02.2026" in caught.value.messages[0]
    assert not Stay.objects.exists()


def test_a_ban_ends_on_its_date(staff_of_a, facility_a, man, evening):
    services.ban_impose(
        by=staff_of_a, facility=facility_a, client=man, ends_on=evening.date(), reason="x"
    )
    with time_machine.travel(evening + 24 * H, tick=False):
        assert check_in(staff_of_a, facility_a, man)


def test_a_man_into_the_womens_room_is_refused_unless_a_manager_overrides_with_a_reason(
    staff_of_a, manager_of_a, facility_a, beds, man, evening
):
    with refused("sex"):
        check_in(staff_of_a, facility_a, man, beds["2.1"], override_reason="brak miejsc")
    with refused("sex"):
        check_in(manager_of_a, facility_a, man, beds["2.1"])
    stay = check_in(manager_of_a, facility_a, man, beds["2.1"], override_reason="Ojciec z córką")
    assert stay.override_reason == "Ojciec z córką"


def test_a_full_facility_refuses_and_overflow_waits_for_winter_mode(
    staff_of_a, facility_a, beds, evening
):
    room = beds["1.1"].room
    mattress = facility_a.beds.create(room=room, label="M.1", kind="mattress", is_overflow=True)
    men = [make_client(first_name="Bogdan", surname=f"Cisowski{n}", sex="male") for n in range(4)]
    for person in men[:3]:
        check_in(staff_of_a, facility_a, person)
    with refused("capacity"):
        check_in(staff_of_a, facility_a, men[3])
    with refused("capacity"):
        check_in(staff_of_a, facility_a, men[3], mattress)
    facility_a.is_winter_mode = True
    facility_a.save()
    assert check_in(staff_of_a, facility_a, men[3]).bed == mattress


def test_a_hold_keeps_the_bed_for_its_client_until_it_expires(
    staff_of_a, facility_a, beds, man, evening
):
    other = make_client(first_name="Bogdan", surname="Cisowski", sex="male")
    hold = services.hold_place(
        by=staff_of_a, facility=facility_a, bed=beds["1.1"], until=evening + H, client=man
    )
    with refused("held"):
        check_in(staff_of_a, facility_a, other, beds["1.1"])
    assert selectors.suggest_bed(facility_a, man, evening) == beds["1.1"]
    assert selectors.suggest_bed(facility_a, other, evening) != beds["1.1"]
    # An expired hold frees the bed by itself.
    with time_machine.travel(evening + 2 * H, tick=False):
        assert beds["1.1"] in selectors.free_beds(facility_a, timezone.now())
        assert check_in(staff_of_a, facility_a, other, beds["1.1"])
    hold.refresh_from_db()


def test_checking_in_uses_the_clients_hold(staff_of_a, facility_a, beds, man, evening):
    hold = services.hold_place(
        by=staff_of_a, facility=facility_a, bed=beds["1.2"], until=evening + H, client=man
    )
    stay = check_in(staff_of_a, facility_a, man)
    assert stay.bed == beds["1.2"]
    hold.refresh_from_db()
    assert not Hold.objects.active(evening + datetime.timedelta(minutes=1)).exists()


def test_a_hold_for_an_occupied_bed_is_refused(staff_of_a, facility_a, beds, man, evening):
    check_in(staff_of_a, facility_a, man, beds["1.1"])
    with refused("occupied"):
        services.hold_place(
            by=staff_of_a, facility=facility_a, bed=beds["1.1"], until=evening + H, referral="MOPS"
        )
    assert not Hold.objects.exists()


def test_a_hold_must_end_in_the_future_and_name_someone(staff_of_a, facility_a, beds, evening):
    with pytest.raises(ValidationError):
        services.hold_place(
            by=staff_of_a, facility=facility_a, bed=beds["1.1"], until=evening - H, referral="x"
        )
    with pytest.raises(ValidationError):
        services.hold_place(by=staff_of_a, facility=facility_a, bed=beds["1.1"], until=evening + H)
    assert not Hold.objects.exists()


def test_transfer_moves_the_stay_and_keeps_its_history(staff_of_a, facility_a, beds, man, evening):
    stay = check_in(staff_of_a, facility_a, man, beds["1.1"], notes="Chrapie")
    with time_machine.travel(evening + 48 * H, tick=False):
        new = services.stay_transfer(by=staff_of_a, stay=stay, bed=beds["1.3"])
    stay.refresh_from_db()
    assert stay.exit_destination == "transfer"
    assert new.transferred_from == stay
    assert new.notes == "Chrapie"
    assert new.bed == beds["1.3"]
    # Nights are counted once: the old bed up to last night, the new one from tonight.
    assert stay.last_night == new.night_of - datetime.timedelta(days=1)


def test_transfer_to_a_facility_out_of_reach_is_refused(
    staff_of_a, facility_a, facility_b, beds, man, evening
):
    stay = check_in(staff_of_a, facility_a, man, beds["1.1"])
    with pytest.raises(PermissionDenied):
        services.stay_transfer(by=staff_of_a, stay=stay, bed=facility_b.beds.first())
    assert Stay.objects.count() == 1


def test_staff_of_another_facility_cannot_check_in(staff_of_a, facility_b, man, evening):
    with pytest.raises(PermissionDenied):
        check_in(staff_of_a, facility_b, man)


def test_a_social_worker_checks_in_only_where_also_staff(social_worker, facility_a, man, evening):
    from guardian.shortcuts import assign_perm

    with pytest.raises(PermissionDenied):
        check_in(social_worker, facility_a, man)
    assign_perm("shelters.operate_facility", social_worker, facility_a)
    assert check_in(social_worker, facility_a, man)


def test_stay_notes_ban_reasons_and_waitlist_reasons_are_encrypted_at_rest(
    staff_of_a, facility_a, man, woman, evening
):
    stay = check_in(staff_of_a, facility_a, man, notes="Cukrzyca, insulina wieczorem")
    services.stay_update_notes(by=staff_of_a, stay=stay, notes="Insulina o 21")
    services.ban_impose(
        by=staff_of_a,
        facility=facility_a,
        client=woman,
        ends_on=datetime.date(2026, 3, 1),
        reason="Kradzież telefonu",
    )
    services.waitlist_add(
        by=staff_of_a, facility=facility_a, client=woman, reason="Eksmisja", contact_note="Dworzec"
    )
    secrets = ["Cukrzyca", "Insulina", "Kradzież", "Eksmisja", "Dworzec"]
    tables = [
        "shelters_stay",
        "shelters_historicalstay",
        "shelters_ban",
        "shelters_historicalban",
        "shelters_waitlistentry",
        "shelters_historicalwaitlistentry",
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            rows = cursor.fetchall()
            assert rows, table
            for row in rows:
                blob = b"|".join(
                    bytes(c) if isinstance(c, (bytes, memoryview)) else str(c).encode() for c in row
                )
                for secret in secrets:
                    assert secret.encode() not in blob, (table, secret)


def test_only_a_manager_lifts_a_ban_and_only_with_a_reason(
    staff_of_a, manager_of_a, facility_a, man, evening
):
    ban = services.ban_impose(
        by=staff_of_a,
        facility=facility_a,
        client=man,
        ends_on=datetime.date(2026, 6, 1),
        reason="x",
    )
    with pytest.raises(PermissionDenied):
        services.ban_lift(by=staff_of_a, ban=ban, reason="Przeprosił")
    with pytest.raises(ValidationError):
        services.ban_lift(by=manager_of_a, ban=ban, reason=" ")
    services.ban_lift(by=manager_of_a, ban=ban, reason="Przeprosił")
    ban = Ban.objects.get()
    assert ban.lift_reason == "Przeprosił"
    assert check_in(staff_of_a, facility_a, man)


def test_offering_a_freed_bed_goes_to_the_first_matching_person(
    staff_of_a, facility_a, beds, man, woman, evening
):
    urgent_man = make_client(first_name="Bogdan", surname="Cisowski", sex="male")
    for client, priority in ((man, 2), (woman, 3), (urgent_man, 1)):
        services.waitlist_add(by=staff_of_a, facility=facility_a, client=client, priority=priority)
    # The men's room is full: the first person a free bed fits is the woman.
    for n in range(3):
        guest = make_client(first_name="Ryszard", surname=f"Jaworecki{n}", sex="male")
        check_in(staff_of_a, facility_a, guest)
    offered = services.waitlist_offer_next(by=staff_of_a, facility=facility_a)
    assert offered.client == woman
    assert offered.status == "offered"
    assert offered.offered_hold.bed.room.sex == "women"
    # Checking her in admits her and uses the hold.
    check_in(staff_of_a, facility_a, woman)
    assert WaitlistEntry.objects.get(client=woman).status == "admitted"


def test_absence_offers_an_exit_after_the_configured_days(staff_of_a, facility_b, evening):
    from guardian.shortcuts import assign_perm

    assign_perm("shelters.operate_facility", staff_of_a, facility_b)
    person = make_client(first_name="Czesław", surname="Olszyński", sex="male")
    stay = check_in(staff_of_a, facility_b, person)
    later = evening.date() + datetime.timedelta(days=30)
    assert list(selectors.absent_stays(facility_b, later - datetime.timedelta(days=1))) == []
    assert list(selectors.absent_stays(facility_b, later)) == [stay]
    services.stay_mark_present(by=staff_of_a, stay=stay, on=later)
    assert list(selectors.absent_stays(facility_b, later)) == []
