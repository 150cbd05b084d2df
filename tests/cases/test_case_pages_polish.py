"""The case pages read naturally in Polish (issue 10, item 12): dates as 27.11.2026, the
caseload's header saying its real order, waiting times and counts through ngettext."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.utils import translation

from cases import services
from cases.pesel import synthesize
from cases.services import plans as plan_services
from cases.wording import days_waiting, every_days
from tests.factories import make_client

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
FRIDAY = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=WARSAW)
MONDAY = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=WARSAW)
BORN = datetime.date(1966, 4, 9)


def text_of(html: str) -> str:
    """What a reader sees: the page without its tags (and so without input values and URLs)."""
    return re.sub(r"<[^>]*>", " ", html)


@pytest.fixture
def file_with_dates(social_worker, cooperative):
    """A client with a birth date, a note, a plan and a referral, all made on Friday."""
    with time_machine.travel(FRIDAY, tick=False):
        person = make_client(
            first_name="Marianna",
            surname="Cisowska",
            sex="female",
            pesel=synthesize(BORN, female=True, serial=7),
            birth_date=BORN,
            holder=social_worker,
        )
        day = datetime.date(2026, 11, 27)
        services.note_add(
            by=social_worker, client=person, kind="visit", noted_on=day, text="Spotkanie."
        )
        plan = plan_services.plan_create(
            by=social_worker, client=person, kind="ipwzb", starts_on=day
        )
        services.consent_record(
            by=social_worker,
            client=person,
            purpose="referral",
            legal_basis="consent",
            given_on=day,
            partner=cooperative,
        )
        services.referral_send(
            by=social_worker, client=person, partner=cooperative, service="Pralnia", summary="Rano."
        )
        services.document_upload(
            by=social_worker,
            client=person,
            kind="consent",
            title="Zgoda",
            content=b"%PDF-1.4\n% synthetic consent form\n" + b"0" * 200,
        )
    return person, plan


def test_case_pages_show_dates_as_27_11_2026_and_never_iso(client, social_worker, file_with_dates):
    person, plan = file_with_dates
    with time_machine.travel(MONDAY, tick=False):
        client.force_login(social_worker)
        pages = {
            path: text_of(client.get(path).content.decode())
            for path in [
                f"/clients/{person.pk}/",
                f"/clients/{person.pk}/timeline/",
                f"/clients/{person.pk}/plans/",
                f"/clients/{person.pk}/plans/{plan.pk}/",
                f"/clients/{person.pk}/referrals/",
                f"/clients/{person.pk}/consents/",
                f"/clients/{person.pk}/history/",
            ]
        }
    for path, text in pages.items():
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), path
        assert not re.search(r"\b\d{2}-\d{2}-\d{4}\b", text), path
        assert "listopada" not in text, path
    assert "09.04.1966" in pages[f"/clients/{person.pk}/"]
    assert "27.11.2026" in pages[f"/clients/{person.pk}/"]  # the note
    assert "27.11.2026" in pages[f"/clients/{person.pk}/plans/{plan.pk}/"]
    assert "27.11.2026" in pages[f"/clients/{person.pk}/referrals/"]
    # The signed form to choose for a consent is named with its upload date.
    assert "Zgoda (27.11.2026)" in pages[f"/clients/{person.pk}/consents/"]


def test_a_referral_sent_today_waits_since_today_not_for_0_minutes(
    client, social_worker, file_with_dates
):
    person, _plan = file_with_dates
    with time_machine.travel(FRIDAY + datetime.timedelta(hours=2), tick=False):
        client.force_login(social_worker)
        today = text_of(client.get(f"/clients/{person.pk}/referrals/").content.decode())
    assert "od dziś" in today
    assert "minut" not in today
    with time_machine.travel(MONDAY, tick=False):
        client.force_login(social_worker)
        later = text_of(client.get(f"/clients/{person.pk}/referrals/").content.decode())
    assert "Czeka na odpowiedź" in later
    assert "3 dni" in later


@pytest.mark.parametrize(
    ("days", "polish", "english"),
    [
        (0, "od dziś", "since today"),
        (1, "1 dzień", "1 day"),
        (2, "2 dni", "2 days"),
        (5, "5 dni", "5 days"),
        (22, "22 dni", "22 days"),
    ],
)
def test_waiting_days_take_the_right_plural_form(days, polish, english):
    sent = datetime.date(2026, 11, 1)
    today = sent + datetime.timedelta(days=days)
    with translation.override("pl"):
        assert days_waiting(sent, today) == polish
    with translation.override("en"):
        assert days_waiting(sent, today) == english


def test_a_review_period_takes_the_right_plural_form():
    with translation.override("pl"):
        assert every_days(1) == "co 1 dzień"
        assert every_days(14) == "co 14 dni"
    with translation.override("en"):
        assert every_days(1) == "every 1 day"


def test_the_caseload_is_in_the_order_its_header_says(client, social_worker):
    # Registered in this order; listed by surname as in Polish (Ł after L), case ignored.
    for surname in ("Zieliński", "Łęczycki", "Adamski", "Lewandowski", "adamczyk"):
        make_client(first_name="Jan", surname=surname, holder=social_worker)
    client.force_login(social_worker)
    html = client.get("/clients/").content.decode()
    assert 'aria-sort="ascending">Nazwisko i imię (od A do Z)</th>' in html
    rows = re.findall(r'<tr><td><a href="/clients/[^"]+/">([^<]+)</a>', html)
    assert [row.split()[0] for row in rows] == [
        "adamczyk",
        "Adamski",
        "Lewandowski",
        "Łęczycki",
        "Zieliński",
    ]


def test_the_to_do_list_says_what_its_counts_mean_with_plural_forms(client, social_worker):
    person = make_client(holder=social_worker)
    with time_machine.travel(FRIDAY, tick=False):
        for _n in range(2):
            plan = plan_services.plan_create(
                by=social_worker,
                client=person,
                kind="contract",
                starts_on=datetime.date(2026, 11, 27),
                requires_approval=False,
            )
            plan_services.goal_add(by=social_worker, plan=plan, text="Cel")
            plan_services.plan_submit(by=social_worker, plan=plan)
    with time_machine.travel(MONDAY, tick=False):
        client.force_login(social_worker)
        html = client.get("/clients/").content.decode()
    # Both plans' reviews (every 14 days from their start on Friday) fall due on 11 December.
    assert "0 przeglądów programów do zrobienia w ciągu 3 dni" in html
    assert "0 zaległych przeglądów programów" in html
    assert "0 projektów programów do dokończenia" in html
    with time_machine.travel(MONDAY + datetime.timedelta(days=9), tick=False):
        client.force_login(social_worker)
        html = client.get("/clients/").content.decode()
    assert "2 przeglądy programów do zrobienia w ciągu 3 dni" in html
    with time_machine.travel(MONDAY + datetime.timedelta(days=12), tick=False):
        client.force_login(social_worker)
        html = client.get("/clients/").content.decode()
    assert '<a href="?overdue=1">2 zaległe przeglądy programów</a>' in html
    assert "Przeglądy programów (do 3 dni)" not in html
