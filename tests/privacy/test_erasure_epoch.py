"""Several app servers: an erasure on one makes the person unreadable on all of them from their
next request, although the others still cache the person's key (the erasure epoch)."""

import pytest
from django.db import connection, connections
from django.utils import timezone

from cases.models import Client
from privacy import vault
from privacy.fields import ERASED
from privacy.models import DataKey, VaultEpoch
from privacy.services import reapply_erasures, subject_erase
from tests.factories import make_client


@pytest.fixture
def people(db):
    return [make_client(first_name="Halina", surname=f"Wierzbowa{n}") for n in range(3)]


def epoch_in_the_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM privacy_vaultepoch WHERE id = 1")
        return cursor.fetchone()[0]


def read_surnames(ids):
    """The surnames of the clients `ids`, in that order, in one query for the rows."""
    rows = {c.pk: c for c in Client.objects.filter(pk__in=ids).with_keys()}
    return [rows[pk].surname for pk in ids]


def erase_on_another_server(person, dpo, monkeypatch):
    """The real erasure, run by a server with a cache of its own: this one's is not touched."""
    with monkeypatch.context() as patch:
        patch.setattr(vault, "cache", vault._KeyCache())
        subject_erase(subject=person.subject, by=dpo, reason="request")


def test_an_erasure_moves_the_epoch_in_its_own_transaction(people, dpo):
    before = epoch_in_the_database()
    subject_erase(subject=people[0].subject, by=dpo, reason="request")
    assert epoch_in_the_database() == before + 1


def test_a_key_cached_here_stops_opening_at_the_next_request_after_an_erasure_elsewhere(
    people, dpo, monkeypatch
):
    ids = [p.pk for p in people]
    vault.request_began()
    assert read_surnames(ids) == ["Wierzbowa0", "Wierzbowa1", "Wierzbowa2"]
    vault.request_ended()
    assert vault.cache.holds(people[0].subject_id)
    erase_on_another_server(people[0], dpo, monkeypatch)
    # This server still holds her key: without the epoch it would open her name for a minute.
    assert vault.cache.holds(people[0].subject_id)
    vault.request_began()
    assert read_surnames(ids) == [ERASED, "Wierzbowa1", "Wierzbowa2"]
    assert Client.objects.get(pk=people[0].pk).surname is ERASED
    assert not vault.cache.holds(people[0].subject_id) or (
        vault.key_by_id(vault.cache.key_id_for(people[0].subject_id), people[0].subject_id)
        is vault.ERASED_KEY
    )


def test_writing_for_a_person_erased_elsewhere_is_refused_at_the_next_request(
    people, dpo, monkeypatch
):
    vault.request_began()
    vault.key_for_subject(people[0].subject_id)
    vault.request_ended()
    erase_on_another_server(people[0], dpo, monkeypatch)
    vault.request_began()
    with pytest.raises(vault.SubjectErased):
        vault.key_for_subject(people[0].subject_id)


def test_outside_a_request_an_erasure_elsewhere_is_seen_within_a_second(
    people, dpo, monkeypatch, vault_of_a_new_process
):
    import time

    # The vault's own time (tests elsewhere trust keys for an hour: tests/conftest.py).
    assert vault_of_a_new_process == 1.0
    monkeypatch.setattr(vault, "EPOCH_RECHECK_SECONDS", vault_of_a_new_process)
    ids = [p.pk for p in people]
    now = time.monotonic()
    monkeypatch.setattr(vault.time, "monotonic", lambda: now)
    assert read_surnames(ids)[0] == "Wierzbowa0"
    erase_on_another_server(people[0], dpo, monkeypatch)
    # Within the second the cached key is still trusted (the window the docs state) ...
    monkeypatch.setattr(vault.time, "monotonic", lambda: now + 0.9)
    assert read_surnames(ids)[0] == "Wierzbowa0"
    # ... and past it the epoch is read again: the erased person no longer opens.
    monkeypatch.setattr(vault.time, "monotonic", lambda: now + 1.1)
    assert read_surnames(ids)[0] is ERASED


def test_a_request_reads_the_epoch_once_whatever_the_number_of_rows(db, django_assert_num_queries):
    people = [make_client(first_name="Jan", surname=f"Kowalski{n}") for n in range(25)]
    ids = [p.pk for p in people]
    vault.request_began()
    read_surnames(ids)  # the keys, cached by this request
    vault.request_ended()
    vault.request_began()
    # The rows; the epoch (the keys were cached by the request before): 2, not 1 per row.
    with django_assert_num_queries(2):
        assert read_surnames(ids) == [f"Kowalski{n}" for n in range(25)]
    # Within the same request the keys are trusted: the rows only (the list, one row again).
    with django_assert_num_queries(2):
        read_surnames(ids)
        people[3].refresh_from_db()
        assert people[3].surname == "Kowalski3"


def test_a_key_loaded_during_the_request_needs_no_epoch(db, django_assert_num_queries):
    people = [make_client(first_name="Jan", surname=f"Kowalski{n}") for n in range(5)]
    vault.request_began()
    vault.cache.clear()
    # The rows and their keys; the keys, read now, cannot predate an erasure before the request.
    with django_assert_num_queries(2):
        read_surnames([p.pk for p in people])


