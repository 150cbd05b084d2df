"""A read replica for the reports (config/routers.py): the reports' reads go to it, every write
and every other read to the primary; without DATABASE_REPLICA_URL everything stays on default.

The tests' "replica" is a second, empty database (tests/settings.py): what a report reads from
it cannot come from the primary, where the test writes its data.
"""

import datetime

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Organisation
from audit.models import AccessLogEntry
from config.routers import ReplicaRouter, report_reads
from reports.services import report_compute, report_for
from reports.sql import EVERYTHING
from tests.config.test_settings import PRODUCTION_ENV, run_settings
from tests.factories import make_client, make_facility
from tests.reports.helpers import make_stay

BOTH = ["default", "replica"]
JUNE = {"start": datetime.date(2025, 6, 1), "end": datetime.date(2025, 6, 30)}


@pytest.fixture
def with_replica(settings):
    settings.PRZYSTAN_REPORTS_DATABASE = "replica"


@pytest.fixture
def three_nights(foundation, settings):
    """One stay on the primary: the nights of 1, 2 and 3 June 2025 (3 bed-nights, shown as 3
    with the smallest threshold, 2)."""
    settings.PRZYSTAN_REPORT_THRESHOLD = 2
    facility = make_facility(organisation=foundation, name="Noclegownia R")
    make_stay(make_client(), facility, datetime.date(2025, 6, 1), datetime.date(2025, 6, 4))


def _queries(alias):
    return CaptureQueriesContext(connections[alias])


@pytest.mark.django_db(databases=BOTH)
def test_with_a_replica_the_reports_figures_are_read_from_it(with_replica, three_nights):
    with _queries("default") as primary, _queries("replica") as replica:
        figures = report_for(**JUNE, scope=EVERYTHING)

    # The replica is empty (it does not follow the primary in the tests): 0 bed-nights there,
    # where the primary holds 3; every query of the report went to the replica.
    assert figures["bed_nights"]["total"] == 0
    assert len(replica.captured_queries) > 0
    assert primary.captured_queries == []


@pytest.mark.django_db(databases=BOTH)
def test_without_a_replica_the_reports_read_the_primary(three_nights):
    with _queries("default") as primary, _queries("replica") as replica:
        figures = report_for(**JUNE, scope=EVERYTHING)

    assert figures["bed_nights"]["total"] == 3
    assert len(primary.captured_queries) > 0
    assert replica.captured_queries == []


@pytest.mark.django_db(databases=BOTH)
def test_the_access_log_row_of_raw_figures_goes_to_the_primary(with_replica, three_nights):
    before = AccessLogEntry.objects.using("default").count()

    figures = report_compute(**JUNE, unsuppressed=True, by=None)

    assert figures["bed_nights"]["total"] == 0  # read on the (empty) replica
    assert AccessLogEntry.objects.using("default").count() == before + 1
    assert AccessLogEntry.objects.using("replica").count() == 0


@pytest.mark.django_db(databases=BOTH)
def test_inside_report_reads_a_read_goes_to_the_replica_and_a_write_to_the_primary(
    with_replica,
):
    with report_reads() as using:
        Organisation.objects.create(name="Fundacja Zapis", kind=Organisation.Kind.FOUNDATION)
        seen = Organisation.objects.filter(name="Fundacja Zapis").exists()

    assert using == "replica"
    assert seen is False  # read on the replica, which the write never reached
    assert Organisation.objects.using("default").filter(name="Fundacja Zapis").exists()
    assert not Organisation.objects.using("replica").exists()


@pytest.mark.django_db(databases=BOTH)
def test_a_read_inside_a_transaction_stays_on_the_primary(with_replica):
    with report_reads(), transaction.atomic():
        Organisation.objects.create(name="Fundacja Zapis", kind=Organisation.Kind.FOUNDATION)
        assert Organisation.objects.filter(name="Fundacja Zapis").exists()


def test_the_router_leaves_reads_outside_the_reports_to_default(settings):
    settings.PRZYSTAN_REPORTS_DATABASE = "replica"
    router = ReplicaRouter()

    assert router.db_for_read(Organisation) is None
    assert router.db_for_write(Organisation) == "default"
    with report_reads():
        assert router.db_for_write(Organisation) == "default"


def test_without_a_replica_report_reads_read_default():
    router = ReplicaRouter()
    with report_reads() as using:
        assert using == "default"
        assert router.db_for_read(Organisation) == "default"


def test_without_database_replica_url_there_is_one_database():
    result = run_settings(
        PRODUCTION_ENV,
        "import config.settings as s; print(sorted(s.DATABASES), s.PRZYSTAN_REPORTS_DATABASE)",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['default'] default"


def test_database_replica_url_adds_the_replica_the_reports_read():
    result = run_settings(
        {**PRODUCTION_ENV, "DATABASE_REPLICA_URL": "postgres://przystan_app@replica:5432/przystan"},
        "import config.settings as s; r = s.DATABASES['replica'];"
        " print(r['HOST'], r['NAME'], s.PRZYSTAN_REPORTS_DATABASE)",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "replica przystan replica"


def test_a_replica_that_is_not_postgresql_is_refused():
    result = run_settings(
        {**PRODUCTION_ENV, "DATABASE_REPLICA_URL": "sqlite:///tmp/replica.sqlite3"}
    )

    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL" in result.stderr
