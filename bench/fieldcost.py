"""1. What sealing and opening one field value costs, in microseconds.

- raw: privacy.crypto.encrypt / decrypt (AES-256-GCM with the associated data), key in hand;
- field seal: EncryptedField.pre_save on a row (what Model.save does per field): the type tag,
  the key from the vault's cache (privacy.vault.encrypt_value), the AEAD;
- field open: reading the model attribute of a loaded row whose value is still a Ciphertext
  (the descriptor, privacy.vault.decrypt_value with the key from the cache, the type decoding);
- cold open: the same with an empty key cache, so the first field of a row also fetches the
  DataKey row (one query) and unwraps it under the KEK.
"""

import datetime
from dataclasses import dataclass

from cases.models import Client
from privacy import crypto, vault
from privacy.fields import Ciphertext

from .measure import per_call_us

_NOTE_LINE = (
    "Pani Halina nocuje przy dworcu zachodnim; zgłasza ból nóg, prosi o łóżko na parterze. "
)
NOTE_2KB = (_NOTE_LINE * 30)[:2000]  # 2000 characters, about 2.1 kB in UTF-8
JSON_VALUE = {
    "needs": ["łóżko na parterze", "dieta bezglutenowa"],
    "score": 7,
    "flags": {"night_shelter": True, "pet": False},
    "contacts": [{"kind": "MOPS", "since": "2024-03-01"}],
}


@dataclass
class FieldCost:
    what: str
    label: str
    plain_bytes: int
    sealed_bytes: int
    raw_encrypt: float
    raw_decrypt: float
    seal: float
    open: float
    open_cold: float


def _cases(client: Client):
    return [
        ("short text", Client._meta.get_field("first_name"), "Włodzimierz", client),
        ("date", Client._meta.get_field("birth_date"), datetime.date(1966, 4, 9), client),
        ("2 kB text", Client._meta.get_field("contact_note"), NOTE_2KB, client),
        ("JSON value", Client._meta.get_field("homelessness_reasons"), JSON_VALUE, client),
    ]


def run(*, calls: int = 3000) -> list[FieldCost]:
    client = Client.objects.order_by("pk").first()
    key_id, key = vault.key_for_subject(client.subject_id)
    results = []
    for what, field, value, row in _cases(client):
        plaintext = field.encode(value)
        blob = crypto.encrypt(
            plaintext, key=key, key_id=key_id, label=field.label, subject_id=client.subject_id
        )
        attname = field.attname

        def raw_encrypt(plaintext=plaintext, field=field):
            crypto.encrypt(
                plaintext, key=key, key_id=key_id, label=field.label, subject_id=client.subject_id
            )

        def raw_decrypt(blob=blob, field=field):
            crypto.decrypt(blob, key=key, label=field.label, subject_id=client.subject_id)

        def seal(row=row, field=field, value=value, attname=attname):
            row.__dict__[attname] = value
            field.pre_save(row, False)

        def open_(row=row, blob=blob, attname=attname):
            row.__dict__[attname] = Ciphertext(blob)
            getattr(row, attname)

        def open_cold(row=row, blob=blob, attname=attname):
            vault.cache.clear()
            row.__dict__[attname] = Ciphertext(blob)
            getattr(row, attname)

        # Sanity: the field path round-trips the value.
        row.__dict__[attname] = value
        sealed = field.pre_save(row, False)
        row.__dict__[attname] = sealed
        assert getattr(row, attname) == value, what

        results.append(
            FieldCost(
                what=what,
                label=field.label,
                plain_bytes=len(plaintext),
                sealed_bytes=len(blob),
                raw_encrypt=per_call_us(raw_encrypt, calls=calls),
                raw_decrypt=per_call_us(raw_decrypt, calls=calls),
                seal=per_call_us(seal, calls=calls),
                open=per_call_us(open_, calls=calls),
                open_cold=per_call_us(open_cold, calls=max(calls // 30, 50), repeats=5),
            )
        )
    vault.cache.clear()
    return results
