"""The import seals each page of clients under keys it holds, never reading them back one by one.

An import of 100,000 clients outlives the vault's key cache (20,000 keys, 60 s): sealing a client
whose key had left the cache read it back from the database, a query per client
(docs/benchmarks.md, finding 1). With the cache's lifetime at 0 every key leaves it at once, so
the import's query count would then grow with its clients; it must not.
"""

import csv

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Client
from privacy import vault
from reports.importing import import_records

HEADER = ["client_ref", "first_name", "surname", "birth_date", "sex", "pesel", "municipality_code"]


def _import(folder, first, count, administrator) -> int:
    folder.mkdir()
    with (folder / "clients.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(first, first + count):
            out.writerow([f"c{n}", "Imię", f"Nazwisko{n}", "1980-01-01", "female", "", "1465011"])
    vault.cache.clear()
    with CaptureQueriesContext(connection) as queries:
        import_records(directory=folder, by=administrator, organisation=administrator.organisation)
    return len(queries)


def test_the_import_of_clients_reads_no_key_back_whatever_their_number(
    administrator, tmp_path, settings
):
    settings.PRZYSTAN_DEK_CACHE_SECONDS = 0  # every key leaves the cache as soon as it is put
    _import(tmp_path / "first", 1000, 1, administrator)  # the first import's one-off queries
    few = _import(tmp_path / "few", 0, 2, administrator)
    many = _import(tmp_path / "many", 100, 12, administrator)
    # Same statements for 2 and for 12 clients (one page: subjects, keys, clients, history,
    # refs, the log row); before, each of the 12 clients' seal read its key: 10 more.
    assert many == few
    assert Client.objects.count() == 15
    # Sealed under each one's own key: they read back (each key loaded from the database now).
    assert sorted(c.surname for c in Client.objects.all())[:2] == ["Nazwisko0", "Nazwisko1"]
