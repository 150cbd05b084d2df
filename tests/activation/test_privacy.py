"""Every new personal field is ciphertext in the database, in the history tables too."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection

from activation import services
from activation.models import (
    AllowanceCorrection,
    Attendance,
    Enrolment,
    EnrolmentSuspension,
    FollowUp,
    Placement,
)
from tests.activation.conftest import enrol_active, record_working_days, travel

D = datetime.date

# (table, column, the text written there): each written through the services below.
FIELDS = [
    ("activation_enrolment", "reason_note", "Odszedł do pracy w Hamburgu"),
    ("activation_enrolmentsuspension", "note", "Leczenie odwykowe w Gorzycach"),
    ("activation_attendance", "note", "Rozprawa rozwodowa w sądzie"),
    ("activation_placement", "end_note", "Zwolniony po kłótni z brygadzistą"),
    ("activation_followup", "note", "Mieszka u siostry na Bałutach"),
    ("activation_allowancecorrection", "reason", "Zwrot za zaległe zwolnienie lekarskie"),
]


@pytest.fixture
def everything_written(social_worker, job_coach, participant, cohort, cis, manager, cis_rules):
    enrolment = enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=cohort,
        started_on=D(2026, 3, 2),
    )
    with travel(D(2026, 10, 31)):
        services.attendance_save_day(
            by=job_coach,
            cohort=cohort,
            day=D(2026, 9, 1),
            statuses={enrolment.pk: "other"},
            notes={enrolment.pk: FIELDS[2][2]},
            seen=None,
        )
        services.enrolment_set_status(
            by=job_coach,
            enrolment=enrolment,
            status="suspended",
            on=D(2026, 10, 5),
            note=FIELDS[1][2],
        )
        placement = services.placement_start(
            by=social_worker,
            client=participant,
            kind="open_market",
            started_on=D(2026, 10, 1),
            contract_type="employment_contract",
            wage_band="up_to_150",
            employer_name="Hotel Pod Lipami",
        )
        services.placement_end(
            by=social_worker,
            placement=placement,
            ended_on=D(2026, 10, 20),
            end_reason="dismissed",
            note=FIELDS[3][2],
        )
        services.followup_answer(
            by=social_worker,
            follow_up=placement.follow_ups.get(months=3),
            answered_on=D(2026, 10, 30),
            answer="not_employed",
            housing="family",
            note=FIELDS[4][2],
        )
        services.enrolment_set_status(
            by=social_worker,
            enrolment=enrolment,
            status="dropped_out",
            on=D(2026, 10, 30),
            leaving_reason="found_work",
            note=FIELDS[0][2],
        )
    # September's every working day recorded: a month with a day nobody recorded is not closed.
    record_working_days(
        coach=enrolment.cohort.lead_coach,
        cohort=enrolment.cohort,
        first=D(2026, 9, 1),
        last=D(2026, 9, 30),
    )
    with travel(D(2026, 10, 2)):
        closed = services.allowance_month_close(by=manager, programme=cis, month=D(2026, 9, 1))
    services.allowance_correction_add(
        by=manager,
        allowance_month=closed,
        enrolment=enrolment,
        amount=Decimal("10.00"),
        reason=FIELDS[5][2],
    )
    return enrolment


@pytest.mark.parametrize(("table", "column", "text"), FIELDS)
def test_the_field_is_ciphertext_in_its_table_and_its_history(
    everything_written, table, column, text
):
    history = table.replace("activation_", "activation_historical")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - fixed names above
        stored = [bytes(value) for (value,) in cursor.fetchall()]
        cursor.execute(f"SELECT {column} FROM {history}")  # noqa: S608
        stored_history = [bytes(value) for (value,) in cursor.fetchall()]
    assert stored and stored_history
    for value in stored + stored_history:
        assert text.encode() not in value
        assert text.split()[-1].encode() not in value


def test_the_services_read_back_what_they_sealed(everything_written):
    assert Enrolment.objects.get().reason_note == FIELDS[0][2]
    assert EnrolmentSuspension.objects.get().note == FIELDS[1][2]
    assert Attendance.objects.get(status="other").note == FIELDS[2][2]
    assert Placement.objects.get().end_note == FIELDS[3][2]
    assert FollowUp.objects.get(months=3).note == FIELDS[4][2]
    assert AllowanceCorrection.objects.get().reason == FIELDS[5][2]


def test_erasing_the_person_makes_every_note_unreadable(everything_written, participant, dpo):
    from privacy.fields import ERASED
    from privacy.services import subject_erase

    subject_erase(subject=participant.subject, by=dpo, reason="request")
    assert Enrolment.objects.get().reason_note is ERASED
    assert Attendance.objects.get(status="other").note is ERASED
    assert Placement.objects.get().end_note is ERASED
