"""Two coaches posting the same day's form at once, through the page: one wins cleanly, the
other is shown the newer values (PostgreSQL: the service locks the cohort row)."""

import datetime

import pytest
from django.test import Client

from activation import selectors, services
from activation.models import Attendance
from tests.activation.conftest import enrol_active, travel
from tests.activation.test_concurrency import race
from tests.factories import UserFactory, make_client

D = datetime.date
DAY = D(2026, 11, 26)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_coaches_posting_one_day_at_once_one_wins_the_other_sees_the_newer_values(
    social_worker, job_coach, cohort, cis_rules, manager
):
    second = UserFactory(username="coach2", organisation=manager.organisation, role="job_coach")
    services.cohort_coach_add(by=manager, cohort=cohort, coach=second)
    people = [
        enrol_active(
            worker=social_worker,
            coach=job_coach,
            client=make_client(first_name="Bogdan", surname=f"Równy{n}", holder=social_worker),
            cohort=cohort,
            started_on=D(2026, 11, 2),
        )
        for n in range(4)
    ]
    token = selectors.attendance_version(cohort, DAY)
    url = f"/activation/cohorts/{cohort.pk}/attendance/"
    marks = {job_coach: "sick", second: "unexcused"}

    def posting(coach):
        def work():
            browser = Client()
            browser.force_login(coach)
            data = {"day": DAY.isoformat(), "seen": token}
            data.update({f"status-{p.pk}": "present" for p in people})
            data[f"status-{people[0].pk}"] = marks[coach]
            response = browser.post(url, data)
            return coach, response.status_code, response.content.decode()

        return work

    with travel(DAY):
        results, errors = race([posting(job_coach), posting(second)])
    assert errors == []
    by_status = {status: (coach, html) for coach, status, html in results}
    # One redirect (saved) and one page (refused as stale, showing the winner's values).
    assert set(by_status) == {302, 200}
    winner, _ = by_status[302]
    _loser, html = by_status[200]
    assert "w międzyczasie" in html
    winning = marks[winner]
    assert f'id="s-{people[0].pk}-{winning}" value="{winning}" checked' in html
    saved = dict(Attendance.objects.filter(day=DAY).values_list("enrolment_id", "status"))
    assert saved == {p.pk: (winning if p == people[0] else "present") for p in people}
    assert Attendance.history.filter(day=DAY).count() == len(people)
