"""Each role sees only its navigation and is refused another role's pages."""

import pytest
from django.urls import reverse

from accounts.roles import Role

ROLE_SLUGS = {role: role.replace("_", "-") for role in Role.values}
STAFF_PAGES = ["/staff/", "/staff/new/"]


@pytest.mark.parametrize("role", Role.values)
def test_each_role_lands_on_its_own_start_page(client, personas, role):
    client.force_login(personas[role])
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == f"/start/{ROLE_SLUGS[role]}/"
    assert client.get(response.url).status_code == 200


@pytest.mark.parametrize("role", Role.values)
def test_each_role_is_refused_every_other_roles_start_page(client, personas, role):
    client.force_login(personas[role])
    for other in Role.values:
        if other == role:
            continue
        assert client.get(f"/start/{ROLE_SLUGS[other]}/").status_code == 403, other


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ADMINISTRATOR])
def test_staff_managers_see_the_staff_entry(client, personas, role):
    client.force_login(personas[role])
    html = client.get(f"/start/{ROLE_SLUGS[role]}/").content.decode()
    assert reverse("accounts:staff-list") in html


@pytest.mark.parametrize(
    "role", [Role.SOCIAL_WORKER, Role.SHELTER_STAFF, Role.JOB_COACH, Role.DPO, Role.PARTNER]
)
def test_other_roles_neither_see_nor_open_the_staff_pages(client, personas, role):
    client.force_login(personas[role])
    html = client.get(f"/start/{ROLE_SLUGS[role]}/").content.decode()
    assert reverse("accounts:staff-list") not in html
    for page in STAFF_PAGES:
        assert client.get(page).status_code == 403, page


def test_a_user_without_a_role_is_told_so(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="norole"))
    response = client.get("/")
    assert response.status_code == 403
    assert "Brak przypisanej roli" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/", "/start/social-worker/", "/staff/", "/staff/new/", "/staff/1/", "/password/"]
)
def test_anonymous_visitors_are_sent_to_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/login/?next=")


def test_an_unknown_role_page_is_not_found(client, social_worker):
    client.force_login(social_worker)
    assert client.get("/start/wizard/").status_code == 404


def test_the_navigation_of_a_role_lists_only_its_entries(client, personas):
    from accounts.navigation import items_for

    for role, user in personas.items():
        for item in items_for(user):
            # Every listed entry opens for this user.
            assert client.get(item["url"]).status_code in (200, 302), (role, item)
