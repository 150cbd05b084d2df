"""Concurrent writers on PostgreSQL: the chain head's row lock makes them append one at a time."""

import threading
import uuid

import pytest
from django.db import connection

from audit.models import AccessLogEntry, ChainHead
from audit.services import access_log_write
from audit.verify import access_log_verify

THREADS = 20
WRITES_EACH = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_writers_never_fork_the_chain(social_worker):
    """The log starts empty, so the first writers also race to create the chain head."""
    assert not ChainHead.objects.exists()
    start = threading.Barrier(THREADS)
    errors = []

    def writer(number: int) -> None:
        try:
            start.wait()
            for _ in range(WRITES_EACH):
                access_log_write(
                    actor=social_worker,
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

    assert errors == []
    total = THREADS * WRITES_EACH
    seqs = list(AccessLogEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    for number in range(THREADS):
        writes = AccessLogEntry.objects.filter(subject_id=uuid.UUID(int=number + 1))
        assert writes.count() == WRITES_EACH
    assert ChainHead.objects.get().seq == total
    result = access_log_verify()
    assert result.is_intact
    assert result.entries == total
