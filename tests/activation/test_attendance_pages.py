"""The job coach's attendance pages: a group's day on a phone, and the monthly sheet."""

import datetime
import io

import pytest
from django.db import connection
from django.urls import reverse

from activation import selectors, services
from activation.models import Attendance
from audit.models import AccessLogEntry
from tests.activation.conftest import enrol_active, travel
from tests.factories import UserFactory, make_client

D = datetime.date
TODAY = D(2026, 11, 26)
NOVEMBER_2 = D(2026, 11, 2)


def group(size, *, worker, coach, cohort, started_on=NOVEMBER_2, surname="Cisowski"):
    clients = [
        make_client(first_name="Bogdan", surname=f"{surname}{n:02d}", holder=worker)
        for n in range(size)
    ]
    return [
        enrol_active(worker=worker, coach=coach, client=c, cohort=cohort, started_on=started_on)
        for c in clients
    ]


@pytest.fixture
def three(social_worker, job_coach, cohort, cis_rules):
    return group(3, worker=social_worker, coach=job_coach, cohort=cohort)


def day_url(cohort, day=None):
    url = reverse("activation:attendance-day", args=[cohort.pk])
    return f"{url}?day={day.isoformat()}" if day else url


def post_day(client, cohort, day, statuses, *, seen, notes=None):
    data = {"day": day.isoformat(), "seen": seen}
    for enrolment, status in statuses.items():
        data[f"status-{enrolment.pk}"] = status
    for enrolment, note in (notes or {}).items():
        data[f"note-{enrolment.pk}"] = note
    return client.post(day_url(cohort), data)


def everyone(people, status="present"):
    return {p: status for p in people}


def test_the_day_defaults_to_today_with_everyone_present(client, three, job_coach, cohort):
    client.force_login(job_coach)
    with travel(TODAY, hour=8):
        response = client.get(day_url(cohort))
    html = response.content.decode()
    assert response.status_code == 200
    # Today in local time, as an ISO value in the date input.
    assert 'type="date" name="day" id="id_day" value="2026-11-26"' in html
    assert html.count('value="present" checked') == 3
    assert "Bogdan Cisowski00" in html
    log = AccessLogEntry.objects.get(purpose="attendance", action="view")
    assert log.actor == job_coach and log.subject_id is None


def test_today_is_the_local_date_not_utc(client, three, job_coach, cohort):
    client.force_login(job_coach)
    # 00:30 in Warsaw on the 27th is still the 26th in UTC.
    with travel(D(2026, 11, 27), hour=0):
        html = client.get(day_url(cohort)).content.decode()
    assert 'value="2026-11-27"' in html


def test_a_coach_changes_one_person_and_saves_the_whole_day(client, three, job_coach, cohort):
    client.force_login(job_coach)
    with travel(TODAY):
        drawn = selectors.attendance_version(cohort, TODAY)
        marks = {**everyone(three), three[1]: "sick"}
        response = post_day(client, cohort, TODAY, marks, seen=drawn)
        assert response.status_code == 302
        assert response.url == day_url(cohort, TODAY)
        saved = dict(Attendance.objects.values_list("enrolment_id", "status"))
        assert saved == {three[0].pk: "present", three[1].pk: "sick", three[2].pk: "present"}
        page = client.get(response.url).content.decode()
    assert "Zapisano obecność: 3 osoby." in page
    assert page.count('value="sick" checked') == 1


def test_a_correction_keeps_the_history(client, three, job_coach, cohort):
    client.force_login(job_coach)
    with travel(TODAY):
        post_day(
            client, cohort, TODAY, everyone(three), seen=selectors.attendance_version(cohort, TODAY)
        )
        version = selectors.attendance_version(cohort, TODAY)
        post_day(client, cohort, TODAY, {**everyone(three), three[0]: "unexcused"}, seen=version)
    row = Attendance.objects.get(enrolment=three[0])
    assert [h.status for h in row.history.order_by("history_date")] == ["present", "unexcused"]


