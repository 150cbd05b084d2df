"""Every demo user lands on a page of their work, with something on it (issue 10 item 11)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from accounts.models import User
from accounts.navigation import landing_name
from accounts.roles import Role

MOMENT = datetime.datetime(2026, 11, 30, 21, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

# username -> (where they land, what the page must show of their work)
LANDINGS = {
    # The caseload, with the clients' files.
    "pracownik": ("/clients/", rf'href="/clients/{UUID}/"'),
    # Three facilities to choose from, each linked to its board.
    "schronisko": ("/shelters/start/", r'href="/shelters/\d+/"'),
    # The demo's handover request from the MOPS waits for the foundation's decision.
    "kierownik": ("/todo/", r'data-count="[1-9]'),
    # Finding a person, and the access log one link away.
    "iod": ("/privacy/people/", r'name="pesel".*href="/privacy/access-log/"'),
    # The cluster's DPO starts where the DPO does, with unusual access in the navigation.
    "iod-klaster": ("/privacy/people/", r'href="/privacy/unusual-access/"'),
    # The referrals sent to the cooperative.
    "partner": ("/clients/partner/", r'href="/clients/partner/\d+/"'),
    # The staff list.
    "admin": ("/staff/", r'href="/staff/\d+/"'),
}


@pytest.fixture
def demo(db):
    with override_settings(DEMO=True), time_machine.travel(MOMENT, tick=False):
        call_command("seed_demo")
        yield


def test_every_demo_user_lands_on_a_page_of_their_work(client, demo):
    for username, (url, work) in LANDINGS.items():
        client.force_login(User.objects.get(username=username))
        response = client.get("/", follow=True)
        assert response.status_code == 200, username
        assert response.redirect_chain[0][0] == url, username
        assert re.search(work, response.content.decode(), re.S), username


def test_the_job_coach_lands_on_their_start_or_their_cards(client, demo):
    client.force_login(User.objects.get(username="trener"))
    response = client.get("/", follow=True)
    assert response.status_code == 200
    # activation declares the coach's start page when it lands; until then, the cards.
    if landing_name(Role.JOB_COACH) is None:
        assert response.redirect_chain[-1][0] == "/start/job-coach/"
