"""The social worker's main flows in a real browser, in Polish: intake → plan → note → PDF, and
finding that a person is already known."""

import datetime

from cases.pesel import synthesize
from tests.factories import make_client
from tests.second_factor import browser_sign_in


def sign_in(page, username, password):
    # With the second factor where it is asked (tests/second_factor.py).
    browser_sign_in(page, username, password)
    # Each role lands on the page of its work (accounts.navigation.landing_for).
    page.wait_for_url(lambda url: "/login/" not in url)


def test_intake_plan_note_and_pdf(page, social_worker, password, console_errors):
    sign_in(page, "sw", password)
    page.click("text=Znajdź osobę")
    pesel = synthesize(datetime.date(1972, 6, 14), female=False, serial=531)
    page.fill("#id_pesel", pesel)
    page.click("main form button[type=submit]")
    page.click("text=Zarejestruj nowego podopiecznego")
    page.fill("#id_first_name", "Mirosław")
    page.fill("#id_surname", "Jaworecki")
    page.fill("#id_pesel", pesel)
    page.fill("#id_birth_date", "1972-06-14")
    page.select_option("#id_sex", "male")
    page.select_option("#id_ethos", "1")
    page.check("input[name=homelessness_reasons][value=eviction]")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=Podopieczny został zarejestrowany.")
    assert "Mirosław Jaworecki" in page.inner_text("h1")

    # A plan with one goal and one step, finished and printable.
    page.click("nav.tabs >> text=Programy")
    page.click("text=Nowy program")
    page.select_option("#id_kind", "ipwzb")
    page.fill("#id_situation", "Nocuje w pustostanie.")
    page.click("text=Utwórz projekt")
    page.click("text=Dodaj cel")
    page.fill("#id_goal-text", "Mieszkanie treningowe")
    page.click('form[action$="/goals/"] button[type=submit]')
    page.click("text=Dodaj krok")
    page.select_option("#id_step-party", "client")
    page.fill("#id_step-text", "Złożyć wniosek")
    page.click('form[action$="/steps/"] button[type=submit]')
    assert "Złożyć wniosek" in page.content()
    # The browser context's own request API carries the session cookie, like a click would.
    pdf = page.request.get(page.get_attribute("text=Drukuj (PDF)", "href"))
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    # A note on the overview.
    page.click("nav.tabs >> text=Przegląd")
    page.click("text=Dodaj notatkę")
    page.select_option("#id_kind", "visit")
    page.fill("#id_text", "Spotkanie w punkcie pomocy, odebrał śpiwór.")
    page.click("text=Zapisz notatkę")
    page.wait_for_selector("text=Notatka została dodana.")
    assert "odebrał śpiwór" in page.content()
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_an_already_known_person_shows_the_holder_not_the_file(
    page, social_worker, other_social_worker, password
):
    make_client(first_name="Kazimierz", surname="Olszyński", holder=social_worker)
    sign_in(page, "sw2", password)
    page.click("text=Znajdź osobę")
    page.fill("#id_surname", "OLSZYNSKI")
    page.fill("#id_first_name", "kazimierz")
    page.click("main form button[type=submit]")
    page.wait_for_selector("text=Ta osoba jest już znana w klastrze")
    body = page.inner_text("main")
    assert str(social_worker) in body
    assert "Olszyński" not in body.replace("OLSZYNSKI", "")
    page.click("text=Poproś o przekazanie")
    page.fill("#id_reason", "Klient przychodzi na dyżury do naszego punktu.")
    page.click("text=Wyślij prośbę")
    page.wait_for_selector("text=Prośba trafiła do kierownika")
    # The worker's own list shows the request waiting for the holder's manager.
    assert "Oczekuje" in page.inner_text("main")
