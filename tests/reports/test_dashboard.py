"""The managers' dashboard: who may open it, what it shows (no names), downloads, saved reports."""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from reports.documents import neutralise
from reports.importing import import_records
from reports.models import SavedReport
from tests.reports.test_dataset import DATA

YEAR_2025 = {"period": "year", "on": "2025-06-01"}


@pytest.fixture
def imported(administrator):
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC), tick=False):
        import_records(directory=DATA, by=administrator, organisation=administrator.organisation)


def test_a_social_worker_cannot_open_the_dashboard(client, social_worker):
    client.force_login(social_worker)
    assert client.get("/reports/", YEAR_2025).status_code == 403
    assert client.get("/reports/saved/").status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/reports/")
    assert response.status_code == 302
    assert "/login/" in response.url


def test_the_manager_sees_figures_and_charts_and_no_names(client, manager, imported):
    client.force_login(manager)
    html = client.get("/reports/", YEAR_2025).content.decode()
    assert "Schronisko Południe" in html
    assert "<svg" in html
    # 107 bed-nights in 2025 (tests/reports/test_dataset.py); 7 clients served.
    assert ">107<" in html
    # No name of anyone imported appears.
    for name in ("Testowy", "Przykładowa", "Nocny", "Otwarty", "Bezdaty", "Najmłodsza"):
        assert name not in html
    # Seven people: small counts are hidden, e.g. the one person of 0264011.
    assert "&lt;5" in html


def test_the_default_period_is_the_last_twelve_full_months(client, manager, db):
    client.force_login(manager)
    with time_machine.travel(datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC)):
        html = client.get("/reports/").content.decode()
    assert "2025-11-01" in html and "2026-10-31" in html


def test_a_manager_of_another_organisation_sees_none_of_its_facilities(
    client, other_manager, imported
):
    client.force_login(other_manager)
    html = client.get("/reports/", YEAR_2025).content.decode()
    assert "Schronisko Południe" not in html


def test_downloads(client, manager, imported):
    client.force_login(manager)
    pdf = client.get("/reports/", {**YEAR_2025, "format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    assert "no-store" in pdf["Cache-Control"]
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get("/reports/", {**YEAR_2025, "format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    assert "occupancy" in book.sheetnames and "exits" in book.sheetnames
    csv = client.get("/reports/", {**YEAR_2025, "format": "csv"}).content.decode()
    assert "Schronisko Południe" in csv


def test_formula_injection_is_neutralised():
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise("+48") == "'+48"
    assert neutralise("Noclegownia") == "Noclegownia"
    assert neutralise(5) == 5


def test_a_saved_report_keeps_its_figures(client, manager, imported):
    client.force_login(manager)
    response = client.post("/reports/save/", YEAR_2025)
    saved = SavedReport.objects.get()
    assert response.status_code == 302
    assert saved.figures["bed_nights"]["total"] == 107
    assert (saved.period_from, saved.period_to) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )
    assert client.get("/reports/saved/").status_code == 200
    page = client.get(f"/reports/saved/{saved.pk}/")
    assert ">107<" in page.content.decode()
    assert client.get(f"/reports/saved/{saved.pk}/", {"format": "pdf"}).content[:4] == b"%PDF"


def test_another_organisations_saved_report_is_not_found(client, manager, other_manager, imported):
    client.force_login(manager)
    client.post("/reports/save/", YEAR_2025)
    saved = SavedReport.objects.get()
    client.force_login(other_manager)
    assert client.get(f"/reports/saved/{saved.pk}/").status_code == 404


def test_a_bad_period_gives_the_form_back(client, manager, db):
    client.force_login(manager)
    response = client.get(
        "/reports/", {"period": "custom", "start": "2025-12-31", "end": "2025-01-01"}
    )
    assert response.status_code == 200
    assert response.context["figures"] is None
    assert client.post("/reports/save/", {"period": "custom"}).status_code == 400
    assert SavedReport.objects.count() == 0
