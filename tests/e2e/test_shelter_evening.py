"""An evening at the night shelter on a phone: board, check-in, live update, check-out, the roll."""

import re

from guardian.shortcuts import assign_perm
from playwright.sync_api import expect

from shelters import services
from tests.e2e.test_shell import sign_in
from tests.factories import make_client, make_facility

PHONE = {"width": 390, "height": 844}


def csp_errors(errors):
    return [e for e in errors if "Content Security Policy" in e]


def test_an_evening_on_the_board_on_a_phone(phone, staff_of_a, facility_a, password):
    waiting = make_client(first_name="Halina", surname="Wierzbowa", sex="female")
    services.waitlist_add(by=staff_of_a, facility=facility_a, client=waiting)
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    sign_in(phone, "staff", password)
    phone.wait_for_url(re.compile(r".*/shelters/(start/|\d+/)$"))
    phone.goto(f"/shelters/{facility_a.pk}/")
    assert phone.locator("li.bed-free").count() == 5
    # The waiting person is one tap away at the top, and goes into the suggested bed (a women's
    # room) in one more.
    phone.click("#waiting summary")
    phone.click("#waiting form:has-text('Halina W.') button")
    phone.wait_for_url(re.compile(rf".*/shelters/{facility_a.pk}/$"))
    occupied = phone.locator("li.bed-occupied")
    assert occupied.count() == 1
    assert "Halina W." in occupied.inner_text()
    assert "Sala 2" in phone.locator("section.room", has=occupied).inner_text()
    # The message says which bed, never who.
    message = phone.locator(".messages").inner_text()
    assert "Sala 2" in message and "Halina" not in message
    # Someone else checks a man in at the door: htmx brings the board and its counts up to date.
    man = make_client(first_name="Zdzisław", surname="Kalinowski", sex="male")
    services.stay_check_in(by=staff_of_a, facility=facility_a, client=man)
    refreshes = []

    def on_request(request):
        # Playwright gives header names in lower case.
        if request.headers.get("hx-request") == "true":
            refreshes.append(request.headers.get("x-przystan-refresh"))

    phone.on("request", on_request)
    # As the 30-second poll does: from the board element, with its hx-headers.
    phone.evaluate(
        "url => htmx.ajax('GET', url, {source: '#board', target: '#board', swap: 'outerHTML'})",
        f"/shelters/{facility_a.pk}/",
    )
    phone.wait_for_function("document.querySelectorAll('li.bed-occupied').length === 2")
    assert "Zdzisław K." in phone.locator("#board").inner_text()
    # The counts at the top came along (out of band): 3 free of 5.
    expect(phone.locator("#board-summary")).to_have_attribute("data-free", "3")
    assert "3 wolne" in phone.locator("#board-summary").inner_text()
    # The poll says it is a background refresh: it does not keep an unattended session alive.
    assert refreshes == ["true"]
    # Nothing wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # The roll for a fire evacuation, as a PDF in one click.
    response = phone.request.get(f"/shelters/{facility_a.pk}/roll.pdf")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert not csp_errors(errors)


