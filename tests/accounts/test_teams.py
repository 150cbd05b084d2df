"""Managers run the teams of their own organisation: create one, add and remove its members."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import TEAM_GROUP_PREFIX, Team, User
from accounts.roles import Role
from tests.factories import UserFactory
from tests.second_factor import confirmation_of

PASSWORD = "correct-horse-battery-staple-42"


def in_team(team, user) -> bool:
    return team.group.user_set.filter(pk=user.pk).exists()


def test_a_manager_creates_a_team_and_adds_members(client, manager, foundation, social_worker):
    client.force_login(manager)
    response = client.post("/teams/new/", {"name": "  Zespół   streetworkingu "})
    team = Team.objects.get()
    assert response.status_code == 302
    assert response.url == f"/teams/{team.pk}/"
    assert team.organisation == foundation
    assert team.name == "Zespół streetworkingu"
    response = client.post(
        f"/teams/{team.pk}/", {"user": social_worker.pk, **confirmation_of(client)}
    )
    assert response.status_code == 302
    assert in_team(team, social_worker)
    assert f"<td>{social_worker.username}</td>" in client.get(f"/teams/{team.pk}/").content.decode()
    reasons = [h.history_change_reason for h in team.history.order_by("history_date")]
    assert reasons == ["team_create", f"team_member_add user={social_worker.pk}"]
    assert team.history.last().history_user == manager


def test_a_teams_group_is_never_taken_for_a_role(team, social_worker):
    assert team.group.name.startswith(TEAM_GROUP_PREFIX)
    assert team.name not in team.group.name
    member = User.objects.get(pk=social_worker.pk)
    assert member.groups.count() == 2
    assert member.roles == {Role.SOCIAL_WORKER}
    assert member.role == Role.SOCIAL_WORKER
    assert member.role_label == Role.SOCIAL_WORKER.label
    assert list(User.objects.filter(groups__name=Role.SOCIAL_WORKER).order_by("pk")) == list(
        User.objects.filter(username__in=["sw", "sw2"]).order_by("pk")
    )


def test_the_team_list_shows_only_the_managers_organisations_teams(
    client, manager, team, outside_team
):
    client.force_login(manager)
    html = client.get("/teams/").content.decode()
    assert "Zespół testowy" in html
    assert "Zespół MOPS" not in html


def test_a_team_name_is_unique_in_the_organisation_whatever_the_case(client, manager, team):
    client.force_login(manager)
    response = client.post("/teams/new/", {"name": "zespół TESTOWY"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert Team.objects.count() == 1
    with pytest.raises(ValidationError):
        services.team_create(actor=manager, name="Zespół testowy")
    assert Team.objects.count() == 1
    assert not Group.objects.filter(name__startswith=TEAM_GROUP_PREFIX).exclude(team=team).exists()


def test_another_organisation_may_use_the_same_team_name(other_manager, team):
    other = services.team_create(actor=other_manager, name="Zespół testowy")
    assert other.organisation != team.organisation


def test_a_worker_of_another_organisation_cannot_be_added(client, manager, team, outside_worker):
    client.force_login(manager)
    response = client.post(
        f"/teams/{team.pk}/", {"user": outside_worker.pk, **confirmation_of(client)}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["user"]
    assert not in_team(team, outside_worker)
    with pytest.raises(ValidationError):
        services.team_member_add(actor=manager, team=team, user=outside_worker)
    assert not in_team(team, outside_worker)


@pytest.mark.parametrize("kind", ["shelter_staff", "deactivated", "manager"])
def test_only_active_social_workers_can_join(client, manager, foundation, team, kind):
    if kind == "deactivated":
        user = UserFactory(username="gone", organisation=foundation, role=Role.SOCIAL_WORKER)
        user.is_active = False
        user.save()
    else:
        user = UserFactory(username="other", organisation=foundation, role=kind)
    client.force_login(manager)
    response = client.post(f"/teams/{team.pk}/", {"user": user.pk, **confirmation_of(client)})
    assert response.status_code == 200
    assert response.context["form"].errors["user"]
    assert not in_team(team, user)


def test_a_member_cannot_be_added_twice(manager, team, social_worker):
    with pytest.raises(ValidationError):
        services.team_member_add(actor=manager, team=team, user=social_worker)


def test_a_manager_removes_a_member(client, manager, team, other_social_worker):
    client.force_login(manager)
    response = client.post(f"/teams/{team.pk}/members/{other_social_worker.pk}/remove/")
    assert response.status_code == 302
    assert not in_team(team, other_social_worker)
    assert team.history.first().history_change_reason == (
        f"team_member_remove user={other_social_worker.pk}"
    )
    # Removing someone who is not (or no longer) a member finds nothing.
    response = client.post(f"/teams/{team.pk}/members/{other_social_worker.pk}/remove/")
    assert response.status_code == 404


def test_removing_a_member_needs_a_post(client, manager, team, other_social_worker):
    client.force_login(manager)
    response = client.get(f"/teams/{team.pk}/members/{other_social_worker.pk}/remove/")
    assert response.status_code == 405
    assert in_team(team, other_social_worker)


def test_a_manager_of_another_organisation_reaches_none_of_our_teams(
    client, other_manager, team, social_worker, outside_team
):
    client.force_login(other_manager)
    assert client.get(f"/teams/{team.pk}/").status_code == 404
    assert (
        client.post(
            f"/teams/{team.pk}/", {"user": social_worker.pk, **confirmation_of(client)}
        ).status_code
        == 404
    )
    assert client.post(f"/teams/{team.pk}/members/{social_worker.pk}/remove/").status_code == 404
    assert in_team(team, social_worker)
    # Nor may they put our worker in their own team.
    response = client.post(
        f"/teams/{outside_team.pk}/", {"user": social_worker.pk, **confirmation_of(client)}
    )
    assert response.status_code == 200
    assert not in_team(outside_team, social_worker)
    with pytest.raises(PermissionDenied):
        services.team_member_add(actor=other_manager, team=team, user=social_worker)
    with pytest.raises(PermissionDenied):
        services.team_member_remove(actor=other_manager, team=team, user=social_worker)
    assert in_team(team, social_worker)


@pytest.mark.parametrize(
    "role",
    [
        Role.SOCIAL_WORKER,
        Role.SHELTER_STAFF,
        Role.JOB_COACH,
        Role.DPO,
        Role.PARTNER,
        Role.ADMINISTRATOR,
    ],
)
def test_other_roles_are_refused_the_team_pages(client, personas, team, role):
    client.force_login(personas[role])
    member = personas[Role.SOCIAL_WORKER]
    assert client.get("/teams/").status_code == 403
    assert client.get("/teams/new/").status_code == 403
    assert client.post("/teams/new/", {"name": "Zespół X"}).status_code == 403
    assert client.get(f"/teams/{team.pk}/").status_code == 403
    assert client.post(f"/teams/{team.pk}/members/{member.pk}/remove/").status_code == 403
    assert Team.objects.count() == 1
    assert in_team(team, member)
    with pytest.raises(PermissionDenied):
        services.team_create(actor=personas[role], name="Zespół Y")


@pytest.mark.parametrize("path", ["/teams/", "/teams/new/", "/teams/1/"])
def test_anonymous_visitors_are_sent_to_login_from_the_team_pages(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")


def test_only_managers_see_the_teams_entry(client, personas):
    from accounts.navigation import items_for

    for role, user in personas.items():
        urls = [item["url"] for item in items_for(user)]
        assert ("/teams/" in urls) == (role == Role.MANAGER), role


def staff_edit(client, user, **changes):
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": "",
        "organisation": user.organisation_id,
        "role": Role.SOCIAL_WORKER,
        **confirmation_of(client),
        **changes,
    }
    return client.post(f"/staff/{user.pk}/", data)


def test_editing_a_members_account_keeps_them_in_their_teams(client, manager, team, social_worker):
    client.force_login(manager)
    assert staff_edit(client, social_worker, last_name="Nowe").status_code == 302
    assert in_team(team, social_worker)
    assert User.objects.get(pk=social_worker.pk).roles == {Role.SOCIAL_WORKER}


def test_a_member_who_stops_being_a_social_worker_leaves_their_teams(
    client, manager, team, social_worker
):
    client.force_login(manager)
    assert staff_edit(client, social_worker, role=Role.SHELTER_STAFF).status_code == 302
    assert not in_team(team, social_worker)
    assert team.history.first().history_change_reason == (
        f"team_member_remove user={social_worker.pk}"
    )


def test_a_member_who_moves_to_another_organisation_leaves_its_teams(
    administrator, team, social_worker, welfare_centre
):
    services.user_update(
        actor=administrator,
        user=social_worker,
        first_name="A",
        last_name="B",
        email="",
        organisation=welfare_centre,
        role=Role.SOCIAL_WORKER,
    )
    assert not in_team(team, social_worker)


def test_the_team_pages_stay_constant_in_queries(
    client, manager, foundation, team, django_assert_max_num_queries
):
    for n in range(20):
        worker = UserFactory(username=f"w{n}", organisation=foundation, role=Role.SOCIAL_WORKER)
        services.team_member_add(actor=manager, team=team, user=worker)
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        assert client.get("/teams/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(f"/teams/{team.pk}/").status_code == 200


def test_adding_a_member_asks_for_the_managers_password(client, manager, team, foundation):
    # A new member reaches every file of the team: a sensitive change, like a role change.
    newcomer = UserFactory(username="sw3", organisation=foundation, role=Role.SOCIAL_WORKER)
    client.force_login(manager)
    response = client.post(
        f"/teams/{team.pk}/", {"user": newcomer.pk, "confirm_password": "zgaduję"}
    )
    assert response.status_code == 200
    assert "Twoje hasło jest niepoprawne" in response.content.decode()
    assert not newcomer.groups.filter(pk=team.group_id).exists()
    client.post(f"/teams/{team.pk}/", {"user": newcomer.pk, **confirmation_of(client)})
    assert newcomer.groups.filter(pk=team.group_id).exists()
