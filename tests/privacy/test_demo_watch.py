"""The demo shows the DPO's work of issue 13: a restricted client, who saw a file, unusual
access."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from accounts.models import User
from privacy.models import Restriction
from privacy.restriction import processing_allowed

# A working morning: the findings of the demo do not depend on the hour (10:00 here).
MOMENT = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Europe/Warsaw"))


@pytest.fixture
def demo(db):
    with override_settings(DEMO=True), time_machine.travel(MOMENT, tick=False):
        call_command("seed_demo")
        yield


def test_the_demo_has_a_restricted_client_who_saw_and_unusual_access(client, demo):
    restriction = Restriction.objects.get()
    assert not processing_allowed(restriction.subject_id)
    dpo = User.objects.get(username="iod")
    assert restriction.restricted_by == dpo

    # The holder sees the restriction on the file and who saw it.
    client.force_login(User.objects.get(username="pracownik"))
    html = client.get(f"/clients/{restriction.subject_id}/").content.decode()
    assert "przetwarzanie ograniczone" in html
    who = client.get(f"/clients/{restriction.subject_id}/who-saw/")
    assert len(who.context["rows"]) >= 2

    # The DPO: the restriction on the person's page, and findings of unusual access.
    client.force_login(dpo)
    assert (
        "Ograniczono" in client.get(f"/privacy/people/{restriction.subject_id}/").content.decode()
    )
    found = client.get("/privacy/unusual-access/").context["found"]
    assert found.many_files and found.emergency and found.empty_searches

    # Seeding again adds nothing.
    with override_settings(DEMO=True):
        call_command("seed_demo")
    assert Restriction.objects.count() == 1
