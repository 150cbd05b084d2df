"""The rule book (accounts.reach): ways, parts, and the questions views and services ask."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm

from accounts import reach
from accounts.reach import Part, Way
from accounts.roles import Role
from cases import services
from cases.access import clients_reached
from cases.models import Client, Consent
from tests.factories import UserFactory, make_client


@pytest.fixture
def own_client(social_worker):
    return make_client(first_name="Ryszard", surname="Modrzewski", holder=social_worker)


@pytest.fixture
def extra_way():
    """A way registered as a later app would (here: a job coach reaching a participant given
    by the test), removed again after the test."""
    participants = {}

    def _coach(user, *, person_id):
        ids = participants.get(user.pk, [])
        rows = Client.objects.filter(pk__in=ids)
        if person_id is not None:
            rows = rows.filter(pk=person_id)
        return rows.values("pk")

    way = reach.register(
        Way(
            code="test_job_coach",
            label="job coach (test)",
            roles=frozenset({Role.JOB_COACH}),
            reads=frozenset({Part.IDENTITY, Part.ACTIVATION}),
            writes=frozenset({Part.ACTIVATION}),
            reach=_coach,
        )
    )
    yield participants
    reach._WAYS.pop(way.code)


def test_cases_and_shelters_register_their_ways():
    codes = [way.code for way in reach.registered()]
    assert {"holder", "team", "break_glass", "partner", "organisation", "facility_staff"} <= set(
        codes
    )


@pytest.mark.parametrize(
    "broken, message",
    [
        ({"reads": frozenset({"diagnosis"})}, "unknown parts"),
        ({"reads": frozenset({Part.FILE})}, "every way reads identity"),
        ({"writes": frozenset({Part.FILE})}, "writes parts it does not read"),
        ({"roles": frozenset()}, "serves no role"),
    ],
)
def test_a_way_that_breaks_the_book_s_rules_is_refused_when_declared(broken, message):
    spec = {
        "code": "broken",
        "label": "broken",
        "roles": frozenset({Role.JOB_COACH}),
        "reads": frozenset({Part.IDENTITY}),
        "reach": lambda user, *, person_id: Client.objects.none(),
        **broken,
    }
    with pytest.raises(ImproperlyConfigured, match=message):
        Way(**spec)


def test_a_second_way_with_a_taken_code_is_refused():
    taken = Way(
        code="holder",
        label="impostor",
        roles=frozenset({Role.JOB_COACH}),
        reads=frozenset({Part.IDENTITY}),
        reach=lambda user, *, person_id: Client.objects.none(),
    )
    with pytest.raises(ImproperlyConfigured, match="already registered"):
        reach.register(taken)


def test_the_holder_reads_and_changes_every_part_of_the_file(social_worker, own_client):
    found = reach.reach_of(social_worker, own_client.pk)
    assert found.ways == {"holder"}
    assert {Part.IDENTITY, Part.FILE, Part.SENSITIVE, Part.STAY} <= found.reads
    assert found.writes == found.reads
    assert reach.may_change(social_worker, own_client.pk, Part.SENSITIVE)


def test_a_colleague_reaches_nothing_and_a_model_wide_permission_changes_nothing(
    other_social_worker, own_client
):
    from django.contrib.auth.models import Permission

    other_social_worker.user_permissions.add(Permission.objects.get(codename="view_client"))
    assert not reach.reach_of(other_social_worker, own_client.pk)
    assert not clients_reached(other_social_worker).exists()


def test_a_file_held_but_with_a_role_that_holds_no_files_is_not_reached(social_worker, own_client):
    # The grant stays in guardian's table, but a shelter worker's role serves no case way.
    social_worker.groups.set([social_worker.groups.model.objects.get(name=Role.SHELTER_STAFF)])
    social_worker = type(social_worker).objects.get(pk=social_worker.pk)
    assert not reach.reach_of(social_worker, own_client.pk)


def test_an_inactive_user_reaches_nobody(social_worker, own_client):
    social_worker.is_active = False
    assert not reach.reach_of(social_worker, own_client.pk)
    assert not clients_reached(social_worker).exists()


def test_a_view_only_grant_reads_but_does_not_change(other_social_worker, own_client):
    assign_perm("cases.view_client", other_social_worker, own_client)
    found = reach.reach_of(other_social_worker, own_client.pk)
    assert found.may_read(Part.FILE) and not found.may_change(Part.FILE)


def test_break_glass_reads_the_file_but_not_its_sensitive_part_and_changes_nothing(
    other_social_worker, own_client
):
    services.break_glass_open(
        by=other_social_worker, client=own_client, reason="Kryzys w nocy, pilne"
    )
    found = reach.reach_of(other_social_worker, own_client.pk)
    assert found.ways == {"break_glass"}
    assert found.reads == {Part.IDENTITY, Part.FILE, Part.STAY}
    assert not found.may_read(Part.SENSITIVE)
    assert not found.writes
    assert found.logged_as(Part.FILE) == "break_glass"


def test_a_partner_reaches_the_referral_only_while_consent_holds(
    social_worker, partner_user, own_client, cooperative
):
    import datetime

    consent = services.consent_record(
        by=social_worker,
        client=own_client,
        purpose=Consent.Purpose.REFERRAL,
        legal_basis="consent",
        given_on=datetime.date(2026, 1, 5),
        partner=cooperative,
    )
    services.referral_send(
        by=social_worker, client=own_client, partner=cooperative, service="Staż", summary="Krótko"
    )
    found = reach.reach_of(partner_user, own_client.pk)
    assert found.ways == {"partner"}
    assert found.reads == {Part.IDENTITY, Part.REFERRAL}
    assert not found.may_read(Part.FILE)
    services.consent_withdraw(by=social_worker, consent=consent)
    assert not reach.reach_of(partner_user, own_client.pk)


def test_a_manager_reaches_the_names_of_the_files_held_in_their_organisation_only(
    manager, other_manager, own_client
):
    assert reach.reach_of(manager, own_client.pk).reads == {Part.IDENTITY}
    assert not reach.reach_of(other_manager, own_client.pk)


def test_a_later_app_plugs_a_way_in_without_editing_cases(job_coach, own_client, extra_way):
    assert not reach.reach_of(job_coach, own_client.pk)
    extra_way[job_coach.pk] = [own_client.pk]
    found = reach.reach_of(job_coach, own_client.pk)
    assert found.ways == {"test_job_coach"}
    assert found.may_change(Part.ACTIVATION) and not found.may_read(Part.FILE)
    assert list(clients_reached(job_coach, Part.ACTIVATION)) == [own_client]
    # The case pages ask for the file: nothing for a job coach there.
    assert not clients_reached(job_coach, Part.FILE).exists()


def test_one_query_answers_by_which_ways_whatever_the_number_of_ways(
    social_worker, own_client, facility_a
):
    # A social worker is served by holder, team, break-glass and facility_staff: four ways,
    # one query (the ways' sub-queries are EXISTS columns of one row).
    assign_perm("shelters.operate_facility", social_worker, facility_a)
    social_worker = type(social_worker).objects.get(pk=social_worker.pk)
    assert social_worker.roles is not None  # the groups are read once per request, before this
    with CaptureQueriesContext(connection) as queries:
        found = reach.reach_of(social_worker, own_client.pk)
    assert found.ways == {"holder"}
    assert len(queries) == 1


def test_the_ids_of_the_reached_are_one_sub_query_whatever_the_caseload(social_worker):
    assert social_worker.roles is not None
    for number in (2, 20):
        for _ in range(number):
            make_client(holder=social_worker)
        with CaptureQueriesContext(connection) as queries:
            count = clients_reached(social_worker).count()
        assert len(queries) == 1
    assert count == 22


def test_the_union_of_the_ways_is_the_sum_of_what_each_reaches(
    social_worker, other_social_worker, manager, team
):
    # Figures by hand: the worker holds 2 files alone, 1 with the team (held by the
    # colleague), and has an emergency access to 1 more file of the colleague's: 4 files.
    mine = [make_client(holder=social_worker) for _ in range(2)]
    shared = make_client(holder=other_social_worker)
    services.client_handover(by=manager, client=shared, to_worker=other_social_worker, team=team)
    emergency = make_client(holder=other_social_worker)
    services.break_glass_open(by=social_worker, client=emergency, reason="Kryzys w nocy, pilne")
    reached = set(clients_reached(social_worker).values_list("pk", flat=True))
    assert reached == {mine[0].pk, mine[1].pk, shared.pk, emergency.pk}
    caseload = set(
        clients_reached(social_worker, ways=("holder", "team")).values_list("pk", flat=True)
    )
    assert caseload == {mine[0].pk, mine[1].pk, shared.pk}
    writable = set(clients_reached(social_worker, write=True).values_list("pk", flat=True))
    assert writable == caseload
    # Sensitive: not through break-glass.
    sensitive = set(clients_reached(social_worker, Part.SENSITIVE).values_list("pk", flat=True))
    assert sensitive == caseload


def test_nobody_reached_is_an_empty_sub_query_without_a_query_of_its_own(dpo):
    assert dpo.roles is not None  # the groups are read once per request, before this
    with CaptureQueriesContext(connection) as queries:
        ids = reach.person_ids(dpo, Part.FILE)
        assert list(Client.objects.filter(pk__in=ids)) == []
    # No way serves the data protection officer: Django knows the answer without asking.
    assert len(queries) == 0


def test_a_user_of_two_roles_gets_the_ways_of_both(foundation, facility_a):
    from django.contrib.auth.models import Group

    worker = UserFactory(username="both", organisation=foundation, role=Role.SOCIAL_WORKER)
    worker.groups.add(Group.objects.get(name=Role.SHELTER_STAFF))
    worker = type(worker).objects.get(pk=worker.pk)
    codes = {way.code for way in reach.ways_for(worker)}
    assert {"holder", "team", "break_glass", "facility_staff"} <= codes
    assert "partner" not in codes and "organisation" not in codes


def test_a_veto_takes_the_person_out_of_the_way_for_one_and_for_lists(
    social_worker, other_social_worker
):
    # The worker holds him, and opened her file in an emergency before her list named him.
    victim = make_client(first_name="Teresa", surname="Brzozowa", holder=other_social_worker)
    aggressor = make_client(first_name="Bogdan", surname="Brzozowy", holder=social_worker)
    services.break_glass_open(by=social_worker, client=victim, reason="Kryzys w nocy, pilne")
    assert reach.reach_of(social_worker, victim.pk).ways == {"break_glass"}
    assert victim in clients_reached(social_worker)
    services.do_not_disclose_add(
        by=other_social_worker, client=victim, person_name="Bogdan B.", other_client=aggressor
    )
    assert not reach.reach_of(social_worker, victim.pk)
    assert set(clients_reached(social_worker)) == {aggressor}


def test_the_veto_is_asked_only_once_its_way_has_reached_the_person(
    social_worker, other_social_worker
):
    own = make_client(holder=social_worker)
    elsewhere = make_client(holder=other_social_worker)
    services.break_glass_open(by=social_worker, client=elsewhere, reason="Kryzys w nocy, pilne")
    assert social_worker.roles is not None
    with CaptureQueriesContext(connection) as held:
        reach.reach_of(social_worker, own.pk)
    with CaptureQueriesContext(connection) as emergency:
        reach.reach_of(social_worker, elsewhere.pk)
    assert (len(held), len(emergency)) == (1, 2)


def test_a_view_only_holder_with_an_emergency_access_still_changes_nothing(
    social_worker, other_social_worker, own_client
):
    # Two ways reach her: a view-only grant, and break-glass (whose veto is then asked): the
    # answer to "may change" stays the view-only grant's.
    assign_perm("cases.view_client", other_social_worker, own_client)
    services.break_glass_open(
        by=other_social_worker, client=own_client, reason="Kryzys w nocy, pilne"
    )
    found = reach.reach_of(other_social_worker, own_client.pk)
    assert found.ways == {"holder", "break_glass"}
    assert not found.writes


def test_load_brings_the_row_and_the_reach_in_one_query(
    social_worker, other_social_worker, own_client
):
    for user, ways in ((social_worker, {"holder"}), (other_social_worker, set())):
        assert user.roles is not None
        with CaptureQueriesContext(connection) as queries:
            row, found = reach.load(Client.objects.all(), user, own_client.pk, Part.FILE)
        # The row comes back either way (a refusal knows the person exists); the reach says
        # whether anything of it may be shown.
        assert row == own_client and found.ways == ways
        assert len(queries) == 1
    row, found = reach.load(
        Client.objects.all(), social_worker, "00000000-0000-0000-0000-000000000000"
    )
    assert row is None and not found
