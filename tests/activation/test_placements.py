"""Placements and their follow-ups at 3, 6 and 12 months."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from activation import services
from activation.models import FollowUp, Placement
from audit.models import AccessLogEntry
from tests.activation.conftest import travel

D = datetime.date
# A valid NIP (check digit 7 = (6·1 + 5·2 + 7·3 + 2·4 + 5·5 + 6·6 + 0·7 + 3·8 + 5·9) mod 11).
VALID_NIP = "123-456-32-18"


def start(by, client, **extra):
    fields = {
        "kind": "cooperative",
        "started_on": D(2026, 1, 31),
        "contract_type": "employment_contract",
        "wage_band": "minimum",
        "employer_name": "Spółdzielnia Socjalna Smak",
        "hours_per_week": "30",
    }
    fields.update(extra)
    with travel(D(2026, 2, 2)):
        return services.placement_start(by=by, client=client, **fields)


def test_a_placement_schedules_follow_ups_clipped_to_the_month_s_end(social_worker, participant):
    placement = start(social_worker, participant)
    # From 31 January 2026: 30 April, 31 July, 31 January 2027.
    assert list(placement.follow_ups.values_list("months", "due_on")) == [
        (3, D(2026, 4, 30)),
        (6, D(2026, 7, 31)),
        (12, D(2027, 1, 31)),
    ]
    assert all(f.client_id == participant.pk for f in placement.follow_ups.all())
    assert AccessLogEntry.objects.filter(subject_id=participant.pk, action="create").exists()


def test_an_outside_employer_s_nip_is_checked_and_kept_compact(social_worker, participant):
    placement = start(social_worker, participant, employer_nip=VALID_NIP)
    assert placement.employer_nip == "1234563218"
    with pytest.raises(ValidationError) as refused:
        start(social_worker, participant, employer_nip="123-456-32-19")
    assert refused.value.code == "nip"
    assert Placement.objects.count() == 1


def test_an_employer_is_one_of_the_cluster_or_one_outside_never_both_nor_neither(
    social_worker, participant, cooperative
):
    with pytest.raises(ValidationError):
        start(social_worker, participant, employer_organisation=cooperative)
    with pytest.raises(ValidationError):
        start(social_worker, participant, employer_name="")
    placement = start(
        social_worker, participant, employer_name="", employer_organisation=cooperative
    )
    assert placement.employer_organisation == cooperative
    with pytest.raises(ValidationError):
        start(
            social_worker,
            participant,
            employer_name="",
            employer_organisation=cooperative,
            employer_nip=VALID_NIP,
        )


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "internship"},
        {"contract_type": ""},
        {"wage_band": "generous"},
        {"hours_per_week": "0"},
        {"hours_per_week": "85"},
        {"hours_per_week": "dużo"},
        {"started_on": D(2026, 2, 3)},
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(social_worker, participant, bad):
    with pytest.raises(ValidationError):
        start(social_worker, participant, **bad)
    assert not Placement.objects.exists()
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("role", ["shelter_staff", "manager", "partner", "job_coach"])
def test_who_neither_holds_the_file_nor_coaches_the_person_cannot_record_a_job(
    personas, participant, role
):
    with pytest.raises(PermissionDenied):
        start(personas[role], participant)
    assert not Placement.objects.exists()


def test_the_person_s_job_coach_records_a_training_placement(
    active_enrolment, job_coach, participant
):
    placement = start(job_coach, participant, kind="training_placement", enrolment=active_enrolment)
    assert placement.enrolment == active_enrolment


def test_ending_a_placement_needs_a_reason_and_a_date_after_its_start(social_worker, participant):
    placement = start(social_worker, participant)
    with travel(D(2026, 6, 1)):
        with pytest.raises(ValidationError):
            services.placement_end(
                by=social_worker, placement=placement, ended_on=D(2026, 5, 29), end_reason=""
            )
        with pytest.raises(ValidationError):
            services.placement_end(
                by=social_worker,
                placement=placement,
                ended_on=D(2026, 1, 30),
                end_reason="resigned",
            )
        services.placement_end(
            by=social_worker,
            placement=placement,
            ended_on=D(2026, 5, 29),
            end_reason="better_job",
            note="Etat w hotelu, lepsza płaca",
        )
        with pytest.raises(ValidationError) as twice:
            services.placement_end(
                by=social_worker,
                placement=placement,
                ended_on=D(2026, 5, 30),
                end_reason="resigned",
            )
    assert twice.value.code == "ended"
    placement.refresh_from_db()
    assert (placement.ended_on, placement.end_reason) == (D(2026, 5, 29), "better_job")
    assert placement.end_note == "Etat w hotelu, lepsza płaca"
    # The follow-ups stay on the list after the job ended.
    assert placement.follow_ups.unanswered().count() == 3


def test_a_follow_up_is_answered_with_hours_and_housing(social_worker, participant):
    placement = start(social_worker, participant)
    follow_up = placement.follow_ups.get(months=3)
    with travel(D(2026, 5, 4)):
        assert list(FollowUp.objects.overdue(D(2026, 5, 4))) == [follow_up]
        services.followup_answer(
            by=social_worker,
            follow_up=follow_up,
            answered_on=D(2026, 5, 4),
            answer="employed_same",
            hours_per_week="30",
            housing="training_flat",
            note="Zadowolony, myśli o pełnym etacie",
        )
    follow_up.refresh_from_db()
    assert (follow_up.answer, follow_up.hours_per_week, follow_up.housing) == (
        "employed_same",
        30,
        "training_flat",
    )
    assert not FollowUp.objects.overdue(D(2026, 5, 4)).exists()


def test_could_not_reach_is_an_answer_without_hours_or_housing(social_worker, participant):
    follow_up = start(social_worker, participant).follow_ups.get(months=6)
    with travel(D(2026, 8, 3)):
        with pytest.raises(ValidationError):
            services.followup_answer(
                by=social_worker,
                follow_up=follow_up,
                answered_on=D(2026, 8, 3),
                answer="unreachable",
                housing="street",
            )
        with pytest.raises(ValidationError):
            services.followup_answer(
                by=social_worker,
                follow_up=follow_up,
                answered_on=D(2026, 8, 3),
                answer="not_employed",
                hours_per_week="20",
                housing="shelter",
            )
        services.followup_answer(
            by=social_worker,
            follow_up=follow_up,
            answered_on=D(2026, 8, 3),
            answer="unreachable",
        )
    follow_up.refresh_from_db()
    assert follow_up.answer == "unreachable" and follow_up.is_answered


def test_answering_again_corrects_and_the_history_keeps_the_first(social_worker, participant):
    follow_up = start(social_worker, participant).follow_ups.get(months=3)
    with travel(D(2026, 5, 4)):
        for answer in ("not_employed", "employed_other"):
            services.followup_answer(
                by=social_worker,
                follow_up=follow_up,
                answered_on=D(2026, 5, 4),
                answer=answer,
                housing="shelter",
            )
    reasons = [h.history_change_reason for h in follow_up.history.order_by("history_date")]
    assert reasons == ["placement_start", "followup_answer", "followup_correct"]


def test_a_follow_up_cannot_be_answered_in_the_future_or_before_the_job(social_worker, participant):
    follow_up = start(social_worker, participant).follow_ups.get(months=3)
    with travel(D(2026, 5, 4)):
        for day in (D(2026, 5, 5), D(2026, 1, 30)):
            with pytest.raises(ValidationError):
                services.followup_answer(
                    by=social_worker,
                    follow_up=follow_up,
                    answered_on=day,
                    answer="not_employed",
                    housing="shelter",
                )
    follow_up.refresh_from_db()
    assert not follow_up.is_answered


def test_another_social_worker_cannot_answer_the_follow_up(
    social_worker, other_social_worker, participant
):
    follow_up = start(social_worker, participant).follow_ups.get(months=3)
    with travel(D(2026, 5, 4)), pytest.raises(PermissionDenied):
        services.followup_answer(
            by=other_social_worker,
            follow_up=follow_up,
            answered_on=D(2026, 5, 4),
            answer="not_employed",
            housing="shelter",
        )


def test_a_placement_cannot_hang_on_another_person_s_enrolment(active_enrolment, social_worker):
    from tests.factories import make_client

    other = make_client(first_name="Halina", surname="Wierzbowa", holder=social_worker)
    with pytest.raises(ValidationError) as refused:
        start(social_worker, other, kind="training_placement", enrolment=active_enrolment)
    assert refused.value.code == "enrolment"
