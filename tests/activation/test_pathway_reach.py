"""Who sees what of a person's activation (the rule book's job_coach and cooperative ways)."""

import datetime

import pytest
from django.db import connection
from django.http import Http404
from django.urls import reverse

from accounts import reach
from accounts.reach import Part
from accounts.roles import Role
from activation import services
from activation.models import Enrolment
from cases import services as case_services
from cases.access import get_client_access
from tests.activation.conftest import enrol_active, travel
from tests.activation.test_ladder import _stay
from tests.factories import OrganisationFactory, UserFactory, make_client, make_facility

D = datetime.date
TODAY = D(2026, 11, 30)


@pytest.fixture
def enrolled(social_worker, job_coach, participant, cohort, cis_rules):
    return enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=participant,
        cohort=cohort,
        started_on=D(2026, 3, 2),
    )


def test_a_coach_reaches_their_participants_activation_and_nothing_of_the_file(
    client, job_coach, participant, enrolled
):
    found = reach.reach_of(job_coach, participant.pk)
    assert found.ways == {"job_coach"}
    assert found.may_change(Part.ACTIVATION)
    # Never case notes, assessments, documents (the file), nor stays.
    for part in (Part.FILE, Part.SENSITIVE, Part.STAY):
        assert not found.may_read(part)
    with pytest.raises(Http404):
        get_client_access(job_coach, participant.pk, part=Part.FILE)
    client.force_login(job_coach)
    for name in ("cases:client-detail", "cases:assessments", "cases:documents", "cases:plans"):
        assert client.get(reverse(name, args=[participant.pk])).status_code in (403, 404)
    page = client.get(reverse("activation:client-activation", args=[participant.pk]))
    assert page.status_code == 200


def test_a_coach_does_not_reach_someone_outside_their_groups(
    client, job_coach, social_worker, enrolled
):
    stranger = make_client(first_name="Obcy", surname="Człowiek", holder=social_worker)
    assert not reach.reach_of(job_coach, stranger.pk)
    client.force_login(job_coach)
    response = client.get(reverse("activation:client-activation", args=[stranger.pk]))
    assert response.status_code == 404


def test_a_coach_sees_no_ladder_for_it_is_drawn_from_the_stays(
    client, foundation, job_coach, social_worker, participant, enrolled
):
    night_shelter = make_facility(organisation=foundation, name="Noclegownia", kind="night_shelter")
    _stay(participant, night_shelter, D(2026, 1, 10), D(2026, 2, 9))
    url = reverse("activation:client-activation", args=[participant.pk])
    with travel(TODAY):
        client.force_login(job_coach)
        coach_page = client.get(url)
        client.force_login(social_worker)
        worker_page = client.get(url)
    assert coach_page.status_code == worker_page.status_code == 200
    # The coach: the programmes, placements and follow-ups; no ladder (its night shelter is a stay).
    assert b'class="ladder"' not in coach_page.content
    assert not coach_page.context.get("steps")
    # The holder sees it, the night shelter on it.
    assert b'class="ladder"' in worker_page.content
    steps = [(step.on, step.stage) for step in worker_page.context["steps"]]
    assert (D(2026, 1, 10), "emergency") in steps


def _cooperative_job(social_worker, client, organisation):
    with travel(D(2026, 6, 1)):
        return services.placement_start(
            by=social_worker,
            client=client,
            kind="cooperative",
            started_on=D(2026, 6, 1),
            contract_type="cooperative_membership",
            wage_band="minimum",
            employer_organisation=organisation,
        )


def _consent(social_worker, client, organisation):
    return case_services.consent_record(
        by=social_worker,
        client=client,
        purpose="share_partner",
        legal_basis="consent",
        given_on=D(2026, 5, 1),
        partner=organisation,
    )


def test_a_cooperative_sees_its_own_workers_while_consent_holds_and_not_after_withdrawal(
    client, social_worker, partner_user, cooperative, participant
):
    _cooperative_job(social_worker, participant, cooperative)
    # No consent yet: nothing.
    assert not reach.reach_of(partner_user, participant.pk)
    consent = _consent(social_worker, participant, cooperative)
    found = reach.reach_of(partner_user, participant.pk)
    assert found.ways == {"cooperative"}
    assert found.reads == {Part.IDENTITY, Part.ACTIVATION} and not found.writes
    client.force_login(partner_user)
    page = client.get(reverse("activation:partner-placements"))
    assert "Kalinowski" in page.content.decode()
    # Withdrawal cuts the access in the same request.
    case_services.consent_withdraw(by=social_worker, consent=consent)
    assert not reach.reach_of(partner_user, participant.pk)
    page = client.get(reverse("activation:partner-placements"))
    assert "Kalinowski" not in page.content.decode()


def test_a_cooperative_does_not_see_another_cooperative_s_workers(
    client, social_worker, partner_user, cooperative, participant
):
    sewing = OrganisationFactory(name="Spółdzielnia Szwalnia", kind="social_cooperative")
    sewing_user = UserFactory(username="szwalnia", organisation=sewing, role=Role.PARTNER)
    _cooperative_job(social_worker, participant, cooperative)
    _consent(social_worker, participant, cooperative)
    assert reach.reach_of(partner_user, participant.pk)
    assert not reach.reach_of(sewing_user, participant.pk)
    client.force_login(sewing_user)
    assert "Kalinowski" not in client.get(reverse("activation:partner-placements")).content.decode()
    # And a partner never opens a client's activation page.
    client.force_login(partner_user)
    response = client.get(reverse("activation:client-activation", args=[participant.pk]))
    assert response.status_code == 403


def test_the_ipzs_text_is_ciphertext_in_the_database(client, social_worker, participant, enrolled):
    with travel(TODAY):
        plan = services.enrolment_ipzs_start(by=social_worker, enrolment=enrolled)
        case_services.goal_add(by=social_worker, plan=plan, text="Zdobyć uprawnienia wózkowego")
    assert Enrolment.objects.get(pk=enrolled.pk).ipzs_id == plan.pk
    assert plan.kind == "ipzs"
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM cases_plangoal WHERE plan_id = %s", [plan.pk])
        (raw,) = cursor.fetchone()
    raw = raw if isinstance(raw, str) else bytes(raw).decode("latin-1")
    assert "wózkowego" not in raw and "uprawnienia" not in raw


def test_a_coach_may_not_start_an_ipzs(job_coach, enrolled):
    from django.core.exceptions import PermissionDenied

    with travel(TODAY), pytest.raises((PermissionDenied, Http404)):
        services.enrolment_ipzs_start(by=job_coach, enrolment=enrolled)


def test_a_worker_who_also_coaches_reaches_both_ways_in_one_query(
    social_worker, foundation, participant, enrolled, cohort
):
    from django.contrib.auth.models import Group

    from cases.models import Client

    both = UserFactory(username="obie", organisation=foundation, role=Role.SOCIAL_WORKER)
    both.groups.add(Group.objects.get(name=Role.JOB_COACH))
    both = type(both).objects.get(pk=both.pk)
    services.cohort_coach_add(by=cohort.programme.created_by, cohort=cohort, coach=both)
    # The ways' queries are joined in a UNION: none may carry an ORDER BY.
    reached = Client.objects.filter(pk__in=reach.person_ids(both, Part.ACTIVATION))
    assert list(reached.values_list("pk", flat=True)) == [participant.pk]
