"""Programmes and cohorts: the manager of the running organisation writes them, nobody else."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activation import services
from activation.models import Cohort, Programme, Trade
from tests.factories import UserFactory


def test_a_manager_starts_a_workshop_of_a_trade_and_the_history_names_why(manager):
    laundry = Trade.objects.get(code="laundry")
    programme = services.programme_create(
        by=manager, name="Pralnia", kind="workshop", trade=laundry, leads_to="Zaświadczenie"
    )
    assert programme.organisation == manager.organisation
    assert programme.trade == laundry
    assert programme.history.get().history_change_reason == "programme_create"


def test_a_workshop_without_a_trade_is_refused_and_nothing_is_stored(manager):
    with pytest.raises(ValidationError) as refused:
        services.programme_create(by=manager, name="Warsztat", kind="workshop")
    assert refused.value.code == "trade"
    assert not Programme.objects.exists()


def test_a_kind_outside_the_codes_is_refused(manager):
    with pytest.raises(ValidationError):
        services.programme_create(by=manager, name="Coś", kind="apprenticeship")
    assert not Programme.objects.exists()


@pytest.mark.parametrize("role", ["social_worker", "shelter_staff", "job_coach", "partner", "dpo"])
def test_other_roles_cannot_start_a_programme(personas, role):
    with pytest.raises(PermissionDenied):
        services.programme_create(by=personas[role], name="CIS", kind="cis")
    assert not Programme.objects.exists()


def test_a_manager_of_another_organisation_cannot_change_the_programme(cis, other_manager):
    with pytest.raises(PermissionDenied):
        services.programme_update(by=other_manager, programme=cis, name="Przejęty")
    cis.refresh_from_db()
    assert cis.name == "CIS Przystań"


def test_a_manager_may_not_start_a_programme_for_another_organisation(manager, welfare_centre):
    with pytest.raises(PermissionDenied):
        services.programme_create(by=manager, name="CIS", kind="cis", organisation=welfare_centre)


def test_the_manager_extends_the_trade_list(manager):
    trade = services.trade_create(by=manager, name="Ogrodnictwo")
    assert trade.code == "ogrodnictwo"
    assert Trade.objects.filter(name="Ogrodnictwo").exists()


def test_a_job_coach_cannot_extend_the_trade_list(job_coach):
    with pytest.raises(PermissionDenied):
        services.trade_create(by=job_coach, name="Ogrodnictwo")


def test_a_cohort_is_led_by_a_job_coach_and_others_may_take_attendance(cis, manager, job_coach):
    second = UserFactory(username="coach2", organisation=manager.organisation, role="job_coach")
    cohort = services.cohort_create(
        by=manager,
        programme=cis,
        name="Grupa B",
        starts_on=datetime.date(2026, 1, 5),
        capacity=12,
        lead_coach=job_coach,
        coaches=[second],
    )
    assert list(cohort.coaches.all()) == [second]
    with pytest.raises(ValidationError):
        services.cohort_coach_add(by=manager, cohort=cohort, coach=second)
    services.cohort_coach_remove(by=manager, cohort=cohort, coach=second)
    assert not cohort.coaches.exists()


def test_a_social_worker_cannot_lead_a_cohort(cis, manager, social_worker):
    with pytest.raises(ValidationError) as refused:
        services.cohort_create(
            by=manager,
            programme=cis,
            name="Grupa C",
            starts_on=datetime.date(2026, 1, 5),
            capacity=12,
            lead_coach=social_worker,
        )
    assert refused.value.code == "not_a_coach"
    assert not Cohort.objects.exists()


def test_a_cohort_ending_before_it_starts_is_refused(cis, manager, job_coach):
    with pytest.raises(ValidationError):
        services.cohort_create(
            by=manager,
            programme=cis,
            name="Grupa D",
            starts_on=datetime.date(2026, 1, 5),
            ends_on=datetime.date(2026, 1, 4),
            capacity=12,
            lead_coach=job_coach,
        )
    assert not Cohort.objects.exists()


def test_a_cohort_keeps_at_least_the_places_already_held(active_enrolment, cohort, manager):
    with pytest.raises(ValidationError) as refused:
        services.cohort_update(by=manager, cohort=cohort, capacity=0)
    assert refused.value.code in {"capacity"}
    cohort.refresh_from_db()
    assert cohort.capacity == 25


def test_a_cis_with_participants_keeps_its_kind(active_enrolment, cis, manager):
    with pytest.raises(ValidationError):
        services.programme_update(by=manager, programme=cis, kind="kis")
    cis.refresh_from_db()
    assert cis.kind == "cis"


def test_two_programmes_of_one_name_in_an_organisation_are_refused_in_our_words(cis, manager):
    with pytest.raises(ValidationError) as refused:
        services.programme_create(by=manager, name="CIS Przystań", kind="cis")
    assert "prowadzi już program o tej nazwie" in str(refused.value)


def test_only_the_manager_chooses_who_takes_a_cohort_s_attendance(cohort, job_coach, manager):
    second = UserFactory(username="coach2", organisation=manager.organisation, role="job_coach")
    with pytest.raises(PermissionDenied):
        services.cohort_coach_add(by=job_coach, cohort=cohort, coach=second)
    assert not cohort.coaches.exists()
