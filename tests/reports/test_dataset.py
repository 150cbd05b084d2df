"""The scripted dataset of tests/reports/data/ imported from CSV, and every measure of 2025 by hand.

Facilities: F1 "Noclegownia Północ" (night shelter, 4 beds), F2 "Schronisko Południe" (3 beds).
Stays (evening of the start to the morning of the end; nights s … e − 1):
  c01 F2 2024-12-20 → 2025-01-10 street      across the period's start: nights Jan 1–9 = 9
  c02 F2 2025-12-01 → 2026-01-15 own_housing across the period's end: nights Dec 1–31 = 31
  c03 F1 2025-03-05 → 2025-03-06 own_housing a one-night stay: 1
  c04 F1 2025-02-01 → 02-02 → 02-03 → 02-04  a night-shelter chain, one episode, exit family: 3
  c05 F2 2025-11-01 → open                   an open stay: Nov 1 – Dec 31 = 30 + 31 = 61
  c06 F2 2023-01-10 → 2023-03-01 own_housing, back 2023-08-28 (day 180)
  c07 F2 2023-02-01 → 2023-03-01 rented_room, back 2023-08-29 (day 181)
  c08 F2 2023-04-01 → 2023-06-01 own_housing, never back
  c09 F2 2025-12-31 → open                   born on the period's last day: night Dec 31 = 1
  c10 F1 2024-06-01 → 06-02, and 2025-04-10 → 04-11 street: 1 night in 2025
"""

import datetime
import io
import shutil
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from activation.models import Enrolment, FollowUp, Placement, Programme
from audit.models import AccessLogEntry
from cases.models import Client
from reports.importing import ImportRefused, import_records
from reports.measures import outcome_report
from shelters.models import Bed, Facility, Stay

DATA = Path(__file__).parent / "data"
D = datetime.date


@pytest.fixture
def imported(administrator):
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC), tick=False):
        import_records(directory=DATA, by=administrator, organisation=administrator.organisation)
    return administrator


