"""Intake validation (issue 10, item 9): phone numbers read by `phonenumbers` (Polish unless
a country code says otherwise) and kept in E.164, e-mail addresses checked by Django's
validator, and a valid PESEL filling in a missing date of birth and sex, or refusing a date or
sex it contradicts. Bad input gives the form back with a clear Polish error and stores nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cases.contact import email_checked, phone_display, phone_e164
from cases.models import Client
from cases.pesel import complete_from_pesel, synthesize

BORN = datetime.date(1966, 4, 9)
PESEL = synthesize(BORN, female=True, serial=418)

INTAKE = {
    "first_name": "Wiesława",
    "surname": "Modrzewska",
    "pesel": "",
    "birth_date": "",
    "sex": "female",
    "phone": "",
    "email": "",
    "municipality_code": "",
    "ethos": "1",
    "pathway_stage": "street",
    "disability": "doesnt_know",
    "addictions": ["doesnt_know"],
}


def register(client, worker, **changes):
    client.force_login(worker)
    return client.post("/clients/new/", {**INTAKE, **changes})


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("600 700 800", "+48600700800"),
        ("+48 600-700-800", "+48600700800"),
        ("(22) 123 45 67", "+48221234567"),
        ("+49 151 23456789", "+4915123456789"),
        ("", ""),
    ],
)
def test_a_phone_number_is_read_as_polish_unless_it_says_otherwise_and_kept_in_e164(
    written, stored
):
    assert phone_e164(written) == stored


@pytest.mark.parametrize("written", ["12345", "600 700 80", "telefon", "+48 600 700 800 900"])
def test_a_number_that_is_not_a_phone_number_is_refused(written):
    with pytest.raises(ValidationError) as caught:
        phone_e164(written)
    assert caught.value.code == "phone"


def test_a_stored_number_is_shown_as_people_write_it():
    assert phone_display("+48600700800") == "+48 600 700 800"
    assert phone_display("") == ""


def test_the_intake_stores_the_phone_in_e164_and_encrypted(client, social_worker):
    response = register(client, social_worker, phone="600 700 800")
    assert response.status_code == 302
    person = Client.objects.with_keys().get()
    assert person.phone == "+48600700800"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM cases_client")
        (raw,) = cursor.fetchone()
    assert b"600700800" not in bytes(raw)
    html = client.get(f"/clients/{person.pk}/").content.decode()
    assert "+48 600 700 800" in html


def test_a_bad_phone_number_gives_a_polish_error_and_stores_nothing(client, social_worker):
    response = register(client, social_worker, phone="600 700 80")
    assert response.status_code == 200
    assert "To nie jest poprawny numer telefonu" in response.content.decode()
    assert not Client.objects.exists()


def test_an_e_mail_address_is_checked(client, social_worker):
    assert email_checked(" jan.kowalski@example.pl ") == "jan.kowalski@example.pl"
    for bad in ("jan.kowalski@", "jan kowalski@example.pl", "@example.pl"):
        with pytest.raises(ValidationError):
            email_checked(bad)
    response = register(client, social_worker, email="jan.kowalski@")
    assert response.status_code == 200
    assert "To nie jest poprawny adres e-mail" in response.content.decode()
    assert not Client.objects.exists()
    assert register(client, social_worker, email="w.m@example.pl").status_code == 302
    assert Client.objects.with_keys().get().email == "w.m@example.pl"


def test_a_valid_pesel_fills_in_a_missing_birth_date_and_an_unknown_sex(client, social_worker):
    response = register(client, social_worker, pesel=PESEL, birth_date="", sex="not_known")
    assert response.status_code == 302
    person = Client.objects.with_keys().get()
    assert person.birth_date == BORN
    assert person.birth_year == 1966
    assert person.sex == "female"


def test_a_pesel_that_contradicts_the_birth_date_is_an_error_and_nothing_is_saved(
    client, social_worker
):
    response = register(client, social_worker, pesel=PESEL, birth_date="1966-04-10")
    assert response.status_code == 200
    html = response.content.decode()
    assert "PESEL wskazuje inną datę urodzenia (09.04.1966)" in html
    assert not Client.objects.exists()


def test_a_pesel_that_contradicts_the_sex_is_an_error_and_nothing_is_saved(client, social_worker):
    response = register(client, social_worker, pesel=PESEL, birth_date="1966-04-09", sex="male")
    assert response.status_code == 200
    assert "PESEL wskazuje inną płeć" in response.content.decode()
    assert not Client.objects.exists()


def test_the_pesel_check_alone():
    assert complete_from_pesel(PESEL, birth_date=None, sex="not_known") == (BORN, "female", {})
    assert complete_from_pesel(PESEL, birth_date=BORN, sex="female") == (BORN, "female", {})
    _born, _sex, errors = complete_from_pesel(
        PESEL, birth_date=datetime.date(1967, 4, 9), sex="male"
    )
    assert set(errors) == {"birth_date", "sex"}


def test_an_edit_that_contradicts_the_pesel_is_refused_too(client, social_worker):
    from tests.factories import make_client

    person = make_client(
        pesel=PESEL, birth_date=BORN, sex="female", holder=social_worker, surname="Modrzewska"
    )
    client.force_login(social_worker)
    response = client.post(
        f"/clients/{person.pk}/edit/",
        {**INTAKE, "pesel": PESEL, "birth_date": "1970-01-01", "sex": "female"},
    )
    assert response.status_code == 200
    assert Client.objects.with_keys().get().birth_date == BORN
