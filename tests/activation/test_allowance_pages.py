"""The manager's allowance pages: the month's list, bonuses, closing, corrections, CSV and PDF,
and the dated rules."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from activation import services
from activation.models import (
    AllowanceBase,
    AllowanceCorrection,
    AllowanceMonth,
    AllowanceRateRule,
)
from activation.payroll import safe_cell
from audit.models import AccessLogEntry
from tests.activation.conftest import enrol_active, record_working_days, travel
from tests.factories import make_client

D = datetime.date
TODAY = D(2026, 11, 26)
OCTOBER = D(2026, 10, 1)
# 1 783,90 zł (from 1 June 2026) × 120%: the month's allowance in October 2026.
FULL = "2 140,68"


def month_url(programme, month=OCTOBER, name="allowance-month"):
    return f"{reverse(f'activation:{name}', args=[programme.pk])}?month={month:%Y-%m}"


def record_october(coach, *cohorts):
    """Every working day of October recorded: a month with a day nobody recorded is not closed."""
    for cohort in cohorts:
        record_working_days(coach=coach, cohort=cohort, first=OCTOBER, last=D(2026, 10, 31))


def mark(coach, cohort, day, statuses):
    with travel(TODAY):
        services.attendance_save_day(by=coach, cohort=cohort, day=day, statuses=statuses, seen=None)


def test_the_month_s_list_shows_the_base_each_deduction_with_its_reason_and_the_amount(
    client, manager, cis, cohort, job_coach, active_enrolment
):
    mark(job_coach, cohort, D(2026, 10, 14), {active_enrolment.pk: "unexcused"})
    client.force_login(manager)
    with travel(TODAY):
        response = client.get(month_url(cis))
    html = response.content.decode().replace("\xa0", " ")
    assert response.status_code == 200
    assert "Zdzisław Kalinowski" in html
    assert "1 783,90" in html and FULL in html
    # 2 140,68 / 20 = 107,034 for the unexcused day, with the act as its source.
    assert "Nieobecność nieusprawiedliwiona (1): −107,03" in html
    assert "art. 15" in html
    assert "2 033,65" in html
    log = AccessLogEntry.objects.get(purpose="allowance_list")
    assert log.actor == manager and log.action == "view"


def test_the_list_defaults_to_last_month(client, manager, cis, active_enrolment):
    client.force_login(manager)
    with travel(TODAY):
        html = (
            client.get(reverse("activation:allowance-month", args=[cis.pk]))
            .content.decode()
            .replace("\xa0", " ")
        )
    assert 'value="2026-10"' in html


def test_a_month_with_no_rule_in_force_is_refused_naming_the_rule(
    client, manager, job_coach, social_worker
):
    # A CIS whose own rules were never entered.
    bare = services.programme_create(by=manager, name="CIS bez regulaminu", kind="cis")
    group = services.cohort_create(
        by=manager,
        programme=bare,
        name="G",
        starts_on=D(2026, 1, 1),
        capacity=5,
        lead_coach=job_coach,
    )
    enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=make_client(first_name="Bogdan", surname="Bezreguły", holder=social_worker),
        cohort=group,
        started_on=D(2026, 9, 1),
    )
    client.force_login(manager)
    with travel(TODAY):
        html = client.get(month_url(bare)).content.decode().replace("\xa0", " ")
        assert 'id="missing-rule"' in html
        assert "Brak zasady świadczenia programu obowiązującej w dniu" in html
        assert "Bezreguły" not in html
        # Closing it is refused too, and nothing is closed.
        client.post(reverse("activation:allowance-close", args=[bare.pk]), {"month": "2026-10"})
    assert not AllowanceMonth.objects.exists()


def test_the_manager_enters_a_bonus_within_the_cap(client, manager, cis, active_enrolment):
    client.force_login(manager)
    url = reverse("activation:allowance-bonus", args=[cis.pk])
    with travel(TODAY):
        response = client.post(
            url, {"month": "2026-10", "enrolment": active_enrolment.pk, "amount": "300,00"}
        )
        assert response.url == month_url(cis)
        html = client.get(month_url(cis)).content.decode().replace("\xa0", " ")
        assert "2 440,68" in html
        # Above the cap (100% of the allowance): refused with the cap named.
        client.post(
            url, {"month": "2026-10", "enrolment": active_enrolment.pk, "amount": "5000.00"}
        )
        html = client.get(month_url(cis)).content.decode().replace("\xa0", " ")
    assert "2 140,68" in html and "2 440,68" in html
    assert active_enrolment.bonuses.get().amount == 300


def test_closing_the_month_locks_it_and_a_correction_is_logged(
    client, manager, cis, cohort, job_coach, active_enrolment
):
    record_october(job_coach, cohort)
    client.force_login(manager)
    with travel(TODAY):
        client.post(reverse("activation:allowance-close", args=[cis.pk]), {"month": "2026-10"})
        closed = AllowanceMonth.objects.get(programme=cis, month=OCTOBER)
        html = client.get(month_url(cis)).content.decode().replace("\xa0", " ")
        assert "Zamknięty" in html or "zamknięt" in html
        assert "Zamknij miesiąc" not in html
        # Attendance of the closed month is refused.
        with pytest.raises(ValidationError):
            services.attendance_save_day(
                by=job_coach, cohort=cohort, day=D(2026, 10, 5), statuses={}, seen=None
            )
        response = client.post(
            reverse("activation:allowance-correction", args=[cis.pk]),
            {
                "month": "2026-10",
                "enrolment": active_enrolment.pk,
                "amount": "-50.00",
                "reason": "Nieobecność zgłoszona po zamknięciu",
            },
        )
        assert response.status_code == 302
        html = client.get(month_url(cis)).content.decode().replace("\xa0", " ")
    correction = AllowanceCorrection.objects.get(allowance_month=closed)
    assert correction.amount == -50
    assert "2 090,68" in html
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM activation_allowancecorrection")
        raw = bytes(cursor.fetchone()[0])
    assert b"zamkni" not in raw
    assert AccessLogEntry.objects.filter(purpose="allowance_correction").exists()


def test_an_open_month_takes_no_correction(client, manager, cis, active_enrolment):
    client.force_login(manager)
    with travel(TODAY):
        client.post(
            reverse("activation:allowance-correction", args=[cis.pk]),
            {"month": "2026-10", "enrolment": active_enrolment.pk, "amount": "10", "reason": "x"},
        )
    assert not AllowanceCorrection.objects.exists()


def test_the_month_that_has_not_ended_cannot_be_closed(client, manager, cis, active_enrolment):
    client.force_login(manager)
    with travel(TODAY):
        html = client.get(month_url(cis, D(2026, 11, 1))).content.decode().replace("\xa0", " ")
        assert "Zamknij miesiąc" not in html
        client.post(reverse("activation:allowance-close", args=[cis.pk]), {"month": "2026-11"})
    assert not AllowanceMonth.objects.exists()


def test_the_csv_for_payroll_neutralises_formulas(
    client, manager, cis, cohort, job_coach, social_worker, cis_rules
):
    sly = make_client(first_name='=HYPERLINK("x")', surname="Formułowy", holder=social_worker)
    enrol_active(
        worker=social_worker, coach=job_coach, client=sly, cohort=cohort, started_on=D(2026, 3, 2)
    )
    client.force_login(manager)
    with travel(TODAY):
        response = client.get(month_url(cis, name="allowance-csv"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Uczestnik"
    assert rows[1][0] == '\'=HYPERLINK("x") Formułowy'
    assert rows[1][3] == "2140,68"
    assert AccessLogEntry.objects.filter(purpose="allowance_list", action="export").count() == 1


def test_the_csv_s_deduction_columns_are_named_in_polish(
    client, manager, cis, cohort, job_coach, active_enrolment
):
    mark(job_coach, cohort, D(2026, 10, 14), {active_enrolment.pk: "unexcused"})
    client.force_login(manager)
    with travel(TODAY):
        response = client.get(month_url(cis, name="allowance-csv"))
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert "Nieobecność nieusprawiedliwiona: dni" in header
    assert "Nieobecność nieusprawiedliwiona: kwota" in header
    assert not any(cell.endswith((": days", ": amount")) for cell in header)


@pytest.mark.parametrize(
    "value, expected",
    [("=1+1", "'=1+1"), ("+48", "'+48"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("Jan", "Jan")],
)
def test_a_csv_cell_starting_with_a_formula_character_is_quoted(value, expected):
    assert safe_cell(value) == expected


def test_the_pdf_for_payroll_is_readable_and_numbered(client, manager, cis, active_enrolment):
    from pypdf import PdfReader

    client.force_login(manager)
    with travel(TODAY):
        response = client.get(month_url(cis, name="allowance-pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = reader.pages[0].extract_text()
    assert "Zdzisław Kalinowski" in text and "2 140,68" in text
    assert "Strona 1 z 1" in text
    assert "Kalinowski" not in str(reader.metadata)


def test_the_pdf_of_a_closed_month_gives_the_closing_time_in_local_time(
    client, manager, cis, active_enrolment
):
    from pypdf import PdfReader

    # Closed at noon in Warsaw on 26 November 2026 (11:00 UTC): the page and the PDF say 12:00.
    record_october(active_enrolment.cohort.lead_coach, active_enrolment.cohort)
    with travel(TODAY, hour=12):
        services.allowance_month_close(by=manager, programme=cis, month=OCTOBER)
    client.force_login(manager)
    with travel(TODAY, hour=13):
        page = client.get(month_url(cis)).content.decode()
        response = client.get(month_url(cis, name="allowance-pdf"))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "26.11.2026 12:00" in page
    assert "Zamknięto 26.11.2026 12:00." in text
    assert "11:00" not in text


@pytest.mark.parametrize("role", ["social_worker", "job_coach", "shelter_staff", "partner", "dpo"])
def test_other_roles_are_refused_the_allowance_pages(client, personas, cis, active_enrolment, role):
    client.force_login(personas[role])
    for url in (
        reverse("activation:allowance-index"),
        reverse("activation:allowance-rules"),
        month_url(cis),
        month_url(cis, name="allowance-csv"),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("activation:allowance-bonus", args=[cis.pk]),
        {"month": "2026-10", "enrolment": active_enrolment.pk, "amount": "10"},
    )
    assert response.status_code == 403
    assert not active_enrolment.bonuses.exists()


def test_another_organisation_s_manager_and_a_non_cis_get_404(
    client, other_manager, manager, cis, laundry, active_enrolment
):
    client.force_login(other_manager)
    assert client.get(month_url(cis)).status_code == 404
    response = client.post(
        reverse("activation:allowance-close", args=[cis.pk]), {"month": "2026-10"}
    )
    assert response.status_code == 404
    client.force_login(manager)
    assert client.get(month_url(laundry)).status_code == 404


def test_the_manager_adds_a_base_amount_and_a_rule_from_a_day(client, manager):
    client.force_login(manager)
    url = reverse("activation:allowance-rules")
    response = client.post(
        url,
        {
            "kind": "base",
            "base-valid_from": "2027-06-01",
            "base-amount": "1850.00",
            "base-source": "Obwieszczenie MRPiPS z 2027 r.",
        },
    )
    assert response.status_code == 302
    assert AllowanceBase.objects.get(valid_from=D(2027, 6, 1)).amount == 1850
    response = client.post(
        url,
        {
            "kind": "rule",
            "rule-valid_from": "2027-01-01",
            "rule-percent": "120",
            "rule-unexcused_day_divisor": "20",
            "rule-sick_day_divisor": "40",
            "rule-unpaid_day_divisor": "30",
            "rule-sick_paid_days": "21",
            "rule-days_off_max": "6",
            "rule-bonus_cap_percent": "100",
            "rule-source": "ustawa o zatrudnieniu socjalnym, art. 15",
        },
    )
    assert response.status_code == 302
    rule = AllowanceRateRule.objects.get(valid_from=D(2027, 1, 1))
    assert rule.trial_month_percent is None and rule.percent == 120
    html = client.get(url).content.decode().replace("\xa0", " ")
    assert "Obwieszczenie MRPiPS z 2027 r." in html


def test_a_duplicate_base_amount_is_refused_with_the_form_back(client, manager):
    client.force_login(manager)
    before = AllowanceBase.objects.count()
    response = client.post(
        reverse("activation:allowance-rules"),
        {"kind": "base", "base-valid_from": "2026-06-01", "base-amount": "1", "base-source": "x"},
    )
    assert response.status_code == 200
    assert AllowanceBase.objects.count() == before


def test_the_list_takes_the_same_number_of_queries_for_2_and_6_participants(
    client, manager, cis, cohort, job_coach, social_worker, cis_rules
):
    from django.test.utils import CaptureQueriesContext

    def add(n, start):
        for i in range(n):
            enrol_active(
                worker=social_worker,
                coach=job_coach,
                client=make_client(
                    first_name="Bogdan", surname=f"Lista{start + i}", holder=social_worker
                ),
                cohort=cohort,
                started_on=D(2026, 3, 2),
            )

    client.force_login(manager)
    counts = []
    for n, start in ((2, 0), (4, 2)):
        add(n, start)
        mark(job_coach, cohort, D(2026, 10, 7 + start), {})
        with travel(TODAY):
            client.get(month_url(cis))
            with CaptureQueriesContext(connection) as captured:
                assert client.get(month_url(cis)).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_a_month_all_in_the_trial_period_takes_no_bonus(
    client, manager, cis, cohort, job_coach, social_worker, cis_rules
):
    newcomer = enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=make_client(first_name="Bogdan", surname="Nowicjusz", holder=social_worker),
        cohort=cohort,
        started_on=D(2026, 10, 10),
    )
    client.force_login(manager)
    with travel(TODAY):
        html = client.get(month_url(cis)).content.decode()
        assert "miesiąc próbny: bez premii" in html
        assert f'id="bonus-{newcomer.pk}"' not in html
        client.post(
            reverse("activation:allowance-bonus", args=[cis.pk]),
            {"month": "2026-10", "enrolment": newcomer.pk, "amount": "100"},
        )
    assert not newcomer.bonuses.exists()


def test_the_list_narrows_to_one_cohort_of_the_cis(
    client, manager, cis, cohort, job_coach, social_worker, active_enrolment
):
    other = services.cohort_create(
        by=manager,
        programme=cis,
        name="Grupa B",
        starts_on=D(2026, 1, 1),
        capacity=5,
        lead_coach=job_coach,
    )
    enrol_active(
        worker=social_worker,
        coach=job_coach,
        client=make_client(first_name="Halina", surname="Grabińska", holder=social_worker),
        cohort=other,
        started_on=D(2026, 3, 2),
    )
    record_october(job_coach, cohort, other)
    client.force_login(manager)
    with travel(TODAY):
        everyone = client.get(month_url(cis)).content.decode()
        narrowed = client.get(f"{month_url(cis)}&cohort={other.pk}").content.decode()
        csv_text = client.get(
            f"{month_url(cis, name='allowance-csv')}&cohort={other.pk}"
        ).content.decode("utf-8-sig")
        # Closed for the whole programme; the narrowed list of the closed month still narrows.
        client.post(reverse("activation:allowance-close", args=[cis.pk]), {"month": "2026-10"})
        closed = client.get(f"{month_url(cis)}&cohort={cohort.pk}").content.decode()
    assert "Kalinowski" in everyone and "Grabińska" in everyone
    assert "Grabińska" in narrowed and "Kalinowski" not in narrowed
    assert "Grabińska" in csv_text and "Kalinowski" not in csv_text
    assert AllowanceMonth.objects.get(programme=cis).lines.count() == 2
    assert "Kalinowski" in closed and "Grabińska" not in closed
