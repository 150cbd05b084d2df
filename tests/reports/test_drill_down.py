"""From a figure to its people: the same SQL as the figure, and only the files one may open.

The scripted dataset of test_dataset.py (its stays and figures of 2025 are computed by hand
there). A social worker holds c01 Jan Testowy (served, exit to the street) and c05 Marek
Otwarty (served, an open stay); nobody else holds a file unless a test says so.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from audit.models import AccessLogEntry
from cases.models import Client
from cases.services import _assign, break_glass_open
from reports.access import files_opened_by
from reports.measures import DRILL_CELLS, cell_people, outcome_report
from tests.factories import UserFactory, make_client, make_facility
from tests.reports.helpers import make_stay
from tests.reports.test_dataset import imported  # noqa: F401 - the dataset as a fixture

D = datetime.date
YEAR = {"start": D(2025, 1, 1), "end": D(2025, 12, 31)}
PEOPLE = reverse("reports:people")
QUERY = {"start": "2025-01-01", "end": "2025-12-31"}


def clients_by_first_name() -> dict:
    return {str(c.first_name): c for c in Client.objects.with_keys()}


@pytest.fixture
def held(imported, social_worker):  # noqa: F811
    clients = clients_by_first_name()
    for name in ("Jan", "Marek"):
        _assign(client=clients[name], worker=social_worker, by=social_worker)
    return clients


def figure(report: dict, measure: str, cell: str) -> int:
    if measure == "employment_started":
        return report["employment"]["started"][cell]
    value = report[measure]
    for key in cell.split("."):
        value = value if isinstance(value, int) else value[key]
    return value


def test_the_people_of_every_cell_are_the_figure_for_someone_holding_every_file(
    imported,  # noqa: F811
    foundation,
):
    everyone = UserFactory(username="all", organisation=foundation, role=Role.SOCIAL_WORKER)
    for client in Client.objects.all():
        _assign(client=client, worker=everyone, by=everyone)
    report = outcome_report(**YEAR)
    checked = 0
    for measure, cells in DRILL_CELLS.items():
        people = cell_people(measure=measure, **YEAR)
        for cell in cells:
            ids = people[cell]
            assert len(ids) == figure(report, measure, cell), (measure, cell)
            # Holding every file, they may open every one of them.
            assert files_opened_by(everyone, ids) == set(ids)
            checked += len(ids)
    # Served 7 (+ 7 by sex + 7 by band), exits 4, returns' cohort 3 + 2 back, first time 5,
    # jobs started 2: 21 + 4 + 5 + 5 + 2 = 37 people counted in the cells.
    assert checked == 37
    # The returns' cohort are c06, c07, c08 (test_dataset.py), the first two back in time.
    clients = clients_by_first_name()
    returns = cell_people(measure="returns", **YEAR)
    assert set(returns["cohort"]) == {clients[n].pk for n in ("Józef", "Ewa", "Karol")}
    assert returns["days_0_180"] == [clients["Józef"].pk]


def test_a_social_worker_sees_only_their_own_clients_in_a_cell(client, held, social_worker):
    client.force_login(social_worker)
    response = client.get(PEOPLE, {**QUERY, "cell": "clients_served:total"})
    assert response.status_code == 200
    text = response.content.decode()
    # Seven served; two of them are theirs: only those two are listed, the rest not counted.
    assert "Jan Testowy" in text and "Marek Otwarty" in text
    for other in ("Anna Przykładowa", "Piotr Nocny", "Zofia Najmłodsza", "Tomasz Wracający"):
        assert other not in text
    listed = text.split("<h2>")[1].split("</ul>")[0]
    assert listed.startswith("Obsłużone osoby: Razem</h2>")
    assert listed.count("<li>") == 2
    rows = AccessLogEntry.objects.filter(actor=social_worker, purpose="report_people")
    assert {row.subject_id for row in rows} == {held["Jan"].pk, held["Marek"].pk}
    assert {row.action for row in rows} == {"view"}


def test_the_figures_offered_are_those_with_someone_of_ones_files(client, held, social_worker):
    client.force_login(social_worker)
    text = client.get(PEOPLE, QUERY).content.decode()
    # Jan: served, male, 40–59, exit to the street. Marek: served, male, 40–59 (born 1
    # January 1985: 40 on the period's last day), a first stay in 2025.
    for cell in (
        "clients_served%3Atotal",
        "clients_served%3Aby_sex.male",
        "clients_served%3Aby_age_band.40_59",
        "exits%3Astreet",
        "first_time%3Atotal",
    ):
        assert f"cell={cell}" in text, cell
    for cell in ("clients_served%3Aby_sex.female", "exits%3Apermanent", "returns%3Acohort"):
        assert f"cell={cell}" not in text, cell
    # The list of figures names nobody, so it logs no read.
    assert not AccessLogEntry.objects.filter(purpose="report_people").exists()


def test_someone_who_opens_no_file_sees_no_figure_and_no_one(client, held, other_social_worker):
    client.force_login(other_social_worker)
    text = client.get(PEOPLE, QUERY).content.decode()
    assert "cell=" not in text
    response = client.get(PEOPLE, {**QUERY, "cell": "clients_served:total"})
    assert response.status_code == 200
    assert "Jan Testowy" not in response.content.decode()
    assert not AccessLogEntry.objects.filter(purpose="report_people").exists()


def test_an_emergency_access_does_not_put_a_file_in_the_list(client, held, other_social_worker):
    # The second social worker opens Jan's file in an emergency: they may read it now, but
    # the drill-down lists the caseload only.
    break_glass_open(
        by=other_social_worker, client=held["Jan"], reason="Wypadek w schronisku, pilny kontakt"
    )
    client.force_login(other_social_worker)
    response = client.get(PEOPLE, {**QUERY, "cell": "clients_served:total"})
    assert "Jan Testowy" not in response.content.decode()
    assert not AccessLogEntry.objects.filter(purpose="report_people").exists()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SHELTER_STAFF, Role.JOB_COACH, Role.DPO])
def test_a_manager_and_other_roles_are_refused(client, held, personas, role):
    client.force_login(personas[role])
    response = client.get(PEOPLE, {**QUERY, "cell": "clients_served:total"})
    assert response.status_code == 403
    assert "Jan Testowy" not in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(PEOPLE, QUERY)
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(
    "bad",
    [
        {**QUERY, "cell": "clients_served:by_name.Jan"},
        {**QUERY, "cell": "bed_nights:total"},
        {"start": "2025-12-31", "end": "2025-01-01"},
        {"start": "2025-13-01", "end": "2025-12-31"},
    ],
)
def test_a_cell_or_period_out_of_the_list_is_refused(client, held, social_worker, bad):
    client.force_login(social_worker)
    response = client.get(PEOPLE, bad)
    assert response.status_code == 400
    assert "Jan Testowy" not in response.content.decode()
    assert not AccessLogEntry.objects.filter(purpose="report_people").exists()


def test_the_queries_of_a_cell_do_not_grow_with_the_people(client, social_worker, foundation):
    shelter = make_facility(organisation=foundation, name="Noclegownia A")
    client.force_login(social_worker)

    nights = iter(range(1, 28))  # one night each on the one bed: no two stays overlap

    def served(n: int) -> int:
        for _ in range(n):
            person = make_client(birth_date=D(1970, 1, 2), holder=social_worker)
            day = next(nights)
            make_stay(person, shelter, D(2025, 2, day), D(2025, 2, day + 1), "street")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(PEOPLE, {**QUERY, "cell": "clients_served:total"})
        assert response.status_code == 200
        return len(queries)

    served(1)  # the first page of all also creates the access log's chain head
    few = served(2)
    many = served(10)
    assert AccessLogEntry.objects.filter(purpose="report_people").count() == 1 + 3 + 13
    assert many == few
