"""What a search tells a worker (issue 10, item 8): how strong each match is, which organisation
holds a file found elsewhere (its manager decides a handover), and that registering a new client
stays one click away whatever was found: a namesake is not the same person."""

import datetime

import pytest

from cases.pesel import synthesize
from tests.factories import make_client

BORN = datetime.date(1971, 3, 14)
PESEL = synthesize(BORN, female=False, serial=123)
NEW_CLIENT_LINK = 'href="/clients/new/"'


@pytest.fixture
def held_elsewhere(outside_worker):
    """A client held by the welfare centre's worker (another organisation)."""
    return make_client(
        first_name="Ryszard",
        surname="Dąbrowski",
        pesel=PESEL,
        birth_date=BORN,
        holder=outside_worker,
    )


def search(client, user, **terms):
    client.force_login(user)
    return client.post("/clients/search/", terms).content.decode()


def test_registering_a_new_client_stays_reachable_whatever_the_search_found(
    client, social_worker, held_elsewhere
):
    own = make_client(first_name="Jan", surname="Kowal", holder=social_worker)
    found_elsewhere = search(client, social_worker, surname="Dąbrowski", first_name="Ryszard")
    assert "w innej" in found_elsewhere
    assert NEW_CLIENT_LINK in found_elsewhere
    found_own = search(client, social_worker, surname="Kowal", first_name="Jan")
    assert f"/clients/{own.pk}/" in found_own
    assert NEW_CLIENT_LINK in found_own
    assert NEW_CLIENT_LINK in search(client, social_worker, surname="Nikt", first_name="Taki")


def test_a_pesel_match_is_called_strong_and_a_name_match_weak(
    client, social_worker, held_elsewhere
):
    by_pesel = search(client, social_worker, pesel=PESEL)
    assert "Zgodność pewna: ten sam PESEL." in by_pesel
    # Registering stays reachable, without the namesake hint (a PESEL is one person).
    assert NEW_CLIENT_LINK in by_pesel
    assert "To nie ta osoba?" not in by_pesel
    by_name = search(client, social_worker, surname="dabrowski", first_name="RYSZARD")
    assert "Zgodność słaba" in by_name
    assert "Zgodność pewna" not in by_name
    assert "To nie ta osoba?" in by_name
    by_name_and_birth = search(
        client, social_worker, surname="Dąbrowski", first_name="Ryszard", birth_date="1971-03-14"
    )
    assert "Zgodność prawdopodobna" in by_name_and_birth
    by_surname_and_birth = search(
        client, social_worker, surname="Dąbrowski", birth_date="1971-03-14"
    )
    assert "Zgodność możliwa" in by_surname_and_birth


def test_the_strength_of_a_match_is_translated(client, social_worker, held_elsewhere):
    client.cookies["django_language"] = "en"
    html = search(client, social_worker, surname="Dąbrowski", first_name="Ryszard")
    assert "Weak match: the same name only." in html


def test_a_file_held_elsewhere_names_the_organisation_whose_manager_decides(
    client, social_worker, held_elsewhere, welfare_centre
):
    html = search(client, social_worker, pesel=PESEL)
    assert f"Akta prowadzi {welfare_centre.name}" in html
    assert f"kierownika organizacji {welfare_centre.name}" in html
    # Nothing of the person: the result names the holder, not the client.
    results = html.split("</form>")[-1]
    assert "Dąbrowski" not in results and "Ryszard" not in results
    assert f'href="/clients/{held_elsewhere.pk}/handover/"' in html


def test_the_handover_request_says_who_decides_and_asks_for_a_reason(
    client, social_worker, held_elsewhere, welfare_centre
):
    client.force_login(social_worker)
    html = client.get(f"/clients/{held_elsewhere.pk}/handover/").content.decode()
    assert f"Akta prowadzi {welfare_centre.name}." in html
    assert f"decyduje kierownik organizacji {welfare_centre.name}" in html
    assert 'name="reason"' in html
    refused = client.post(f"/clients/{held_elsewhere.pk}/handover/", {"reason": ""})
    assert "Napisz w kilku słowach" in refused.content.decode()


def test_a_file_nobody_holds_offers_no_handover_and_says_why(client, social_worker, db):
    unheld = make_client(first_name="Adam", surname="Bezpański")
    html = search(client, social_worker, surname="Bezpański", first_name="Adam")
    assert "Obecnie nikt nie prowadzi tych akt" in html
    assert f"/clients/{unheld.pk}/handover/" not in html
    assert NEW_CLIENT_LINK in html
    page = client.get(f"/clients/{unheld.pk}/handover/").content.decode()
    assert "Obecnie nikt nie prowadzi tych akt" in page
    assert 'name="reason"' not in page
