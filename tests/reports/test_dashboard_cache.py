"""The dashboard's figures are cached per period and filters, and a change shows at once."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import PathwayStep
from privacy import vault
from reports.importing import import_records
from reports.services import report_for
from reports.sql import EVERYTHING
from shelters.models import Facility
from tests.factories import make_client
from tests.reports.helpers import make_stay
from tests.reports.test_dataset import DATA

YEAR_2025 = {"period": "year", "on": "2025-06-01"}


@pytest.fixture(autouse=True)
def empty_cache():
    # The test database is rolled back after each test, so history ids (the data stamp) repeat
    # from one test to the next: start every test with nothing cached.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def imported(administrator):
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC), tick=False):
        import_records(directory=DATA, by=administrator, organisation=administrator.organisation)


def test_a_new_stay_changes_the_dashboards_figure_at_once(client, manager, imported):
    client.force_login(manager)
    # 107 bed-nights in 2025 (tests/reports/test_dataset.py), now cached.
    assert ">107<" in client.get("/reports/", YEAR_2025).content.decode()
    assert ">107<" in client.get("/reports/", YEAR_2025).content.decode()
    north = Facility.objects.get(name="Noclegownia Północ")
    # Nights of 1, 2 and 3 June 2025 in a bed free then: 107 + 3 = 110.
    make_stay(make_client(), north, datetime.date(2025, 6, 1), datetime.date(2025, 6, 4))
    html = client.get("/reports/", YEAR_2025).content.decode()
    assert ">110<" in html
    assert ">107<" not in html


def test_a_deleted_stay_changes_the_figures_at_once(imported):
    year = {"start": datetime.date(2025, 1, 1), "end": datetime.date(2025, 12, 31)}
    north = Facility.objects.get(name="Noclegownia Północ")
    stay = make_stay(make_client(), north, datetime.date(2025, 6, 1), datetime.date(2025, 6, 4))
    assert report_for(**year, scope=EVERYTHING)["bed_nights"]["total"] == 110
    stay.delete()
    # The deletion writes a history row: the stamp moves, 110 - 3 = 107.
    assert report_for(**year, scope=EVERYTHING)["bed_nights"]["total"] == 107


def test_new_pathway_steps_change_the_ladder_at_once(imported):
    year = {"start": datetime.date(2025, 1, 1), "end": datetime.date(2025, 12, 31)}
    # No step in the data: no table of moves.
    assert report_for(**year, scope=EVERYTHING)["ladder"] == {}
    # Five clients' first steps in 2025: five moves from "entry" (five is not suppressed).
    for _ in range(5):
        PathwayStep.objects.create(
            client=make_client(), stage="shelter", on=datetime.date(2025, 3, 1)
        )
    assert report_for(**year, scope=EVERYTHING)["ladder"]["total"] == 5


def test_the_cached_report_is_the_computed_one(imported):
    year = {"start": datetime.date(2025, 1, 1), "end": datetime.date(2025, 12, 31)}
    computed = report_for(**year, scope=EVERYTHING)
    assert report_for(**year, scope=EVERYTHING) == computed
    # From the cache: one query (the data stamp), no measure run.
    with CaptureQueriesContext(connection) as queries:
        report_for(**year, scope=EVERYTHING)
    assert len(queries) == 1


def _dashboard_queries(client, *, cold: bool) -> int:
    if cold:
        # Nothing cached: neither the figures nor the data keys opened for the age bands.
        cache.clear()
        vault.cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/reports/", YEAR_2025).status_code == 200
    return len(queries)


def test_the_dashboards_query_count_does_not_grow_with_the_data(
    client, manager, imported, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    # A first page fills the process's own caches (content types, the session).
    client.get("/reports/", YEAR_2025)
    cold_small = _dashboard_queries(client, cold=True)
    cached_small = _dashboard_queries(client, cold=False)
    north = Facility.objects.get(name="Noclegownia Północ")
    # Twenty more clients, each with a stay in 2025 (bed by bed, one week after another).
    beds = list(north.beds.order_by("pk"))
    # Committed as a service's transaction would be: the stays' episodes are refreshed then
    # (reports.episodes), not by the page (the test's own transaction never commits).
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(20):
            first = datetime.date(2025, 6, 1) + datetime.timedelta(days=7 * (n // len(beds)))
            make_stay(
                make_client(),
                north,
                first,
                first + datetime.timedelta(days=5),
                exit_destination="family",
                bed=beds[n % len(beds)],
            )
    assert _dashboard_queries(client, cold=True) == cold_small
    assert _dashboard_queries(client, cold=False) == cached_small
    # The cached page: the session, the user, the form's choices and the data stamp.
    assert cached_small < cold_small
