"""Two coaches saving one day at once: one wins cleanly, the other is shown the newer values."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from activation import selectors, services
from activation.models import Attendance
from tests.activation.conftest import enrol_active, travel
from tests.factories import UserFactory, make_client

D = datetime.date
DAY = D(2026, 11, 26)


def race(workers) -> tuple[list, list]:
    """Run each callable in its own thread, released at once; return (results, errors)."""
    start = threading.Barrier(len(workers))
    results, errors = [], []

    def run(work) -> None:
        try:
            start.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            # Each thread has its own connection; close it so the test database can be dropped.
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coaches_saving_one_day_at_once_give_one_save_and_one_clear_refusal(
    social_worker, job_coach, cohort, cis_rules, manager
):
    second = UserFactory(username="coach2", organisation=manager.organisation, role="job_coach")
    services.cohort_coach_add(by=manager, cohort=cohort, coach=second)
    people = [
        enrol_active(
            worker=social_worker,
            coach=job_coach,
            client=make_client(first_name="Bogdan", surname=f"Cisowski{n}", holder=social_worker),
            cohort=cohort,
            started_on=D(2026, 11, 2),
        )
        for n in range(6)
    ]
    # Both coaches open the day's form: everyone shown as present, the same token.
    drawn = selectors.attendance_day(cohort, DAY)
    marks = {
        job_coach: {people[0].pk: "sick", people[1].pk: "unexcused"},
        second: {people[0].pk: "excused", people[2].pk: "day_off"},
    }

    def saving(coach):
        def work():
            return coach, services.attendance_save_day(
                by=coach, cohort=cohort, day=DAY, statuses=marks[coach], seen=drawn.version
            )

        return work

    with travel(DAY + datetime.timedelta(days=1)):
        results, errors = race([saving(job_coach), saving(second)])

    assert len(results) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], ValidationError) and errors[0].code == "stale"
    winner, _rows = results[0]
    # Nothing half-written: exactly the winner's day, one row (and one history row) a person.
    expected = {p.pk: marks[winner].get(p.pk, "present") for p in people}
    saved = dict(Attendance.objects.filter(day=DAY).values_list("enrolment_id", "status"))
    assert saved == expected
    assert Attendance.history.filter(day=DAY).count() == len(people)
    # The loser reloads the day and sees the winner's values.
    fresh = selectors.attendance_day(cohort, DAY)
    assert {row.enrolment.pk: row.status for row in fresh.rows} == expected
    assert fresh.version != drawn.version
