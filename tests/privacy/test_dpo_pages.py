"""The DPO's pages: find a person, a person's page (the erasure and their log), the access log
by person, staff and time, paginated, exported as CSV; each read itself a row of the log."""

import csv
import datetime
import io
import re
import uuid
import zoneinfo

import pytest
import time_machine

from accounts.roles import Role
from audit.models import AccessLogEntry
from audit.services import access_log_write
from cases.pesel import synthesize
from tests.factories import UserFactory, make_client

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
# Noon in Warsaw on 30 November 2026.
TODAY = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=WARSAW)
BORN = datetime.date(1971, 4, 12)
PESEL = synthesize(BORN, female=False, serial=217)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def ryszard(social_worker):
    """A client of the foundation's worker, with a PESEL and a birth date."""
    return make_client(
        first_name="Ryszard",
        surname="Dębowski",
        pesel=PESEL,
        birth_date=BORN,
        holder=social_worker,
    )


def rows_of(**filters):
    return AccessLogEntry.objects.filter(**filters)


# --- finding a person ------------------------------------------------------------------------


def test_the_dpo_lands_on_finding_a_person(client, dpo):
    client.force_login(dpo)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/privacy/people/"
    html = response.content.decode()
    assert "Znajdź osobę" in html
    assert "/privacy/access-log/" in html


def test_the_dpo_finds_a_person_by_pesel_and_sees_name_year_short_id_and_holder(
    client, dpo, ryszard
):
    client.force_login(dpo)
    html = client.post("/privacy/people/", {"pesel": PESEL}).content.decode()
    assert "Ryszard Dębowski" in html
    assert "1971" in html
    assert f"#{str(ryszard.pk)[:4]}" in html
    assert "Fundacja Testowa" in html
    assert f"/privacy/people/{ryszard.pk}/" in html
    # The search is a row naming the person found, with the DPO's purpose; no term in a URL.
    row = rows_of(actor=dpo, action="search").get()
    assert row.subject_id == ryszard.pk
    assert row.purpose == "dpo_search"


def test_a_walk_in_s_estimated_year_keeps_its_mark_for_the_dpo(client, dpo, staff_of_a, facility_a):
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
        note="",
        legal_basis="vital_interest",
    )
    client.force_login(dpo)
    found = {"surname": "Przybysz", "first_name": "Zbigniew"}
    assert "ok. 1968" in client.post("/privacy/people/", found).content.decode()
    assert "ok. 1968" in client.get(f"/privacy/people/{stay.client_id}/").content.decode()


def test_the_dpo_finds_a_person_by_surname_and_birth_date(client, dpo, ryszard):
    client.force_login(dpo)
    html = client.post(
        "/privacy/people/", {"surname": "debowski", "birth_date": "1971-04-12"}
    ).content.decode()
    assert "Ryszard Dębowski" in html
    html = client.post(
        "/privacy/people/", {"surname": "Dębowski", "birth_date": "1971-04-13"}
    ).content.decode()
    assert "Ryszard Dębowski" not in html
    assert "Nikt nie pasuje." in html


def test_a_search_that_finds_nobody_is_one_row_without_a_person(client, dpo, ryszard):
    client.force_login(dpo)
    client.post("/privacy/people/", {"surname": "Nieznany", "first_name": "Jan"})
    row = rows_of(actor=dpo, action="search").get()
    assert row.subject_id is None
    assert row.purpose == "dpo_search"


def test_a_search_without_enough_terms_says_what_to_give_and_logs_nothing(client, dpo, ryszard):
    client.force_login(dpo)
    response = client.post("/privacy/people/", {"surname": "Dębowski"})
    assert "Podaj PESEL albo nazwisko z imieniem lub datą urodzenia." in response.content.decode()
    assert not rows_of(actor=dpo).exists()


# --- a person's page -------------------------------------------------------------------------


