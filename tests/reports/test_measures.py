"""The measures on stays written straight into the tables (the imported dataset is in
test_dataset.py): the age band read from the birth date, bed-nights, occupancy, episodes."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from audit.models import AccessLogEntry
from reports.measures import one_decimal, outcome_report
from tests.factories import make_client, make_facility
from tests.reports.helpers import make_stay

D = datetime.date
YEAR = {"start": D(2025, 1, 1), "end": D(2025, 12, 31)}


@pytest.fixture
def night_shelter(foundation):
    """Five beds (3 + 2)."""
    return make_facility(organisation=foundation, name="Noclegownia A")


@pytest.fixture
def two_stays(night_shelter):
    beds = list(night_shelter.beds.order_by("pk"))
    # Across the period's start: nights 2025-01-01 … 2025-01-09 inside (9); an episode of
    # 2024-12-20 … 2025-01-10 = 21 days, ending inside the period, to the street.
    born_1980 = make_client(birth_date=D(1980, 6, 15), municipality_code="1465011")
    make_stay(born_1980, night_shelter, D(2024, 12, 20), D(2025, 1, 10), "street", bed=beds[0])
    # Open: nights 2025-12-20 … 2025-12-31 (12). Born 2007-12-31: 18 on the period's last day
    # (31 December: the year of birth decides alone).
    turns_18 = make_client(sex="female", birth_date=D(2007, 12, 31))
    make_stay(turns_18, night_shelter, D(2025, 12, 20), bed=beds[1])
    return born_1980, turns_18


def test_one_decimal_rounds_half_away_from_zero():
    assert one_decimal(85.25) == 85.3
    assert one_decimal(-0.25) == -0.3
    assert one_decimal(2) == 2.0


def test_the_measures_of_two_stays(two_stays):
    report = outcome_report(**YEAR)
    served = report["clients_served"]
    assert served["total"] == 2
    assert served["by_sex"] == {"female": 1, "male": 1, "not_known": 0}
    # 44 on 2025-12-31, and exactly 18.
    assert served["by_age_band"]["40_59"] == 1
    assert served["by_age_band"]["18_25"] == 1
    assert report["bed_nights"] == {
        "total": 21,
        "by_facility": {"Noclegownia A": 21},
        "by_municipality": {"1465011": 9, "unknown": 12},
    }
    # January: 9 ÷ (5 × 31) = 5.81 %; December: 12 ÷ 155 = 7.74 %.
    assert report["occupancy"]["Noclegownia A"]["2025-01"] == 5.8
    assert report["occupancy"]["Noclegownia A"]["2025-12"] == 7.7
    assert report["occupancy"]["Noclegownia A"]["2025-06"] == 0.0
    assert report["length_of_stay"] == {"count": 1, "mean_days": 21.0, "median_days": 21.0}
    assert report["exits"]["street"] == 1
    # The December stay is a first stay; the January one began before the period.
    assert report["first_time"] == 1


def test_a_person_born_after_the_birthday_is_a_year_younger(night_shelter):
    # Born 2008-01-01: 17 on 2025-12-31.
    person = make_client(birth_date=D(2008, 1, 1))
    make_stay(person, night_shelter, D(2025, 3, 1), D(2025, 3, 2), "family")
    assert outcome_report(**YEAR)["clients_served"]["by_age_band"]["under_18"] == 1


def test_a_year_s_report_decides_bands_by_year_and_opens_no_birth_date(night_shelter, monkeypatch):
    """On 31 December every birthday of the year has passed: the age is the year's difference.
    Born 2007-12-31 and 2007-01-01: both 18 on 2025-12-31 (18_25); born 1985-12-31: 40
    (40_59). A period ending 30 December needs the dates: the first is then 17."""
    from reports import measures

    beds = night_shelter.beds.order_by("pk")
    for bed, born in zip(beds, (D(2007, 12, 31), D(2007, 1, 1), D(1985, 12, 31)), strict=False):
        person = make_client(birth_date=born)
        make_stay(person, night_shelter, D(2025, 3, 1), D(2025, 3, 2), "family", bed=bed)
    opened = []
    real = measures._bands_from_birth_dates

    def spy(ids, **kwargs):
        opened.extend(ids)
        return real(ids, **kwargs)

    monkeypatch.setattr(measures, "_bands_from_birth_dates", spy)
    bands = outcome_report(**YEAR)["clients_served"]["by_age_band"]
    assert (bands["18_25"], bands["40_59"], bands["under_18"]) == (2, 1, 0)
    assert opened == []
    # To 30 December: 2007-12-31 is 17, 2007-01-01 is 18, 1985-12-31 is 39; all three opened.
    bands = outcome_report(start=D(2025, 1, 1), end=D(2025, 12, 30))["clients_served"][
        "by_age_band"
    ]
    assert (bands["under_18"], bands["18_25"], bands["26_39"], bands["40_59"]) == (1, 1, 1, 0)
    assert len(opened) == 3


def test_the_command_prints_the_fixed_shape_suppressed(two_stays):
    out = io.StringIO()
    call_command(
        "outcome_report", "--from", "2025-01-01", "--to", "2025-12-31", "--json", stdout=out
    )
    report = json.loads(out.getvalue())
    assert report["period"] == {"from": "2025-01-01", "to": "2025-12-31"}
    assert set(report) >= {
        "clients_served",
        "bed_nights",
        "occupancy",
        "length_of_stay",
        "exits",
        "returns",
        "first_time",
        "employment",
        "programmes",
        "ladder",
        "assessment_change",
    }
    assert set(report["clients_served"]["by_age_band"]) == {
        "under_18",
        "18_25",
        "26_39",
        "40_59",
        "60_plus",
        "unknown",
    }
    assert set(report["employment"]["retention"]) == {"3", "6", "12"}
    assert set(report["employment"]["retention"]["3"]) == {
        "employed",
        "not_employed",
        "unreachable",
        "not_answered",
    }
    # Two people: every count of them is small.
    assert report["clients_served"]["total"] == "<5"
    assert report["length_of_stay"]["mean_days"] == "—"
    assert AccessLogEntry.objects.count() == 0


def test_unsuppressed_counts_are_logged(two_stays):
    out = io.StringIO()
    call_command(
        "outcome_report",
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "--unsuppressed",
        stdout=out,
    )
    assert json.loads(out.getvalue())["clients_served"]["total"] == 2
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.purpose, entry.subject_id) == (
        "export",
        "report_unsuppressed",
        None,
    )


def test_occupancy_of_stays_over_many_months_and_a_period_cut_mid_month(night_shelter):
    beds = list(night_shelter.beds.order_by("pk"))
    # Nights 2025-01-20 … 2025-05-09: 12 in January, every night of February to April, 9 in May.
    make_stay(make_client(), night_shelter, D(2025, 1, 20), D(2025, 5, 10), "street", bed=beds[0])
    # Open since June 2024: every night of every month.
    make_stay(make_client(), night_shelter, D(2024, 6, 1), bed=beds[1])
    occupancy = outcome_report(**YEAR)["occupancy"]["Noclegownia A"]
    # Five beds. January (12 + 31) ÷ 155 = 27.74 %; February (28 + 28) ÷ 140 = 40 %; March
    # 62 ÷ 155, April 60 ÷ 150: 40 %; May (9 + 31) ÷ 155 = 25.81 %; June 30 ÷ 150 = 20 %.
    assert [occupancy[f"2025-{m:02d}"] for m in range(1, 7)] == [27.7, 40.0, 40.0, 40.0, 25.8, 20.0]
    assert occupancy["2025-12"] == 20.0
    cut = outcome_report(start=D(2025, 1, 17), end=D(2025, 4, 3))["occupancy"]["Noclegownia A"]
    # 17 … 31 January (15 days, 75 bed-days): 12 + 15 = 27, 36 %; 1 … 3 April: (3 + 3) ÷ 15.
    assert cut == {"2025-01": 36.0, "2025-02": 40.0, "2025-03": 40.0, "2025-04": 40.0}
