"""A group's day of attendance: one call, everyone present unless marked, refusals save nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activation import selectors, services
from activation.models import Attendance
from audit.models import AccessLogEntry
from tests.activation.conftest import enrol_active, travel
from tests.factories import make_client

D = datetime.date
DAY = D(2026, 11, 26)
FIRST_OF_NOVEMBER = D(2026, 11, 2)


def group(size, *, worker, coach, cohort, started_on=FIRST_OF_NOVEMBER):
    clients = [
        make_client(first_name="Bogdan", surname=f"Cisowski{n}", holder=worker) for n in range(size)
    ]
    return [
        enrol_active(worker=worker, coach=coach, client=c, cohort=cohort, started_on=started_on)
        for c in clients
    ]


@pytest.fixture
def three(social_worker, job_coach, cohort, cis_rules):
    return group(3, worker=social_worker, coach=job_coach, cohort=cohort)


def save_day(coach, cohort, statuses, day=DAY, notes=None, seen=None):
    with travel(DAY + datetime.timedelta(days=1)):
        return services.attendance_save_day(
            by=coach, cohort=cohort, day=day, statuses=statuses, notes=notes, seen=seen
        )


def test_everyone_not_marked_is_present(three, job_coach, cohort):
    first, second, third = three
    save_day(job_coach, cohort, {second.pk: "sick"})
    saved = dict(Attendance.objects.filter(day=DAY).values_list("enrolment_id", "status"))
    assert saved == {first.pk: "present", second.pk: "sick", third.pk: "present"}
    log = AccessLogEntry.objects.filter(purpose__startswith="attendance").get()
    assert log.actor == job_coach and log.subject_id is None


def test_saving_the_day_again_corrects_it_and_keeps_the_history(three, job_coach, cohort):
    first = three[0]
    save_day(job_coach, cohort, {first.pk: "unexcused"})
    save_day(job_coach, cohort, {first.pk: "excused"})
    row = Attendance.objects.get(enrolment=first, day=DAY)
    assert row.status == "excused"
    assert [(h.status, h.history_change_reason) for h in row.history.order_by("history_date")] == [
        ("unexcused", "attendance_save"),
        ("excused", "attendance_correct"),
    ]
    # The others did not change: no second history row for them.
    assert Attendance.history.filter(day=DAY).count() == 4


def test_other_needs_a_note_and_then_keeps_it_encrypted(three, job_coach, cohort):
    first = three[0]
    with pytest.raises(ValidationError) as refused:
        save_day(job_coach, cohort, {first.pk: "other"})
    assert refused.value.code == "note_required"
    assert not Attendance.objects.exists()
    save_day(job_coach, cohort, {first.pk: "other"}, notes={first.pk: "Wezwanie do sądu"})
    assert Attendance.objects.get(enrolment=first).note == "Wezwanie do sądu"


def test_a_day_in_the_future_is_refused(three, job_coach, cohort):
    with pytest.raises(ValidationError) as refused:
        save_day(job_coach, cohort, {}, day=DAY + datetime.timedelta(days=2))
    assert refused.value.code == "future"
    assert not Attendance.objects.exists()


def test_a_day_outside_someone_s_enrolment_is_refused_whole(
    three, job_coach, cohort, social_worker
):
    late = group(
        1, worker=social_worker, coach=job_coach, cohort=cohort, started_on=D(2026, 11, 27)
    )[0]
    with pytest.raises(ValidationError) as refused:
        save_day(job_coach, cohort, {three[0].pk: "sick", late.pk: "present"})
    assert refused.value.code == "outside_enrolment"
    assert not Attendance.objects.exists()


def test_a_suspended_participant_is_not_on_the_day_s_list(three, job_coach, cohort):
    with travel(D(2026, 11, 20)):
        services.enrolment_set_status(
            by=job_coach, enrolment=three[0], status="suspended", on=D(2026, 11, 20)
        )
    assert [row.enrolment.pk for row in selectors.attendance_day(cohort, DAY).rows] == [
        three[1].pk,
        three[2].pk,
    ]
    with pytest.raises(ValidationError):
        save_day(job_coach, cohort, {three[0].pk: "present"})


def test_a_participant_of_another_cohort_is_refused(three, job_coach, cohort, laundry_cohort):
    other = group(1, worker=three[0].enrolled_by, coach=job_coach, cohort=laundry_cohort)[0]
    with pytest.raises(ValidationError):
        save_day(job_coach, cohort, {other.pk: "sick"})
    assert not Attendance.objects.exists()


def test_an_unknown_status_is_refused(three, job_coach, cohort):
    with pytest.raises(ValidationError):
        save_day(job_coach, cohort, {three[0].pk: "holiday"})
    assert not Attendance.objects.exists()


def test_a_save_on_stale_values_is_refused_and_the_newer_ones_are_shown(three, job_coach, cohort):
    drawn = selectors.attendance_day(cohort, DAY)
    assert {row.status for row in drawn.rows} == {"present"}
    save_day(job_coach, cohort, {three[0].pk: "sick"}, seen=drawn.version)
    with pytest.raises(ValidationError) as refused:
        save_day(job_coach, cohort, {three[0].pk: "unexcused"}, seen=drawn.version)
    assert refused.value.code == "stale"
    fresh = selectors.attendance_day(cohort, DAY)
    assert fresh.version != drawn.version
    assert [row.status for row in fresh.rows] == ["sick", "present", "present"]


@pytest.mark.parametrize("role", ["social_worker", "manager", "shelter_staff", "partner"])
def test_only_the_cohort_s_coaches_take_its_attendance(three, cohort, personas, role):
    with pytest.raises(PermissionDenied):
        save_day(personas[role], cohort, {})
    assert not Attendance.objects.exists()


def test_a_coach_of_another_cohort_cannot_take_this_one_s_attendance(three, cohort, manager):
    from tests.factories import UserFactory

    stranger = UserFactory(username="coach3", organisation=manager.organisation, role="job_coach")
    with pytest.raises(PermissionDenied):
        save_day(stranger, cohort, {})


def test_saving_a_day_takes_the_same_number_of_queries_for_5_and_25_people(
    social_worker, job_coach, cohort, cis, cis_rules, manager
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = services.cohort_create(
        by=manager,
        programme=cis,
        name="Grupa B",
        starts_on=D(2026, 1, 1),
        capacity=5,
        lead_coach=job_coach,
    )
    small = group(5, worker=social_worker, coach=job_coach, cohort=other)
    large = group(25, worker=social_worker, coach=job_coach, cohort=cohort)
    counts = {}
    for name, target, people in (("small", other, small), ("large", cohort, large)):
        with CaptureQueriesContext(connection) as captured:
            save_day(job_coach, target, {people[0].pk: "sick", people[1].pk: "unexcused"})
        counts[name] = len(captured)
    assert Attendance.objects.filter(day=DAY).count() == 30
    # Reach check, lock, closed month, token, participants, saved rows, one insert of the
    # rows and one of their history, the access-log row: the same for 5 people and for 25.
    assert counts["small"] == counts["large"]
    assert counts["large"] <= 20
