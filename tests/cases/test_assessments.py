"""Assessments: scores per life domain over time, sealed at rest, shown as a small chart."""

from django.db import connection
from django.utils import timezone

from cases.models import Assessment
from tests.factories import make_client


def form(**scores):
    data = {"kind": "intake", "assessed_on": timezone.localdate().isoformat()}
    for domain, value in scores.items():
        data[f"score_{domain}"] = str(value)
    return data


def test_a_worker_records_assessments_and_sees_the_change(client, social_worker):
    person = make_client(holder=social_worker)
    client.force_login(social_worker)
    first = form(housing=1, income=2, mental_health=2)
    first["note_mental_health"] = "Bezsenność, lęk"
    assert client.post(f"/clients/{person.pk}/assessments/", first).status_code == 302
    client.post(
        f"/clients/{person.pk}/assessments/", {**form(housing=3, income=2), "kind": "reassessment"}
    )
    html = client.get(f"/clients/{person.pk}/assessments/").content.decode()
    assert html.count("<svg") >= 2
    assert "+2" in html  # housing went from 1 to 3
    assert Assessment.objects.filter(client=person).count() == 2


def test_scores_and_notes_are_ciphertext_in_the_database(client, social_worker):
    person = make_client(holder=social_worker)
    client.force_login(social_worker)
    data = form(mental_health=2)
    data["note_mental_health"] = "Bezsenność, lęk"
    client.post(f"/clients/{person.pk}/assessments/", data)
    with connection.cursor() as cursor:
        cursor.execute("SELECT scores, notes FROM cases_assessment")
        scores, notes = cursor.fetchone()
    assert b"mental_health" not in bytes(scores)
    assert "lęk".encode() not in bytes(notes)


def test_an_assessment_without_any_score_is_refused(client, social_worker):
    person = make_client(holder=social_worker)
    client.force_login(social_worker)
    response = client.post(f"/clients/{person.pk}/assessments/", form())
    assert response.status_code == 200
    assert "Oceń przynajmniej jeden obszar" in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_score_outside_1_to_5_is_refused(client, social_worker):
    person = make_client(holder=social_worker)
    client.force_login(social_worker)
    response = client.post(f"/clients/{person.pk}/assessments/", form(housing=9))
    assert response.status_code == 200
    assert not Assessment.objects.exists()


def test_another_worker_cannot_see_or_add_assessments(client, social_worker, other_social_worker):
    person = make_client(holder=social_worker)
    client.force_login(other_social_worker)
    assert client.get(f"/clients/{person.pk}/assessments/").status_code == 404
    assert client.post(f"/clients/{person.pk}/assessments/", form(housing=2)).status_code == 404
    assert not Assessment.objects.exists()


def test_the_pre_filled_date_saves_as_it_comes_in_polish(client, social_worker):
    """The form once pre-filled "30.11.2026", which a date input drops: the first save failed."""
    import datetime
    import re

    import time_machine

    person = make_client(holder=social_worker)
    client.force_login(social_worker)
    with time_machine.travel(datetime.datetime(2026, 11, 30, 10, 0, tzinfo=datetime.UTC)):
        html = client.get(f"/clients/{person.pk}/assessments/").content.decode()
        value = re.search(r'<input type="date" name="assessed_on" value="([^"]*)"', html)
        assert value is not None, html
        assert value.group(1) == "2026-11-30"
        data = {"kind": "intake", "assessed_on": value.group(1), "score_housing": "2"}
        assert client.post(f"/clients/{person.pk}/assessments/", data).status_code == 302
    assert Assessment.objects.get(client=person).assessed_on == datetime.date(2026, 11, 30)
