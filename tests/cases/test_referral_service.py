"""Referral.service (issue 9, hole 8): sealed under the client's key, never in clear.

Encrypted rather than turned into a code: partners offer services nobody has listed (and a list
would be one more thing to keep in step across the cluster), a free text may name anyone, and a
service such as "addiction therapy" says as much as a diagnosis. Migration 0003 seals the rows
stored before, in the live and the history table.
"""

import datetime

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cases import services
from cases.models import Consent, Referral
from privacy import vault
from privacy.fields import ERASED
from privacy.models import DataKey, Subject
from tests.factories import make_client

SERVICE = "Terapia uzależnień w poradni"
BEFORE = ("cases", "0002_pathway")
SEALING = ("cases", "0003_handover_reason_referral_service_sealed")


def _raw_services() -> list[bytes]:
    """Every stored value of the column, live and history rows, as the database has them."""
    values = []
    with connection.cursor() as cursor:
        for table in ("cases_referral", "cases_historicalreferral"):
            cursor.execute(f"SELECT service FROM {table}")  # noqa: S608 - fixed table names
            values += [
                bytes(raw) if not isinstance(raw, str) else raw.encode() for (raw,) in cursor
            ]
    return values


def test_a_sent_referrals_service_is_ciphertext_in_the_live_and_history_tables(
    social_worker, cooperative
):
    person = make_client(first_name="Zdzisław", surname="Łęczycki", holder=social_worker)
    services.consent_record(
        by=social_worker,
        client=person,
        purpose=Consent.Purpose.REFERRAL,
        legal_basis="consent",
        given_on=datetime.date(2026, 1, 5),
        partner=cooperative,
    )
    referral = services.referral_send(
        by=social_worker, client=person, partner=cooperative, service=SERVICE, summary="Krótko"
    )
    stored = _raw_services()
    assert len(stored) == 2  # the live row and its first history row
    for raw in stored:
        assert "uzależnień".encode() not in raw and b"Terapia" not in raw
    assert Referral.objects.with_keys().get(pk=referral.pk).service == SERVICE


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_services_stored_in_clear_in_both_tables(social_worker, cooperative):
    kept = make_client(first_name="Zdzisław", surname="Łęczycki", holder=social_worker)
    erased = make_client(first_name="Halina", surname="Grabińska", holder=social_worker)
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state([BEFORE]).apps
        referral_ids = {}
        # In a transaction, as every save of a new row with encrypted values (it is sealed with
        # its id right after the INSERT: docs/privacy.md, "Values bound to their row").
        for person in (kept, erased):
            # As the old code stored them: the service in clear, in the row and its history.
            with transaction.atomic():
                row = old.get_model("cases", "Referral").objects.create(
                    client_id=person.pk,
                    partner_id=cooperative.pk,
                    service=SERVICE,
                    summary="Krótko",
                    sent_on=timezone.localdate(),
                    created_by_id=social_worker.pk,
                )
            old.get_model("cases", "HistoricalReferral").objects.create(
                id=row.pk,
                client_id=person.pk,
                partner_id=cooperative.pk,
                service=SERVICE,
                summary="Krótko",
                status="sent",
                sent_on=row.sent_on,
                created_by_id=social_worker.pk,
                history_date=timezone.now(),
                history_type="+",
            )
            referral_ids[person.pk] = row.pk
        assert sum(SERVICE.encode() in raw for raw in _raw_services()) == 4
        # Her erasure destroyed her key before the migration ran (the key alone: the erasure
        # service of today's code expects today's tables).
        DataKey.objects.filter(subject_id=erased.pk).update(
            wrapped=b"", destroyed_at=timezone.now()
        )
        Subject.objects.filter(pk=erased.pk).update(erased_at=timezone.now())
        vault.cache.evict_subject(erased.pk)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    stored = _raw_services()
    assert len(stored) == 4
    for raw in stored:
        assert b"Terapia" not in raw and "uzależnień".encode() not in raw
    assert Referral.objects.with_keys().get(pk=referral_ids[kept.pk]).service == SERVICE
    history = Referral.history.model.objects.get(id=referral_ids[kept.pk])
    assert history.service == SERVICE
    # An erased person's service reads as erased, like everything else of theirs.
    assert Referral.objects.get(pk=referral_ids[erased.pk]).service is ERASED
    assert SEALING in MigrationExecutor(connection).loader.applied_migrations