def test_a_persons_page_opens_the_erasure_and_their_log_without_pasting(
    client, dpo, ryszard, social_worker
):
    # The worker opens the file: a row the DPO will see.
    client.force_login(social_worker)
    assert client.get(f"/clients/{ryszard.pk}/").status_code == 200
    client.force_login(dpo)
    html = client.get(f"/privacy/people/{ryszard.pk}/").content.decode()
    assert "Ryszard Dębowski" in html
    assert f"/privacy/erase/{ryszard.pk}/" in html
    assert f"/privacy/access-log/?person={ryszard.pk}" in html
    # Who opened the file: the worker, their role and organisation, the purpose.
    assert "Pracownik socjalny" in html
    assert "Akta: przegląd" in html
    row = rows_of(actor=dpo, action="view").get()
    assert (row.subject_id, row.purpose) == (ryszard.pk, "dpo_person")


def test_an_unknown_person_is_not_found(client, dpo):
    client.force_login(dpo)
    assert client.get(f"/privacy/people/{uuid.uuid4()}/").status_code == 404


# --- the access log --------------------------------------------------------------------------


@pytest.fixture
def history(ryszard, social_worker, other_social_worker, outside_worker):
    """Rows on three days: the worker opens Ryszard's file on the 27th and the 30th, a colleague
    searches on the 28th, a worker elsewhere opens another person on the 29th."""
    other = make_client(first_name="Halina", surname="Wiązowa", holder=outside_worker)
    for day, actor, subject, action in (
        (27, social_worker, ryszard.pk, "view"),
        (28, other_social_worker, None, "search"),
        (29, outside_worker, other.pk, "view"),
        (30, social_worker, ryszard.pk, "view"),
    ):
        with time_machine.travel(datetime.datetime(2026, 11, day, 9, 0, tzinfo=WARSAW)):
            access_log_write(actor=actor, action=action, subject_id=subject, purpose="file")
    return other


def seqs_shown(html) -> int:
    return len(re.findall(r"<tr>\s*<td>\d\d\.\d\d\.\d{4}", html))


def test_the_log_filters_by_person(client, dpo, ryszard, history):
    client.force_login(dpo)
    html = client.get(f"/privacy/access-log/?person={ryszard.pk}").content.decode()
    assert seqs_shown(html) == 2
    assert "Ryszard Dębowski" in html
    assert "Wiązowa" not in html


def test_the_log_filters_by_member_of_staff(client, dpo, history, other_social_worker):
    client.force_login(dpo)
    html = client.get("/privacy/access-log/").content.decode()
    # Each member of staff links to their own rows.
    assert f'href="/privacy/access-log/?user={other_social_worker.pk}"' in html
    html = client.get(f"/privacy/access-log/?user={other_social_worker.pk}").content.decode()
    assert seqs_shown(html) == 1
    assert "Wyszukiwanie" in html


def test_the_log_filters_by_local_days_inclusive(client, dpo, history):
    client.force_login(dpo)
    html = client.get(
        "/privacy/access-log/?date_from=2026-11-28&date_to=2026-11-29"
    ).content.decode()
    # The 28th's search; the 29th's row is the welfare centre's worker reading the welfare
    # centre's client: not the foundation DPO's (privacy/scope.py).
    assert seqs_shown(html) == 1
    assert "28.11.2026" in html
    assert "27.11.2026" not in html
    # The date inputs carry ISO values.
    assert 'value="2026-11-28"' in html


def test_a_range_that_ends_before_it_starts_is_an_error_and_shows_no_rows(client, dpo, history):
    client.force_login(dpo)
    html = client.get(
        "/privacy/access-log/?date_from=2026-11-29&date_to=2026-11-28"
    ).content.decode()
    assert "Koniec zakresu jest przed jego początkiem." in html
    assert seqs_shown(html) == 0


def test_reading_the_log_is_itself_a_row(client, dpo, ryszard):
    client.force_login(dpo)
    client.get(f"/privacy/access-log/?person={ryszard.pk}")
    row = rows_of(actor=dpo).get()
    assert (row.action, row.subject_id, row.purpose) == ("view", ryszard.pk, "access_log")


def _fill(count, actors):
    for i in range(count):
        subject = make_client(first_name=f"Osoba{i}", surname="Testowa").pk
        access_log_write(actor=actors[i % len(actors)], action="view", subject_id=subject)


