"""The ladder: derived from stays, enrolments, placements and case closure, with manual steps
for what the records cannot show; a step down is recorded like a step up."""

import datetime
import zoneinfo

import pytest

from activation import services
from activation.ladder import picture
from cases.models import PathwayStage, PathwayStep
from cases.pathway import HOUSING, WORK, Fact, derive_steps, pathway_recompute, pathway_step_record
from shelters.models import Stay
from tests.activation.conftest import enrol_active, travel
from tests.factories import make_client, make_facility

D = datetime.date
S = PathwayStage
WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def test_the_higher_track_wins_and_a_fall_is_a_step():
    facts = [
        Fact(HOUSING, S.SHELTER, D(2025, 1, 1), D(2025, 6, 30)),
        Fact(WORK, S.TRAINING, D(2025, 2, 1), D(2025, 3, 31)),
        Fact(HOUSING, S.EMERGENCY, D(2025, 7, 1)),
    ]
    assert derive_steps(facts) == [
        (D(2025, 1, 1), S.SHELTER),
        (D(2025, 2, 1), S.TRAINING),
        (D(2025, 4, 1), S.SHELTER),
        (D(2025, 7, 1), S.EMERGENCY),
    ]


def test_a_manual_own_home_lasts_until_the_next_housing_fact():
    facts = [
        Fact(HOUSING, S.OWN_HOME, D(2025, 1, 1), until_next=True),
        Fact(HOUSING, S.EMERGENCY, D(2025, 5, 1), D(2025, 5, 10)),
    ]
    # After the night shelter nothing is known: the ladder keeps the last stage, guessing nothing.
    assert derive_steps(facts) == [(D(2025, 1, 1), S.OWN_HOME), (D(2025, 5, 1), S.EMERGENCY)]


def _stay(client, facility, first: D, last: D | None):
    bed = facility.beds.first()
    started = datetime.datetime(first.year, first.month, first.day, 20, tzinfo=WARSAW)
    ended = None
    if last is not None:
        after = last + datetime.timedelta(days=1)
        ended = datetime.datetime(after.year, after.month, after.day, 8, tzinfo=WARSAW)
    return Stay.objects.create(
        client=client,
        subject_id=client.pk,
        facility=facility,
        bed=bed,
        started_at=started,
        ended_at=ended,
        night_of=first,
        last_night=last,
        last_seen_on=last or first,
    )


@pytest.fixture
def cooperative_job(cooperative):
    return cooperative


def test_a_scripted_life_gives_its_ladder(
    foundation, cooperative, social_worker, job_coach, cohort, cis_rules
):
    participant = make_client(
        first_name="Henryk", surname="Drabina", holder=social_worker, registered_on=D(2025, 1, 2)
    )
    night_shelter = make_facility(organisation=foundation, name="Noclegownia", kind="night_shelter")
    shelter = make_facility(organisation=foundation, name="Schronisko", kind="shelter")
    # Night shelter in January, the shelter from February to September.
    _stay(participant, night_shelter, D(2025, 1, 10), D(2025, 2, 9))
    _stay(participant, shelter, D(2025, 2, 10), D(2025, 9, 30))
    # The CIS from March to May.
    enrolment = enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=cohort,
        started_on=D(2025, 3, 3),
    )
    with travel(D(2025, 5, 30)):
        services.enrolment_set_status(
            by=job_coach, enrolment=enrolment, status="completed", on=D(2025, 5, 30)
        )
    # A job in the catering cooperative from the next day to the end of November.
    with travel(D(2025, 5, 31)):
        placement = services.placement_start(
            by=social_worker,
            client=participant,
            kind="cooperative",
            started_on=D(2025, 5, 31),
            contract_type="cooperative_membership",
            wage_band="minimum",
            employer_organisation=cooperative,
        )
    with travel(D(2025, 11, 28)):
        services.placement_end(
            by=social_worker, placement=placement, ended_on=D(2025, 11, 28), end_reason="resigned"
        )
    # An own home from October (recorded by hand), and back to the night shelter in December.
    with travel(D(2025, 10, 2)):
        pathway_step_record(
            by=social_worker, client=participant, stage=S.OWN_HOME, on=D(2025, 10, 1)
        )
    _stay(participant, night_shelter, D(2025, 12, 15), None)

    with travel(D(2026, 1, 5)):
        steps = pathway_recompute(client=participant)
        again = pathway_recompute(client=participant)
    ladder = [(step.on, step.stage) for step in steps]
    assert ladder == [
        (D(2025, 1, 10), S.EMERGENCY),
        (D(2025, 2, 10), S.SHELTER),
        (D(2025, 3, 3), S.TRAINING),
        (D(2025, 5, 31), S.SUPPORTED_WORK),
        (D(2025, 10, 1), S.OWN_HOME),
        (D(2025, 12, 15), S.EMERGENCY),
    ]
    # Idempotent: the second run changes nothing.
    assert [(s.pk, s.on, s.stage) for s in again] == [(s.pk, s.on, s.stage) for s in steps]
    # The own home is the manual step, not written twice; the rest are derived.
    own_home = [s for s in steps if s.stage == S.OWN_HOME]
    assert [s.source for s in own_home] == [PathwayStep.Source.MANUAL]
    participant.refresh_from_db()
    assert participant.pathway_stage == S.EMERGENCY
    # The picture marks the last step as a step down.
    drawn = picture(steps)
    assert drawn.points[-1].is_down and not drawn.points[2].is_down


def test_only_the_street_or_an_own_home_is_recorded_by_hand(social_worker, participant):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        pathway_step_record(
            by=social_worker, client=participant, stage=S.TRAINING, on=participant.registered_on
        )


def test_every_rung_s_polish_label_fits_left_of_the_ladder():
    """The labels are drawn right-aligned 8 px left of the rungs at 12 px (about 7 px a
    character in the UI's sans): "Zatrudnienie na otwartym rynku" was cut off at 190."""
    from django.utils import translation

    from activation.ladder import LEFT

    with translation.override("pl"):
        labels = [str(label) for _value, label in PathwayStage.choices]
    assert "Zatrudnienie na otwartym rynku" in labels
    assert all(len(label) * 7 <= LEFT - 8 for label in labels), labels
