"""Managers and administrators create staff, assign roles and deactivate accounts (never delete)."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from accounts import services
from accounts.models import User
from accounts.roles import Role
from tests.factories import OrganisationFactory, UserFactory
from tests.second_factor import confirmation


def new_account(organisation, role=Role.SOCIAL_WORKER, *, actor=None, **extra):
    """The new account's fields, and the confirmation of `actor` (password, and code)."""
    data = {
        "username": "nowa",
        "first_name": "Nowa",
        "last_name": "Pracownica",
        "email": "nowa@example.org",
        "organisation": organisation.pk,
        "role": role,
        "password": "długie hasło na noc 2026",
        **(confirmation(actor) if actor is not None else {}),
    }
    data.update(extra)
    return data


def test_a_manager_creates_a_social_worker_in_their_organisation(client, manager, foundation):
    client.force_login(manager)
    response = client.post("/staff/new/", new_account(foundation, actor=manager))
    assert response.status_code == 302
    user = User.objects.get(username="nowa")
    assert user.organisation == foundation
    assert user.role == Role.SOCIAL_WORKER
    assert user.check_password("długie hasło na noc 2026")
    assert user.history.first().history_change_reason == "user_create"


def test_the_new_account_can_sign_in(client, manager, foundation):
    client.force_login(manager)
    client.post("/staff/new/", new_account(foundation, actor=manager))
    client.logout()
    response = client.post("/login/", {"username": "nowa", "password": "długie hasło na noc 2026"})
    assert response.status_code == 302


def test_creating_an_account_asks_for_the_managers_own_password(client, manager, foundation):
    client.force_login(manager)
    response = client.post("/staff/new/", new_account(foundation, confirm_password="wrong"))
    assert response.status_code == 200
    assert "Twoje hasło jest niepoprawne." in response.content.decode()
    assert not User.objects.filter(username="nowa").exists()


def test_a_common_password_is_refused_with_a_translated_message(client, manager, foundation):
    client.force_login(manager)
    response = client.post(
        "/staff/new/", new_account(foundation, actor=manager, password="password1234")
    )
    assert response.status_code == 200
    assert "To hasło jest zbyt powszechne." in response.content.decode()
    assert not User.objects.filter(username="nowa").exists()


def test_a_long_passphrase_is_accepted(client, manager, foundation):
    client.force_login(manager)
    passphrase = "zima była długa ale w schronisku zawsze było ciepło " * 3
    response = client.post(
        "/staff/new/", new_account(foundation, actor=manager, password=passphrase)
    )
    assert response.status_code == 302


def test_missing_fields_return_the_form_with_errors_and_create_nothing(client, manager):
    client.force_login(manager)
    response = client.post("/staff/new/", confirmation(manager))
    assert response.status_code == 200
    assert "To pole jest wymagane." in response.content.decode()
    assert User.objects.count() == 1


def test_a_taken_username_is_refused(client, manager, foundation, social_worker):
    client.force_login(manager)
    response = client.post("/staff/new/", new_account(foundation, actor=manager, username="SW"))
    assert response.status_code == 200
    assert "Ta nazwa użytkownika jest już zajęta." in response.content.decode()


def test_a_manager_cannot_create_an_administrator(client, manager, foundation):
    client.force_login(manager)
    response = client.post(
        "/staff/new/", new_account(foundation, actor=manager, role=Role.ADMINISTRATOR)
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="nowa").exists()


def test_a_manager_cannot_create_staff_of_another_organisation(client, manager, cooperative):
    client.force_login(manager)
    response = client.post("/staff/new/", new_account(cooperative, actor=manager))
    assert response.status_code == 200
    assert not User.objects.filter(username="nowa").exists()


def test_the_service_refuses_what_the_form_would_not_offer(manager, cooperative):
    with pytest.raises(services.PermissionDenied):
        services.user_create(
            actor=manager,
            username="x",
            first_name="X",
            last_name="Y",
            email="",
            organisation=cooperative,
            role=Role.SOCIAL_WORKER,
            password="długie hasło na noc 2026",
        )


def test_an_administrator_creates_staff_of_any_organisation_and_any_role(
    client, administrator, cooperative
):
    client.force_login(administrator)
    response = client.post(
        "/staff/new/", new_account(cooperative, actor=administrator, role=Role.DPO)
    )
    assert response.status_code == 302
    assert User.objects.get(username="nowa").role == Role.DPO


