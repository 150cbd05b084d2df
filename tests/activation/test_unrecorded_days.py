"""Working days nobody recorded: counted per participant, shown on the month's list, and the
month cannot be closed while any remain (no default becomes data)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activation import services
from activation.allowance import allowance_for, allowances_for_cohort
from activation.models import AllowanceMonth
from tests.activation.conftest import enrol_active, record_working_days, travel
from tests.factories import make_client

D = datetime.date
OCTOBER = D(2026, 10, 1)
# Three working days left unrecorded: Monday 5, Tuesday 6 and Friday 30 October 2026.
GAPS = (D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 30))


@pytest.fixture
def since_last_year(social_worker, job_coach, participant, cohort, cis_rules):
    return enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=cohort,
        started_on=D(2025, 10, 1),
    )


def test_days_nobody_recorded_are_counted_and_not_docked(since_last_year, job_coach, cohort):
    # October 2026 starts on a Thursday: 31 days, 22 working days (1-2, 5-9, 12-16, 19-23,
    # 26-30). All but three are recorded (present): 22 - 19 = 3 unrecorded.
    record_working_days(
        coach=job_coach, cohort=cohort, first=OCTOBER, last=D(2026, 10, 31), skip=GAPS
    )
    with travel(D(2026, 11, 2)):
        result = allowance_for(since_last_year, OCTOBER)
    assert result.unrecorded_days == 3
    # As recorded so far: the full month, 1 783,90 × 120% = 2 140,68, nothing docked.
    assert result.amount == Decimal("2140.68")


def test_only_working_days_of_participation_up_to_yesterday_count(
    since_last_year, social_worker, job_coach, cohort
):
    # A second participant starts on Wednesday 21 October: 21-23 and 26-30 October are their
    # 8 working days; days before the start are not theirs to record.
    late = enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=make_client(first_name="Halina", surname="Grabińska", holder=social_worker),
        cohort=cohort,
        started_on=D(2026, 10, 21),
    )
    with travel(D(2026, 11, 2)):
        counted = {
            b.enrolment_id: b.unrecorded_days for b in allowances_for_cohort(cohort, OCTOBER)
        }
    assert counted == {since_last_year.pk: 22, late.pk: 8}
    # The month under way, on Thursday 5 November at noon: Monday 2, Tuesday 3 and Wednesday 4
    # are due (1 November is a Sunday); today is not yet missing, the weekend never is.
    with travel(D(2026, 11, 5)):
        assert allowance_for(since_last_year, D(2026, 11, 1)).unrecorded_days == 3
    # A suspended day is not participation: suspended 26-30 October, 5 fewer days to record.
    with travel(D(2026, 10, 26)):
        services.enrolment_set_status(
            by=job_coach, enrolment=late, status="suspended", on=D(2026, 10, 26)
        )
    with travel(D(2026, 11, 2)):
        assert allowance_for(late, OCTOBER).unrecorded_days == 3


def test_closing_is_refused_while_days_are_unrecorded_then_allowed(
    since_last_year, job_coach, cohort, cis, manager
):
    record_working_days(
        coach=job_coach, cohort=cohort, first=OCTOBER, last=D(2026, 10, 31), skip=GAPS
    )
    with travel(D(2026, 11, 2)), pytest.raises(ValidationError) as refused:
        services.allowance_month_close(by=manager, programme=cis, month=OCTOBER)
    assert refused.value.code == "unrecorded_days"
    # One participant, the cohort and its days named, in Polish.
    assert "1 uczestnik ma dni" in refused.value.messages[0]
    assert "Grupa A: 3 dni" in refused.value.messages[0]
    assert not AllowanceMonth.objects.exists()
    record_working_days(coach=job_coach, cohort=cohort, first=OCTOBER, last=D(2026, 10, 31))
    with travel(D(2026, 11, 2)):
        closed = services.allowance_month_close(by=manager, programme=cis, month=OCTOBER)
    assert closed.lines.get().amount == Decimal("2140.68")


def test_the_month_s_list_warns_and_links_each_cohort_s_sheet(
    client, since_last_year, job_coach, cohort, cis, manager
):
    record_working_days(
        coach=job_coach, cohort=cohort, first=OCTOBER, last=D(2026, 10, 31), skip=GAPS
    )
    client.force_login(manager)
    url = reverse("activation:allowance-month", args=[cis.pk])
    with travel(D(2026, 11, 2)):
        html = client.get(f"{url}?month=2026-10").content.decode()
        refused = client.post(
            reverse("activation:allowance-close", args=[cis.pk]), {"month": "2026-10"}, follow=True
        ).content.decode()
    assert 'id="unrecorded"' in html
    assert "1 uczestnik ma dni robocze bez odnotowanej obecności." in html
    assert "3 dni nieodnotowane" in html and "wg dotychczasowych zapisów" in html
    # The link names the cohort by its id and the month: nothing personal in the URL.
    sheet = reverse("activation:attendance-sheet", args=[cohort.pk])
    assert f'href="{sheet}?month=2026-10"' in html
    assert "Grupa A: 3 dni" in refused
    assert not AllowanceMonth.objects.exists()
