"""Walk-ins at the door: search first, then check in the person found or register a new one
and check them in, in one POST and one transaction."""

import datetime

import pytest
from django.db import connection

from audit.models import AccessLogEntry
from cases.models import Client, Consent, PathwayStep, WalkIn
from privacy.models import Subject
from shelters import services
from shelters.models import Stay
from shelters.people import short_id
from tests.factories import make_client


def url(facility):
    return f"/shelters/{facility.pk}/walk-in/"


def record(bed, **changes):
    data = {
        "step": "register",
        "new-first_name": "Zbigniew",
        "new-surname": "Przybysz",
        "new-sex": "male",
        "new-birth_year": "1968",
        "new-birth_year_estimated": "on",
        "new-note": "Przyszedł sam, zmarznięty; mówi, że spał na dworcu.",
        "new-legal_basis": "vital_interest",
        "new-bed": str(bed.pk),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def known(social_worker):
    """Someone in a social worker's caseload, never seen at facility A."""
    return make_client(
        first_name="Ryszard",
        surname="Dębowiak",
        sex="male",
        birth_date=datetime.date(1971, 3, 3),
        holder=social_worker,
    )


def test_the_board_offers_the_walk_in_flow(client, staff_of_a, facility_a):
    client.force_login(staff_of_a)
    assert url(facility_a) in client.get(f"/shelters/{facility_a.pk}/").content.decode()
    # And the check-in, for someone the facility does not know.
    page = client.get(f"/shelters/{facility_a.pk}/check-in/").content.decode()
    assert url(facility_a) in page and "Placówka nie zna tej osoby?" in page


def test_a_walk_in_is_registered_and_checked_in_in_one_post(
    client, staff_of_a, facility_a, beds, evening
):
    client.force_login(staff_of_a)
    response = client.post(url(facility_a), record(beds["1.2"]), follow=True)
    assert response.redirect_chain[-1][0] == f"/shelters/{facility_a.pk}/"
    walk_in = WalkIn.objects.with_keys().select_related("client").get()
    person = walk_in.client
    assert (person.first_name, person.surname, person.sex) == ("Zbigniew", "Przybysz", "male")
    assert person.birth_year == 1968 and walk_in.birth_year_estimated
    assert walk_in.note.startswith("Przyszedł sam")
    assert walk_in.organisation == facility_a.organisation
    assert walk_in.registered_by == staff_of_a and walk_in.taken_at is None
    stay = Stay.objects.get(client=person)
    assert stay.bed == beds["1.2"] and stay.ended_at is None
    # The legal basis is recorded as for any intake; the ladder starts at the night shelter.
    consent = Consent.objects.get(client=person)
    assert (consent.purpose, consent.legal_basis) == ("case_work", "vital_interest")
    assert PathwayStep.objects.get(client=person).stage == "emergency"
    # Nobody holds the file yet: it waits for a social worker.
    assert not person.assignments.exists()
    # The message is one neutral sentence and names no one.
    page = response.content.decode()
    assert "Przyjęto na miejsce: Sala 1 / 1.2." in page
    assert "Zbigniew" not in page.split("<main")[1].split("</div>")[0]
    purposes = set(
        AccessLogEntry.objects.filter(subject_id=person.pk).values_list("purpose", flat=True)
    )
    assert {"walk_in", "check_in"} <= purposes


def test_a_woman_without_a_surname_is_registered_with_the_refusal_recorded(
    client, staff_of_a, facility_a, beds
):
    client.force_login(staff_of_a)
    data = record(
        beds["2.1"],
        **{
            "new-first_name": "Halina",
            "new-surname": "",
            "new-surname_refused": "on",
            "new-sex": "female",
            "new-birth_year": "",
            "new-birth_year_estimated": None,
        },
    )
    response = client.post(url(facility_a), data, follow=True)
    assert "Przyjęto na miejsce: Sala 2 / 2.1." in response.content.decode()
    walk_in = WalkIn.objects.with_keys().select_related("client").get()
    assert walk_in.surname_refused and walk_in.client.surname == ""
    assert walk_in.client.birth_year is None
    assert walk_in.client.display_name == "Halina"


def test_a_refused_check_in_leaves_nothing_behind(client, staff_of_a, facility_a, beds):
    """A woman into the men's room: the check-in refuses, and no client, key or stay remain."""
    client.force_login(staff_of_a)
    subjects = Subject.objects.count()
    response = client.post(url(facility_a), record(beds["1.1"], **{"new-sex": "female"}))
    assert response.status_code == 200
    assert "dla osób drugiej płci" in response.content.decode()
    assert Subject.objects.count() == subjects
    assert not Client.objects.exists()
    assert not WalkIn.objects.exists()
    assert not Stay.objects.exists()
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"new-surname": ""}, "Podaj nazwisko albo zaznacz, że osoba odmówiła jego podania."),
        (
            {"new-surname_refused": "on"},
            "Podaj nazwisko albo zaznacz, że osoba odmówiła jego podania – nie jedno i drugie.",
        ),
        ({"new-sex": ""}, "Wybierz płeć osoby."),
        ({"new-legal_basis": ""}, "Wybierz podstawę prawną zapisania danych."),
        (
            {"new-birth_year": "", "new-birth_year_estimated": "on"},
            "Podaj szacowany rok urodzenia.",
        ),
        ({"new-birth_year": "2999"}, "Rok urodzenia nie może być w przyszłości."),
        ({"new-bed": ""}, "Wybierz wolne łóżko."),
    ],
)
def test_bad_input_gives_the_form_back_and_saves_nothing(
    client, staff_of_a, facility_a, beds, changes, error
):
    client.force_login(staff_of_a)
    response = client.post(url(facility_a), record(beds["1.1"], **changes))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Client.objects.exists() and not Stay.objects.exists()


