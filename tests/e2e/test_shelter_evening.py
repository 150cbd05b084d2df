"""An evening at the night shelter on a phone: board, check-in, live update, the roll."""

import re

from shelters import services
from tests.e2e.test_shell import sign_in
from tests.factories import make_client


def test_an_evening_on_the_board_on_a_phone(phone, staff_of_a, facility_a, password):
    waiting = make_client(first_name="Halina", surname="Wierzbowa", sex="female")
    services.waitlist_add(by=staff_of_a, facility=facility_a, client=waiting)
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    sign_in(phone, "staff", password)
    phone.wait_for_url("**/start/shelter-staff/")
    phone.goto(f"/shelters/{facility_a.pk}/")
    assert phone.locator("li.bed-free").count() == 5
    # The waiting person goes into the suggested bed (a women's room) in one tap.
    phone.click("text=Halina W. >> xpath=.. >> button")
    phone.wait_for_url(re.compile(rf".*/shelters/{facility_a.pk}/$"))
    occupied = phone.locator("li.bed-occupied")
    assert occupied.count() == 1
    assert "Halina W." in occupied.inner_text()
    assert "Sala 2" in occupied.inner_text()
    # Someone else checks a man in at the door: htmx brings the board up to date in place.
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
    # The poll says it is a background refresh: it does not keep an unattended session alive.
    assert refreshes == ["true"]
    # Nothing wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # The roll for a fire evacuation, as a PDF in one click.
    response = phone.request.get(f"/shelters/{facility_a.pk}/roll.pdf")
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert not [e for e in errors if "Content Security Policy" in e]
