"""The stored local end date of a stay (Stay.ended_on) agrees with its moment on every path."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from shelters import services
from shelters.models import Stay

H = datetime.timedelta(hours=1)
WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def stored(stay_id) -> tuple:
    """(ended_at, ended_on) of a stay as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ended_at, ended_on FROM shelters_stay WHERE id = %s", [stay_id])
        ended_at, ended_on = cursor.fetchone()
    return ended_at, ended_on


def as_date(value):
    """SQLite returns dates as ISO text."""
    return (
        value
        if value is None or isinstance(value, datetime.date)
        else (datetime.date.fromisoformat(value))
    )


@pytest.mark.parametrize(
    ("utc", "local"),
    [
        # 00:30 on 30 March in Warsaw (winter time, +1)
        ("2025-03-29 23:30:00", "2025-03-30"),
        ("2025-03-30 01:00:00", "2025-03-30"),  # 03:00 summer time (+2)
        ("2025-10-25 22:30:00", "2025-10-26"),  # 00:30 on 26 October (summer time)
        ("2025-10-26 00:59:59.500000", "2025-10-26"),  # 02:59:59 summer time, the last second
        ("2025-12-31 23:00:00", "2026-01-01"),  # midnight: already 2026 in Warsaw
        ("2024-06-30 21:59:00", "2024-06-30"),  # 23:59 summer time
        ("2024-02-29 22:59:59", "2024-02-29"),  # 23:59:59 on a leap day (winter time)
    ],
)
def test_a_stays_stored_end_date_is_the_local_date_of_its_end_even_around_dst(
    staff_of_a, facility_a, man, utc, local
):
    ended_at = datetime.datetime.fromisoformat(utc).replace(tzinfo=datetime.UTC)
    stay = Stay.objects.create(
        client=man,
        facility=facility_a,
        bed=facility_a.beds.order_by("pk").first(),
        started_at=ended_at - 30 * H,
        ended_at=ended_at,
        night_of=datetime.date(2024, 1, 1),
        last_seen_on=datetime.date(2024, 1, 1),
    )
    assert as_date(stored(stay.pk)[1]) == datetime.date.fromisoformat(local)


def test_check_out_transfer_and_night_rollover_store_the_local_end_date(
    staff_of_a, facility_a, beds, man, woman, evening
):
    first = services.stay_check_in(by=staff_of_a, facility=facility_a, client=man, bed=beds["1.1"])
    other = services.stay_check_in(
        by=staff_of_a, facility=facility_a, client=woman, bed=beds["2.1"]
    )
    assert stored(first.pk)[1] is None  # open: no end date
    # 21:00 + 27 h = 00:00 on the 17th in Warsaw, 23:00 on the 16th in UTC.
    with time_machine.travel(evening + 27 * H, tick=False):
        moved = services.stay_transfer(by=staff_of_a, stay=first, bed=beds["1.3"])
    assert as_date(stored(first.pk)[1]) == datetime.date(2026, 1, 17)
    with time_machine.travel(evening + 36 * H, tick=False):  # 09:00 on the 17th
        services.stay_check_out(by=staff_of_a, stay=moved, destination="rented_room")
    assert as_date(stored(moved.pk)[1]) == datetime.date(2026, 1, 17)
    with time_machine.travel(evening + 40 * H, tick=False):
        services.night_rollover(facility=facility_a, by=staff_of_a)
    other.refresh_from_db()
    if other.ended_at is not None:  # facility A may keep its guests by day
        assert as_date(stored(other.pk)[1]) == other.ended_at.astimezone(WARSAW).date()
    # Every stay, every history row: the stored date is the local date of the moment.
    for ended_at, ended_on in [
        *Stay.objects.values_list("ended_at", "ended_on"),
        *Stay.history.values_list("ended_at", "ended_on"),
    ]:
        assert ended_on == (ended_at.astimezone(WARSAW).date() if ended_at else None)


def test_a_partial_save_of_the_end_stores_its_date_too(staff_of_a, facility_a, man, evening):
    stay = services.stay_check_in(by=staff_of_a, facility=facility_a, client=man)
    stay.ended_at = evening + 12 * H  # 09:00 on the 16th
    stay.save(update_fields=["ended_at"])
    assert as_date(stored(stay.pk)[1]) == datetime.date(2026, 1, 16)


@pytest.mark.postgres
def test_postgresql_refuses_an_end_date_that_disagrees_with_the_moment(
    staff_of_a, facility_a, man, evening
):
    stay = services.stay_check_in(by=staff_of_a, facility=facility_a, client=man)
    with pytest.raises(IntegrityError), transaction.atomic():
        # 23:30 on the 15th in UTC is 00:30 on the 16th in Warsaw, not the 15th.
        Stay.objects.filter(pk=stay.pk).update(
            ended_at=datetime.datetime(2026, 1, 15, 23, 30, tzinfo=datetime.UTC),
            ended_on=datetime.date(2026, 1, 15),
        )


def test_an_update_of_the_end_stores_its_date_too(staff_of_a, facility_a, man, evening):
    stay = services.stay_check_in(by=staff_of_a, facility=facility_a, client=man)
    # 23:30 on the 15th in UTC is 00:30 on the 16th in Warsaw.
    Stay.objects.filter(pk=stay.pk).update(
        ended_at=datetime.datetime(2026, 1, 15, 23, 30, tzinfo=datetime.UTC)
    )
    assert as_date(stored(stay.pk)[1]) == datetime.date(2026, 1, 16)
    stay.refresh_from_db()
    stay.ended_at = datetime.datetime(2026, 1, 16, 22, 30, tzinfo=datetime.UTC)
    Stay.objects.bulk_update([stay], ["ended_at"])
    assert as_date(stored(stay.pk)[1]) == datetime.date(2026, 1, 16)  # 23:30 in Warsaw
    Stay.objects.filter(pk=stay.pk).update(ended_at=None)
    assert stored(stay.pk)[1] is None


def test_the_migrations_backfill_on_sqlite_dates_the_stays_and_their_history(
    staff_of_a, facility_a, man, evening
):
    import importlib
    import types

    from django.apps import apps

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's backfill is one UPDATE, and its check refuses an empty date")
    migration = importlib.import_module("shelters.migrations.0008_stay_ended_on")
    stay = services.stay_check_in(by=staff_of_a, facility=facility_a, client=man)
    with time_machine.travel(evening + 27 * H, tick=False):  # 00:00 on the 17th in Warsaw
        services.stay_check_out(by=staff_of_a, stay=stay, destination="street")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE shelters_stay SET ended_on = NULL")
        cursor.execute("UPDATE shelters_historicalstay SET ended_on = NULL")
    # The backfill reads only the editor's connection (SQLite's own editor cannot open inside
    # the test's transaction).
    migration.backfill(apps, types.SimpleNamespace(connection=connection))
    assert as_date(stored(stay.pk)[1]) == datetime.date(2026, 1, 17)
    assert sorted(Stay.history.values_list("ended_on", flat=True), key=str) == [
        datetime.date(2026, 1, 17),
        None,
    ]
