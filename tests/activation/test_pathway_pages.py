"""The pathway pages: the coach's start, enrolment from the file, placements, follow-ups, the
caseload's to-do and the ladder on the file."""

import datetime

from django.urls import reverse

from activation import services
from activation.models import Enrolment, FollowUp, Placement
from activation.views.coach import coach_day
from audit.models import AccessLogEntry
from cases.models import PathwayStep
from tests.activation.conftest import enrol_active, travel
from tests.factories import make_client

D = datetime.date
TODAY = D(2026, 11, 30)


def test_anonymous_users_are_sent_to_sign_in(client, participant):
    for url in (
        reverse("activation:coach-start"),
        reverse("activation:follow-ups"),
        reverse("activation:client-activation", args=[participant.pk]),
    ):
        assert client.get(url).status_code == 302


def test_other_roles_are_refused_the_coach_s_start(client, social_worker, manager, shelter_staff):
    for user in (social_worker, manager, shelter_staff):
        client.force_login(user)
        assert client.get(reverse("activation:coach-start")).status_code == 403


def test_a_social_worker_enrols_a_client_into_the_laundry_from_the_file(
    client, social_worker, participant, laundry_cohort
):
    client.force_login(social_worker)
    url = reverse("activation:enrolment-create", args=[participant.pk])
    with travel(TODAY):
        page = client.get(url)
        assert "Pralnia" in page.content.decode()
        # The date input carries an ISO value.
        assert 'value="2026-11-30"' in page.content.decode()
        response = client.post(url, {"cohort": laundry_cohort.pk, "applied_on": "2026-11-30"})
    enrolment = Enrolment.objects.get(client=participant)
    assert response.status_code == 302
    assert response.url == reverse("activation:enrolment-detail", args=[enrolment.pk])
    assert enrolment.status == "applied"
    assert AccessLogEntry.objects.filter(subject_id=participant.pk, purpose="enrolment").exists()
    # The enrolment's page: the day of a status change is "Dnia", not the winter mode's
    # "Włączony" (the same English "On").
    with travel(TODAY):
        detail = client.get(response.url).content.decode()
    assert '<label for="id_on">Dnia:</label>' in detail
    assert "Włączony" not in detail
    # The social worker is offered only what they may do (dropping out), not the programme's
    # decisions (accepting, refusing), which the service would refuse them.
    assert '<option value="dropped_out">' in detail
    assert '<option value="accepted">' not in detail
    assert '<option value="refused">' not in detail


def test_bad_input_gives_the_form_back_and_saves_nothing(client, social_worker, participant):
    client.force_login(social_worker)
    url = reverse("activation:enrolment-create", args=[participant.pk])
    with travel(TODAY):
        response = client.post(url, {"cohort": "", "applied_on": "2026-11-30"})
    assert response.status_code == 200
    assert not Enrolment.objects.filter(client=participant).exists()


def test_the_coach_moves_an_enrolment_through_its_statuses_and_a_drop_out_needs_a_reason(
    client, social_worker, job_coach, participant, laundry_cohort
):
    with travel(D(2026, 11, 2)):
        enrolment = services.enrolment_create(
            by=social_worker, client=participant, cohort=laundry_cohort
        )
    client.force_login(job_coach)
    url = reverse("activation:enrolment-detail", args=[enrolment.pk])
    with travel(TODAY):
        client.post(url, {"status": "accepted", "on": "2026-11-03"})
        client.post(url, {"status": "active", "on": "2026-11-04"})
        response = client.post(url, {"status": "dropped_out", "on": "2026-11-20"})
        assert response.status_code == 200
        enrolment.refresh_from_db()
        assert enrolment.status == "active"
        client.post(
            url,
            {
                "status": "dropped_out",
                "on": "2026-11-20",
                "leaving_reason": "found_work",
                "note": "x",
            },
        )
    enrolment.refresh_from_db()
    assert enrolment.status == "dropped_out" and enrolment.leaving_reason == "found_work"
    # The ladder: training from the start, derived.
    steps = PathwayStep.objects.filter(client=participant, source="derived")
    assert ("training", D(2026, 11, 4)) in [(s.stage, s.on) for s in steps]


