"""Households: each member their own data subject; the do-not-disclose list from the file."""

from django.db import connection

from cases.models import DoNotDisclose, HouseholdMember
from privacy.models import DataKey
from tests.factories import make_client


def test_a_child_is_added_as_a_data_subject_with_its_own_key(client, social_worker):
    mother = make_client(
        first_name="Teresa", surname="Brzozowa", sex="female", holder=social_worker
    )
    client.force_login(social_worker)
    response = client.post(
        f"/clients/{mother.pk}/household/members/",
        {
            "member-first_name": "Zuzia",
            "member-surname": "Brzozowa",
            "member-birth_date": "2021-05-01",
            "member-relationship": "child",
            "member-sex": "female",
        },
    )
    assert response.status_code == 302
    child = HouseholdMember.objects.get()
    assert child.household.head == mother
    assert DataKey.objects.filter(subject_id=child.pk).exists()
    assert child.pk != mother.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT first_name FROM cases_householdmember")
        (raw,) = cursor.fetchone()
    assert b"Zuzia" not in bytes(raw)
    assert "Zuzia" in client.get(f"/clients/{mother.pk}/household/").content.decode()


def test_a_child_born_in_the_future_is_refused(client, social_worker):
    mother = make_client(
        first_name="Teresa", surname="Brzozowa", sex="female", holder=social_worker
    )
    client.force_login(social_worker)
    client.post(
        f"/clients/{mother.pk}/household/members/",
        {
            "member-first_name": "X",
            "member-birth_date": "2999-01-01",
            "member-relationship": "child",
            "member-sex": "female",
        },
    )
    assert not HouseholdMember.objects.exists()


def test_a_do_not_disclose_entry_links_the_other_file_and_warns(
    client, social_worker, other_social_worker
):
    victim = make_client(
        first_name="Teresa", surname="Brzozowa", sex="female", holder=social_worker
    )
    partner = make_client(first_name="Bogdan", surname="Brzozowy", holder=other_social_worker)
    client.force_login(social_worker)
    client.post(
        f"/clients/{victim.pk}/household/do-not-disclose/",
        {
            "dnd-person_name": "Bogdan Brzozowy",
            "dnd-other_file": str(partner.pk),
        },
    )
    assert DoNotDisclose.objects.get().other_client == partner
    assert "Nie ujawniaj obecności" in client.get(f"/clients/{victim.pk}/").content.decode()
    client.force_login(other_social_worker)
    html = client.post(
        "/clients/search/", {"surname": "Brzozowa", "first_name": "Teresa"}
    ).content.decode()
    assert "Nikt nie pasuje" in html


def test_an_unknown_file_identifier_is_refused(client, social_worker):
    victim = make_client(
        first_name="Teresa", surname="Brzozowa", sex="female", holder=social_worker
    )
    client.force_login(social_worker)
    response = client.post(
        f"/clients/{victim.pk}/household/do-not-disclose/",
        {
            "dnd-person_name": "Ktoś",
            "dnd-other_file": "00000000-0000-0000-0000-000000000000",
        },
    )
    assert "Nie ma akt o tym identyfikatorze" in response.content.decode()
    assert not DoNotDisclose.objects.exists()


def _household_posts(person):
    return [
        (
            f"/clients/{person.pk}/household/members/",
            {"member-first_name": "Zuzia", "member-relationship": "child", "member-sex": "female"},
        ),
        (f"/clients/{person.pk}/household/do-not-disclose/", {"dnd-person_name": "Ktoś"}),
    ]


def test_the_household_actions_are_refused_to_all_but_the_files_writers(
    client, personas, other_social_worker
):
    from cases import services

    social_worker = personas["social_worker"]
    mother = make_client(
        first_name="Teresa", surname="Brzozowa", sex="female", holder=social_worker
    )
    for role, user in personas.items():
        if role == "social_worker":
            continue
        client.force_login(user)
        for path, data in _household_posts(mother):
            assert client.post(path, data).status_code == 403, (role, path)
    client.force_login(other_social_worker)
    for path, data in _household_posts(mother):
        assert client.post(path, data).status_code == 404, path
    services.break_glass_open(by=other_social_worker, client=mother, reason="Kryzys w nocy, pilne")
    for path, data in _household_posts(mother):
        assert client.post(path, data).status_code == 403, path
    client.logout()
    for path, data in _household_posts(mother):
        response = client.post(path, data)
        assert response.status_code == 302 and response.url.startswith("/login/")
    assert not HouseholdMember.objects.exists() and not DoNotDisclose.objects.exists()
