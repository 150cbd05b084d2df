"""Walk-ins on a 390 x 844 phone, in Polish: the night shift registers someone at the door and
checks them in, checks a guest out with a chosen destination; a social worker finds the walk-in
among the new walk-ins, takes the file and completes the intake."""

import re

from playwright.sync_api import expect

from shelters import services
from shelters.walkins import walk_in_admit
from tests.e2e.test_shell import sign_in
from tests.factories import make_client

PHONE_WIDTH = 390


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def csp_errors(errors):
    return [e for e in errors if "Content Security Policy" in e]


def test_a_walk_in_is_registered_and_checked_in_then_a_guest_checked_out_on_a_phone(
    phone, staff_of_a, facility_a, password
):
    guest = make_client(first_name="Bogdan", surname="Cisowski", sex="male")
    stay = services.stay_check_in(by=staff_of_a, facility=facility_a, client=guest)
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(phone, "staff", password)
    phone.wait_for_url(lambda url: "/login/" not in url)
    phone.goto(f"/shelters/{facility_a.pk}/")

    # Someone at the door: search first.
    phone.click("text=Ktoś przy drzwiach")
    phone.wait_for_url(re.compile(rf".*/shelters/{facility_a.pk}/walk-in/$"))
    phone.fill("#id_first_name", "Zbigniew")
    phone.fill("#id_surname", "Przybysz")
    phone.click("#walk-in-search button[type=submit]")
    expect(phone.locator("#matches")).to_contain_text("Nikt o tych danych nie jest znany.")
    assert fits(phone)

    # Not known: the short record, prefilled with what was typed; nothing chosen for staff.
    register = phone.locator("#walk-in-register")
    assert register.locator("#id_new-first_name").input_value() == "Zbigniew"
    assert register.locator("#id_new-sex").input_value() == ""
    assert register.locator("#id_new-legal_basis").input_value() == ""
    register.locator("#id_new-sex").select_option("male")
    register.locator("#id_new-birth_year").fill("1968")
    register.locator("#id_new-birth_year_estimated").check()
    register.locator("#id_new-note").fill("Spał na dworcu, zmarznięty.")
    register.locator("#id_new-legal_basis").select_option("vital_interest")
    register.locator("#id_new-bed").select_option(label="Sala 1 / 1.2")
    register.locator("button[type=submit]").click()
    phone.wait_for_url(re.compile(rf".*/shelters/{facility_a.pk}/$"))
    message = phone.locator(".messages").inner_text()
    assert "Przyjęto na miejsce: Sala 1 / 1.2." in message and "Zbigniew" not in message
    assert "Zbigniew P." in phone.locator("li.bed-occupied", has_text="1.2").inner_text()
    assert fits(phone)

    # The guest leaves: a destination must be chosen, and the page says what was recorded.
    phone.click("li.bed-occupied >> text=Bogdan C.")
    phone.wait_for_url(re.compile(rf".*/shelters/stays/{stay.pk}/$"))
    assert phone.locator("#id_destination").input_value() == ""
    phone.select_option("#id_destination", "family")
    phone.click("#check-out button[type=submit]")
    phone.wait_for_url(re.compile(rf".*/shelters/{facility_a.pk}/$"))
    message = phone.locator(".messages").inner_text()
    assert "Rodzina lub znajomi" in message and "Bogdan" not in message
    stay.refresh_from_db()
    assert stay.exit_destination == "family"
    assert fits(phone)
    assert not csp_errors(errors)


def test_a_social_worker_takes_a_walk_in_and_completes_the_intake_on_a_phone(
    phone, social_worker, staff_of_a, facility_a, password
):
    stay = walk_in_admit(
        by=staff_of_a,
        facility=facility_a,
        bed=facility_a.beds.get(label="1.1"),
        first_name="Tadeusz",
        surname="Wędrowny",
        sex="male",
        birth_year=1964,
        birth_year_estimated=True,
        note="Od tygodnia nocuje na dworcu.",
        legal_basis="vital_interest",
    )
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(phone, "sw", password)
    phone.wait_for_url(re.compile(r".*/(start/social-worker|clients)/$"))
    # The caseload's to-do says someone is waiting, and leads to the list.
    phone.goto("/clients/")
    phone.click("text=1 nowa osoba z ulicy czeka na pracownika socjalnego.")
    phone.wait_for_url("**/clients/walk-ins/")
    card = phone.locator("article.walk-in", has_text="Tadeusz")
    assert "1964 (szacowany)" in card.inner_text()
    assert "Od tygodnia nocuje na dworcu." in card.inner_text()
    assert fits(phone)
    card.locator("button[type=submit]").click()
    phone.wait_for_url(re.compile(rf".*/clients/{stay.client_id}/edit/$"))
    assert "Sprawa jest teraz Twoja" in phone.locator(".messages").inner_text()
    assert phone.locator("#id_surname").input_value() == "Wędrowny"
    phone.fill("#id_birth_date", "1964-02-11")
    phone.select_option("#id_ethos", "2")
    phone.click("main form button[type=submit]")
    phone.wait_for_url(re.compile(rf".*/clients/{stay.client_id}/$"))
    assert "Tadeusz Wędrowny" in phone.inner_text("h1")
    assert fits(phone)
    # Taken: the list is empty now.
    phone.goto("/clients/walk-ins/")
    assert "Nikt nie oczekuje." in phone.locator("main").inner_text()
    assert not csp_errors(errors)