def test_other_without_a_note_is_pointed_at_and_nothing_is_saved(client, three, job_coach, cohort):
    client.force_login(job_coach)
    with travel(TODAY):
        version = selectors.attendance_version(cohort, TODAY)
        response = post_day(
            client, cohort, TODAY, {**everyone(three), three[2]: "other"}, seen=version
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "„Inne” wymaga opisu" in html
    assert 'aria-invalid="true"' in html
    # What was chosen stays chosen.
    assert html.count('value="other" checked') == 1
    assert not Attendance.objects.exists()


def test_other_with_a_note_is_saved_encrypted(client, three, job_coach, cohort):
    client.force_login(job_coach)
    with travel(TODAY):
        version = selectors.attendance_version(cohort, TODAY)
        post_day(
            client,
            cohort,
            TODAY,
            {**everyone(three), three[2]: "other"},
            seen=version,
            notes={three[2]: "Wezwanie do urzędu"},
        )
    assert Attendance.objects.get(enrolment=three[2]).note == "Wezwanie do urzędu"
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT note FROM activation_attendance WHERE enrolment_id = %s", [three[2].pk]
        )
        raw = bytes(cursor.fetchone()[0])
    assert b"Wezwanie" not in raw


def test_a_future_day_shows_no_save_button_and_a_post_is_refused(client, three, job_coach, cohort):
    client.force_login(job_coach)
    tomorrow = TODAY + datetime.timedelta(days=1)
    with travel(TODAY):
        html = client.get(day_url(cohort, tomorrow)).content.decode()
        assert "att-save" not in html
        response = post_day(client, cohort, tomorrow, everyone(three), seen="")
    assert "w przyszłości" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_day_before_someone_s_start_leaves_them_out_and_refuses_them(
    client, three, job_coach, cohort, social_worker
):
    late = group(
        1, worker=social_worker, coach=job_coach, cohort=cohort, started_on=TODAY, surname="Późny"
    )[0]
    client.force_login(job_coach)
    earlier = TODAY - datetime.timedelta(days=1)
    with travel(TODAY):
        html = client.get(day_url(cohort, earlier)).content.decode()
        assert f"status-{late.pk}" not in html
        version = selectors.attendance_version(cohort, earlier)
        response = post_day(
            client, cohort, earlier, {**everyone(three), late: "present"}, seen=version
        )
    assert response.status_code == 200
    assert "nie uczestniczą" in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_closed_month_is_refused_with_a_clear_message(
    client, three, job_coach, cohort, manager, cis
):
    client.force_login(job_coach)
    october = D(2026, 10, 15)
    with travel(D(2026, 11, 2)):
        services.allowance_month_close(by=manager, programme=cis, month=october)
    with travel(TODAY):
        html = client.get(day_url(cohort, D(2026, 11, 2))).content.decode()
        assert "att-save" in html
        # Nobody took part in October (they started in November): the page says the month is closed.
        html = client.get(day_url(cohort, october)).content.decode()
    assert "jest zamknięty" in html
    assert "att-save" not in html


def test_two_coaches_on_the_same_day_one_wins_the_other_sees_the_newer_values(
    client, three, job_coach, cohort, manager
):
    second = UserFactory(username="coach2", organisation=manager.organisation, role="job_coach")
    services.cohort_coach_add(by=manager, cohort=cohort, coach=second)
    from django.test import Client

    other = Client()
    client.force_login(job_coach)
    other.force_login(second)
    with travel(TODAY):
        # Both open the form: the same token.
        first_html = client.get(day_url(cohort, TODAY)).content.decode()
        other.get(day_url(cohort, TODAY))
        token = selectors.attendance_version(cohort, TODAY)
        assert f'name="seen" value="{token}"' in first_html
        won = post_day(client, cohort, TODAY, {**everyone(three), three[0]: "sick"}, seen=token)
        assert won.status_code == 302
        lost = post_day(
            other, cohort, TODAY, {**everyone(three), three[0]: "unexcused"}, seen=token
        )
    html = lost.content.decode()
    assert lost.status_code == 200
    assert "w międzyczasie" in html
    # The loser is shown the winner's values, not their own.
    assert f'id="s-{three[0].pk}-sick" value="sick" checked' in html
    assert Attendance.objects.get(enrolment=three[0]).status == "sick"


