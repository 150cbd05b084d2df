"""Concurrent writers on PostgreSQL: each chain head's row lock makes its chain's appends one at
a time, and writers that meet a busy head take a free chain (audit/services.py)."""

import threading
import uuid

import pytest
from django.db import connection
from django.db.models import Count, Max, Min

from audit.models import AccessLogEntry, ChainHead
from audit.services import access_log_write
from audit.verify import access_log_verify

THREADS = 20
WRITES_EACH = 10


def write_concurrently(actor) -> list[Exception]:
    """THREADS threads, each its own connection, WRITES_EACH appends each, started together."""
    start = threading.Barrier(THREADS)
    errors = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for _ in range(WRITES_EACH):
                access_log_write(
                    actor=actor,
                    action=AccessLogEntry.Action.VIEW,
                    subject_id=uuid.UUID(int=number + 1),
                    purpose="file",
                )
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            # Each thread has its own connection; close it so the test database can be dropped.
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def chains_by_number() -> dict[int, tuple[int, int, int]]:
    """Each chain's (entries, lowest seq, highest seq), read from the rows."""
    rows = (
        AccessLogEntry.objects.values("chain")
        .annotate(n=Count("id"), low=Min("seq"), high=Max("seq"))
        .values_list("chain", "n", "low", "high")
    )
    return {chain: (n, low, high) for chain, n, low, high in rows}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_writers_keep_every_chain_whole(social_worker, settings):
    """The log starts empty, so the first writers also race to create the chain heads."""
    settings.PRZYSTAN_ACCESS_LOG_CHAINS = 8
    assert not ChainHead.objects.exists()

    errors = write_concurrently(social_worker)

    assert errors == []
    total = THREADS * WRITES_EACH
    for number in range(THREADS):
        writes = AccessLogEntry.objects.filter(subject_id=uuid.UUID(int=number + 1))
        assert writes.count() == WRITES_EACH
    chains = chains_by_number()
    heads = dict(ChainHead.objects.values_list("pk", "seq"))
    # Twenty writers at once met busy heads and took other chains (at most the setting's 8).
    assert 1 < len(chains) <= 8
    assert set(chains) <= set(heads)
    for chain, (n, low, high) in chains.items():
        # Each chain numbered 1, 2, … n without a gap or a repeat, its head at its newest entry.
        assert (low, high) == (1, n)
        assert heads[chain] == n
    assert sum(n for n, _, _ in chains.values()) == total
    result = access_log_verify()
    assert result.is_intact
    assert result.entries == total


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_with_one_chain_concurrent_writers_append_one_at_a_time(social_worker, settings):
    settings.PRZYSTAN_ACCESS_LOG_CHAINS = 1

    errors = write_concurrently(social_worker)

    assert errors == []
    total = THREADS * WRITES_EACH
    seqs = list(AccessLogEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    assert chains_by_number() == {0: (total, 1, total)}
    assert ChainHead.objects.get().seq == total
    result = access_log_verify()
    assert result.is_intact
    assert result.entries == total