def test_a_page_of_the_log_costs_the_same_queries_at_any_size(
    client, dpo, social_worker, other_social_worker
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(dpo)
    # The first request of a session pays for what later ones find cached (the session's user).
    client.get("/privacy/access-log/")
    counts = []
    for size in (5, 60):
        _fill(size, [social_worker, other_social_worker, dpo])
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/privacy/access-log/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    html = client.get("/privacy/access-log/?page=2").content.decode()
    # 65 rows written, then three reads of the page (each a row): 68, 50 a page.
    assert seqs_shown(html) == 18


# --- the export -----------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_export_gives_the_same_filter_as_csv_and_is_itself_a_row(client, dpo, ryszard, history):
    client.force_login(dpo)
    response = client.get(f"/privacy/access-log/export.csv?person={ryszard.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "Dębowski" not in response["Content-Disposition"]
    lines = read_csv(response)
    assert lines[0][0] == "Czas"
    assert len(lines) == 3
    assert {line[6] for line in lines[1:]} == {str(ryszard.pk)}
    assert {line[8] for line in lines[1:]} == {"Ryszard Dębowski"}
    row = rows_of(actor=dpo).get()
    assert (row.action, row.subject_id, row.purpose) == (
        "export",
        ryszard.pk,
        "access_log_export",
    )


def test_the_export_neutralises_formulas(client, dpo, foundation):
    prankster = UserFactory(
        username="prank",
        first_name='=HYPERLINK("http://x")',
        last_name="",
        organisation=foundation,
        role=Role.SOCIAL_WORKER,
    )
    access_log_write(actor=prankster, action="search")
    client.force_login(dpo)
    lines = read_csv(client.get(f"/privacy/access-log/export.csv?user={prankster.pk}"))
    assert lines[1][2] == '\'=HYPERLINK("http://x")'
    from privacy.access_log import csv_cell

    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_cell(f"{start}1") == f"'{start}1"
    assert csv_cell("Jan") == "Jan"


# --- who may ---------------------------------------------------------------------------------

DPO_PAGES = ["/privacy/people/", "/privacy/access-log/", "/privacy/access-log/export.csv"]


@pytest.mark.parametrize("role", [r for r in Role.values if r not in (Role.DPO, Role.CLUSTER_DPO)])
def test_every_other_role_is_refused_the_dpo_pages(client, personas, role, ryszard):
    client.force_login(personas[role])
    for page in [*DPO_PAGES, f"/privacy/people/{ryszard.pk}/"]:
        assert client.get(page).status_code == 403, page
    assert client.post("/privacy/people/", {"pesel": PESEL}).status_code == 403
    assert not rows_of(action="export").exists()


def test_anonymous_visitors_are_sent_to_login_from_the_dpo_pages(client, db):
    for page in DPO_PAGES:
        response = client.get(page)
        assert response.status_code == 302
        assert response.url.startswith("/login/")


# --- privacy of the DPO's own pages ----------------------------------------------------------


def test_the_search_terms_reach_no_row_of_the_log(client, dpo, ryszard):
    from django.db import connection

    client.force_login(dpo)
    client.post("/privacy/people/", {"surname": "Dębowski", "first_name": "Ryszard"})
    client.post("/privacy/people/", {"pesel": PESEL})
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_accesslogentry")
        raw = repr(cursor.fetchall())
    assert raw.count("dpo_search") == 2
    for term in ("Dębowski", "ebowski", "Ryszard", PESEL):
        assert term not in raw


def test_an_erased_person_is_a_short_id_without_a_name(client, dpo, ryszard, social_worker):
    from privacy.services import subject_erase

    client.force_login(social_worker)
    client.get(f"/clients/{ryszard.pk}/")
    subject_erase(subject=ryszard.subject, by=dpo, reason="request", reference="", decisions={})
    client.force_login(dpo)
    html = client.get(f"/privacy/access-log/?person={ryszard.pk}").content.decode()
    assert f"#{str(ryszard.pk)[:4]}" in html
    assert "Dębowski" not in html
    html = client.get(f"/privacy/people/{ryszard.pk}/").content.decode()
    assert "Dane tej osoby zostały usunięte." in html
    assert "Dębowski" not in html
