"""Closing a month: the list is kept as computed, final; corrections are logged entries."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activation import services
from activation.dates import month_end
from activation.models import AllowanceBase, AllowanceCorrection, AllowanceLine, AllowanceMonth
from audit.models import AccessLogEntry
from tests.activation.conftest import enrol_active, record_working_days, travel

D = datetime.date


@pytest.fixture
def participant_since_october(social_worker, job_coach, participant, cohort, cis_rules):
    return enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=cohort,
        started_on=D(2025, 10, 1),
    )


def close(manager, cis, month, today):
    # Every working day of the month recorded (present unless saved otherwise): a month with
    # a day nobody recorded is not closed (test_unrecorded_days.py).
    for cohort in cis.cohorts.all():
        coach = cohort.lead_coach
        record_working_days(coach=coach, cohort=cohort, first=month, last=month_end(month))
    with travel(today):
        return services.allowance_month_close(by=manager, programme=cis, month=month)


def test_closing_a_month_keeps_its_list_as_computed(
    participant_since_october, job_coach, cohort, cis, manager
):
    with travel(D(2026, 10, 31)):
        services.attendance_save_day(
            by=job_coach,
            cohort=cohort,
            day=D(2026, 10, 5),
            statuses={participant_since_october.pk: "unexcused"},
            seen=None,
        )
    closed = close(manager, cis, D(2026, 10, 1), D(2026, 11, 2))
    line = AllowanceLine.objects.get(allowance_month=closed)
    # 1783.90 × 1.2 = 2140.68; one unexcused day: 107.034 → 107.03.
    assert (line.gross, line.amount) == (Decimal("2140.68"), Decimal("2033.65"))
    assert line.deductions[0]["code"] == "unexcused" and line.deductions[0]["amount"] == "107.03"
    assert closed.history.get().history_change_reason == "allowance_month_close"


def test_a_closed_month_refuses_attendance_status_changes_and_bonuses(
    participant_since_october, job_coach, cohort, cis, manager
):
    close(manager, cis, D(2026, 10, 1), D(2026, 11, 2))
    with travel(D(2026, 11, 2)):
        with pytest.raises(ValidationError) as attendance:
            services.attendance_save_day(
                by=job_coach,
                cohort=cohort,
                day=D(2026, 10, 5),
                statuses={participant_since_october.pk: "sick"},
                seen=None,
            )
        with pytest.raises(ValidationError) as status:
            services.enrolment_set_status(
                by=job_coach,
                enrolment=participant_since_october,
                status="completed",
                on=D(2026, 10, 30),
            )
        with pytest.raises(ValidationError) as bonus:
            services.allowance_bonus_set(
                by=manager,
                enrolment=participant_since_october,
                month=D(2026, 10, 1),
                amount=Decimal("50.00"),
            )
    assert {attendance.value.code, status.value.code, bonus.value.code} == {"closed_month"}


def test_a_month_is_closed_once_it_has_ended_and_only_once(participant_since_october, cis, manager):
    with pytest.raises(ValidationError) as early:
        close(manager, cis, D(2026, 11, 1), D(2026, 11, 30))
    assert early.value.code == "not_ended"
    close(manager, cis, D(2026, 10, 1), D(2026, 11, 2))
    with pytest.raises(ValidationError) as twice:
        close(manager, cis, D(2026, 10, 1), D(2026, 11, 3))
    assert twice.value.code == "closed_month"
    assert AllowanceMonth.objects.count() == 1


def test_a_month_missing_a_rule_is_not_closed(participant_since_october, cis, manager):
    from activation.allowance import MissingRule

    AllowanceBase.objects.filter(valid_from=D(2026, 6, 1)).delete()
    AllowanceBase.objects.filter(valid_from=D(2025, 6, 1)).delete()
    AllowanceBase.objects.filter(valid_from=D(2024, 6, 1)).delete()
    AllowanceBase.objects.filter(valid_from=D(2023, 6, 1)).delete()
    AllowanceBase.objects.filter(valid_from__lte=D(2023, 6, 1)).delete()
    with pytest.raises(MissingRule):
        close(manager, cis, D(2026, 10, 1), D(2026, 11, 2))
    assert not AllowanceMonth.objects.exists()


def test_only_the_cis_s_manager_closes_its_months(
    participant_since_october, cis, job_coach, other_manager
):
    for user in (job_coach, other_manager):
        with pytest.raises(PermissionDenied):
            close(user, cis, D(2026, 10, 1), D(2026, 11, 2))


def test_rules_reaching_back_into_a_closed_month_are_refused(
    participant_since_october, cis, manager
):
    close(manager, cis, D(2026, 10, 1), D(2026, 11, 2))
    with travel(D(2026, 11, 2)):
        with pytest.raises(ValidationError) as base:
            services.allowance_base_add(
                by=manager, valid_from=D(2026, 10, 1), amount=Decimal("1800.00"), source="test"
            )
        with pytest.raises(ValidationError) as centre:
            services.programme_allowance_rule_set(
                by=manager,
                programme=cis,
                valid_from=D(2026, 10, 15),
                forfeit_after_unexcused_days=None,
                days_off_limit=6,
            )
        later = services.allowance_base_add(
            by=manager,
            valid_from=D(2026, 11, 1),
            amount=Decimal("1800.00"),
            source="obwieszczenie (test)",
        )
    assert (base.value.code, centre.value.code) == ("closed_month", "closed_month")
    assert later.history.get().history_user == manager


def test_a_closed_month_is_corrected_by_a_logged_entry_with_an_encrypted_reason(
    participant_since_october, cis, manager
):
    closed = close(manager, cis, D(2026, 10, 1), D(2026, 11, 2))
    with travel(D(2026, 11, 3)):
        with pytest.raises(ValidationError):
            services.allowance_correction_add(
                by=manager,
                allowance_month=closed,
                enrolment=participant_since_october,
                amount=Decimal("0"),
                reason="x",
            )
        correction = services.allowance_correction_add(
            by=manager,
            allowance_month=closed,
            enrolment=participant_since_october,
            amount=Decimal("-107.03"),
            reason="Nieobecność 5.10 zgłoszona po zamknięciu miesiąca",
        )
    assert AllowanceCorrection.objects.get().reason.startswith("Nieobecność")
    assert correction.client_id == participant_since_october.client_id
    assert AccessLogEntry.objects.filter(
        subject_id=participant_since_october.client_id, purpose="allowance_correction"
    ).exists()


def test_only_managers_keep_the_base_amounts(job_coach, social_worker):
    for user in (job_coach, social_worker):
        with pytest.raises(PermissionDenied):
            services.allowance_base_add(
                by=user, valid_from=D(2027, 6, 1), amount=Decimal("1850.00"), source="x"
            )


def test_a_base_amount_needs_a_source_and_a_sensible_amount(manager):
    for amount, source in ((Decimal("1850.00"), " "), (Decimal("-1"), "x"), ("12,345", "x")):
        with pytest.raises(ValidationError):
            services.allowance_base_add(
                by=manager, valid_from=D(2027, 6, 1), amount=amount, source=source
            )
    assert not AllowanceBase.objects.filter(valid_from=D(2027, 6, 1)).exists()


def test_a_new_rule_of_the_act_names_every_figure(manager):
    rule = services.allowance_rate_rule_add(
        by=manager,
        valid_from=D(2027, 1, 1),
        source="Nowelizacja (test)",
        trial_month_percent=None,
        percent=Decimal("130.00"),
        unexcused_day_divisor=20,
        sick_day_divisor=40,
        unpaid_day_divisor=30,
        sick_paid_days=21,
        days_off_max=6,
        bonus_cap_percent=Decimal("100.00"),
    )
    assert rule.history.get().history_change_reason == "allowance_rate_rule_add"
    with pytest.raises(TypeError):
        services.allowance_rate_rule_add(
            by=manager, valid_from=D(2027, 2, 1), source="x", percent=Decimal("130.00")
        )


def test_only_the_cis_s_manager_sets_its_rules_and_corrects_its_months(
    participant_since_october, cis, manager, job_coach, other_manager
):
    closed = close(manager, cis, D(2026, 10, 1), D(2026, 11, 2))
    for user in (job_coach, other_manager):
        with pytest.raises(PermissionDenied):
            services.programme_allowance_rule_set(
                by=user,
                programme=cis,
                valid_from=D(2026, 12, 1),
                forfeit_after_unexcused_days=None,
                days_off_limit=6,
            )
        with pytest.raises(PermissionDenied):
            services.allowance_correction_add(
                by=user,
                allowance_month=closed,
                enrolment=participant_since_october,
                amount=Decimal("5.00"),
                reason="x",
            )
    assert not AllowanceCorrection.objects.exists()
