"""Fixtures of the activation tests: the foundation's CIS and laundry workshop, a cohort coached
by the job coach persona, participants in the social worker's caseload, and a frozen clock."""

import datetime
import zoneinfo

import pytest
import time_machine

from activation import services
from activation.models import Trade
from tests.factories import make_client

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def moment(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=WARSAW)


def travel(day: datetime.date, hour: int = 12):
    """Stop the clock at noon (Warsaw) on `day`: services refuse dates after "today"."""
    return time_machine.travel(moment(day, hour), tick=False)


@pytest.fixture
def cis(manager):
    """The foundation's social integration centre (CIS), run by the manager persona."""
    return services.programme_create(by=manager, name="CIS Przystań", kind="cis")


@pytest.fixture
def cis_rules(cis, manager):
    """The CIS's regulations since 2020: the month is lost past 3 unexcused days; 6 days off."""
    return services.programme_allowance_rule_set(
        by=manager,
        programme=cis,
        valid_from=datetime.date(2020, 1, 1),
        forfeit_after_unexcused_days=3,
        days_off_limit=6,
        source="Regulamin CIS Przystań, § 7",
    )


@pytest.fixture
def cohort(cis, manager, job_coach):
    """The CIS's group, led by the job coach persona, 25 places."""
    return services.cohort_create(
        by=manager,
        programme=cis,
        name="Grupa A",
        starts_on=datetime.date(2020, 1, 1),
        capacity=25,
        lead_coach=job_coach,
        place="ul. Warsztatowa 3",
    )


@pytest.fixture
def laundry(manager):
    """The foundation's laundry workshop."""
    return services.programme_create(
        by=manager,
        name="Pralnia",
        kind="workshop",
        trade=Trade.objects.get(code="laundry"),
        leads_to="Zaświadczenie ukończenia kursu prania i prasowania",
    )


@pytest.fixture
def laundry_cohort(laundry, manager, job_coach):
    return services.cohort_create(
        by=manager,
        programme=laundry,
        name="Pralnia, jesień",
        starts_on=datetime.date(2020, 1, 1),
        capacity=8,
        lead_coach=job_coach,
    )


@pytest.fixture
def participant(social_worker):
    """A client of the social worker's caseload."""
    return make_client(first_name="Zdzisław", surname="Kalinowski", holder=social_worker)


def enrol_active(*, worker, coach, client, cohort, started_on: datetime.date):
    """Apply, accept and start on `started_on` (the clock stopped that day)."""
    with travel(started_on):
        enrolment = services.enrolment_create(by=worker, client=client, cohort=cohort)
        services.enrolment_set_status(
            by=coach, enrolment=enrolment, status="accepted", on=started_on
        )
        return services.enrolment_set_status(
            by=coach, enrolment=enrolment, status="active", on=started_on
        )


@pytest.fixture
def active_enrolment(social_worker, job_coach, participant, cohort, cis_rules):
    """The participant, taking part in the CIS since 2 March 2026 (trial until 2 April)."""
    return enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=cohort,
        started_on=datetime.date(2026, 3, 2),
    )


def record_working_days(*, coach, cohort, first: datetime.date, last: datetime.date, skip=()):
    """Save the cohort's day (everyone present, unless already saved otherwise) on every
    working day from `first` to `last` but those in `skip`, the clock stopped the day after."""
    from activation.models import Attendance

    with travel(last + datetime.timedelta(days=1)):
        day = first
        while day <= last:
            saved = Attendance.objects.filter(enrolment__cohort=cohort, day=day).exists()
            if day.weekday() < 5 and day not in skip and not saved:
                services.attendance_save_day(
                    by=coach, cohort=cohort, day=day, statuses={}, seen=None
                )
            day += datetime.timedelta(days=1)
