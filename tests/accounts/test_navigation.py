"""Each role sees only its navigation and is refused another role's pages."""

import pytest
from django.urls import reverse

from accounts.roles import Role

ROLE_SLUGS = {role: role.replace("_", "-") for role in Role.values}
STAFF_PAGES = ["/staff/", "/staff/new/"]


# Where each role lands: the page of its work its app declared (AppConfig.landing).
LANDINGS = {
    Role.SOCIAL_WORKER: "/clients/",
    Role.SHELTER_STAFF: "/shelters/start/",
    Role.MANAGER: "/todo/",
    Role.DPO: "/privacy/people/",
    Role.CLUSTER_DPO: "/privacy/people/",
    Role.PARTNER: "/clients/partner/",
    Role.ADMINISTRATOR: "/staff/",
}


@pytest.mark.parametrize("role", Role.values)
def test_each_role_lands_on_the_page_of_its_work(client, personas, role):
    from accounts.navigation import landing_name

    client.force_login(personas[role])
    response = client.get("/")
    assert response.status_code == 302
    # The job coach's start is activation's to declare; a role nobody declares gets its cards.
    declared = landing_name(role)
    fallback = reverse(declared) if declared else f"/start/{ROLE_SLUGS[role]}/"
    assert response.url == LANDINGS.get(role, fallback)
    assert client.get(response.url, follow=True).status_code == 200


def test_a_landing_is_what_an_app_declares(personas):
    from accounts.navigation import landing_for, landing_name

    assert landing_name(Role.MANAGER) == "accounts:todo"
    assert landing_name(None) is None
    assert landing_for(personas[Role.SOCIAL_WORKER]) == "/clients/"


def test_the_card_page_of_a_role_stays_reachable(client, personas):
    client.force_login(personas[Role.MANAGER])
    assert client.get("/start/manager/").status_code == 200


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
        client.force_login(user)
        for item in items_for(user):
            # Every listed entry opens for this user.
            assert client.get(item["url"]).status_code in (200, 302), (role, item)


def test_a_partner_has_its_referrals_in_the_navigation(client, partner_user):
    from accounts.navigation import items_for

    assert reverse("cases:partner-referrals") in [item["url"] for item in items_for(partner_user)]
    client.force_login(partner_user)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert reverse("cases:partner-referrals") in response.content.decode()


# --- shelter staff land on their facility's board ------------------------------------------


def test_shelter_staff_of_one_facility_land_on_its_board(client, staff_of_a, facility_a):
    client.force_login(staff_of_a)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("shelters:board", args=[facility_a.pk])
    assert response.status_code == 200
    assert facility_a.name in response.content.decode()


def test_shelter_staff_of_several_facilities_choose_among_them(
    client, staff_of_a, facility_a, facility_b
):
    from guardian.shortcuts import assign_perm

    assign_perm("shelters.operate_facility", staff_of_a, facility_b)
    client.force_login(staff_of_a)
    response = client.get("/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/shelters/start/"
    assert reverse("shelters:board", args=[facility_a.pk]) in html
    assert reverse("shelters:board", args=[facility_b.pk]) in html


def test_shelter_staff_of_no_facility_are_told_whom_to_ask(client, shelter_staff):
    client.force_login(shelter_staff)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert "poproś kierownika" in response.content.decode()


def test_only_shelter_staff_open_the_shelter_start(client, personas):
    for role, user in personas.items():
        if role == Role.SHELTER_STAFF:
            continue
        client.force_login(user)
        assert client.get("/shelters/start/").status_code == 403, role
