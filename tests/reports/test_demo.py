"""The reports' demo records hold on any date: returns and retention in the default period."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from accounts.demo import seed_accounts
from activation.dates import add_months
from reports import demo
from reports.measures import outcome_report
from reports.models import ImportJob


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC),
        datetime.datetime(2028, 2, 29, 22, 30, tzinfo=datetime.UTC),
    ],
)
def test_the_demo_fills_returns_and_retention_of_the_last_twelve_months(db, moment):
    with time_machine.travel(moment, tick=False):
        seed_accounts()
        assert demo.seed() > 0
        assert demo.seed() == 0
        # Uploaded as a ZIP by the administrator: the import page lists it, finished.
        (job,) = ImportJob.objects.all()
        assert job.status == ImportJob.Status.DONE
        assert job.result["clients.csv"]["created"] == 30
        month = timezone.localdate().replace(day=1)
        report = outcome_report(
            start=add_months(month, -12), end=month - datetime.timedelta(days=1)
        )
    # Thirty permanent exits in the cohort; back within 180 days (i % 5 in 0, 1), within a
    # year (2), within two (3), never (4): 12, 6, 6.
    assert report["returns"] == {
        "cohort": 30,
        "days_0_180": 12,
        "days_181_365": 6,
        "days_366_730": 6,
    }
    answered = [sum(figures.values()) for figures in report["employment"]["retention"].values()]
    assert all(answered)
