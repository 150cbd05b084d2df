"""2. Finding a person: cases.selectors.client_search against a scan that decrypts everyone.

Lookups are existing people (hits) and people who are not there (misses), by PESEL and by
surname + first name. Each lookup is timed twice in a row:
- cold: privacy.vault.cache.clear() just before, so every candidate's data key is fetched and
  unwrapped (one DataKey query for all candidates, one unwrap each);
- warm: the same lookup again at once, with the candidates' keys in the cache.
The database's own page cache is warm in both (the lookups run back to back).

The naive scan reads every client in pages of 5,000 rows by primary key, with .with_keys(),
and decrypts the fields it compares (the PESEL, or the surname and the first name); its
comparison is the one client_search uses. Paging keeps each page's keys inside the vault's key
cache (20,000 entries); one unpaged query would overflow it (see docs/benchmarks.md).
"""

import random
from dataclasses import dataclass, field

from cases.models import Client
from cases.selectors import client_search
from privacy import blind, vault

from .data import _ENDINGS, _MIDDLES, FIRST_NAMES_F, FIRST_NAMES_M, person
from .measure import percentile, timed_ms

# Indexes of people never written (misses): their (day, serial) pairs differ from any written one.
_MISS_BASE = 50_000_000
# A surname stem the generator never uses: a name miss finds no namesake by chance.
_MISS_STEM = "Niebywało"


@dataclass
class Lookup:
    kind: str  # "pesel" or "name"
    hit: bool
    kwargs: dict
    subject_id: object = None


@dataclass
class Timings:
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    candidates: list[int] = field(default_factory=list)
    matches: list[int] = field(default_factory=list)
    wrong: int = 0


@dataclass
class SearchResult:
    size: int
    by_kind: dict  # kind -> Timings
    scan_ms: dict  # kind -> list of milliseconds
    scan_wrong: int = 0

    def p(self, kind: str, which: str, q: float) -> float:
        return percentile(getattr(self.by_kind[kind], which), q)


def make_lookups(size: int, *, hits: int, misses: int, seed: int = 2026) -> list[Lookup]:
    rng = random.Random(seed * 7 + size)
    found = []
    for i in rng.sample(range(size), min(hits, size)):
        p = person(i)
        found.append(Lookup("pesel", True, {"pesel": p.pesel}, p.subject_id))
        found.append(
            Lookup("name", True, {"surname": p.surname, "first_name": p.first_name}, p.subject_id)
        )
    for k in range(misses):
        p = person(_MISS_BASE + size + k)
        found.append(Lookup("pesel", False, {"pesel": p.pesel}))
        first = rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)
        surname = _MISS_STEM + rng.choice(_MIDDLES) + rng.choice(_ENDINGS)[0]
        found.append(Lookup("name", False, {"surname": surname, "first_name": first}))
    rng.shuffle(found)
    return found


def _candidates(lookup: Lookup) -> int:
    """How many rows share the lookup's blind-index value (all of them are decrypted)."""
    if lookup.kind == "pesel":
        value = blind.index_value("client.pesel", lookup.kwargs["pesel"])
        return Client.objects.filter(pesel_bidx=value).count()
    value = blind.index_value(
        "client.surname+first_name", lookup.kwargs["surname"], lookup.kwargs["first_name"]
    )
    return Client.objects.filter(name_bidx=value).count()


def _is_right(lookup: Lookup, found: list[Client]) -> bool:
    if lookup.hit:
        return lookup.subject_id in {c.pk for c in found}
    return not found


def naive_scan(lookup: Lookup, *, page: int = 5000) -> list[Client]:
    """Every client, page by page, decrypted and compared: what search costs without an index."""
    matches = []
    if lookup.kind == "pesel":
        wanted_pesel = lookup.kwargs["pesel"].strip()
    else:
        wanted = (
            blind.normalise(lookup.kwargs["surname"]),
            blind.normalise(lookup.kwargs["first_name"]),
        )
    last = None
    while True:
        rows = Client.objects.order_by("pk").with_keys()
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows[:page])
        if not batch:
            return matches
        for c in batch:
            if lookup.kind == "pesel":
                if c.pesel == wanted_pesel:
                    matches.append(c)
            elif (blind.normalise(c.surname), blind.normalise(c.first_name)) == wanted:
                matches.append(c)
        last = batch[-1].pk


def run(size: int, *, hits: int, misses: int, scans: int) -> SearchResult:
    lookups = make_lookups(size, hits=hits, misses=misses)
    by_kind = {"pesel": Timings(), "name": Timings()}
    # Warm up the code paths (imports, compiled queries) before timing.
    for lookup in lookups[:10]:
        client_search(**lookup.kwargs)
    for lookup in lookups:
        timings = by_kind[lookup.kind]
        vault.cache.clear()
        cold_ms, found = timed_ms(lambda lookup=lookup: client_search(**lookup.kwargs))
        warm_ms, again = timed_ms(lambda lookup=lookup: client_search(**lookup.kwargs))
        timings.cold.append(cold_ms)
        timings.warm.append(warm_ms)
        timings.matches.append(len(found))
        timings.candidates.append(_candidates(lookup))
        if not (_is_right(lookup, found) and _is_right(lookup, again)):
            timings.wrong += 1
    vault.cache.clear()

    scan_ms = {"pesel": [], "name": []}
    scan_wrong = 0
    for kind in ("pesel", "name"):
        targets = [lk for lk in lookups if lk.kind == kind and lk.hit][:scans]
        for lookup in targets:
            vault.cache.clear()
            ms, found = timed_ms(lambda lookup=lookup: naive_scan(lookup))
            scan_ms[kind].append(ms)
            if not _is_right(lookup, found):
                scan_wrong += 1
    vault.cache.clear()
    return SearchResult(size=size, by_kind=by_kind, scan_ms=scan_ms, scan_wrong=scan_wrong)
