"""Reads shared by pages and reports, with their prefetches."""

import datetime

from cases.models import Client
from privacy import blind


def client_search(
    *,
    pesel: str = "",
    surname: str = "",
    first_name: str = "",
    birth_date: datetime.date | None = None,
) -> list[Client]:
    """Clients matching a PESEL, or a surname with a first name or a birth date, exactly.

    The blind index narrows the table to a few candidates (people who share a truncated index
    value); each candidate is decrypted and compared, so false positives never reach the caller.
    Comparison ignores case, extra spaces and Polish diacritics, like the index.
    """
    candidates = Client.objects.select_related("subject").with_keys()
    if pesel:
        value = blind.index_value("client.pesel", pesel)
        rows = candidates.filter(pesel_bidx=value)
        return [c for c in rows if c.pesel == pesel.strip()]
    if surname and first_name:
        value = blind.index_value("client.surname+first_name", surname, first_name)
        rows = candidates.filter(name_bidx=value)
        wanted = (blind.normalise(surname), blind.normalise(first_name))
        matches = [
            c for c in rows if (blind.normalise(c.surname), blind.normalise(c.first_name)) == wanted
        ]
        if birth_date is not None:
            matches = [c for c in matches if c.birth_date == birth_date]
        return matches
    if surname and birth_date:
        value = blind.index_value("client.surname+birth_date", surname, birth_date.isoformat())
        rows = candidates.filter(surname_birth_bidx=value)
        wanted = blind.normalise(surname)
        return [
            c for c in rows if blind.normalise(c.surname) == wanted and c.birth_date == birth_date
        ]
    return []