def test_the_first_screen_of_a_60_bed_board_shows_the_counts_a_free_bed_and_check_in(
    phone, shelter_staff, foundation, password
):
    """A 60-bed shelter, 58 beds taken: on a 390 x 844 phone the counts, a free bed and the
    check-in button are on the first screen, without scrolling."""
    shelter = make_facility(
        organisation=foundation,
        name="Schronisko 60",
        kind="shelter",
        rooms=[(f"Pokój {n}", "men", 10) for n in range(1, 7)],
    )
    assign_perm("shelters.operate_facility", shelter_staff, shelter)
    for n in range(58):
        person = make_client(first_name="Jan", surname=f"Próbny{n}", sex="male")
        services.stay_check_in(by=shelter_staff, facility=shelter, client=person)
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(phone, "staff", password)
    phone.wait_for_url(re.compile(r".*/shelters/(start/|\d+/)$"))
    phone.goto(f"/shelters/{shelter.pk}/")
    assert phone.viewport_size == PHONE
    height = PHONE["height"]

    def on_first_screen(selector):
        box = phone.locator(selector).first.bounding_box()
        assert box is not None, selector
        return box["y"] >= 0 and box["y"] + box["height"] <= height

    assert on_first_screen(".board-head [role=button]")  # check in
    assert on_first_screen(".board-head a[href$='/walk-in/']")  # someone at the door
    assert on_first_screen(".counts .count-free")
    assert on_first_screen(".counts .count-places")
    assert on_first_screen(".free-bed")
    assert on_first_screen("#waiting summary")
    assert "2 wolne" in phone.locator(".counts").inner_text()
    assert "z 60 miejsc" in phone.locator(".counts").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not csp_errors(errors)


def test_a_guest_is_checked_out_on_a_phone_with_a_chosen_destination(
    phone, staff_of_a, facility_a, password
):
    guest = make_client(first_name="Bogdan", surname="Cisowski", sex="male")
    stay = services.stay_check_in(by=staff_of_a, facility=facility_a, client=guest)
    sign_in(phone, "staff", password)
    phone.wait_for_url(re.compile(r".*/shelters/(start/|\d+/)$"))
    phone.goto(f"/shelters/{facility_a.pk}/")
    phone.click("li.bed-occupied >> text=Bogdan C.")
    phone.wait_for_url(re.compile(rf".*/shelters/stays/{stay.pk}/$"))
    # Nothing is chosen for the staff: submitting as it is gives an error and records nothing.
    assert phone.locator("#id_destination").input_value() == ""
    phone.click("#check-out button[type=submit]")
    assert "Wybierz, dokąd osoba odeszła" in phone.locator("#check-out").inner_text()
    stay.refresh_from_db()
    assert stay.ended_at is None
    phone.select_option("#id_destination", "family")
    phone.click("#check-out button[type=submit]")
    phone.wait_for_url(re.compile(rf".*/shelters/{facility_a.pk}/$"))
    message = phone.locator(".messages").inner_text()
    assert "Rodzina lub znajomi" in message and "Bogdan" not in message
    stay.refresh_from_db()
    assert stay.exit_destination == "family"
    assert phone.locator("li.bed-occupied").count() == 0


def test_the_check_in_finds_a_person_as_one_types(phone, staff_of_a, facility_a, password):
    """The search runs as one types (htmx, a POST with the CSRF token), namesakes told apart."""
    import datetime

    for born in (1971, 1985):
        person = make_client(
            first_name="Ryszard",
            surname="Dębowiak" if born == 1971 else "Dąbrowski",
            sex="male",
            birth_date=datetime.date(born, 3, 3),
        )
        services.waitlist_add(by=staff_of_a, facility=facility_a, client=person)
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(phone, "staff", password)
    phone.wait_for_url(re.compile(r".*/shelters/(start/|\d+/)$"))
    phone.goto(f"/shelters/{facility_a.pk}/check-in/")
    phone.fill("#id_q", "ryszard dą")
    # Both namesakes are expected tonight; typing narrows the list to one (polled by a locator:
    # a waiting function string would be eval, which our CSP refuses).
    expect(phone.locator("#candidates input[type=radio]")).to_have_count(1)
    candidate = phone.locator("#candidates li").first
    assert "Ryszard D." in candidate.inner_text() and "1985" in candidate.inner_text()
    candidate.locator("input[type=radio]").check()
    phone.click("main form button[type=submit]:not([formaction])")
    phone.wait_for_url(re.compile(rf".*/shelters/{facility_a.pk}/$"))
    assert phone.locator("li.bed-occupied").count() == 1
    assert "1985" in phone.locator("li.bed-occupied").inner_text()
    assert not csp_errors(errors)