def test_a_post_without_the_token_is_treated_as_stale(client, three, job_coach, cohort):
    client.force_login(job_coach)
    with travel(TODAY):
        response = post_day(client, cohort, TODAY, everyone(three), seen="")
    assert response.status_code == 200
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("role", ["social_worker", "manager", "shelter_staff", "partner", "dpo"])
def test_other_roles_are_refused_the_attendance_pages(client, three, cohort, personas, role):
    client.force_login(personas[role])
    assert client.get(reverse("activation:attendance-cohorts")).status_code == 403
    assert client.get(day_url(cohort)).status_code == 403
    with travel(TODAY):
        response = post_day(client, cohort, TODAY, everyone(three), seen="")
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_a_coach_of_another_cohort_gets_404(client, three, cohort, manager):
    stranger = UserFactory(username="coach3", organisation=manager.organisation, role="job_coach")
    client.force_login(stranger)
    assert client.get(day_url(cohort)).status_code == 404
    assert client.get(reverse("activation:attendance-day", args=[99999])).status_code == 404
    with travel(TODAY):
        assert post_day(client, cohort, TODAY, everyone(three), seen="").status_code == 404
    assert client.get(reverse("activation:attendance-sheet", args=[cohort.pk])).status_code == 404


def test_anonymous_visitors_go_to_login(client, cohort):
    response = client.get(day_url(cohort))
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_coach_s_cohort_list_links_today_s_attendance(client, three, job_coach, cohort):
    client.force_login(job_coach)
    with travel(TODAY):
        html = client.get(reverse("activation:attendance-cohorts")).content.decode()
    assert f"{day_url(cohort)}?day=2026-11-26" in html


@pytest.mark.parametrize("size", [5, 25])
def test_the_day_s_form_and_its_save_take_a_constant_number_of_queries(
    client, social_worker, job_coach, cohort, cis_rules, size, django_assert_num_queries
):
    people = group(size, worker=social_worker, coach=job_coach, cohort=cohort)
    client.force_login(job_coach)
    with travel(TODAY):
        client.get(day_url(cohort, TODAY))  # the session and the user, warmed
        with django_assert_num_queries(RENDER_QUERIES - _one_statement_log()):
            client.get(day_url(cohort, TODAY))
        token = selectors.attendance_version(cohort, TODAY)
        with django_assert_num_queries(SAVE_QUERIES - _one_statement_log()):
            post_day(client, cohort, TODAY, {**everyone(people), people[0]: "sick"}, seen=token)


def _one_statement_log() -> int:
    """On PostgreSQL an access-log row and its chain head's move are one statement (issue 14,
    audit.services._insert_and_advance): the page's one access-log append costs one query less
    there than on SQLite, where they are an INSERT and an UPDATE."""
    return 1 if connection.vendor == "postgresql" else 0


# The same for 5 and 25 people (the parametrised test above asserts both sizes against these).
# 13 before issue 13's second factor, whose middleware asks once per request whether this
# session still owes a code (the organisation's switch or an app of the person's: one query),
# and whose OTP middleware loads the session's device (one query). 14 since issue 14: the
# navigation reads the middleware's answer instead of asking the database again. 12 since the
# signed-in user's row brings their roles (their groups) and the second factor's answer in the
# same statement (accounts/backends.py, branch boardcost): two queries fewer. 13 since the
# erasure epoch (issue 14, several app servers): the people's keys, cached by the request
# before, are used once the request has read the epoch (one primary-key lookup). 12 again since
# the epoch is read in the session's own statement (privacy/sessions.py).
RENDER_QUERIES = 12
# 22 before issue 13, one UPDATE (executemany) sealing the new rows bound to their ids, and
# the second factor's check of the session (one query; the device is loaded with the user);
# 22 again since the roles and that check come with the user's row (accounts/backends.py);
# 23 with the erasure epoch, read once by the request as above; 22 again with the epoch in the
# session's statement.
SAVE_QUERIES = 22


