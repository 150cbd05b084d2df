"""Files assigned with a team: members share them; the manager's client list and assign page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services as account_services
from accounts.roles import Role
from audit.models import AccessLogEntry
from cases import services
from cases.models import Assignment, ClientGroupObjectPermission
from privacy import vault
from tests.factories import make_client


@pytest.fixture
def own_client(social_worker):
    """A client held by the social worker, with a note and sensitive intake facts."""
    person = make_client(
        first_name="Ryszard",
        surname="Modrzewski",
        holder=social_worker,
        contact_note="Zwykle przy dworcu zachodnim",
        health_note="Cukrzyca, insulina",
    )
    services.note_add(
        by=social_worker,
        client=person,
        kind="conversation",
        noted_on=timezone.localdate(),
        text="Rozmowa o powrocie do stolarni",
    )
    return person


@pytest.fixture
def team_client(manager, social_worker, team, own_client):
    """The social worker's client, assigned with the team."""
    services.client_handover(by=manager, client=own_client, to_worker=social_worker, team=team)
    return own_client


def current(client):
    return Assignment.objects.get(client=client, ended_at__isnull=True)


def test_a_team_member_who_is_not_the_holder_works_on_the_teams_file(
    client, other_social_worker, team_client
):
    client.force_login(other_social_worker)
    assert "Modrzewski" in client.get("/clients/").content.decode()
    response = client.get(f"/clients/{team_client.pk}/")
    assert response.status_code == 200
    assert "Rozmowa o powrocie do stolarni" in response.content.decode()
    assert AccessLogEntry.objects.filter(
        actor=other_social_worker, action="view", subject_id=team_client.pk, outcome="ok"
    ).exists()


def test_removing_a_member_cuts_their_access_at_once(
    client, manager, other_social_worker, team, team_client
):
    member = client
    member.force_login(other_social_worker)
    assert member.get(f"/clients/{team_client.pk}/").status_code == 200
    account_services.team_member_remove(actor=manager, team=team, user=other_social_worker)
    # The same session is refused on its very next request, and the caseload no longer lists it.
    assert member.get(f"/clients/{team_client.pk}/").status_code == 404
    assert "Modrzewski" not in member.get("/clients/").content.decode()


def test_a_worker_outside_the_team_does_not_reach_its_file(client, foundation, team_client):
    from tests.factories import UserFactory

    outsider = UserFactory(username="sw3", organisation=foundation, role=Role.SOCIAL_WORKER)
    client.force_login(outsider)
    assert client.get(f"/clients/{team_client.pk}/").status_code == 404


def test_a_manager_assigns_a_worker_and_a_team_on_the_assign_page(
    client, manager, social_worker, other_social_worker, team, own_client
):
    client.force_login(manager)
    assert client.get(f"/clients/{own_client.pk}/assign/").status_code == 200
    response = client.post(
        f"/clients/{own_client.pk}/assign/",
        {"worker": other_social_worker.pk, "team": team.pk},
    )
    assert response.status_code == 302
    assert response.url == "/clients/assignments/clients/"
    assignment = current(own_client)
    assert assignment.worker == other_social_worker
    assert assignment.team == team.group
    assert assignment.assigned_by == manager
    # The old holder keeps access as a member of the team, not as the holder.
    assert social_worker.has_perm("cases.change_client", own_client)
    assert not own_client.clientuserobjectpermission_set.filter(user=social_worker).exists()


def test_the_same_worker_can_be_given_a_team_and_the_very_same_assignment_is_refused(
    manager, social_worker, team, own_client
):
    before = current(own_client)
    services.client_handover(by=manager, client=own_client, to_worker=social_worker, team=team)
    after = current(own_client)
    assert after.pk != before.pk and after.team == team.group
    with pytest.raises(ValidationError):
        services.client_handover(by=manager, client=own_client, to_worker=social_worker, team=team)
    assert current(own_client).pk == after.pk


