"""`manage.py seed_scale` (issue 14) at a tiny size: what it writes, read back from the raw tables.

200 clients, 3 facilities with 60 beds, one year of stays ending on 31 March 2026. A year is
round(365.25) = 365 days, so 365 // 28 + 1 = 14 periods of 28 days; a bed's k-th stay starts on
day 28·k + its offset (0..27), and only starts up to day 365 are written: 13 stays a bed
(28·12 + 27 = 363 <= 365) and a 14th for a bed whose offset is 0 or 1 (28·13 + 1 = 365).
So between 13 · 60 = 780 and 14 · 60 = 840 stays.
"""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from cases.models import Client
from cases.selectors import client_search
from privacy import crypto
from shelters.models import Bed, Facility, Stay

TINY = ["--clients", "200", "--facilities", "3", "--beds", "60", "--years", "1"]
UNTIL = ["--until", "2026-03-31"]


def _one(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _seed(*extra: str) -> None:
    call_command("seed_scale", *TINY, *UNTIL, *extra, stdout=io.StringIO())


@pytest.fixture
def seeded(db):
    with override_settings(DEMO=True):
        _seed()


def test_seed_scale_writes_the_sizes_asked(seeded):
    assert _one("SELECT COUNT(*) FROM cases_client") == 200
    assert _one("SELECT COUNT(*) FROM shelters_facility") == 3
    assert _one("SELECT COUNT(*) FROM shelters_bed") == 60
    # 20 beds a facility; rooms of up to 8 beds: 3 rooms each.
    assert _one("SELECT COUNT(*) FROM shelters_room") == 9
    stays = _one("SELECT COUNT(*) FROM shelters_stay")
    assert 780 <= stays <= 840  # see the module's docstring
    # Every stay in the year that ends on 31 March 2026.
    first, last = (
        _one("SELECT MIN(night_of) FROM shelters_stay"),
        _one("SELECT MAX(night_of) FROM shelters_stay"),
    )
    assert str(first) >= "2025-03-31" and str(last) <= "2026-03-31"
    # One data subject and one data key a client; every PESEL different.
    assert _one("SELECT COUNT(*) FROM privacy_datakey") == 200
    assert len({c.pesel for c in Client.objects.all()}) == 200


def test_seed_scale_seals_every_personal_column_bound_to_its_row(seeded):
    client = Client.objects.order_by("pk").first()
    name = client.first_name  # opens with the client's own key, unwrapped by the KEK
    assert name and client.surname and client.pesel
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT first_name, surname, pesel, health_note FROM cases_client "
            "WHERE subject_id = %s",
            [client.pk.hex if connection.vendor == "sqlite" else client.pk],
        )
        raw = [bytes(value) for value in cursor.fetchone()]
    for blob in raw:
        assert crypto.version_of(blob) == crypto.ROW_VERSION
    assert name.encode() not in raw[0]
    assert client.surname.encode() not in raw[1]
    assert client.pesel.encode() not in raw[2]
    # No clear name anywhere in the column: every row holds a ciphertext of its own.
    assert _one("SELECT COUNT(DISTINCT first_name) FROM cases_client") == _one(
        "SELECT COUNT(*) FROM cases_client"
    )


def test_seed_scale_blind_indexes_find_the_people(seeded):
    client = Client.objects.order_by("pk").last()
    assert [c.pk for c in client_search(pesel=client.pesel)] == [client.pk]
    found = client_search(surname=client.surname, first_name=client.first_name)
    assert client.pk in [c.pk for c in found]


def test_seed_scale_writes_history_rows_where_real_writes_would(seeded):
    # A registration each.
    assert _one("SELECT COUNT(*) FROM cases_historicalclient WHERE history_type = '+'") == 200
    # A check-in each, a check-out each closed stay.
    stays = _one("SELECT COUNT(*) FROM shelters_stay")
    closed = _one("SELECT COUNT(*) FROM shelters_stay WHERE ended_at IS NOT NULL")
    assert _one("SELECT COUNT(*) FROM shelters_historicalstay WHERE history_type = '+'") == stays
    assert _one("SELECT COUNT(*) FROM shelters_historicalstay WHERE history_type = '~'") == closed
    assert _one("SELECT COUNT(*) FROM shelters_historicalbed") == 60
    # The check-in's row holds the stay as it was opened.
    assert (
        _one(
            "SELECT COUNT(*) FROM shelters_historicalstay "
            "WHERE history_type = '+' AND ended_at IS NOT NULL"
        )
        == 0
    )
    # A history row opens like its stay (the same row identity): the notes are empty text.
    stay = Stay.objects.order_by("pk").first()
    assert stay.notes == ""
    assert stay.history.earliest().notes == ""
    assert Client.objects.first().history.get().first_name


