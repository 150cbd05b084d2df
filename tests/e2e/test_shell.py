"""The shell in a real browser: Polish login, each role's landing page, the language switch, CSP."""

import pytest

from accounts.roles import Role
from tests.second_factor import backup_code, browser_sign_in


def sign_in(page, username, password):
    # With the second factor where it is asked (tests/second_factor.py).
    browser_sign_in(page, username, password)


def test_login_page_is_polish_in_an_english_browser_and_has_no_csp_errors(page, console_errors):
    page.goto("/login/")
    assert page.locator("h1").inner_text() == "Zaloguj się"
    assert page.locator("html").get_attribute("lang") == "pl"
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_a_social_worker_signs_in_switches_to_english_and_signs_out(
    page, console_errors, social_worker, password
):
    sign_in(page, "sw", password)
    # A social worker lands on the caseload.
    page.wait_for_url("**/clients/")
    assert "Pracownik socjalny" in page.content()
    # The language select submits itself through our own script (no inline JS).
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Social worker" in page.content()
    page.click("summary")
    page.click("text=Sign out")
    page.wait_for_url("**/login/")
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_a_wrong_password_gets_a_polish_message(page, social_worker):
    sign_in(page, "sw", "wrong-password-here")
    assert "Wprowadź poprawne" in page.content()


# Where a role lands: the page of its work (a shelter worker of no facility: the list, which
# says whom to ask).
PHONE_LANDINGS = {Role.MANAGER: "**/todo/", Role.SHELTER_STAFF: "**/shelters/start/"}


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SHELTER_STAFF])
def test_each_role_lands_on_its_page_on_a_phone(phone, personas, password, role):
    user = personas[role]
    sign_in(phone, user.username, password)
    phone.wait_for_url(PHONE_LANDINGS[role])
    # Nothing wider than the phone's screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_a_manager_creates_a_colleague_in_the_browser(page, manager, password):
    sign_in(page, "boss", password)
    page.goto("/staff/new/")
    page.fill("#id_username", "kasia")
    page.fill("#id_first_name", "Kasia")
    page.fill("#id_last_name", "Zmyślona")
    page.select_option("#id_organisation", label="Fundacja Testowa")
    page.select_option("#id_role", "shelter_staff")
    page.fill("#id_password", "noc była długa i zimna 2026")
    page.fill("#id_confirm_password", password)
    page.fill("#id_confirm_code", backup_code(manager))
    page.click("main button[type=submit]")
    page.wait_for_url("**/staff/")
    assert "Konto zostało założone." in page.content()
    assert "<td>kasia</td>" in page.content()
