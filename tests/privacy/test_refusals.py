"""Refused erasures and objections (art. 17(3), 21 GDPR): a ground from a closed list, a day to
look again, shown on the DPO's person page and on their to-do when the day comes; and no free
text of an erasure or a refusal ever reaches the access log."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection

from audit.purposes import Purpose
from privacy import services
from privacy.models import RequestRefusal
from tests.factories import make_client

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")
D = datetime.date
# The DPO refuses on 2 March 2026 and looks again on 1 June.
REFUSED_AT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=WARSAW)
REVIEW_ON = D(2026, 6, 1)
REFERENCE = "IOD.0042.7.2026"


@pytest.fixture
def person(social_worker):
    return make_client(first_name="Bożena", surname="Jarzębina", holder=social_worker)


def _refuse(client, dpo, person, **data):
    client.force_login(dpo)
    form = {
        "request_kind": "erasure",
        "ground": "legal_obligation",
        "reference": REFERENCE,
        "review_on": REVIEW_ON.isoformat(),
        **data,
    }
    return client.post(f"/privacy/people/{person.pk}/refusal/", form)


def test_a_refused_erasure_is_recorded_with_its_ground_and_shown_on_the_person_page(
    client, dpo, person
):
    with time_machine.travel(REFUSED_AT, tick=False):
        response = _refuse(client, dpo, person)
        assert response.status_code == 302
        refusal = RequestRefusal.objects.get()
        assert (refusal.ground, refusal.refused_on, refusal.review_on) == (
            "legal_obligation",
            D(2026, 3, 2),
            REVIEW_ON,
        )
        page = client.get(f"/privacy/people/{person.pk}/").content.decode()
    assert "Obowiązek prawny przechowywania dokumentacji" in page
    assert REFERENCE in page and "01.06.2026" in page


def test_the_review_comes_to_the_dpo_to_do_on_its_day(client, dpo, person):
    with time_machine.travel(REFUSED_AT, tick=False):
        _refuse(client, dpo, person)
    # The day before: nothing waits.
    with time_machine.travel(datetime.datetime(2026, 5, 31, 12, tzinfo=WARSAW), tick=False):
        client.force_login(dpo)
        assert "do przeglądu" not in client.get("/privacy/people/").content.decode()
    with time_machine.travel(datetime.datetime(2026, 6, 1, 8, tzinfo=WARSAW), tick=False):
        client.force_login(dpo)
        start = client.get("/privacy/people/").content.decode()
        assert "1 odmowa czeka na przegląd." in start
        due = client.get("/privacy/refusals/").content.decode()
        assert str(person.pk) in due
        # Kept for another half year: the old one is reviewed, a new one waits.
        refusal = RequestRefusal.objects.get()
        response = client.post(
            f"/privacy/refusals/{refusal.pk}/review/", {"next_review_on": "2026-12-01"}
        )
        assert response.status_code == 302
        assert "czeka na przegląd" not in client.get("/privacy/people/").content.decode()
    refusal.refresh_from_db()
    assert refusal.reviewed_on == D(2026, 6, 1)
    renewed = RequestRefusal.objects.exclude(pk=refusal.pk).get()
    assert (renewed.ground, renewed.review_on) == ("legal_obligation", D(2026, 12, 1))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"ground": "because I say so"}, "ground"),
        ({"reference": "Bożena Jarzębina"}, None),
        ({"review_on": "2026-03-01"}, None),
    ],
)
def test_a_bad_refusal_is_refused_and_changes_nothing(client, dpo, person, data, field):
    with time_machine.travel(REFUSED_AT, tick=False):
        response = _refuse(client, dpo, person, **data)
    assert response.status_code == 400
    assert not RequestRefusal.objects.exists()


@pytest.mark.parametrize(
    "role", ["social_worker", "shelter_staff", "job_coach", "manager", "partner", "administrator"]
)
def test_no_other_role_records_or_reviews_a_refusal(client, dpo, person, personas, role):
    with time_machine.travel(REFUSED_AT, tick=False):
        refusal = services.request_refuse(
            subject=person.subject,
            by=dpo,
            request_kind="objection",
            ground="compelling_grounds",
            review_on=REVIEW_ON,
        )
        assert _refuse(client, personas[role], person).status_code == 403
        assert client.post(f"/privacy/refusals/{refusal.pk}/review/", {}).status_code == 403
        assert client.get("/privacy/refusals/").status_code == 403
    assert RequestRefusal.objects.count() == 1


def test_no_free_text_of_an_erasure_or_a_refusal_reaches_the_access_log(
    client, dpo, person, password, social_worker
):
    other = make_client(first_name="Grażyna", surname="Sosnówka", holder=social_worker)
    with time_machine.travel(REFUSED_AT, tick=False):
        _refuse(client, dpo, person)
        services.subject_erase(
            subject=other.subject,
            by=dpo,
            reason="other",
            reference="IOD.0043.1.2026",
            decisions={},
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT purpose, action, actor_role, request_id FROM audit_accesslogentry")
        rows = cursor.fetchall()
    assert rows
    for purpose, action, actor_role, request_id in rows:
        # Only codes: the purpose from the closed list; nothing the DPO typed.
        assert purpose == "" or purpose in Purpose.values
        for cell in (purpose, action, actor_role, request_id):
            assert "IOD" not in cell and "Jarzębina" not in cell and "Sosnówka" not in cell
    assert ("dpo_refusal", "create") in {(r[0], r[1]) for r in rows}
    assert ("erasure", "erase") in {(r[0], r[1]) for r in rows}
