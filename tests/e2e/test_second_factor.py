"""The second factor in a real browser: a manager's first sign-in sets up an app from the key on
the page, sees the backup codes once, and lands on their work; no CSP error on the way."""

import base64
import re

from django_otp.oath import totp


def test_a_manager_sets_up_the_app_at_the_first_sign_in(page, manager, password, console_errors):
    page.goto("/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/second-factor/enrol/" in url)
    assert page.locator("h1").inner_text() == "Ustaw drugi składnik"
    # The QR code is an SVG drawn by the server, inside the page.
    assert page.locator(".qr-code svg").count() == 1
    # What a person would type into their app by hand: the key, in groups of four.
    key = page.locator("[data-secret]").inner_text().replace(" ", "")
    code = totp(base64.b32decode(key))
    page.fill("#id_code", f"{code:06d}")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Twoje kody zapasowe")
    codes = page.locator(".backup-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    page.click("text=Zachowałem/zachowałam je: dalej")
    page.wait_for_url("**/todo/")
    assert not [e for e in console_errors if "Content Security Policy" in e]