OVERLAPS = """
SELECT COUNT(*) FROM shelters_stay a JOIN shelters_stay b ON a.{key} = b.{key} AND a.id < b.id
WHERE a.night_of <= COALESCE(b.last_night, b.last_seen_on)
  AND b.night_of <= COALESCE(a.last_night, a.last_seen_on)
"""


def test_seed_scale_never_puts_two_stays_in_one_bed_or_one_client_in_two(seeded):
    assert _one(OVERLAPS.format(key="bed_id")) == 0
    assert _one(OVERLAPS.format(key="client_id")) == 0
    # Open stays: one a bed at most, one a client at most, all on the last night's beds.
    open_stays = Stay.objects.filter(ended_at__isnull=True)
    assert 0 < open_stays.count() <= 60
    assert open_stays.values("client").distinct().count() == open_stays.count()
    assert not Stay.objects.filter(ended_at__isnull=False, last_night__gte="2026-03-31").exists()


@pytest.mark.postgres
def test_seed_scale_adds_back_the_constraints_it_dropped_on_postgresql(seeded):
    # The two exclusion constraints (per bed, per client) are in place again and were checked.
    assert (
        _one(
            "SELECT COUNT(*) FROM pg_constraint "
            "WHERE conrelid = 'shelters_stay'::regclass AND contype = 'x'"
        )
        == 2
    )
    assert (
        _one(
            "SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'cases_client'::regclass "
            "AND contype = 'f'"
        )
        >= 2
    )
    # New stays get ids after the seeded ones.
    assert _one("SELECT last_value FROM shelters_stay_id_seq") == _one(
        "SELECT MAX(id) FROM shelters_stay"
    )


@override_settings(DEMO=False)
def test_seed_scale_refuses_outside_the_demo(db):
    with pytest.raises(CommandError, match="PRZYSTAN_DEMO"):
        _seed()
    assert not Client.objects.exists()


@override_settings(DEMO=False)
def test_seed_scale_runs_outside_the_demo_when_told_it_is_not_production(db):
    _seed("--i-know-this-is-not-production")
    assert Client.objects.count() == 200


@override_settings(DEMO=True)
def test_seed_scale_refuses_a_database_with_data_unless_appending(seeded):
    with pytest.raises(CommandError, match="--append"):
        _seed()
    assert Facility.objects.count() == 3
    _seed("--append", "--seed", "15")
    assert Facility.objects.count() == 6
    assert Bed.objects.count() == 120
    assert Client.objects.count() == 400
    assert _one(OVERLAPS.format(key="bed_id")) == 0


@override_settings(DEMO=True)
def test_seed_scale_refuses_fewer_than_two_clients_a_bed(db):
    with pytest.raises(CommandError, match="two clients a bed"):
        call_command("seed_scale", "--clients", "100", "--beds", "60", "--facilities", "3")
    assert not Client.objects.exists()


def test_seed_scale_builds_the_episodes_table_the_report_reads(seeded):
    # The stays went in without signals: the table must be what a full rebuild from every stay
    # gives (rebuild_episodes, itself checked against the window SQL in test_episodes_table.py).
    from reports.episodes import episodes_rebuild

    def rows():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT client_id, first_start, last_end, exit, next_start FROM reports_episode"
            )
            return sorted(tuple(str(value) for value in row) for row in cursor.fetchall())

    seeded_rows = rows()
    # Each of the 200 clients has at least one stay: 780+ stays over 60 beds, two clients a bed.
    assert len({row[0] for row in seeded_rows}) == 200
    episodes_rebuild()
    assert rows() == seeded_rows
