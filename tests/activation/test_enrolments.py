"""Enrolment: who may ask for it, the partner's consent, and the allowed changes of status."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from activation import services
from activation.models import Enrolment, EnrolmentSuspension
from audit.models import AccessLogEntry
from cases import services as case_services
from tests.activation.conftest import enrol_active, travel
from tests.factories import make_client

D = datetime.date


def test_the_social_worker_enrols_their_client_and_the_write_is_logged(
    social_worker, participant, cohort
):
    with travel(D(2026, 11, 2)):
        enrolment = services.enrolment_create(by=social_worker, client=participant, cohort=cohort)
    assert enrolment.status == "applied"
    assert enrolment.applied_on == D(2026, 11, 2)
    assert enrolment.programme == cohort.programme
    assert enrolment.history.get().history_change_reason == "enrolment_create"
    row = AccessLogEntry.objects.get(subject_id=participant.pk)
    assert (row.action, row.actor_id) == ("create", social_worker.pk)


@pytest.mark.parametrize("role", ["shelter_staff", "manager", "partner", "dpo", "job_coach"])
def test_who_neither_holds_the_file_nor_coaches_the_person_cannot_enrol_them(
    personas, participant, cohort, role
):
    with travel(D(2026, 11, 2)), pytest.raises(PermissionDenied):
        services.enrolment_create(by=personas[role], client=participant, cohort=cohort)
    assert not Enrolment.objects.exists()


def test_another_social_worker_cannot_enrol_someone_else_s_client(
    other_social_worker, participant, cohort
):
    with travel(D(2026, 11, 2)), pytest.raises(PermissionDenied):
        services.enrolment_create(by=other_social_worker, client=participant, cohort=cohort)
    assert not Enrolment.objects.exists()


def test_a_coach_enrols_one_of_their_participants_into_another_cohort(
    active_enrolment, job_coach, participant, laundry_cohort
):
    with travel(D(2026, 11, 2)):
        enrolment = services.enrolment_create(
            by=job_coach, client=participant, cohort=laundry_cohort
        )
    assert enrolment.enrolled_by == job_coach


def test_a_second_live_enrolment_in_one_cohort_is_refused(social_worker, participant, cohort):
    with travel(D(2026, 11, 2)):
        services.enrolment_create(by=social_worker, client=participant, cohort=cohort)
        with pytest.raises(ValidationError) as refused:
            services.enrolment_create(by=social_worker, client=participant, cohort=cohort)
    assert refused.value.code == "duplicate"
    assert Enrolment.objects.count() == 1


def test_the_database_itself_refuses_a_second_live_enrolment(social_worker, participant, cohort):
    with travel(D(2026, 11, 2)):
        first = services.enrolment_create(by=social_worker, client=participant, cohort=cohort)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            client=participant,
            programme=first.programme,
            cohort=cohort,
            status="accepted",
            applied_on=D(2026, 11, 2),
        )


def test_after_refusal_the_person_may_apply_again(social_worker, job_coach, participant, cohort):
    with travel(D(2026, 11, 2)):
        first = services.enrolment_create(by=social_worker, client=participant, cohort=cohort)
        services.enrolment_set_status(
            by=job_coach, enrolment=first, status="refused", on=D(2026, 11, 2), note="Brak miejsc"
        )
        second = services.enrolment_create(by=social_worker, client=participant, cohort=cohort)
    assert second.status == "applied"


@pytest.fixture
def cooperative_workshop(cooperative):
    """A sewing workshop run by the partner cooperative (its own manager)."""
    from activation.models import Trade
    from tests.factories import UserFactory

    boss = UserFactory(username="coop-boss", organisation=cooperative, role="manager")
    coach = UserFactory(username="coop-coach", organisation=cooperative, role="job_coach")
    programme = services.programme_create(
        by=boss, name="Szwalnia", kind="workshop", trade=Trade.objects.get(code="sewing")
    )
    return services.cohort_create(
        by=boss,
        programme=programme,
        name="Szwalnia, zima",
        starts_on=D(2026, 1, 1),
        capacity=6,
        lead_coach=coach,
    )


def test_a_partner_s_programme_needs_the_client_s_consent_and_withdrawal_cuts_it_at_once(
    social_worker, participant, cooperative_workshop, cooperative
):
    with travel(D(2026, 11, 2)):
        with pytest.raises(ValidationError) as refused:
            services.enrolment_create(
                by=social_worker, client=participant, cohort=cooperative_workshop
            )
        assert refused.value.code == "consent"
        consent = case_services.consent_record(
            by=social_worker,
            client=participant,
            purpose="share_partner",
            partner=cooperative,
            legal_basis="consent",
            given_on=D(2026, 11, 2),
        )
        enrolment = services.enrolment_create(
            by=social_worker, client=participant, cohort=cooperative_workshop
        )
        assert enrolment.status == "applied"
        services.enrolment_set_status(
            by=social_worker,
            enrolment=enrolment,
            status="dropped_out",
            on=D(2026, 11, 2),
            leaving_reason="own_decision",
        )
        case_services.consent_withdraw(by=social_worker, consent=consent)
        with pytest.raises(ValidationError) as again:
            services.enrolment_create(
                by=social_worker, client=participant, cohort=cooperative_workshop
            )
    assert again.value.code == "consent"


def test_the_organisation_s_own_programme_needs_no_sharing_consent(
    social_worker, participant, cohort
):
    with travel(D(2026, 11, 2)):
        assert services.enrolment_create(by=social_worker, client=participant, cohort=cohort)


def test_starting_a_cis_sets_the_trial_month_to_the_same_date_a_month_later(active_enrolment):
    # Started 2 March 2026: the trial month runs to 2 April (art. 112 of the civil code).
    assert active_enrolment.started_on == D(2026, 3, 2)
    assert active_enrolment.trial_ends_on == D(2026, 4, 2)


def test_a_trial_month_from_the_31st_ends_on_the_last_day_of_a_shorter_month(
    social_worker, job_coach, participant, cohort, cis_rules
):
    enrolment = enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=cohort,
        started_on=D(2026, 1, 31),
    )
    assert enrolment.trial_ends_on == D(2026, 2, 28)


def test_a_workshop_has_no_trial_month(social_worker, job_coach, participant, laundry_cohort):
    enrolment = enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=laundry_cohort,
        started_on=D(2026, 10, 5),
    )
    assert enrolment.trial_ends_on is None


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        (["completed"], True),
        (["active"], True),
        (["accepted", "completed"], True),
        (["accepted", "suspended"], True),
        (["accepted", "active", "completed", "active"], True),
        (["refused", "accepted"], True),
        (["accepted", "active", "suspended", "completed"], True),
        (["accepted", "active", "suspended", "active", "completed"], False),
        (["accepted", "refused"], False),
        (["dropped_out"], False),
    ],
)
def test_only_the_allowed_changes_of_status_are_made(
    social_worker, job_coach, participant, cohort, path, refused
):
    days = iter(D(2026, 10, day) for day in range(1, 20, 3))
    with travel(D(2026, 11, 2)):
        enrolment = services.enrolment_create(
            by=social_worker, client=participant, cohort=cohort, applied_on=D(2026, 9, 30)
        )

        def step(status):
            return services.enrolment_set_status(
                by=job_coach,
                enrolment=enrolment,
                status=status,
                on=next(days),
                leaving_reason="health" if status == "dropped_out" else "",
            )

        *before, last = path
        for status in before:
            step(status)
        if refused:
            with pytest.raises(ValidationError) as error:
                step(last)
            assert error.value.code == "transition"
        else:
            assert step(last).status == last


def test_a_full_cohort_refuses_another_acceptance(social_worker, job_coach, cohort, manager):
    services.cohort_update(by=manager, cohort=cohort, capacity=1)
    first = make_client(first_name="Bogdan", surname="Cisowski", holder=social_worker)
    second = make_client(first_name="Ryszard", surname="Dębowiak", holder=social_worker)
    with travel(D(2026, 11, 2)):
        one = services.enrolment_create(by=social_worker, client=first, cohort=cohort)
        two = services.enrolment_create(by=social_worker, client=second, cohort=cohort)
        services.enrolment_set_status(
            by=job_coach, enrolment=one, status="accepted", on=D(2026, 11, 2)
        )
        with pytest.raises(ValidationError) as refused:
            services.enrolment_set_status(
                by=job_coach, enrolment=two, status="accepted", on=D(2026, 11, 2)
            )
    assert refused.value.code == "capacity"
    two.refresh_from_db()
    assert two.status == "applied"


def test_suspension_and_resumption_are_dated_periods(active_enrolment, job_coach):
    with travel(D(2026, 6, 30)):
        services.enrolment_set_status(
            by=job_coach,
            enrolment=active_enrolment,
            status="suspended",
            on=D(2026, 6, 10),
            note="Pobyt w szpitalu",
        )
        services.enrolment_set_status(
            by=job_coach, enrolment=active_enrolment, status="active", on=D(2026, 6, 20)
        )
    suspension = EnrolmentSuspension.objects.get()
    assert (suspension.starts_on, suspension.ends_on) == (D(2026, 6, 10), D(2026, 6, 19))
    assert suspension.note == "Pobyt w szpitalu"
    active_enrolment.refresh_from_db()
    assert active_enrolment.status == "active"
    assert [h.status for h in active_enrolment.history.order_by("history_date")][-2:] == [
        "suspended",
        "active",
    ]


def test_dropping_out_needs_a_reason_code_and_keeps_an_encrypted_note(
    active_enrolment, social_worker
):
    with travel(D(2026, 6, 30)):
        with pytest.raises(ValidationError):
            services.enrolment_set_status(
                by=social_worker, enrolment=active_enrolment, status="dropped_out", on=D(2026, 6, 5)
            )
        services.enrolment_set_status(
            by=social_worker,
            enrolment=active_enrolment,
            status="dropped_out",
            on=D(2026, 6, 5),
            leaving_reason="found_work",
            note="Praca w pralni przemysłowej",
        )
    active_enrolment.refresh_from_db()
    assert (active_enrolment.status, active_enrolment.ended_on) == ("dropped_out", D(2026, 6, 5))
    assert active_enrolment.leaving_reason == "found_work"
    assert active_enrolment.reason_note == "Praca w pralni przemysłowej"


def test_a_social_worker_may_record_a_drop_out_but_not_accept(social_worker, participant, cohort):
    with travel(D(2026, 11, 2)):
        enrolment = services.enrolment_create(by=social_worker, client=participant, cohort=cohort)
        with pytest.raises(PermissionDenied):
            services.enrolment_set_status(
                by=social_worker, enrolment=enrolment, status="accepted", on=D(2026, 11, 2)
            )


def test_a_coach_of_another_cohort_cannot_change_the_enrolment(active_enrolment, manager, cis):
    from tests.factories import UserFactory

    stranger = UserFactory(username="coach3", organisation=manager.organisation, role="job_coach")
    with travel(D(2026, 6, 30)), pytest.raises(PermissionDenied):
        services.enrolment_set_status(
            by=stranger, enrolment=active_enrolment, status="completed", on=D(2026, 6, 5)
        )


def test_changes_dated_in_the_future_or_out_of_order_are_refused(active_enrolment, job_coach):
    with travel(D(2026, 6, 30)):
        with pytest.raises(ValidationError) as future:
            services.enrolment_set_status(
                by=job_coach, enrolment=active_enrolment, status="completed", on=D(2026, 7, 1)
            )
        with pytest.raises(ValidationError) as early:
            services.enrolment_set_status(
                by=job_coach, enrolment=active_enrolment, status="completed", on=D(2026, 3, 1)
            )
    assert (future.value.code, early.value.code) == ("future", "date_order")
    active_enrolment.refresh_from_db()
    assert active_enrolment.status == "active"
