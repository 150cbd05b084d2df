"""Client pages: register, find, open, edit, history. Each read is logged; wrong roles refused."""

import datetime
import logging

import pytest
from django.db import connection
from django.test import Client as HttpClient
from guardian.shortcuts import assign_perm

from accounts.roles import Role
from audit.models import AccessLogEntry
from cases.models import Client
from cases.pesel import synthesize
from tests.factories import make_client

PESEL = synthesize(datetime.date(1966, 4, 9), female=True, serial=418)

NEW_CLIENT = {
    "first_name": "Wiesława",
    "surname": "Modrzewska",
    "pesel": PESEL,
    "birth_date": "1966-04-09",
    "sex": "female",
    "phone": "+48 600 700 800",
    "email": "",
    "contact_note": "Przy dworcu zachodnim",
    "municipality_code": "1465011",
    "ethos": "1",
    "pathway_stage": "street",
    "episodes_last_3_years": "2",
    "homelessness_reasons": ["eviction", "debt"],
    "income_sources": ["declined"],
    "identity_documents": ["id_card"],
    "addictions": ["doesnt_know"],
    "health_note": "Cukrzyca, insulina",
}


@pytest.fixture
def own_client(social_worker):
    """A client in the social worker's caseload."""
    return make_client(
        first_name="Kazimierz",
        surname="Olszyński",
        registered_by=social_worker,
        holder=social_worker,
    )


def test_a_social_worker_registers_a_client(client, social_worker):
    client.force_login(social_worker)
    response = client.post("/clients/new/", NEW_CLIENT)
    assert response.status_code == 302
    person = Client.objects.get()
    assert response.url == f"/clients/{person.pk}/"
    assert person.surname == "Modrzewska"
    assert person.birth_year == 1966
    assert social_worker.has_perm("cases.view_client", person)
    assert AccessLogEntry.objects.filter(
        subject_id=person.pk, action="create", actor=social_worker
    ).exists()


