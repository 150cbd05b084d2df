"""A social worker's day on a phone, in Polish: the caseload, a file, a note, progress on the
plan, the timeline; nothing wider than the screen."""

import re

from django.utils import timezone

from cases import plans as plan_services
from tests.e2e.test_casefile import sign_in
from tests.factories import make_client

PHONE_WIDTH = 390


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_a_file_on_a_phone(phone, social_worker, password):
    person = make_client(first_name="Władysław", surname="Żurawski", holder=social_worker)
    plan = plan_services.plan_create(
        by=social_worker,
        client=person,
        kind="ipwzb",
        starts_on=timezone.localdate(),
        requires_approval=False,
    )
    goal = plan_services.goal_add(by=social_worker, plan=plan, text="Mieszkanie treningowe")
    plan_services.step_add(by=social_worker, goal=goal, party="client", text="Wyrobić dowód")
    plan_services.plan_submit(by=social_worker, plan=plan)
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    sign_in(phone, "sw", password)
    phone.goto("/clients/")
    assert fits(phone)
    phone.click("text=Żurawski Władysław")
    phone.wait_for_url(re.compile(rf".*/clients/{person.pk}/$"))
    assert "Władysław Żurawski" in phone.inner_text("h1")
    assert fits(phone)

    # A note from the street, typed on the phone.
    phone.click("text=Dodaj notatkę")
    phone.select_option("#id_kind", "visit")
    phone.fill("#id_text", "Spotkanie na dworcu, umówiony na jutro.")
    phone.check("#id_is_important")
    phone.click("text=Zapisz notatkę")
    phone.wait_for_selector("text=Notatka została dodana.")
    note = phone.locator("article.note").first
    assert "umówiony na jutro" in note.inner_text() and "ważna" in note.inner_text()
    assert fits(phone)

    # Progress on the plan: the step done, the goal achieved with what came of it.
    phone.click("nav.tabs >> text=Programy")
    phone.click("text=IPWzB")
    phone.select_option("main form.inline-form select[name=status]", "achieved")
    phone.click("main form.inline-form button[type=submit]")
    phone.wait_for_selector("text=Krok został zaktualizowany.")
    phone.click("text=Stan i wynik celu")
    phone.select_option("main details form select[name=status]", "achieved")
    phone.fill("main details form textarea[name=outcome]", "Zamieszkał w mieszkaniu treningowym.")
    phone.click("main details form button[type=submit]")
    phone.wait_for_selector("text=Cel został zaktualizowany.")
    assert "Zamieszkał w mieszkaniu treningowym." in phone.inner_text("main")
    assert fits(phone)

    # The timeline: the intake, the plan and today's note, newest first.
    phone.click("nav.tabs >> text=Przebieg")
    events = phone.locator("ol.timeline li").all_inner_texts()
    assert any("Notatka" in e for e in events) and any("Przyjęcie" in e for e in events)
    assert fits(phone)
    assert not [e for e in errors if "Content Security Policy" in e]
