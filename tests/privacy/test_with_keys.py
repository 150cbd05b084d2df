"""`.with_keys()` unwraps the keys of a page of rows in one query, whoever the rows' subject is:
the row's own `subject`, or the subject a foreign key names (`subject_field="client"`)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import CaseNote, Referral
from privacy import vault
from tests.factories import OrganisationFactory, make_client


def _notes(social_worker, count: int) -> None:
    """One note for each of `count` different clients (each client has their own key)."""
    for n in range(count):
        client = make_client(first_name="Bogdan", surname=f"Cisowski{n}")
        CaseNote.objects.create(
            client=client,
            kind="conversation",
            noted_on=datetime.date(2026, 11, 2),
            text=f"rozmowa {n}",
            author=social_worker,
        )


def _queries_to_read_every_note() -> int:
    vault.cache.clear()
    with CaptureQueriesContext(connection) as queries:
        texts = [note.text for note in CaseNote.objects.with_keys()]
    assert all(text.startswith("rozmowa ") for text in texts)
    return len(queries)


@pytest.mark.parametrize("count", [2, 20])
def test_with_keys_prefetches_through_subject_field_in_one_query(social_worker, count):
    _notes(social_worker, count)
    # One query for the notes and one for all their clients' data keys, whatever the count:
    # without the prefetch each note loads its own key (1 + count queries: 3, then 21).
    assert _queries_to_read_every_note() == 2


def test_the_same_number_of_queries_for_2_and_for_20_notes_of_different_clients(social_worker):
    _notes(social_worker, 2)
    two = _queries_to_read_every_note()
    _notes(social_worker, 18)
    assert CaseNote.objects.count() == 20
    assert _queries_to_read_every_note() == two


def test_with_keys_through_a_foreign_key_also_opens_the_related_client(social_worker, db):
    # A partner's list reads each referral's summary and its client's name: keys of both are
    # one subject per row, loaded together.
    partner = OrganisationFactory(name="Spółdzielnia Kluczowa")
    for n in range(5):
        client = make_client(first_name="Halina", surname=f"Wierzbowa{n}", sex="female")
        Referral.objects.create(
            client=client,
            partner=partner,
            service="warsztat",
            summary=f"potrzeby {n}",
            sent_on=datetime.date(2026, 11, 2),
            created_by=social_worker,
        )
    vault.cache.clear()
    with CaptureQueriesContext(connection) as queries:
        rows = [
            (r.summary, r.client.display_name)
            for r in Referral.objects.select_related("client").with_keys()
        ]
    # 1 query for the referrals joined to their clients, 1 for the five clients' keys.
    assert len(queries) == 2
    assert sorted(summary for summary, _name in rows) == [f"potrzeby {n}" for n in range(5)]