def test_a_manager_lists_only_their_organisations_staff(client, manager, social_worker, job_coach):
    client.force_login(manager)
    html = client.get("/staff/").content.decode()
    assert social_worker.username in html
    assert job_coach.username not in html


def test_a_manager_gets_404_for_an_account_of_another_organisation(client, manager, job_coach):
    client.force_login(manager)
    assert client.get(f"/staff/{job_coach.pk}/").status_code == 404
    assert (
        client.post(
            f"/staff/{job_coach.pk}/deactivate/",
            {"confirm_password": "correct-horse-battery-staple-42"},
        ).status_code
        == 404
    )
    job_coach.refresh_from_db()
    assert job_coach.is_active


def test_a_manager_cannot_touch_an_administrators_account(client, manager, administrator):
    client.force_login(manager)
    assert client.get(f"/staff/{administrator.pk}/").status_code == 403


def test_the_staff_list_links_only_the_accounts_the_manager_may_open(
    client, manager, administrator, social_worker
):
    client.force_login(manager)
    html = client.get("/staff/").content.decode()
    assert f'href="/staff/{social_worker.pk}/"' in html
    # The administrator of the same organisation is listed, not linked (the page says 403).
    assert administrator.organisation_id == manager.organisation_id
    assert administrator.username in html and f'href="/staff/{administrator.pk}/"' not in html


def test_a_manager_cannot_touch_an_administrator_who_also_keeps_a_caseload(
    client, manager, administrator
):
    # The role shown first (social worker) must not decide: any role beyond the manager's reach
    # puts the account beyond it.
    administrator.groups.add(Group.objects.get(name=Role.SOCIAL_WORKER))
    client.force_login(manager)
    assert client.get(f"/staff/{administrator.pk}/").status_code == 403
    response = client.post(
        f"/staff/{administrator.pk}/deactivate/",
        {"confirm_password": "correct-horse-battery-staple-42"},
    )
    assert response.status_code == 403
    administrator.refresh_from_db()
    assert administrator.is_active
    with pytest.raises(PermissionDenied):
        services.user_update(
            actor=manager,
            user=administrator,
            first_name="A",
            last_name="B",
            email="",
            organisation=administrator.organisation,
            role=Role.SOCIAL_WORKER,
        )
    assert User.objects.get(pk=administrator.pk).has_role(Role.ADMINISTRATOR)


def test_a_manager_changes_a_workers_role(client, manager, social_worker):
    client.force_login(manager)
    response = client.post(
        f"/staff/{social_worker.pk}/",
        {
            "first_name": "Anna",
            "last_name": "Nowa",
            "email": "",
            "organisation": social_worker.organisation_id,
            "role": Role.SHELTER_STAFF,
            **confirmation(manager),
        },
    )
    assert response.status_code == 302
    social_worker = User.objects.get(pk=social_worker.pk)
    assert social_worker.role == Role.SHELTER_STAFF
    assert list(social_worker.groups.all()) == [Group.objects.get(name=Role.SHELTER_STAFF)]


def test_deactivation_keeps_the_account_and_its_history(client, manager, social_worker):
    client.force_login(manager)
    response = client.post(
        f"/staff/{social_worker.pk}/deactivate/",
        confirmation(manager),
    )
    assert response.status_code == 302
    social_worker.refresh_from_db()
    assert social_worker.is_active is False
    assert social_worker.history.first().history_change_reason == "user_deactivate"
    assert social_worker.history.first().last_name == social_worker.last_name


def test_deactivation_needs_the_managers_password(client, manager, social_worker):
    client.force_login(manager)
    client.post(f"/staff/{social_worker.pk}/deactivate/", {"confirm_password": "nope"})
    social_worker.refresh_from_db()
    assert social_worker.is_active is True


def test_deactivation_needs_a_post(client, manager, social_worker):
    client.force_login(manager)
    assert client.get(f"/staff/{social_worker.pk}/deactivate/").status_code == 405


def test_a_deactivated_account_can_be_reactivated(client, manager, social_worker):
    services.user_deactivate(actor=manager, user=social_worker)
    client.force_login(manager)
    client.post(
        f"/staff/{social_worker.pk}/reactivate/",
        confirmation(manager),
    )
    social_worker.refresh_from_db()
    assert social_worker.is_active is True


