"""New walk-ins: the organisation's social workers see them, one takes the file (becomes its
holder) and completes the intake; no one else reaches them by this way."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import reach
from audit.models import AccessLogEntry
from cases import services
from cases.models import Assignment, CaseEpisode, Client, WalkIn

LIST = "/clients/walk-ins/"


def take_url(walk_in):
    return f"/clients/walk-ins/{walk_in.client_id}/take/"


@pytest.fixture
def walk_in(staff_of_a, facility_a):
    """A man registered at facility A's door (the foundation's) and checked in."""
    from shelters.walkins import walk_in_admit

    stay = walk_in_admit(
        by=staff_of_a,
        facility=facility_a,
        bed=facility_a.beds.get(label="1.1"),
        first_name="Zbigniew",
        surname="Przybysz",
        sex="male",
        birth_year=1968,
        birth_year_estimated=True,
        note="Spał na dworcu.",
        legal_basis="vital_interest",
    )
    return WalkIn.objects.get(client=stay.client)


def test_the_organisations_social_workers_see_the_walk_in_with_a_count(
    client, social_worker, walk_in
):
    client.force_login(social_worker)
    response = client.get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Zbigniew" in page and "Przybysz" in page
    assert "1968 (szacowany)" in page
    assert "Spał na dworcu." in page
    assert "1 osoba przyjęta przy drzwiach czeka na pracownika socjalnego." in page
    row = AccessLogEntry.objects.get(actor=social_worker, subject_id=walk_in.client_id)
    assert (row.action, row.purpose) == ("view", "walk_ins")


def test_the_caseload_counts_the_walk_ins_and_the_navigation_leads_there(
    client, social_worker, walk_in
):
    client.force_login(social_worker)
    page = client.get("/clients/").content.decode()
    assert "1 nowa osoba z ulicy czeka na pracownika socjalnego." in page
    assert f'href="{LIST}"' in page


def test_the_list_keeps_its_query_count_as_walk_ins_grow(
    client, social_worker, staff_of_a, facility_a, walk_in, django_assert_max_num_queries
):
    from shelters.walkins import walk_in_admit

    client.force_login(social_worker)
    client.get(LIST)
    with django_assert_max_num_queries(30) as one:
        client.get(LIST)
    for label in ("1.2", "1.3"):
        walk_in_admit(
            by=staff_of_a,
            facility=facility_a,
            bed=facility_a.beds.get(label=label),
            first_name="Jan",
            surname=f"Próbny{label}",
            sex="male",
            legal_basis="public_task",
        )
    # The reads stay the same; only the access-log row per person shown comes on top (five
    # statements each: a savepoint, the chain head, the row, the head again, the release).
    with django_assert_max_num_queries(len(one.captured_queries) + 2 * 5):
        assert "Próbny1.3" in client.get(LIST).content.decode()


def test_a_social_worker_of_another_organisation_does_not_reach_the_walk_in(
    client, outside_worker, walk_in
):
    client.force_login(outside_worker)
    assert "Zbigniew" not in client.get(LIST).content.decode()
    assert client.post(take_url(walk_in)).status_code == 404
    assert not reach.reach_of(outside_worker, walk_in.client_id)
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("role", ["shelter_staff", "manager", "job_coach", "dpo", "partner"])
def test_other_roles_cannot_open_the_list_or_take_a_file(client, personas, role, walk_in):
    client.force_login(personas[role])
    assert client.get(LIST).status_code == 403
    assert client.post(take_url(walk_in)).status_code == 403
    assert not Assignment.objects.exists()


def test_anonymous_visitors_are_sent_to_login(client, walk_in):
    response = client.get(LIST)
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_walk_in_way_shows_who_the_person_is_and_nothing_of_a_file(
    client, social_worker, walk_in
):
    found = reach.reach_of(social_worker, walk_in.client_id)
    assert found.ways == {"walk_in"}
    assert found.reads == {"identity"} and not found.writes
    client.force_login(social_worker)
    assert client.get(f"/clients/{walk_in.client_id}/").status_code == 404


def test_taking_the_file_makes_the_worker_its_holder_and_opens_the_intake(
    client, social_worker, other_social_worker, walk_in
):
    client.force_login(social_worker)
    response = client.post(take_url(walk_in))
    assert response.status_code == 302
    assert response.url == f"/clients/{walk_in.client_id}/edit/"
    walk_in.refresh_from_db()
    assert walk_in.taken_by == social_worker and walk_in.taken_at is not None
    assert Assignment.objects.current().get(client_id=walk_in.client_id).worker == social_worker
    assert CaseEpisode.objects.filter(client_id=walk_in.client_id, closed_on=None).exists()
    assert reach.reach_of(social_worker, walk_in.client_id).ways == {"holder"}
    # The colleague no longer sees it in the list, nor reaches the person.
    assert not reach.reach_of(other_social_worker, walk_in.client_id)
    client.force_login(other_social_worker)
    assert "Zbigniew" not in client.get(LIST).content.decode()
    assert client.post(take_url(walk_in)).status_code == 404
    row = AccessLogEntry.objects.get(purpose="walk_in_take")
    assert (row.actor_id, row.subject_id) == (social_worker.pk, walk_in.client_id)


def test_of_two_workers_taking_at_once_the_second_is_told_a_colleague_has_it(
    social_worker, other_social_worker, walk_in
):
    services.walk_in_take(by=social_worker, client_id=walk_in.client_id)
    with pytest.raises(ValidationError) as refused:
        services.walk_in_take(by=other_social_worker, client_id=walk_in.client_id)
    assert refused.value.code == "taken"
    assert Assignment.objects.current().get().worker == social_worker


def test_only_social_workers_of_the_organisation_take_a_file(outside_worker, manager, walk_in):
    for user in (outside_worker, manager):
        with pytest.raises(PermissionDenied):
            services.walk_in_take(by=user, client_id=walk_in.client_id)
    assert not Assignment.objects.exists()


def test_the_holder_completes_the_intake_and_the_person_leaves_the_list(
    client, social_worker, walk_in
):
    client.force_login(social_worker)
    client.post(take_url(walk_in))
    form = client.get(f"/clients/{walk_in.client_id}/edit/").content.decode()
    assert 'value="Zbigniew"' in form and 'value="Przybysz"' in form
    data = {
        "first_name": "Zbigniew",
        "surname": "Przybysz",
        "pesel": "",
        "birth_date": "1968-05-04",
        "sex": "male",
        "pathway_stage": "emergency",
        "ethos": "2",
        "phone": "",
        "email": "",
    }
    response = client.post(f"/clients/{walk_in.client_id}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    person = Client.objects.with_keys().get(pk=walk_in.client_id)
    assert str(person.birth_date) == "1968-05-04" and person.ethos == "2"
    assert "Zbigniew" not in client.get(LIST).content.decode()


def test_a_walk_in_who_refused_the_surname_can_be_completed_without_one(
    client, social_worker, staff_of_a, facility_a
):
    from shelters.walkins import walk_in_admit

    stay = walk_in_admit(
        by=staff_of_a,
        facility=facility_a,
        bed=facility_a.beds.get(label="2.1"),
        first_name="Halina",
        surname_refused=True,
        sex="female",
        legal_basis="consent",
    )
    client.force_login(social_worker)
    assert "odmowa podania nazwiska" in client.get(LIST).content.decode()
    services.walk_in_take(by=social_worker, client_id=stay.client_id)
    data = {"first_name": "Halina", "surname": "", "sex": "female", "pathway_stage": "emergency"}
    data["ethos"] = "unknown"
    response = client.post(f"/clients/{stay.client_id}/edit/", data)
    assert response.status_code == 302
    # A new registration still asks for the surname.
    response = client.post("/clients/new/", {**data, "first_name": "Jan"})
    assert response.status_code == 200
    assert not Client.objects.filter(registered_by=social_worker).exists()


def test_an_erased_walk_in_leaves_the_list(client, social_worker, walk_in):
    from django.utils import timezone

    from privacy.models import Subject

    Subject.objects.filter(pk=walk_in.client_id).update(erased_at=timezone.now())
    client.force_login(social_worker)
    assert "Nikt nie oczekuje." in client.get(LIST).content.decode()
    assert client.post(take_url(walk_in)).status_code == 404


def test_the_door_note_becomes_the_files_first_case_note_and_stays_ciphertext(
    client, social_worker, staff_of_a, walk_in
):
    from django.db import connection
    from django.utils import timezone

    from cases.models import CaseNote

    client.force_login(social_worker)
    client.post(take_url(walk_in))
    note = CaseNote.objects.get(client_id=walk_in.client_id)
    assert note.text == "Notatka z przyjęcia przy drzwiach:\nSpał na dworcu."
    assert note.author == staff_of_a and note.noted_on == timezone.localdate(walk_in.registered_at)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM cases_casenote")
        (raw,) = cursor.fetchone()
        cursor.execute("SELECT text FROM cases_historicalcasenote")
        (raw_history,) = cursor.fetchone()
    assert b"dworcu" not in bytes(raw) and b"dworcu" not in bytes(raw_history)
    assert "Spał na dworcu." in client.get(f"/clients/{walk_in.client_id}/").content.decode()