def test_every_measure_of_2025_as_computed_by_hand(imported):
    report = outcome_report(start=D(2025, 1, 1), end=D(2025, 12, 31))
    # Served: stays overlapping 2025: c01, c02, c03, c04, c05, c09, c10 (enrolments and
    # placements add nobody new; c06–c08 only stayed in 2023).
    # Ages on 2025-12-31: c01 45, c02 35, c03 unknown, c04 55, c05 40 (born 1 January: the
    # year straddles 39/40, so the date is opened), c09 0, c10 18 (born 2007-12-31: 18 that day).
    assert report["clients_served"] == {
        "total": 7,
        "by_sex": {"female": 2, "male": 4, "not_known": 1},
        "by_age_band": {
            "under_18": 1,
            "18_25": 1,
            "26_39": 1,
            "40_59": 3,
            "60_plus": 0,
            "unknown": 1,
        },
    }
    # 9 + 31 + 1 + 3 + 61 + 1 + 1 = 107; F1: 1 + 3 + 1 = 5, F2: 9 + 31 + 61 + 1 = 102.
    # By municipality: 1465011 (c01, c02) 9 + 31 = 40; 0264011 (c04) 3; unknown 1 + 61 + 1 + 1.
    assert report["bed_nights"] == {
        "total": 107,
        "by_facility": {"Noclegownia Północ": 5, "Schronisko Południe": 102},
        "by_municipality": {"0264011": 3, "1465011": 40, "unknown": 64},
    }
    # F1 (4 beds): February 3 ÷ (4 × 28) = 2.68 %, March 1 ÷ 124 = 0.81 %, April 1 ÷ 120 = 0.83 %.
    # F2 (3 beds): January 9 ÷ 93 = 9.68 %, November 30 ÷ 90 = 33.33 %,
    # December (31 + 31 + 1) ÷ 93 = 67.74 %.
    north, south = (
        report["occupancy"]["Noclegownia Północ"],
        report["occupancy"]["Schronisko Południe"],
    )
    assert (north["2025-01"], north["2025-02"], north["2025-03"], north["2025-04"]) == (
        0.0,
        2.7,
        0.8,
        0.8,
    )
    assert (south["2025-01"], south["2025-11"], south["2025-12"]) == (9.7, 33.3, 67.7)
    assert len(north) == len(south) == 12
    # Episodes ending in 2025: c01 21 days (street), c03 1 (permanent), c04 3 (the chain:
    # temporary), c10 1 (street). Mean 26 ÷ 4 = 6.5; median of 1, 1, 3, 21 = (1 + 3) ÷ 2 = 2.
    assert report["length_of_stay"] == {"count": 4, "mean_days": 6.5, "median_days": 2.0}
    assert report["exits"] == {
        "permanent": 1,
        "temporary": 1,
        "institution": 0,
        "street": 2,
        "died": 0,
        "unknown": 0,
    }
    # Cohort: permanent exits dated 2023-01-02 … 2024-01-01: c06, c07, c08. c06 back on day
    # 180, c07 on day 181, c08 never.
    assert report["returns"] == {
        "cohort": 3,
        "days_0_180": 1,
        "days_181_365": 1,
        "days_366_730": 0,
    }
    # First stays starting in 2025: c02, c03, c04, c05, c09 (c10 stayed in June 2024).
    assert report["first_time"] == 5
    # Started in 2025: p2 supported, p4 cooperative (p1 began 2024-12-31; p3 is training).
    # Retention: at 3 months p1 (2025-03-31, never answered), p2 (2025-05-28, unreachable);
    # at 6 p1 (2025-06-30, not employed), p2 (2025-08-28, not answered); at 12 p1
    # (2025-12-31, the period's last day: employed, answered in January 2026).
    assert report["employment"] == {
        "started": {"supported": 1, "cooperative": 1, "subsidised": 0, "open_market": 0},
        "retention": {
            "3": {"employed": 0, "not_employed": 0, "unreachable": 1, "not_answered": 1},
            "6": {"employed": 0, "not_employed": 1, "unreachable": 0, "not_answered": 1},
            "12": {"employed": 1, "not_employed": 0, "unreachable": 0, "not_answered": 0},
        },
    }
    programmes = report["programmes"]
    assert programmes["started"] == {
        "workshop": 1,
        "cis": 2,
        "kis": 0,
        "course": 0,
        "supported_employment": 0,
    }
    assert programmes["completed"]["workshop"] == 1
    assert programmes["dropped_out"]["cis"] == 1
    # c04: 2025-02-01 → 2025-02-10 = 9 days; c10: 2024-06-01 → 2025-05-01 = 334 days
    # (c05 enrolled before any stay: left out). Median (9 + 334) ÷ 2 = 171.5.
    assert programmes["days_to_first_enrolment"] == {"count": 2, "median_days": 171.5}
    # c03: 2025-03-05 → 2025-05-01 = 57; c10: 2024-06-01 → 2025-10-01 = 487: median 272.
    assert programmes["days_to_first_placement"] == {"count": 2, "median_days": 272.0}
    # The import records no pathway steps (the ladder is derived on the file), so no move.
    assert report["ladder"] == {"moves": {}, "total": 0}
    assert report["assessment_change"]["clients"] == 0