def test_nothing_of_a_new_client_is_stored_in_clear(client, social_worker):
    client.force_login(social_worker)
    client.post("/clients/new/", NEW_CLIENT)
    person = Client.objects.get()
    client.post(
        f"/clients/{person.pk}/edit/",
        {**NEW_CLIENT, "surname": "Cisowska", "phone": "+48 511 222 333"},
    )
    secrets = [
        "Wiesława",
        "Modrzewska",
        "Cisowska",
        PESEL,
        "600 700 800",
        "511 222 333",
        "dworcu",
        "1966-04-09",
    ]
    with connection.cursor() as cursor:
        for table in ("cases_client", "cases_historicalclient"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            rows = cursor.fetchall()
            assert rows
            for row in rows:
                for cell in row:
                    blob = (
                        bytes(cell) if isinstance(cell, (bytes, memoryview)) else str(cell).encode()
                    )
                    for secret in secrets:
                        assert secret.encode() not in blob, (table, secret)


def test_an_invalid_pesel_returns_the_form_with_a_polish_error_and_stores_nothing(
    client, social_worker
):
    client.force_login(social_worker)
    bad = PESEL[:10] + str((int(PESEL[10]) + 1) % 10)
    response = client.post("/clients/new/", {**NEW_CLIENT, "pesel": bad})
    assert response.status_code == 200
    assert "cyfrę kontrolną" in response.content.decode()
    assert not Client.objects.exists()


def test_missing_names_return_the_form_with_errors(client, social_worker):
    client.force_login(social_worker)
    response = client.post("/clients/new/", {**NEW_CLIENT, "first_name": "", "surname": ""})
    assert response.status_code == 200
    assert "To pole jest wymagane." in response.content.decode()
    assert not Client.objects.exists()


def test_a_bad_municipality_code_is_refused(client, social_worker):
    client.force_login(social_worker)
    response = client.post("/clients/new/", {**NEW_CLIENT, "municipality_code": "12"})
    assert response.status_code == 200
    assert not Client.objects.exists()


def test_each_view_of_a_file_writes_one_access_log_row(client, social_worker, own_client):
    client.force_login(social_worker)
    before = AccessLogEntry.objects.count()
    for _ in range(3):
        assert client.get(f"/clients/{own_client.pk}/").status_code == 200
    rows = AccessLogEntry.objects.order_by("seq")[before:]
    assert len(rows) == 3
    assert {(r.action, r.subject_id, r.actor_id, r.outcome) for r in rows} == {
        ("view", own_client.pk, social_worker.pk, "ok")
    }


def test_another_social_worker_gets_404_and_the_attempt_is_logged(
    client, other_social_worker, own_client
):
    client.force_login(other_social_worker)
    response = client.get(f"/clients/{own_client.pk}/")
    assert response.status_code == 404
    assert "Olszyński" not in response.content.decode()
    assert AccessLogEntry.objects.filter(
        subject_id=own_client.pk, actor=other_social_worker, outcome="not_found"
    ).exists()
    # A missing file looks exactly the same.
    missing = client.get("/clients/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404


def test_another_social_worker_cannot_edit_by_posting(client, other_social_worker, own_client):
    client.force_login(other_social_worker)
    response = client.post(f"/clients/{own_client.pk}/edit/", {**NEW_CLIENT, "surname": "Przejęty"})
    assert response.status_code == 404
    assert Client.objects.get(pk=own_client.pk).surname == "Olszyński"


@pytest.mark.parametrize(
    "role",
    [Role.SHELTER_STAFF, Role.JOB_COACH, Role.MANAGER, Role.DPO, Role.PARTNER, Role.ADMINISTRATOR],
)
def test_other_roles_are_refused_every_client_page(client, personas, own_client, role):
    client.force_login(personas[role])
    for path in (
        "/clients/",
        "/clients/search/",
        "/clients/new/",
        f"/clients/{own_client.pk}/",
        f"/clients/{own_client.pk}/edit/",
        f"/clients/{own_client.pk}/history/",
        f"/clients/{own_client.pk}/timeline/",
    ):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize("path", ["/clients/", "/clients/search/", "/clients/new/"])
def test_anonymous_visitors_are_sent_to_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_a_model_wide_permission_does_not_open_every_file(client, other_social_worker, own_client):
    from django.contrib.auth.models import Permission

    other_social_worker.user_permissions.add(Permission.objects.get(codename="view_client"))
    client.force_login(other_social_worker)
    assert client.get(f"/clients/{own_client.pk}/").status_code == 404
    assert "Olszyński" not in client.get("/clients/").content.decode()


def test_search_works_by_post_and_keeps_terms_out_of_the_url(client, social_worker, own_client):
    client.force_login(social_worker)
    response = client.post("/clients/search/", {"surname": "olszynski", "first_name": "KAZIMIERZ"})
    html = response.content.decode()
    assert f"/clients/{own_client.pk}/" in html
    assert response.request["PATH_INFO"] == "/clients/search/"
    assert response.request["QUERY_STRING"] == ""
    assert AccessLogEntry.objects.filter(action="search", subject_id=own_client.pk).exists()


def test_search_shows_that_a_person_is_known_elsewhere_without_their_name(
    client, other_social_worker, own_client
):
    client.force_login(other_social_worker)
    html = client.post(
        "/clients/search/", {"surname": "Olszyński", "first_name": "Kazimierz"}
    ).content.decode()
    assert "Olszyński" not in html.split("<form")[0] + html.split("</form>")[-1]
    # The file is not linked; only the actions that need its opaque id (handover, emergency).
    assert f'href="/clients/{own_client.pk}/"' not in html
    assert "w innej" in html
    # The holder is named (the worker and their organisation), nothing of the client.
    assert str(own_client.registered_by) in html


def test_a_search_without_enough_terms_is_refused(client, social_worker):
    client.force_login(social_worker)
    response = client.post("/clients/search/", {"surname": "Nowak"})
    assert "Podaj PESEL" in response.content.decode()


def test_caseload_lists_own_clients_in_constant_queries(
    client, social_worker, django_assert_max_num_queries
):
    for n in range(30):
        person = make_client(first_name="Czesław", surname=f"Jaworecki{n}")
        assign_perm("cases.view_client", social_worker, person)
    client.force_login(social_worker)
    with django_assert_max_num_queries(24):
        html = client.get("/clients/").content.decode()
    assert html.count("Jaworecki") == 30


def test_history_shows_what_changed(client, social_worker, own_client):
    client.force_login(social_worker)
    client.post(
        f"/clients/{own_client.pk}/edit/",
        {**NEW_CLIENT, "first_name": "Kazimierz", "surname": "Brzozowy"},
    )
    html = client.get(f"/clients/{own_client.pk}/history/").content.decode()
    assert "Olszyński" in html and "Brzozowy" in html


def test_history_shows_the_choices_labels_not_their_codes(client, social_worker, own_client):
    client.force_login(social_worker)
    client.post(f"/clients/{own_client.pk}/edit/", {**NEW_CLIENT, "ethos": "unknown"})
    changed = {**NEW_CLIENT, "ethos": "3", "income_sources": ["work", "pension"]}
    client.post(f"/clients/{own_client.pk}/edit/", {**changed, "homelessness_reasons": ["debt"]})
    html = client.get(f"/clients/{own_client.pk}/history/").content.decode()
    assert "Woli nie odpowiadać → Praca, Emerytura" in html
    assert "Eksmisja, Zadłużenie → Zadłużenie" in html
    assert "→ 3 · Placówka dla osób bezdomnych" in html
    for code in ("declined", "unknown", "debt", "[", "]"):
        assert code not in html.split("<ol", 1)[1], code


def test_an_error_on_a_client_page_shows_and_logs_nothing_personal(
    social_worker, own_client, monkeypatch, caplog
):
    from cases.views import file

    def broken_render(request, template, context):
        raise RuntimeError(
            f"cannot render {context['client'].surname} {context['client'].first_name}"
        )

    monkeypatch.setattr(file, "render", broken_render)
    http = HttpClient(raise_request_exception=False)
    http.force_login(social_worker)
    with caplog.at_level(logging.ERROR):
        response = http.get(f"/clients/{own_client.pk}/")
    assert response.status_code == 500
    assert "Olszyński" not in response.content.decode()
    assert caplog.records, "the error was not logged"
    # Pass each record through the configured console handler, as production would write it.
    handlers = logging.getLogger("django").handlers
    assert handlers
    for record in caplog.records:
        for handler in handlers:
            assert handler.filter(record)
            line = handler.format(record)
            assert "Olszyński" not in line
            assert "Kazimierz" not in line


@pytest.mark.parametrize(
    "terms",
    [
        {"surname": "\u0301", "first_name": "Anna"},
        {"surname": "\u0301", "birth_date": "1970-01-01"},
        {"pesel": "\u0301\u0301"},
    ],
    ids=["surname+first_name", "surname+birth_date", "pesel"],
)
def test_a_search_term_that_folds_to_nothing_finds_nobody_and_does_not_crash(
    client, social_worker, own_client, dpo, terms
):
    from privacy.services import subject_erase

    # People without an index value (erased, or without a PESEL) must not become the matches
    # of a term whose index value is empty too.
    erased = make_client(first_name="Anna", surname="Grabińska", sex="female")
    subject_erase(subject=erased.subject, by=dpo, reason="request")
    client.force_login(social_worker)
    response = client.post("/clients/search/", terms)
    assert response.status_code == 200
    assert response.context["results"] == []


def test_the_edit_form_logs_one_view_and_saving_it_logs_one_update(
    client, social_worker, own_client
):
    client.force_login(social_worker)
    before = AccessLogEntry.objects.count()
    assert client.get(f"/clients/{own_client.pk}/edit/").status_code == 200
    opened = AccessLogEntry.objects.order_by("seq")[before:]
    assert [(r.action, r.purpose, r.outcome) for r in opened] == [("view", "edit", "ok")]
    before = AccessLogEntry.objects.count()
    response = client.post(f"/clients/{own_client.pk}/edit/", {**NEW_CLIENT, "surname": "Nowy"})
    assert response.status_code == 302
    saved = AccessLogEntry.objects.order_by("seq")[before:]
    assert [(r.action, r.outcome) for r in saved] == [("view", "ok"), ("update", "ok")]


def test_a_worker_who_may_only_read_a_file_is_refused_its_edit_page_with_403_and_logged(
    client, other_social_worker, own_client
):
    assign_perm("cases.view_client", other_social_worker, own_client)
    client.force_login(other_social_worker)
    assert client.get(f"/clients/{own_client.pk}/").status_code == 200
    before = AccessLogEntry.objects.count()
    response = client.post(f"/clients/{own_client.pk}/edit/", {**NEW_CLIENT, "surname": "Przejęty"})
    assert response.status_code == 403
    assert Client.objects.get(pk=own_client.pk).surname == "Olszyński"
    refused = AccessLogEntry.objects.order_by("seq")[before:]
    assert [(r.action, r.subject_id, r.outcome) for r in refused] == [
        ("update", own_client.pk, "denied")
    ]
