"""Unusual access for the DPO: many files within an hour, emergency access, access outside
working hours, searches that opened nothing; by thresholds the organisation's DPO sets."""

import datetime
import uuid
import zoneinfo

import pytest
import time_machine

from accounts.roles import Role
from audit.services import access_log_write
from privacy.models import AccessWatch
from privacy.watch import access_watch_save, unusual_access
from tests.factories import UserFactory

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
# A Monday at 10:00 in Warsaw, inside the default working day (7:00-19:00).
MORNING = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=WARSAW)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def opens(user, count, *, action="view", at=None, frozen=None, people=None):
    """`count` reads by `user`, each of another (invented) person, at `at` (a minute apart)."""
    people = people or [uuid.uuid4() for _ in range(count)]
    for n, person in enumerate(people):
        if at is not None:
            frozen.move_to(at + datetime.timedelta(minutes=n))
        access_log_write(actor=user, action=action, subject_id=person, purpose="file")
    return people


def test_more_files_in_an_hour_than_the_threshold_is_unusual(dpo, social_worker, frozen):
    # The default threshold is 20 files within one clock hour: 21 at 9:00-9:20 are a finding,
    # 20 at 8:00-8:19 are not.
    opens(social_worker, 21, at=MORNING - datetime.timedelta(hours=1), frozen=frozen)
    opens(social_worker, 20, at=MORNING - datetime.timedelta(hours=2), frozen=frozen)
    frozen.move_to(MORNING)
    found = unusual_access(dpo)
    assert [(f.actor, f.files) for f in found.many_files] == [(social_worker, 21)]


def test_emergency_access_is_listed(dpo, social_worker):
    opens(social_worker, 2, action="break_glass")
    found = unusual_access(dpo)
    assert [(f.actor, f.rows, f.files) for f in found.emergency] == [(social_worker, 2, 2)]


def test_access_outside_working_hours_is_unusual_except_for_shelter_staff(
    dpo, social_worker, shelter_staff, frozen
):
    late = datetime.datetime(2026, 11, 29, 23, 30, tzinfo=WARSAW)
    opens(social_worker, 1, at=late, frozen=frozen)
    opens(shelter_staff, 3, at=late, frozen=frozen)
    # 18:59 is inside the day, 19:00 outside (the day ends at 19:00).
    opens(
        social_worker, 1, at=datetime.datetime(2026, 11, 27, 18, 59, tzinfo=WARSAW), frozen=frozen
    )
    frozen.move_to(MORNING)
    found = unusual_access(dpo)
    assert [(f.actor, f.rows) for f in found.outside_hours] == [(social_worker, 1)]


def test_searches_that_opened_nothing_are_unusual_past_the_threshold(dpo, social_worker, frozen):
    # 11 searches without a read of the person found (the default threshold is 10 a day) and
    # 5 searches followed by a read: 11 counted.
    for _ in range(11):
        access_log_write(actor=social_worker, action="search", subject_id=uuid.uuid4())
    for _ in range(5):
        person = uuid.uuid4()
        access_log_write(actor=social_worker, action="search", subject_id=person)
        access_log_write(actor=social_worker, action="view", subject_id=person, purpose="file")
    found = unusual_access(dpo)
    assert [(f.actor, f.rows) for f in found.empty_searches] == [(social_worker, 11)]


def test_the_dpo_sets_the_thresholds_and_the_history_keeps_them(
    client, dpo, social_worker, foundation
):
    opens(social_worker, 6)
    assert unusual_access(dpo).many_files == []
    client.force_login(dpo)
    response = client.post(
        "/privacy/unusual-access/thresholds/",
        {
            "files_per_hour": "5",
            "empty_searches_per_day": "10",
            "day_starts_at": "07:00",
            "day_ends_at": "19:00",
        },
    )
    assert response.status_code == 302
    assert [f.files for f in unusual_access(dpo).many_files] == [6]
    access_watch_save(by=dpo, organisation=foundation, files_per_hour=8)
    watch = AccessWatch.objects.get(organisation=foundation)
    assert [h.files_per_hour for h in watch.history.order_by("history_date")] == [5, 8]


def test_an_organisations_dpo_does_not_see_another_organisations_staff(
    dpo, outside_worker, welfare_centre
):
    opens(outside_worker, 2, action="break_glass")
    assert unusual_access(dpo).emergency == []
    cluster = UserFactory(username="dpo-c", organisation=welfare_centre, role=Role.CLUSTER_DPO)
    assert [f.actor for f in unusual_access(cluster).emergency] == [outside_worker]


def test_the_page_costs_the_same_queries_at_any_size(
    client, dpo, social_worker, django_assert_max_num_queries
):
    opens(social_worker, 25)
    opens(social_worker, 3, action="break_glass")
    client.force_login(dpo)
    # Session, user, groups, navigation, the thresholds, four aggregations and their actors,
    # the log row (its lock and head): 19 at this size, the same at any other.
    with django_assert_max_num_queries(20):
        response = client.get("/privacy/unusual-access/")
    assert response.status_code == 200
    assert "Dostęp awaryjny" in response.content.decode()


@pytest.mark.parametrize("persona", ["social_worker", "manager", "shelter_staff"])
def test_other_roles_are_refused_the_unusual_access_page(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/privacy/unusual-access/").status_code == 403