def test_the_monthly_sheet_shows_every_day_and_the_totals(client, three, job_coach, cohort):
    client.force_login(job_coach)
    with travel(TODAY):
        for day, marks in (
            (D(2026, 11, 23), {three[0]: "sick"}),
            (D(2026, 11, 24), {three[0]: "unexcused", three[1]: "day_off"}),
        ):
            version = selectors.attendance_version(cohort, day)
            post_day(client, cohort, day, {**everyone(three), **marks}, seen=version)
        response = client.get(
            reverse("activation:attendance-sheet", args=[cohort.pk]) + "?month=2026-11"
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bogdan Cisowski00" in html and '<th scope="col">30</th>' in html
    assert AccessLogEntry.objects.filter(purpose="attendance_sheet", action="view").count() == 1


def test_the_monthly_sheet_pdf_is_landscape_numbered_and_readable(client, three, job_coach, cohort):
    from pypdf import PdfReader

    client.force_login(job_coach)
    with travel(TODAY):
        version = selectors.attendance_version(cohort, TODAY)
        post_day(client, cohort, TODAY, {**everyone(three), three[0]: "sick"}, seen=version)
        response = client.get(
            reverse("activation:attendance-sheet-pdf", args=[cohort.pk]) + "?month=2026-11"
        )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height
    text = page.extract_text()
    assert "Bogdan Cisowski00" in text
    assert "Strona 1 z 1" in text
    assert "listopad 2026" in text.lower()
    # No participant's name in the metadata.
    assert "Cisowski" not in str(reader.metadata)
    assert AccessLogEntry.objects.filter(purpose="attendance_sheet", action="print").count() == 1


def test_the_manager_of_the_programme_may_print_the_sheet_and_others_may_not(
    client, three, cohort, manager, other_manager, social_worker
):
    url = reverse("activation:attendance-sheet-pdf", args=[cohort.pk])
    client.force_login(manager)
    assert client.get(url).status_code == 200
    client.force_login(other_manager)
    assert client.get(url).status_code == 404
    client.force_login(social_worker)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-13-01", "yesterday"])
def test_a_day_far_outside_the_calendar_or_not_a_date_falls_back_to_today(
    client, three, job_coach, cohort, day
):
    client.force_login(job_coach)
    with travel(TODAY):
        response = client.get(f"{day_url(cohort)}?day={day}")
        sheet = client.get(
            reverse("activation:attendance-sheet", args=[cohort.pk]) + f"?month={day[:7]}"
        )
    assert response.status_code == 200 and sheet.status_code == 200
    assert f'name="status-{three[0].pk}"' in response.content.decode()


def test_the_day_s_form_speaks_english_on_request(client, three, job_coach, cohort):
    client.force_login(job_coach)
    client.cookies["django_language"] = "en"
    with travel(TODAY):
        html = client.get(day_url(cohort, TODAY)).content.decode()
    assert ">Present</label>" in html and "Save the day (3 people)" in html


def test_names_and_notes_are_escaped_in_the_day_s_form(
    client, job_coach, cohort, social_worker, cis_rules
):
    sly = group(1, worker=social_worker, coach=job_coach, cohort=cohort, surname='<b id="x">Zły')[0]
    with travel(TODAY):
        services.attendance_save_day(
            by=job_coach,
            cohort=cohort,
            day=TODAY,
            statuses={sly.pk: "other"},
            notes={sly.pk: '"><script>alert(1)</script>'},
            seen=None,
        )
        client.force_login(job_coach)
        html = client.get(day_url(cohort, TODAY)).content.decode()
    assert '<b id="x">' not in html and "&lt;b id=&quot;x&quot;&gt;Zły00" in html
    assert "<script>alert(1)" not in html
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
