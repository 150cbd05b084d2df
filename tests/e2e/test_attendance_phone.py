"""A job coach marks a group's day on a phone: everyone present, one tap makes one person sick,
one tap saves, and the saved day comes back."""

import datetime
import re

import time_machine

from activation import services
from activation.models import Attendance
from tests.activation.conftest import enrol_active, moment
from tests.e2e.test_shell import sign_in
from tests.factories import make_client

DAY = datetime.date(2026, 11, 26)


def test_a_coach_marks_a_day_for_a_group_on_a_phone(
    phone, social_worker, job_coach, manager, password
):
    # The data is made here: the demo comes from elsewhere.
    cis = services.programme_create(by=manager, name="CIS Przystań", kind="cis")
    services.programme_allowance_rule_set(
        by=manager,
        programme=cis,
        valid_from=datetime.date(2020, 1, 1),
        forfeit_after_unexcused_days=3,
        days_off_limit=6,
    )
    cohort = services.cohort_create(
        by=manager,
        programme=cis,
        name="Grupa A",
        starts_on=datetime.date(2026, 1, 1),
        capacity=12,
        lead_coach=job_coach,
    )
    people = [
        enrol_active(
            worker=social_worker,
            coach=job_coach,
            client=make_client(first_name=first, surname=surname, holder=social_worker),
            cohort=cohort,
            started_on=datetime.date(2026, 11, 2),
        )
        for first, surname in (
            ("Bogdan", "Dębowiak"),
            ("Halina", "Jarzębina"),
            ("Ryszard", "Wierzbowy"),
        )
    ]
    errors = []
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    # The clock runs, from a fixed morning: "today" is the 26th in Warsaw.
    with time_machine.travel(moment(DAY, 9), tick=True):
        sign_in(phone, "coach", password)
        phone.wait_for_url(lambda url: "/login/" not in url)
        phone.goto("/activation/attendance/")
        phone.click("a.cohort-button")
        phone.wait_for_url(re.compile(r".*/attendance/\?day=2026-11-26$"))
        assert phone.locator("#id_day").input_value() == "2026-11-26"
        # Everyone is present until someone is changed.
        assert phone.locator("input.att-present:checked").count() == 3
        halina = people[1]
        row = phone.locator("li.att-row", has_text="Halina Jarzębina")
        row.locator("label", has_text="Chory").click()
        assert phone.locator(f"#s-{halina.pk}-sick").is_checked()
        # The buttons are big enough to tap: at least 44 px high.
        box = row.locator("label", has_text="Chory").bounding_box()
        assert box["height"] >= 44
        # Nothing wider than the phone.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.click("button.att-save")
        phone.wait_for_selector(".message-success")
        assert "Zapisano obecność: 3 osoby." in phone.locator(".messages").inner_text()
        assert "zapisano" in phone.locator("#att-state").inner_text()
        assert phone.locator(f"#s-{halina.pk}-sick").is_checked()
        assert phone.locator("input.att-present:checked").count() == 2
    saved = dict(Attendance.objects.filter(day=DAY).values_list("enrolment_id", "status"))
    assert saved == {
        people[0].pk: "present",
        people[1].pk: "sick",
        people[2].pk: "present",
    }
    assert not [e for e in errors if "Content Security Policy" in e]