def test_the_import_stores_what_the_files_say_sealed_with_history_and_one_log_row(imported):
    assert Facility.objects.count() == 2
    assert Bed.objects.count() == 7
    assert Client.objects.count() == 10
    assert Stay.objects.count() == 15
    assert Programme.objects.count() == 2
    assert Enrolment.objects.count() == 3
    assert Placement.objects.count() == 4
    assert FollowUp.objects.count() == 3
    assert Stay.history.count() == 15
    assert Client.history.filter(history_user=imported).count() == 10
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.purpose) == ("create", "import_records")
    # Names are sealed by the vault: the raw column holds no plaintext.
    with connection.cursor() as cursor:
        cursor.execute("SELECT surname FROM cases_client")
        raw = b"".join(bytes(row[0]) for row in cursor.fetchall())
    assert "Przykładowa".encode() not in raw
    assert Client.objects.get(surname_birth_bidx__isnull=False, birth_year=1990).surname == (
        "Przykładowa"
    )
    # No bed holds two stays at once (the import chose the beds).
    open_beds = Stay.objects.filter(ended_at__isnull=True).values_list("bed_id", flat=True)
    assert len(set(open_beds)) == len(open_beds) == 2


def test_a_second_import_of_the_same_files_changes_nothing(imported):
    counts = (Client.objects.count(), Stay.objects.count(), FollowUp.objects.count())
    out = io.StringIO()
    call_command("import_records", str(DATA), "--by", imported.username, stdout=out)
    assert "stays 0" in out.getvalue()
    assert (Client.objects.count(), Stay.objects.count(), FollowUp.objects.count()) == counts


@pytest.mark.parametrize(
    ("file", "line", "bad", "column"),
    [
        ("stays.csv", 4, "c03,F1,2025-03-05,2025-13-06,own_housing", "ended_on"),
        ("stays.csv", 2, "c01,F2,2024-12-20,2025-01-10,moon", "exit_destination"),
        ("stays.csv", 6, "c04,F1,2025-02-01,2025-02-03,unknown", "started_on"),
        ("stays.csv", 3, "c99,F2,2025-12-01,2026-01-15,own_housing", "client_ref"),
        ("clients.csv", 3, "c02,Anna,Przykładowa,1990-03-01,woman,,1465011", "sex"),
    ],
)
def test_a_refused_import_names_file_line_and_column_and_stores_nothing(
    administrator, tmp_path, file, line, bad, column
):
    folder = tmp_path / "records"
    shutil.copytree(DATA, folder)
    lines = (folder / file).read_text(encoding="utf-8").splitlines()
    lines[line - 1] = bad
    (folder / file).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_records(directory=folder, by=administrator, organisation=administrator.organisation)
    assert any(
        (error.file, error.line, error.column) == (file, line, column)
        for error in refused.value.errors
    ), [str(error) for error in refused.value.errors]
    assert Client.objects.count() == Stay.objects.count() == Facility.objects.count() == 0
    assert AccessLogEntry.objects.count() == 0


def test_the_command_prints_the_errors_in_polish(administrator, tmp_path):
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "facilities.csv").write_text("facility_ref,name,kind,beds,colour\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(Exception, match="nothing was imported"):
        call_command("import_records", str(folder), "--by", administrator.username, stderr=err)
    assert "facilities.csv, wiersz 1, kolumna colour: nieznana kolumna" in err.getvalue()


def test_a_report_of_one_facility_reads_its_stays_only(imported):
    from reports.sql import Scope

    north = Facility.objects.get(name="Noclegownia Północ")
    programme = Programme.objects.get(name="Stolarnia")
    scope = Scope(facility_ids=(north.pk,), programme_ids=(programme.pk,))
    report = outcome_report(start=D(2025, 1, 1), end=D(2025, 12, 31), scope=scope)
    # F1's stays in 2025: c03 (1 night), c04 (3), c10 (1); Stolarnia: c04.
    assert report["bed_nights"]["by_facility"] == {"Noclegownia Północ": 5}
    assert list(report["occupancy"]) == ["Noclegownia Północ"]
    assert report["clients_served"]["total"] == 3
    # Episodes of F1 ending in 2025: c03, c04, c10.
    assert report["length_of_stay"]["count"] == 3
    assert report["programmes"]["started"]["cis"] == 0
    # Placements of the clients reached: p1 (c04), p3 (c03), p4 (c10); not p2 (c05).
    assert report["employment"]["started"]["supported"] == 0
    assert report["employment"]["started"]["cooperative"] == 1