def test_assigning_with_a_team_the_worker_is_not_in_changes_nothing(
    client, manager, foundation, team, own_client
):
    from tests.factories import UserFactory

    outsider = UserFactory(username="sw3", organisation=foundation, role=Role.SOCIAL_WORKER)
    before = current(own_client)
    client.force_login(manager)
    response = client.post(
        f"/clients/{own_client.pk}/assign/", {"worker": outsider.pk, "team": team.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["team"]
    assert current(own_client).pk == before.pk
    assert not outsider.has_perm("cases.view_client", own_client)
    # The service refuses it on its own too.
    with pytest.raises(ValidationError):
        services.client_handover(by=manager, client=own_client, to_worker=outsider, team=team)
    assert current(own_client).pk == before.pk


def test_a_forged_team_id_of_another_organisation_is_refused(
    client, manager, other_social_worker, own_client, outside_team
):
    before = current(own_client)
    client.force_login(manager)
    response = client.post(
        f"/clients/{own_client.pk}/assign/",
        {"worker": other_social_worker.pk, "team": outside_team.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["team"]
    assert current(own_client).pk == before.pk
    with pytest.raises(PermissionDenied):
        services.client_handover(
            by=manager, client=own_client, to_worker=other_social_worker, team=outside_team
        )
    assert current(own_client).pk == before.pk
    assert not ClientGroupObjectPermission.objects.filter(content_object=own_client).exists()


def test_a_manager_of_another_organisation_can_neither_see_nor_assign_our_clients(
    client, other_manager, outside_worker, outside_team, team_client
):
    before = current(team_client)
    client.force_login(other_manager)
    assert client.get(f"/clients/{team_client.pk}/assign/").status_code == 404
    response = client.post(
        f"/clients/{team_client.pk}/assign/",
        {"worker": outside_worker.pk, "team": outside_team.pk},
    )
    assert response.status_code == 404
    assert current(team_client).pk == before.pk
    assert "Modrzewski" not in client.get("/clients/assignments/clients/").content.decode()


def test_a_handover_to_a_new_holder_takes_the_file_from_the_old_team(
    manager, social_worker, other_social_worker, team, team_client
):
    from tests.factories import UserFactory

    newcomer = UserFactory(
        username="sw3", organisation=social_worker.organisation, role=Role.SOCIAL_WORKER
    )
    second = account_services.team_create(actor=manager, name="Zespół drugi")
    account_services.team_member_add(actor=manager, team=second, user=newcomer)
    services.client_handover(by=manager, client=team_client, to_worker=newcomer, team=second)
    groups = set(
        ClientGroupObjectPermission.objects.filter(content_object=team_client).values_list(
            "group_id", flat=True
        )
    )
    assert groups == {second.group_id}
    assert not other_social_worker.has_perm("cases.view_client", team_client)
    assert not social_worker.has_perm("cases.view_client", team_client)
    assert newcomer.has_perm("cases.change_client", team_client)
    # Without a team, nobody but the holder keeps it.
    services.client_handover(by=manager, client=team_client, to_worker=other_social_worker)
    assert not ClientGroupObjectPermission.objects.filter(content_object=team_client).exists()
    assert not newcomer.has_perm("cases.view_client", team_client)


# --- the manager's list of the organisation's clients ----------------------------------------


def test_the_client_list_shows_names_holders_and_teams_but_nothing_of_the_file(
    client, manager, team_client
):
    client.force_login(manager)
    response = client.get("/clients/assignments/clients/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Modrzewski Ryszard" in html
    assert f'href="/clients/{team_client.pk}/assign/"' in html
    assert "Zespół testowy" in html
    assert "Rozmowa o powrocie" not in html
    assert "stolarni" not in html
    assert "dworcu" not in html
    assert "Cukrzyca" not in html
    assert f'href="/clients/{team_client.pk}/"' not in html


def test_the_client_list_writes_one_access_log_row(client, manager, team_client):
    client.force_login(manager)
    client.get("/clients/assignments/clients/")
    rows = AccessLogEntry.objects.filter(actor=manager, action="view", purpose="assignments")
    assert rows.count() == 1
    assert rows.get().subject_id is None


def test_the_client_list_lists_only_the_organisations_files(
    client, manager, own_client, outside_worker
):
    make_client(first_name="Bogdan", surname="Jarzębina", holder=outside_worker)
    client.force_login(manager)
    html = client.get("/clients/assignments/clients/").content.decode()
    assert "Modrzewski" in html
    assert "Jarzębina" not in html


def test_the_client_list_filters_by_holder_and_by_team(
    client, manager, other_social_worker, team, team_client, social_worker
):
    make_client(first_name="Bogdan", surname="Jarzębina", holder=other_social_worker)
    client.force_login(manager)
    html = client.get(f"/clients/assignments/clients/?team={team.pk}").content.decode()
    assert "Modrzewski" in html and "Jarzębina" not in html
    html = client.get(
        f"/clients/assignments/clients/?worker={other_social_worker.pk}"
    ).content.decode()
    assert "Modrzewski" not in html and "Jarzębina" in html


def test_a_forged_filter_of_another_organisation_shows_nothing_of_it(
    client, manager, own_client, outside_worker, outside_team
):
    make_client(first_name="Bogdan", surname="Jarzębina", holder=outside_worker)
    client.force_login(manager)
    for query in (f"worker={outside_worker.pk}", f"team={outside_team.pk}"):
        response = client.get(f"/clients/assignments/clients/?{query}")
        assert response.status_code == 200
        assert response.context["form"].errors
        assert "Jarzębina" not in response.content.decode()


def test_the_client_list_pages_by_fifty(client, manager, social_worker):
    for n in range(55):
        make_client(first_name="Czesław", surname=f"Cisowski{n:02}", holder=social_worker)
    client.force_login(manager)
    assert client.get("/clients/assignments/clients/").content.decode().count("Cisowski") == 50
    html = client.get("/clients/assignments/clients/?page=2").content.decode()
    assert html.count("Cisowski") == 5


def test_the_client_list_stays_constant_in_queries(
    client, manager, social_worker, team, django_assert_max_num_queries
):
    client.force_login(manager)

    def count_queries() -> int:
        vault.cache.clear()
        with CaptureQueriesContext(connection) as context:
            assert client.get("/clients/assignments/clients/").status_code == 200
        return len(context.captured_queries)

    def add(n):
        for i in range(n):
            person = make_client(first_name="Czesław", surname=f"Cisowski{i}", holder=social_worker)
            if i % 2:
                services.client_handover(
                    by=manager, client=person, to_worker=social_worker, team=team
                )

    add(2)
    count_queries()  # the first request of a session fills caches of its own
    few = count_queries()
    add(30)
    vault.cache.clear()
    with django_assert_max_num_queries(20):
        html = client.get("/clients/assignments/clients/").content.decode()
    assert html.count("Cisowski") == 32
    assert count_queries() == few


@pytest.mark.parametrize(
    "role", [Role.SOCIAL_WORKER, Role.SHELTER_STAFF, Role.JOB_COACH, Role.DPO, Role.PARTNER]
)
def test_other_roles_are_refused_the_client_list_and_the_assign_page(
    client, personas, own_client, role
):
    client.force_login(personas[role])
    assert client.get("/clients/assignments/clients/").status_code == 403
    assert client.get(f"/clients/{own_client.pk}/assign/").status_code == 403


def test_anonymous_visitors_are_sent_to_login_from_the_client_list(client, db):
    response = client.get("/clients/assignments/clients/")
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")


def test_the_assignments_page_links_to_the_client_list(client, manager):
    client.force_login(manager)
    html = client.get("/clients/assignments/").content.decode()
    assert 'href="/clients/assignments/clients/"' in html


@override_settings(DEMO=True)
def test_the_demo_has_a_team_of_two_workers_sharing_one_file(db):
    from accounts.demo import TEAM
    from accounts.models import Team, User

    call_command("seed_demo")
    call_command("seed_demo")
    team = Team.objects.get(name=TEAM)
    members = set(team.group.user_set.values_list("username", flat=True))
    assert members == {"pracownik", "pracownik3"}
    shared = Assignment.objects.get(team=team.group, ended_at__isnull=True)
    assert shared.worker.username == "pracownik"
    assert shared.client.closed_on is None
    member = User.objects.get(username="pracownik3")
    assert member.has_perm("cases.change_client", shared.client)


def test_the_assign_page_names_the_client_and_logs_the_read(client, manager, own_client):
    client.force_login(manager)
    html = client.get(f"/clients/{own_client.pk}/assign/").content.decode()
    assert "Modrzewski Ryszard" in html
    assert "stolarni" not in html and "Cukrzyca" not in html
    assert AccessLogEntry.objects.filter(
        actor=manager, action="view", subject_id=own_client.pk, purpose="assign"
    ).exists()


def test_a_file_nobody_holds_is_no_managers_to_take(client, manager, db):
    # Registering assigns every file; one without a holder must not show its name to a manager.
    unheld = make_client(first_name="Teodor", surname="Bezpański")
    client.force_login(manager)
    assert client.get(f"/clients/{unheld.pk}/assign/").status_code == 404
    assert client.post(f"/clients/{unheld.pk}/assign/", {"worker": manager.pk}).status_code == 404