def test_the_first_epoch_a_process_reads_flushes_what_it_cached_before(people):
    # Keys cached before any epoch was read cannot be known good: one flush per process.
    vault.cache.reset()
    vault.request_began()
    vault.key_for_subject(people[0].subject_id)
    vault.key_for_subject(people[1].subject_id)
    vault.request_ended()
    assert vault.cache.holds(people[0].subject_id) and vault.cache.epoch is None
    vault.request_began()
    read_surnames([people[1].pk])
    assert vault.cache.epoch == 0
    assert not vault.cache.holds(people[0].subject_id)


def test_a_key_read_before_a_flush_is_not_put_back_after_it(people):
    subject_id = people[0].subject_id
    key_id, key = vault.key_for_subject(subject_id)
    generation = vault.cache.generation
    vault.cache.clear()
    # Read from the database before the flush; the flush may have been for this very person.
    vault.cache.put(key_id, key, subject_id, generation=generation)
    assert not vault.cache.holds(subject_id)
    vault.cache.put(key_id, key, subject_id, generation=vault.cache.generation)
    assert vault.cache.holds(subject_id)


def test_an_epoch_smaller_than_the_one_seen_flushes_too(people):
    # A database restored from a backup: its epoch went back; keys may have come back with it.
    vault.cache.reset()
    vault.request_began()
    read_surnames([people[0].pk])
    vault.request_ended()
    VaultEpoch.objects.filter(pk=1).update(value=41)
    vault.request_began()
    read_surnames([people[0].pk])
    assert vault.cache.epoch == 41
    vault.request_ended()
    VaultEpoch.objects.filter(pk=1).update(value=7)
    vault.request_began()
    generation = vault.cache.generation
    read_surnames([people[0].pk])
    assert vault.cache.epoch == 7 and vault.cache.generation == generation + 1


def test_reapplied_erasures_move_the_epoch(people, dpo):
    import json

    subject_erase(subject=people[0].subject, by=dpo, reason="request")
    # The backup brought her wrapped key back.
    DataKey.objects.filter(subject_id=people[0].subject_id).update(wrapped=b"x", destroyed_at=None)
    before = epoch_in_the_database()
    line = json.dumps({"subject_id": str(people[0].subject_id), "erased_on": "2026-01-01"})
    assert reapply_erasures([line]) == 1
    assert epoch_in_the_database() == before + 1


def test_a_page_of_another_server_stops_showing_the_name_after_an_erasure_elsewhere(
    client, social_worker, dpo, monkeypatch
):
    from django.urls import reverse

    person = make_client(first_name="Halina", surname="Wierzbowa", holder=social_worker)
    client.force_login(social_worker)
    url = reverse("cases:client-detail", args=[person.pk])
    assert "Wierzbowa" in client.get(url).content.decode()
    erase_on_another_server(person, dpo, monkeypatch)
    assert "Wierzbowa" not in client.get(url).content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_an_erasure_committed_by_another_connection_is_seen_at_the_next_request():
    # A flush of an earlier transactional test may have emptied the table.
    VaultEpoch.objects.get_or_create(pk=1)
    person = make_client(first_name="Halina", surname="Wierzbowa")
    vault.request_began()
    assert read_surnames([person.pk]) == ["Wierzbowa"]
    vault.request_ended()
    # Another app server: its own connection, its own transaction, committed.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "UPDATE privacy_datakey SET wrapped = '', destroyed_at = %s WHERE subject_id = %s",
                [timezone.now(), person.subject_id],
            )
            cursor.execute("UPDATE privacy_vaultepoch SET value = value + 1 WHERE id = 1")
    finally:
        other.close()
    assert vault.cache.holds(person.subject_id)
    vault.request_began()
    assert read_surnames([person.pk]) == [ERASED]


def test_a_page_reads_the_epoch_in_its_session_s_statement_not_on_its_own(client, social_worker):
    """privacy/sessions.py: the key cached by the first page is checked by the second page's
    session read, so no query of the page reads the epoch alone."""
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    person = make_client(first_name="Halina", surname="Wierzbowa", holder=social_worker)
    client.force_login(social_worker)
    url = reverse("cases:client-detail", args=[person.pk])
    client.get(url)
    assert vault.cache.holds(person.subject_id)
    with CaptureQueriesContext(connection) as captured:
        assert "Wierzbowa" in client.get(url).content.decode()
    sql = [q["sql"] for q in captured.captured_queries]
    assert len([q for q in sql if "privacy_vaultepoch" in q]) == 1
    [session] = [q for q in sql if "django_session" in q]
    assert "privacy_vaultepoch" in session
    # And it is read, not only written into the statement: a moved epoch flushes the cache.
    moved = epoch_in_the_database() + 1
    VaultEpoch.objects.filter(pk=1).update(value=moved)
    with CaptureQueriesContext(connection) as captured:
        client.get("/no-such-page/")  # a page that opens nobody: only the session reads it
    assert [q for q in captured.captured_queries if "privacy_vaultepoch" in q["sql"]]
    assert vault.cache.epoch == moved
    assert not vault.cache.holds(person.subject_id)


def test_the_session_store_loads_what_django_s_loads_and_refuses_an_expired_row(
    client, social_worker
):
    import datetime

    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.contrib.sessions.models import Session

    from privacy.sessions import SessionStore

    client.force_login(social_worker)
    key = client.session.session_key
    loaded = SessionStore(key).load()
    assert loaded == DjangoStore(key).load()
    assert loaded["_auth_user_id"] == str(social_worker.pk)
    # An unknown key and an expired row: no session and no key, as Django's store answers.
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None
