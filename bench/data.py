"""Synthetic clients, written fast with bulk_create: real ciphertexts, real blind indexes.

Person `i` is a pure function of `i` (a keyed digest of `i`), so a lookup can regenerate the
plaintext of any person already written (a hit) or not yet written (a miss) without keeping a
million plaintexts in memory. Names are invented: common Polish first names combined with
surnames assembled from made-up parts; PESELs come from cases.pesel.synthesize and are unique
by construction (day of birth and serial are a bijection of `i`).

Each client gets a Subject, a DataKey (a fresh DEK wrapped by the current KEK with
privacy.crypto.wrap_key) and a Client row whose encrypted fields (all of them: identity, contact,
intake facts) hold ciphertexts made with privacy.crypto.encrypt under that DEK and the field's
label, from the field's own encode() (wrapped in privacy.fields.Ciphertext, which
get_db_prep_value accepts). Blind indexes are
computed with privacy.blind.index_value exactly as Client.refresh_blind_indexes does. No history
rows are written for the bulk data (a real registration writes one per client).
"""

import datetime
import hashlib
import random
import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from cases.models import Client
from cases.pesel import synthesize
from privacy import blind, crypto, keys
from privacy.fields import Ciphertext, EncryptedField
from privacy.models import DataKey, Subject

FIRST_NAMES_F = [
    "Halina", "Bożena", "Jadwiga", "Grażyna", "Marianna", "Wiesława", "Teresa", "Łucja", "Zofia",
    "Danuta", "Krystyna", "Elżbieta", "Stanisława", "Genowefa", "Irena", "Barbara", "Małgorzata",
    "Agnieszka", "Dorota", "Ewa", "Jolanta", "Urszula", "Beata", "Renata", "Iwona", "Żaneta",
    "Wanda", "Czesława", "Leokadia", "Bronisława", "Aniela", "Józefa", "Katarzyna", "Magdalena",
    "Joanna", "Aleksandra", "Kamila", "Sylwia", "Ilona", "Mirosława",
]  # fmt: skip
FIRST_NAMES_M = [
    "Zdzisław", "Mirosław", "Bogdan", "Kazimierz", "Ryszard", "Włodzimierz", "Czesław", "Łukasz",
    "Stanisław", "Henryk", "Tadeusz", "Zbigniew", "Jerzy", "Andrzej", "Krzysztof", "Wiesław",
    "Józef", "Marian", "Eugeniusz", "Bolesław", "Leszek", "Grzegorz", "Dariusz", "Sławomir",
    "Waldemar", "Mariusz", "Jarosław", "Tomasz", "Paweł", "Przemysław", "Bogusław", "Edward",
    "Władysław", "Zygmunt", "Lech", "Romuald", "Kamil", "Rafał", "Wojciech", "Jacek",
]  # fmt: skip
# Invented surnames: stem + middle + ending ("Wierzbogórski", "Wierzbogórska").
_STEMS = [
    "Wierzbo", "Kalino", "Żurawio", "Grabo", "Dębo", "Olszo", "Brzozo", "Ciso", "Jaworo", "Sosno",
    "Lipo", "Buko", "Klono", "Jesiono", "Głogo", "Trzcino", "Modrzo", "Złoto", "Srebrno", "Miedzo",
    "Kamienio", "Piasko", "Łęgo", "Mszano", "Wrzoso", "Jagodo", "Malino", "Tarnino", "Chmielo",
    "Jarzębo", "Świerko", "Jodło", "Kruszyno", "Leszczyno", "Bzowo", "Rokito", "Czeremcho",
    "Jałowco", "Paprocio", "Mchowo", "Sitowo", "Kaczo", "Sowio", "Wilczo", "Lisio", "Borsuko",
    "Jeżo", "Bobro", "Czaplo", "Bocianio",
]  # fmt: skip
_MIDDLES = [
    "gór", "pol", "dol", "brzeg", "las", "staw", "łęk", "wod", "rzec", "mir", "sław", "bor",
    "grod", "ziem", "krzew", "pał", "kam", "piask", "łuk", "most", "brod", "dwor", "jez", "krąg",
    "strum",
]  # fmt: skip
_ENDINGS = [
    ("ski", "ska"), ("ecki", "ecka"), ("ak", "ak"), ("ek", "ek"), ("owicz", "owicz"),
    ("ny", "na"), ("iak", "iak"), ("czyk", "czyk"),
]  # fmt: skip
SURNAMES = [(s + m + e[0], s + m + e[1]) for s in _STEMS for m in _MIDDLES for e in _ENDINGS]
MUNICIPALITIES = ["1465011", "1261011", "0264011", "3064011", "2469011", "0661011", "1061011"]
NOTES = ["", "", "", "Zwykle przy dworcu rano.", "Przez noclegownię.", "Telefon po 18."]

_FIRST_DAY = datetime.date(1940, 1, 1)
_DAYS = (datetime.date(2005, 12, 31) - _FIRST_DAY).days + 1  # 24,106
_DAY_STEP = 7919  # coprime with _DAYS: i -> day of birth is a bijection modulo _DAYS
_TODAY = datetime.date(2026, 6, 1)


@dataclass(frozen=True)
class Person:
    index: int
    subject_id: uuid.UUID
    first_name: str
    surname: str
    pesel: str
    birth_date: datetime.date
    female: bool
    phone: str
    email: str
    contact_note: str
    municipality_code: str
    registered_on: datetime.date


