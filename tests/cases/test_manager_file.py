"""A manager who opens a client's file is told what managers do instead, without a leak."""

import re
import uuid

import pytest

from tests.factories import make_client

MESSAGE = "Akta prowadzą pracownicy socjalni"


def main_of(response) -> str:
    """The page's own content (the layout carries a fresh CSRF token on every render)."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


@pytest.fixture
def held_client(social_worker):
    return make_client(first_name="Teodor", surname="Jesionowski", holder=social_worker)


@pytest.mark.parametrize("tab", ["", "timeline/", "plans/", "documents/"])
def test_a_manager_opening_a_file_is_told_what_managers_do_instead(
    client, manager, held_client, tab
):
    client.force_login(manager)
    response = client.get(f"/clients/{held_client.pk}/{tab}")
    # Case pages are a social worker's: refused by role before any id is looked at.
    assert response.status_code in (403, 404)
    html = main_of(response)
    assert MESSAGE in html
    assert "/clients/assignments/clients/" in html
    assert "/todo/" in html
    assert "Jesionowski" not in html


def test_the_managers_page_is_the_same_for_a_held_file_a_foreign_file_and_no_file(
    client, manager, held_client, outside_worker
):
    foreign = make_client(first_name="Hanna", surname="Cisowa", holder=outside_worker)
    client.force_login(manager)
    pages = [
        client.get(f"/clients/{client_id}/")
        for client_id in (held_client.pk, foreign.pk, uuid.uuid4())
    ]
    assert len({response.status_code for response in pages}) == 1
    assert len({main_of(response) for response in pages}) == 1
    assert MESSAGE in main_of(pages[0])


def test_a_manager_under_a_file_they_may_assign_is_told_the_same(client, manager, held_client):
    # The assign page is a manager's; a made-up id there answers the plain not-found page,
    # while the file's own pages answer the explanation (the address, not the id, decides).
    client.force_login(manager)
    assert client.get(f"/clients/{held_client.pk}/assign/").status_code == 200
    response = client.get(f"/clients/{uuid.uuid4()}/assign/")
    assert response.status_code == 404
    assert MESSAGE in main_of(response)


def test_other_roles_keep_the_plain_not_found(client, other_social_worker, held_client):
    client.force_login(other_social_worker)
    response = client.get(f"/clients/{held_client.pk}/")
    assert response.status_code == 404
    assert MESSAGE not in main_of(response)


def test_a_manager_elsewhere_keeps_the_plain_not_found(client, manager):
    client.force_login(manager)
    response = client.get("/shelters/999999/")
    assert response.status_code == 404
    assert MESSAGE not in main_of(response)


def test_the_dpo_opening_a_file_is_sent_to_their_own_pages_alike_for_any_id(
    client, dpo, held_client
):
    client.force_login(dpo)
    pages = [client.get(f"/clients/{client_id}/") for client_id in (held_client.pk, uuid.uuid4())]
    assert len({response.status_code for response in pages}) == 1
    assert len({main_of(response) for response in pages}) == 1
    html = main_of(pages[0])
    assert "nie czytasz treści akt" in html
    assert "/privacy/people/" in html and "/privacy/access-log/" in html
    assert "Jesionowski" not in html