def test_a_manager_cannot_deactivate_themselves(manager):
    with pytest.raises(services.ValidationError):
        services.user_deactivate(actor=manager, user=manager)


def test_users_are_never_deleted(social_worker):
    with pytest.raises(RuntimeError, match="deactivated, never deleted"):
        social_worker.delete()
    assert User.objects.filter(pk=social_worker.pk).exists()


def test_the_history_table_holds_no_password_hash(social_worker):
    from django.db import connection

    columns = [
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), "accounts_historicaluser"
        )
    ]
    assert "password" not in columns


def test_a_social_worker_cannot_reach_staff_management(client, social_worker, foundation):
    client.force_login(social_worker)
    assert client.post("/staff/new/", new_account(foundation)).status_code == 403
    assert not User.objects.filter(username="nowa").exists()


def test_a_forged_organisation_id_is_refused(client, manager):
    client.force_login(manager)
    other = OrganisationFactory(name="Obca organizacja")
    response = client.post("/staff/new/", new_account(other, actor=manager))
    assert response.status_code == 200
    assert not User.objects.filter(username="nowa").exists()


def test_staff_list_query_count_does_not_grow_with_staff(
    client, manager, foundation, django_assert_max_num_queries
):
    for n in range(30):
        UserFactory(username=f"extra{n}", organisation=foundation, role=Role.SOCIAL_WORKER)
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        assert client.get("/staff/").status_code == 200


@pytest.fixture
def own_client(social_worker):
    from tests.factories import make_client

    return make_client(first_name="Zenon", surname="Jesionowski", holder=social_worker)


def _edit(social_worker, *, actor, **changes):
    return {
        "first_name": social_worker.first_name,
        "last_name": social_worker.last_name,
        "email": "",
        "organisation": social_worker.organisation_id,
        "role": Role.SOCIAL_WORKER,
        **confirmation(actor),
        **changes,
    }


def test_a_worker_who_holds_files_keeps_the_role_until_they_are_handed_over(
    client, manager, social_worker, other_social_worker, own_client
):
    # The caseload's permissions would go with the worker into the new role.
    client.force_login(manager)
    response = client.post(
        f"/staff/{social_worker.pk}/", _edit(social_worker, actor=manager, role="shelter_staff")
    )
    assert response.status_code == 200
    assert "1 podopieczny wciąż jest przypisany tej osobie" in response.content.decode()
    social_worker = User.objects.get(pk=social_worker.pk)
    assert social_worker.role == Role.SOCIAL_WORKER
    # Handed over, the change goes through.
    from cases.services import client_handover

    client_handover(by=manager, client=own_client, to_worker=other_social_worker)
    response = client.post(
        f"/staff/{social_worker.pk}/", _edit(social_worker, actor=manager, role="shelter_staff")
    )
    assert response.status_code == 302
    assert User.objects.get(pk=social_worker.pk).role == Role.SHELTER_STAFF


def test_a_worker_who_holds_files_does_not_move_to_another_organisation(
    administrator, social_worker, own_client, cooperative
):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.user_update(
            actor=administrator,
            user=social_worker,
            first_name="Anna",
            last_name="Nowa",
            email="",
            organisation=cooperative,
            role=Role.SOCIAL_WORKER,
        )
    social_worker.refresh_from_db()
    assert social_worker.organisation_id != cooperative.pk
    # Renaming the same worker in the same organisation is no move.
    services.user_update(
        actor=administrator,
        user=social_worker,
        first_name="Anna",
        last_name="Nowa-Kowalska",
        email="",
        organisation=social_worker.organisation,
        role=Role.SOCIAL_WORKER,
    )
    assert User.objects.get(pk=social_worker.pk).last_name == "Nowa-Kowalska"


def test_deactivating_a_worker_who_holds_files_without_a_successor_is_refused(
    client, manager, social_worker, own_client
):
    client.force_login(manager)
    response = client.post(
        f"/staff/{social_worker.pk}/deactivate/",
        confirmation(manager),
        follow=True,
    )
    # Refused (issue 13): the manager chooses who takes the files over in the same step.
    assert User.objects.get(pk=social_worker.pk).is_active
    assert "1 podopieczny wciąż jest przypisany tej osobie" in response.content.decode()