def person(i: int) -> Person:
    """The synthetic person number `i` (the same on every run): every choice from one digest."""
    d = hashlib.blake2b(i.to_bytes(8, "big"), digest_size=32, person=b"przystan-bench").digest()
    female = d[0] < 102  # about 40% women, as among the foundation's clients
    first = (FIRST_NAMES_F if female else FIRST_NAMES_M)[d[1] % len(FIRST_NAMES_F)]
    surname = SURNAMES[int.from_bytes(d[2:5], "big") % len(SURNAMES)][1 if female else 0]
    born = _FIRST_DAY + datetime.timedelta(days=(i % _DAYS) * _DAY_STEP % _DAYS)
    # serial 0..4999 fits the PESEL's serial and sex digits; (day, serial) is unique per i.
    serial = (i // _DAYS * 37 + 101) % 5000
    phone = ""
    if d[5] & 1:
        number = int.from_bytes(d[6:10], "big")
        phone = (
            f"+48 {500 + number % 300} {number // 300 % 900 + 100} {number // 270000 % 900 + 100}"
        )
    return Person(
        index=i,
        subject_id=uuid.UUID(bytes=d[16:32], version=4),
        first_name=first,
        surname=surname,
        pesel=synthesize(born, female=female, serial=serial),
        birth_date=born,
        female=female,
        phone=phone,
        email="",
        contact_note=NOTES[d[10] % len(NOTES)],
        municipality_code=MUNICIPALITIES[d[11] % len(MUNICIPALITIES)],
        registered_on=_TODAY - datetime.timedelta(days=int.from_bytes(d[12:14], "big") % 1826),
    )


# Every encrypted column of Client gets a ciphertext (none may be NULL): the person's own values
# where the generator has them, the field's default (sealed too) for the others.
ENCRYPTED = [f.name for f in Client._meta.concrete_fields if isinstance(f, EncryptedField)]
PERSON_FIELDS = [name for name in ENCRYPTED if name in Person.__dataclass_fields__]


def _sealed_client(p: Person, *, dek: bytes, key_id: int, fields: dict) -> Client:
    values = {}
    for name, field in fields.items():
        value = getattr(p, name) if name in PERSON_FIELDS else field.get_default()
        values[name] = Ciphertext(
            crypto.encrypt(
                field.encode(value),
                key=dek,
                key_id=key_id,
                label=field.label,
                subject_id=p.subject_id,
                row=crypto.row_binding("client", p.subject_id),
            )
        )
    # As Client.refresh_blind_indexes computes them.
    birth = p.birth_date.isoformat()
    return Client(
        subject_id=p.subject_id,
        **values,
        birth_year=p.birth_date.year,
        sex="female" if p.female else "male",
        municipality_code=p.municipality_code,
        registered_on=p.registered_on,
        pesel_bidx=blind.index_value("client.pesel", p.pesel or ""),
        name_bidx=blind.index_value("client.surname+first_name", p.surname, p.first_name),
        surname_birth_bidx=blind.index_value("client.surname+birth_date", p.surname, birth),
    )


def write_clients(start: int, stop: int, *, chunk: int = 5000, progress=None) -> None:
    """Write persons start..stop-1 as clients, in committed chunks of bulk inserts."""
    fields = {name: Client._meta.get_field(name) for name in ENCRYPTED}
    ring = keys.kek_ring()
    kek, kek_id = ring.keys[ring.current], ring.current
    for low in range(start, stop, chunk):
        people = [person(i) for i in range(low, min(stop, low + chunk))]
        now = timezone.now()
        deks = [crypto.new_data_key() for _ in people]
        with transaction.atomic():
            Subject.objects.bulk_create(
                [Subject(id=p.subject_id, kind="client", created_at=now) for p in people]
            )
            data_keys = DataKey.objects.bulk_create(
                [
                    DataKey(
                        subject_id=p.subject_id,
                        kek_id=kek_id,
                        wrapped=crypto.wrap_key(
                            dek, kek=kek, kek_id=kek_id, subject_id=p.subject_id
                        ),
                        created_at=now,
                    )
                    for p, dek in zip(people, deks, strict=True)
                ]
            )
            if data_keys[0].pk is None:  # a database that returns no ids from bulk inserts
                ids = dict(
                    DataKey.objects.filter(
                        subject_id__in=[p.subject_id for p in people]
                    ).values_list("subject_id", "pk")
                )
                for data_key in data_keys:
                    data_key.pk = ids[data_key.subject_id]
            Client.objects.bulk_create(
                [
                    _sealed_client(p, dek=dek, key_id=dk.pk, fields=fields)
                    for p, dek, dk in zip(people, deks, data_keys, strict=True)
                ]
            )
        if progress:
            progress(min(stop, low + chunk))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def sanity_check(size: int, *, samples: int = 5, seed: int = 1) -> tuple[int, int]:
    """(how many of `samples` random rows open to their generated values and are found by
    client_search by PESEL and by surname + first name, samples)."""
    from cases.selectors import client_search

    rng = random.Random(seed + size)
    good = 0
    for i in rng.sample(range(size), min(samples, size)):
        p = person(i)
        row = Client.objects.get(pk=p.subject_id)
        opened = all(getattr(row, name) == getattr(p, name) for name in PERSON_FIELDS)
        by_pesel = p.subject_id in {c.pk for c in client_search(pesel=p.pesel)}
        by_name = p.subject_id in {
            c.pk for c in client_search(surname=p.surname, first_name=p.first_name)
        }
        good += opened and by_pesel and by_name
    return good, min(samples, size)
