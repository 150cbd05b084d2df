"""The DPO's day in a browser (issue 10, "done means"): `iod` finds a person, reads who opened
their file, and opens the erasure from the person's page, with nothing to paste."""

import datetime
import os
import re

from cases.pesel import synthesize
from tests.e2e.test_casefile import sign_in
from tests.factories import make_client

PHONE_WIDTH = 390


def test_the_dpo_finds_a_person_and_reads_who_opened_their_file(
    page, phone, dpo, social_worker, password, console_errors
):
    born = datetime.date(1968, 2, 9)
    pesel = synthesize(born, female=True, serial=404)
    person = make_client(
        first_name="Stanisława",
        surname="Brzozowska",
        pesel=pesel,
        birth_date=born,
        sex="female",
        holder=social_worker,
    )
    # The worker opens the file: the row the DPO is after.
    sign_in(page, "sw", password)
    page.goto(f"/clients/{person.pk}/")

    sign_in(phone, "dpo", password)
    phone.wait_for_url("**/privacy/people/")
    phone.fill("#id_surname", "brzozowska")
    phone.fill("#id_birth_date", "1968-02-09")
    phone.click("main form button[type=submit]")
    result = phone.locator("main table tbody tr").first
    assert "Stanisława Brzozowska" in result.inner_text()
    assert "1968" in result.inner_text()
    result.locator("a").click()
    phone.wait_for_url(re.compile(rf".*/privacy/people/{person.pk}/$"))
    log = phone.locator("table.access-log").inner_text()
    assert social_worker.get_full_name() in log
    assert "Pracownik socjalny" in log
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    if os.environ.get("PRZYSTAN_SCREENSHOTS"):
        phone.screenshot(
            path=f"{os.environ['PRZYSTAN_SCREENSHOTS']}/dpo-person.png", full_page=True
        )

    # The erasure opens from here, the identifier filled in.
    phone.click("text=Przejdź do usunięcia danych")
    phone.wait_for_url(re.compile(rf".*/privacy/erase/{person.pk}/$"))

    # The whole log of the person, and its export.
    phone.goto(f"/privacy/access-log/?person={person.pk}")
    assert "Stanisława Brzozowska" in phone.locator("table.access-log").inner_text()
    assert phone.locator("a[download]").count() == 1
    if os.environ.get("PRZYSTAN_SCREENSHOTS"):
        phone.screenshot(path=f"{os.environ['PRZYSTAN_SCREENSHOTS']}/dpo-log.png", full_page=True)
    assert not [e for e in console_errors if "Content Security Policy" in e]