def test_a_cooperative_job_is_recorded_and_its_follow_up_is_due_in_three_months(
    client, social_worker, participant, cooperative
):
    client.force_login(social_worker)
    url = reverse("activation:placement-create", args=[participant.pk])
    data = {
        "kind": "cooperative",
        "employer_organisation": cooperative.pk,
        "started_on": "2026-11-30",
        "hours_per_week": "30",
        "contract_type": "cooperative_membership",
        "wage_band": "minimum",
    }
    with travel(TODAY):
        # No default for a choice that feeds statistics: a missing pay band is refused.
        refused = client.post(url, {**data, "wage_band": ""})
        assert refused.status_code == 200 and not Placement.objects.exists()
        # An outside employer's NIP is checked.
        bad_nip = client.post(
            url,
            {
                **data,
                "employer_organisation": "",
                "employer_name": "Piekarnia",
                "employer_nip": "123-456-78-90",
            },
        )
        assert bad_nip.status_code == 200 and not Placement.objects.exists()
        response = client.post(url, data)
        assert response.status_code == 302
        page = client.get(reverse("activation:client-activation", args=[participant.pk]))
    placement = Placement.objects.get()
    due = {f.months: f.due_on for f in FollowUp.objects.filter(placement=placement)}
    assert due == {3: D(2027, 2, 28), 6: D(2027, 5, 30), 12: D(2027, 11, 30)}
    html = page.content.decode()
    assert "2027-02-28" in html and "<svg" in html


def test_an_overdue_follow_up_shows_on_the_caseload_and_is_answered(
    client, social_worker, participant, cooperative
):
    with travel(D(2026, 5, 4)):
        placement = services.placement_start(
            by=social_worker,
            client=participant,
            kind="open_market",
            started_on=D(2026, 5, 4),
            contract_type="employment_contract",
            wage_band="minimum",
            employer_name="Hurtownia Tęcza",
            employer_nip="",
        )
    client.force_login(social_worker)
    with travel(TODAY):
        caseload = client.get(reverse("cases:caseload")).content.decode()
        assert reverse("activation:follow-ups") in caseload
        listing = client.get(reverse("activation:follow-ups")).content.decode()
        follow_up = FollowUp.objects.get(placement=placement, months=3)
        url = reverse("activation:followup-answer", args=[follow_up.pk])
        assert url in listing
        response = client.post(url, {"answered_on": "2026-11-30", "answer": "unreachable"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.answer == "unreachable"


def test_the_ladder_takes_a_manual_own_home_step(client, social_worker, participant):
    client.force_login(social_worker)
    with travel(TODAY):
        client.post(
            reverse("activation:pathway-step", args=[participant.pk]),
            {"stage": "own_home", "on": "2026-11-30"},
        )
    step = PathwayStep.objects.get(client=participant, stage="own_home")
    assert step.source == "manual" and step.recorded_by == social_worker


def _group(social_worker, job_coach, cohort, size, first=0):
    for number in range(first, first + size):
        person = make_client(first_name=f"Osoba{number}", surname="Testowa", holder=social_worker)
        enrol_active(
            worker=social_worker,
            coach=job_coach,
            client=person,
            cohort=cohort,
            started_on=D(2026, 11, 2),
        )


def test_the_coach_s_start_page_costs_the_same_queries_for_few_and_many(
    client, social_worker, job_coach, cohort, laundry_cohort, cis_rules
):
    client.force_login(job_coach)
    _group(social_worker, job_coach, cohort, 3)
    with travel(TODAY):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        # A first request warms the session (its once-only queries are not the page's).
        client.get(reverse("activation:coach-start"))
        with CaptureQueriesContext(connection) as few:
            page = client.get(reverse("activation:coach-start"))
        assert page.status_code == 200
        _group(social_worker, job_coach, cohort, 12, first=3)
        _group(social_worker, job_coach, laundry_cohort, 6, first=15)
        with CaptureQueriesContext(connection) as many:
            page = client.get(reverse("activation:coach-start"))
    assert len(many) == len(few)
    html = page.content.decode()
    assert "Osoba20" in html and "Grupa A" in html
    groups, _follow_ups = coach_day(job_coach, TODAY)
    assert sum(len(g["participants"]) for g in groups) == 21


def test_the_file_has_an_activation_tab_and_the_timeline_shows_the_placement_and_the_step(
    client, social_worker, participant
):
    with travel(D(2026, 11, 2)):
        services.placement_start(
            by=social_worker,
            client=participant,
            kind="open_market",
            started_on=D(2026, 11, 2),
            contract_type="employment_contract",
            wage_band="minimum",
            employer_name="Drukarnia Pod Lipą",
        )
    client.force_login(social_worker)
    with travel(TODAY):
        overview = client.get(reverse("cases:client-detail", args=[participant.pk]))
        assert reverse("activation:client-activation", args=[participant.pk]) in (
            overview.content.decode()
        )
        timeline = client.get(reverse("cases:client-timeline", args=[participant.pk]))
    html = timeline.content.decode()
    assert "Drukarnia Pod Lipą" in html
    # The ladder was derived on reading the timeline: open-market employment from the start.
    assert PathwayStep.objects.filter(
        client=participant, stage="open_market", on=D(2026, 11, 2), source="derived"
    ).exists()
