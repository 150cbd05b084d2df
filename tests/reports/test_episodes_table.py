"""The episodes table (reports.Episode) against the truth: the window SQL chaining every stay,
and a plain Python chaining of the same stays; and the hooks that keep it in step."""

import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import measures
from reports.episodes import _episodes_select, episodes_rebuild, flush
from reports.measures import outcome_report
from reports.models import Episode
from reports.sql import EVERYTHING, FAR, Scope, as_date, run
from shelters.models import Stay
from tests.factories import make_client, make_facility
from tests.reports.helpers import make_stay

D = datetime.date
DAY0 = D(2025, 1, 1)
EXITS = ["", "own_housing", "street", "family", "died"]
YEAR = {"start": D(2025, 1, 1), "end": D(2025, 12, 31)}


def _table() -> list[tuple]:
    return sorted(
        (uuid.UUID(str(c)), f, e, x, n, k)
        for c, f, e, x, n, k in Episode.objects.values_list(
            "client_id", "first_start", "last_end", "exit", "next_start", "stays"
        )
    )


def _window_sql() -> list[tuple]:
    """The episodes chained from every stay by the window SQL (not read from the table)."""
    token = measures._from_stays.set(True)
    try:
        rows = run(_episodes_select("default"), far=FAR)
    finally:
        measures._from_stays.reset(token)
    return sorted(
        (measures._uuid(c), as_date(f), as_date(e), x, as_date(n), int(k))
        for c, f, e, x, n, k in rows
    )


def _python(stays: dict) -> list[tuple]:
    """The definition, plainly: a stay continues the episode when it starts on or before the
    day after the latest end of the client's earlier stays (an open stay never ends)."""
    episodes = []
    for client_id, rows in stays.items():
        chained: list[list] = []
        latest = None
        for start, end, exit in sorted(rows, key=lambda row: row[0]):
            if latest is not None and start <= latest + datetime.timedelta(days=1):
                chained[-1][1:4] = [end, exit, chained[-1][3] + 1]
            else:
                chained.append([start, end, exit, 1])
            latest = max(latest or end or FAR, end or FAR)
        for index, (first, end, exit, count) in enumerate(chained):
            following = chained[index + 1][0] if index + 1 < len(chained) else None
            episodes.append((client_id, first, end, exit, following, count))
    return sorted(episodes)


# Per client: stays in order, each (gap in days after the previous end, nights, exit); the last
# one may be open.
client_stays = st.lists(
    st.tuples(st.integers(0, 4), st.integers(1, 6), st.sampled_from(EXITS)),
    min_size=1,
    max_size=5,
)


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.tuples(client_stays, st.booleans()), min_size=1, max_size=4))
def test_the_table_is_the_window_computation_of_random_stays(foundation, clients):
    Stay.objects.all().delete()
    flush()
    facility = make_facility(organisation=foundation, name=f"Schronisko {uuid.uuid4().hex[:6]}")
    beds = list(facility.beds.order_by("pk"))
    expected: dict = {}
    for (stays, last_open), bed in zip(clients, beds, strict=False):
        client = make_client()
        day = DAY0
        rows = []
        for index, (gap, nights, exit) in enumerate(stays):
            start = day + datetime.timedelta(days=gap)
            open_ = last_open and index == len(stays) - 1
            end = None if open_ else start + datetime.timedelta(days=nights)
            make_stay(client, facility, start, end, "" if open_ else exit, bed=bed)
            rows.append((start, end, "" if open_ else exit))
            day = end or day
        expected[client.pk] = rows
    flush()
    assert _table() == _window_sql() == _python(expected)


@pytest.fixture
def shelter(foundation):
    return make_facility(organisation=foundation, name="Schronisko A")


@pytest.mark.django_db
def test_a_stay_written_refreshes_its_episodes_when_the_transaction_commits(
    shelter, django_capture_on_commit_callbacks
):
    client = make_client()
    with django_capture_on_commit_callbacks(execute=True):
        stay = make_stay(client, shelter, D(2025, 3, 1))
        # Not before the commit (the callbacks run as the block ends, as at a commit).
        assert _table() == []
    assert _table() == [(client.pk, D(2025, 3, 1), None, "", None, 1)]
    # Checked out on 2025-03-10 (the local date of the morning), home: the episode ends.
    with django_capture_on_commit_callbacks(execute=True):
        stay.ended_at = stay.started_at + datetime.timedelta(days=8, hours=14)
        stay.last_night = D(2025, 3, 9)
        stay.exit_destination = "own_housing"
        stay.save()
    assert _table() == [(client.pk, D(2025, 3, 1), D(2025, 3, 10), "own_housing", None, 1)]
    # The next day elsewhere: the same episode, two stays; then deleted again.
    with django_capture_on_commit_callbacks(execute=True):
        second = make_stay(client, shelter, D(2025, 3, 11), D(2025, 3, 20), "street")
    assert _table() == [(client.pk, D(2025, 3, 1), D(2025, 3, 20), "street", None, 2)]
    with django_capture_on_commit_callbacks(execute=True):
        second.delete()
    assert _table() == [(client.pk, D(2025, 3, 1), D(2025, 3, 10), "own_housing", None, 1)]


@pytest.mark.django_db
def test_a_report_in_the_writing_transaction_reads_fresh_episodes(shelter, foundation):
    # Inside the test's transaction on_commit never runs: the report refreshes first.
    client = make_client()
    make_stay(client, shelter, D(2024, 12, 20), D(2025, 1, 10), "street")
    assert outcome_report(**YEAR)["length_of_stay"] == {
        "count": 1,
        "mean_days": 21.0,
        "median_days": 21.0,
    }
    assert _table() == [(client.pk, D(2024, 12, 20), D(2025, 1, 10), "street", None, 1)]


@pytest.mark.django_db
def test_the_report_of_every_stay_reads_the_table_a_scope_chains_its_own(shelter):
    client = make_client()
    make_stay(client, shelter, D(2025, 2, 1), D(2025, 2, 11), "family")
    flush()
    # The table altered by hand (as a stale table would be): the whole report follows it, a
    # facility's report still chains the facility's stays (10 days).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE reports_episode SET first_start = %s", [D(2025, 2, 6)])
    assert outcome_report(**YEAR)["length_of_stay"]["mean_days"] == 5.0
    scope = Scope(facility_ids=(shelter.pk,))
    assert outcome_report(**YEAR, scope=scope)["length_of_stay"]["mean_days"] == 10.0
    # The rebuild puts it right.
    episodes_rebuild()
    assert outcome_report(**YEAR, scope=EVERYTHING)["length_of_stay"]["mean_days"] == 10.0


@pytest.mark.django_db
def test_the_command_rebuilds_the_table_and_it_holds_nothing_personal(shelter):
    client = make_client(
        first_name="Zdzisław", surname="Przykładowy", pesel="80061512359", birth_date=D(1980, 6, 15)
    )
    make_stay(client, shelter, D(2025, 2, 1), D(2025, 2, 11), "family")
    flush()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_episode")
    out = io.StringIO()
    call_command("rebuild_episodes", stdout=out)
    assert out.getvalue().startswith("1 episodes in ")
    assert _table() == [(client.pk, D(2025, 2, 1), D(2025, 2, 11), "family", None, 1)]
    # The raw row: the client's id, dates, a code and a count; no name, PESEL or birth date.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reports_episode")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    for personal in ("Zdzisław", "Przykładowy", "80061512359", "1980-06-15"):
        assert personal not in stored