def test_sex_and_legal_basis_have_no_preselected_value(client, staff_of_a, facility_a):
    client.force_login(staff_of_a)
    page = client.post(
        url(facility_a), {"step": "search", "first_name": "Jan", "surname": "Nikt"}
    ).content.decode()
    assert 'name="new-sex"' in page and 'name="new-legal_basis"' in page
    for code in ("female", "male", "not_known", "consent", "vital_interest", "public_task"):
        assert f'value="{code}" selected' not in page
    # The register form carries what was typed in the search.
    assert 'name="new-first_name" value="Jan"' in page


def test_names_and_the_note_are_ciphertext_in_the_database(client, staff_of_a, facility_a, beds):
    client.force_login(staff_of_a)
    client.post(url(facility_a), record(beds["1.1"]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM cases_walkin")
        notes = [bytes(row[0]) for row in cursor.fetchall()]
        cursor.execute("SELECT note FROM cases_historicalwalkin")
        notes += [bytes(row[0]) for row in cursor.fetchall()]
        cursor.execute("SELECT first_name, surname FROM cases_client")
        names = [bytes(value) for row in cursor.fetchall() for value in row]
    assert notes and names
    for raw in notes:
        assert b"dworcu" not in raw and "Przyszedł".encode() not in raw
    for raw in names:
        assert b"Zbigniew" not in raw and b"Przybysz" not in raw


def test_the_search_tells_staff_only_that_the_person_is_known(
    client, staff_of_a, facility_a, known, social_worker
):
    client.force_login(staff_of_a)
    response = client.post(
        url(facility_a), {"step": "search", "first_name": "ryszard", "surname": "DĘBOWIAK"}
    )
    page = response.content.decode()
    assert "1971" in page and short_id(known.pk) in page
    # Never the holder, nor anything of the file.
    matches = page.split('id="matches"')[1].split("</section>")[0]
    assert social_worker.get_full_name() not in matches
    assert "Fundacja Testowa" not in matches
    row = AccessLogEntry.objects.get(subject_id=known.pk)
    assert (row.action, row.purpose, row.actor_id) == ("search", "walk_in_search", staff_of_a.pk)


def test_a_known_person_found_at_the_door_is_checked_in(client, staff_of_a, facility_a, known):
    client.force_login(staff_of_a)
    data = {
        "step": "admit",
        "first_name": "Ryszard",
        "surname": "Dębowiak",
        "pesel": "",
        "client": str(known.pk),
        "bed": "",
    }
    response = client.post(url(facility_a), data, follow=True)
    assert "Przyjęto na miejsce:" in response.content.decode()
    assert Stay.objects.get(client=known).facility == facility_a
    # No new record: the known person is not registered twice.
    assert Client.objects.count() == 1 and not WalkIn.objects.exists()


def test_an_id_alone_opens_no_one(client, staff_of_a, facility_a, known):
    """The pick must come with the search that found the person: another name gives 404."""
    client.force_login(staff_of_a)
    data = {"step": "admit", "first_name": "Jan", "surname": "Kowalski", "client": str(known.pk)}
    assert client.post(url(facility_a), data).status_code == 404
    assert not Stay.objects.exists()


def test_a_banned_person_found_at_the_door_cannot_be_picked(
    client, staff_of_a, manager_of_a, facility_a, known
):
    services.ban_impose(
        by=manager_of_a,
        facility=facility_a,
        client=known,
        reason="Agresja",
        ends_on=datetime.date.today() + datetime.timedelta(days=30),
    )
    client.force_login(staff_of_a)
    page = client.post(
        url(facility_a), {"step": "search", "first_name": "Ryszard", "surname": "Dębowiak"}
    ).content.decode()
    assert "zakaz pobytu do" in page.lower()
    assert 'value="admit"' not in page


def test_someone_already_in_a_bed_elsewhere_is_not_offered(
    client, staff_of_a, facility_a, facility_b, known
):
    from guardian.shortcuts import assign_perm

    from tests.factories import UserFactory

    other = UserFactory(
        username="staff-b", organisation=facility_b.organisation, role="shelter_staff"
    )
    assign_perm("shelters.operate_facility", other, facility_b)
    services.stay_check_in(by=other, facility=facility_b, client=known)
    client.force_login(staff_of_a)
    page = client.post(
        url(facility_a), {"step": "search", "first_name": "Ryszard", "surname": "Dębowiak"}
    ).content.decode()
    assert "Ma już łóżko na tę noc." in page
    # Where is not said.
    assert facility_b.name not in page


def test_anonymous_visitors_are_sent_to_login(client, facility_a):
    response = client.get(url(facility_a))
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize("role", ["job_coach", "dpo", "partner", "administrator"])
def test_other_roles_are_refused(client, personas, role, facility_a, beds):
    client.force_login(personas[role])
    assert client.get(url(facility_a)).status_code == 403
    assert client.post(url(facility_a), record(beds["1.1"])).status_code == 403
    assert not Client.objects.exists()


def test_staff_of_another_facility_get_404(client, staff_of_a, facility_b):
    client.force_login(staff_of_a)
    bed = facility_b.beds.first()
    assert client.get(url(facility_b)).status_code == 404
    assert client.post(url(facility_b), record(bed)).status_code == 404
    assert not Client.objects.exists()


def test_the_service_refuses_someone_who_does_not_work_in_the_facility(shelter_staff, facility_b):
    from django.core.exceptions import PermissionDenied

    from shelters.walkins import walk_in_admit

    with pytest.raises(PermissionDenied):
        walk_in_admit(
            by=shelter_staff,
            facility=facility_b,
            bed=facility_b.beds.first(),
            first_name="Jan",
            surname="Nowak",
            sex="male",
            legal_basis="consent",
        )
    assert not Client.objects.exists()


def test_the_facility_staff_reach_the_walk_in_through_the_stay(
    client, staff_of_a, facility_a, beds
):
    from accounts import reach

    client.force_login(staff_of_a)
    client.post(url(facility_a), record(beds["1.1"]))
    person = Client.objects.get()
    found = reach.reach_of(staff_of_a, person.pk)
    assert found.ways == {"facility_staff"}
    assert "file" not in found.reads


def test_the_refused_surname_is_said_the_same_way_for_anyone():
    from django.utils import translation

    from shelters.walkin_forms import WalkInForm

    with translation.override("pl"):
        label = str(WalkInForm.base_fields["surname_refused"].label)
    assert label == "Nazwisko: odmowa podania"


def test_a_search_with_no_match_says_it_once(client, staff_of_a, facility_a):
    client.force_login(staff_of_a)
    page = client.post(
        url(facility_a), {"step": "search", "first_name": "Nikodem", "surname": "Nieznany"}
    ).content.decode()
    assert "Nikt o tych danych nie jest znany." in page
    assert "0 znanych osób" not in page


def test_the_shelter_pages_name_the_mixed_rooms_and_the_start_page_agrees_with_itself(
    client, staff_of_a, facility_a, facility_b
):
    from guardian.shortcuts import assign_perm

    assign_perm("shelters.operate_facility", staff_of_a, facility_b)
    client.force_login(staff_of_a)
    assert (
        '<th scope="col">Pokoje koedukacyjne</th>' in client.get("/shelters/city/").content.decode()
    )
    start = client.get("/shelters/start/").content.decode()
    assert "<h1>Twoje placówki</h1>" in start
    assert "<title>Twoje placówki" in start


def test_an_estimated_year_of_birth_keeps_its_mark_on_the_board_and_at_the_door(
    client, staff_of_a, facility_a, beds
):
    from shelters.walkins import walk_in_admit

    walk_in_admit(
        by=staff_of_a,
        facility=facility_a,
        bed=beds["1.1"],
        first_name="Zbigniew",
        surname="Przybysz",
        sex="male",
        birth_year=1968,
        birth_year_estimated=True,
        note="",
        legal_basis="vital_interest",
    )
    client.force_login(staff_of_a)
    assert "ok. 1968 · #" in client.get(f"/shelters/{facility_a.pk}/").content.decode()
    page = client.post(
        url(facility_a), {"step": "search", "first_name": "Zbigniew", "surname": "Przybysz"}
    ).content.decode()
    assert "ok. 1968 · #" in page
