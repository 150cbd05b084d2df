"""Blind-index search: finds the person among look-alikes, folds case and diacritics."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings

from cases.models import Client
from cases.pesel import synthesize
from cases.selectors import client_search
from privacy import blind
from tests.factories import make_client


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ŁUKASZ  Nowak ", "lukasz nowak"),
        ("Żółć", "zolc"),
        ("ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż", "acelnoszz acelnoszz"),
        ("Straße", "strasse"),
        ("ﬁlip", "filip"),
        ("\tJan\u00a0Maria ", "jan maria"),
    ],
)
def test_normalisation_folds_case_spaces_and_polish_letters(text, expected):
    assert blind.normalise(text) == expected


def test_search_by_pesel_finds_the_person(db):
    pesel = synthesize(datetime.date(1971, 5, 3), female=False, serial=123)
    person = make_client(pesel=pesel)
    make_client(
        first_name="Bogdan",
        surname="Inny",
        pesel=synthesize(datetime.date(1971, 5, 3), female=False, serial=124),
    )
    assert client_search(pesel=pesel) == [person]


def test_search_by_name_ignores_case_spaces_and_diacritics(db):
    with_diacritics = make_client(first_name="Łukasz", surname="Nowak")
    without = make_client(first_name="Lukasz", surname="Nowak")
    make_client(first_name="Łucja", surname="Nowak", sex="female")
    found = client_search(surname=" NOWAK", first_name="ŁUKASZ  ")
    assert {c.pk for c in found} == {with_diacritics.pk, without.pk}


@override_settings(PRZYSTAN_BLIND_INDEX_BITS=8)
def test_people_sharing_a_truncated_index_value_are_told_apart(db):
    """With 8 bits, 300 people share 256 values: the index alone cannot tell them apart."""
    people = [make_client(first_name=f"Imię{n}", surname=f"Nazwisko{n}") for n in range(300)]
    target = people[137]
    sharing = Client.objects.filter(name_bidx=target.name_bidx).count()
    assert sharing >= 1
    found = client_search(surname="Nazwisko137", first_name="Imię137")
    assert found == [target]


@override_settings(PRZYSTAN_BLIND_INDEX_BITS=8)
def test_a_collision_is_filtered_out_after_decryption(db):
    people = [make_client(first_name="Jan", surname=f"Kowal{n}") for n in range(600)]
    # Find two people whose index values collide, then search for one of them.
    by_value = {}
    for person in people:
        by_value.setdefault(person.name_bidx, []).append(person)
    collided = next(group for group in by_value.values() if len(group) > 1)
    found = client_search(surname=collided[0].surname, first_name="Jan")
    assert found == [collided[0]]


def test_a_near_miss_finds_nobody(db):
    make_client(first_name="Łukasz", surname="Nowak", birth_date=datetime.date(1980, 1, 2))
    assert client_search(surname="Nowak", first_name="Łukas") == []
    assert client_search(surname="Nowack", first_name="Łukasz") == []
    assert client_search(surname="Nowak", birth_date=datetime.date(1980, 1, 3)) == []
    assert client_search(pesel="80010212345") == []


def test_search_by_surname_and_birth_date(db):
    person = make_client(
        first_name="Zofia",
        surname="Żurawiecka",
        birth_date=datetime.date(1958, 12, 1),
        sex="female",
    )
    make_client(
        first_name="Zofia",
        surname="Żurawiecka",
        birth_date=datetime.date(1959, 12, 1),
        sex="female",
    )
    assert client_search(surname="zurawiecka", birth_date=datetime.date(1958, 12, 1)) == [person]


def test_changing_a_name_updates_the_index(db):
    person = make_client(first_name="Ryszard", surname="Dębowiak")
    person.surname = "Jarzębina"
    person.save()
    assert client_search(surname="Dębowiak", first_name="Ryszard") == []
    assert client_search(surname="Jarzębina", first_name="Ryszard") == [person]


def test_blind_index_columns_are_not_in_the_history_table(db):
    columns = {
        c.name
        for c in connection.introspection.get_table_description(
            connection.cursor(), "cases_historicalclient"
        )
    }
    assert not columns & {"pesel_bidx", "name_bidx", "surname_birth_bidx"}
    assert "surname" in columns


def test_index_values_are_truncated_to_the_configured_bits(db):
    person = make_client()
    assert 0 <= person.name_bidx < 2**16
    with override_settings(PRZYSTAN_BLIND_INDEX_BITS=10):
        assert 0 <= blind.index_value("client.pesel", "12345678901") < 2**10


def test_each_index_has_its_own_key(db):
    # Keys derived per index: the same text gives unrelated values in two indexes.
    assert blind._index_key("client.pesel") != blind._index_key("client.surname+first_name")


@pytest.mark.parametrize(
    "terms",
    [
        {"pesel": "\u0301"},
        {"surname": "\u0301", "first_name": "Jan"},
        {"surname": "Nowak", "first_name": "\u0301"},
        {"surname": "\u0301", "birth_date": datetime.date(1980, 1, 2)},
    ],
)
def test_a_term_without_an_index_value_decrypts_nobody(db, django_assert_num_queries, terms):
    # Clients without a PESEL have no PESEL index value: a term folding to nothing must not
    # match them all (an IS NULL look-up would decrypt every one of them).
    make_client(first_name="Jan", surname="Nowak", birth_date=datetime.date(1980, 1, 2))
    with django_assert_num_queries(0):
        assert client_search(**terms) == []


@override_settings(PRZYSTAN_BLIND_INDEX_BITS=31)
def test_the_widest_allowed_index_values_fit_the_database_column(db):
    # PostgreSQL's `integer` holds up to 2**31 - 1; saving must work for every person.
    people = [make_client(first_name="Jan", surname=f"Szeroki{n}") for n in range(40)]
    stored = Client.objects.filter(pk__in=[p.pk for p in people]).values_list(
        "name_bidx", flat=True
    )
    assert len(stored) == 40
    assert all(0 <= value < 2**31 for value in stored)
