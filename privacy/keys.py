"""The key material of the vault, read from the environment, never from the database.

- KEKs (key-encryption keys) wrap the per-subject data keys. `PRZYSTAN_KEKS` (or `_FILE`) lists
  `id:base64key` pairs separated by commas or new lines; the first wraps, all unwrap, so a new KEK
  can be rotated in while the old one still opens what it wrapped.
- The index key derives the blind-index keys (HKDF); `PRZYSTAN_INDEX_KEY`.
- The audit key MACs the access-log chain; `PRZYSTAN_AUDIT_KEY`. It is read by audit/keys.py
  (the log imports no other app of ours) and checked here with the others.

Each key is 32 random bytes in standard or URL-safe base64. None is derived from SECRET_KEY.
Problems are reported by the system check in privacy/checks.py, naming the variable.
"""

import base64
import re
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ImproperlyConfigured

from audit.keys import AUDIT_KEY_VAR, audit_key
from config.env import KEY_BYTES, env_key, env_str
from config.env import decode_key as _decode_key

KEK_VAR = "PRZYSTAN_KEKS"
INDEX_KEY_VAR = "PRZYSTAN_INDEX_KEY"
_KEK_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


@dataclass(frozen=True)
class KekRing:
    """The configured KEKs in order: `current` wraps, every one in `keys` unwraps."""

    keys: dict[str, bytes]
    current: str

    def get(self, kek_id: str) -> bytes:
        try:
            return self.keys[kek_id]
        except KeyError:
            raise ImproperlyConfigured(
                f"A data key is wrapped by KEK {kek_id!r}, which is not in {KEK_VAR}."
            ) from None


def parse_keks(text: str) -> KekRing:
    keys: dict[str, bytes] = {}
    for item in re.split(r"[,\n]", text):
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        kek_id, sep, material = item.partition(":")
        if not sep or not _KEK_ID.match(kek_id):
            raise ImproperlyConfigured(
                f"{KEK_VAR}: each entry must be id:base64key with an id of letters, digits, . _ -"
            )
        if kek_id in keys:
            raise ImproperlyConfigured(f"{KEK_VAR}: the KEK id {kek_id!r} appears twice.")
        keys[kek_id] = _decode_key(material, f"{KEK_VAR} entry {kek_id!r}")
    if not keys:
        raise ImproperlyConfigured(
            f"{KEK_VAR} (or {KEK_VAR}_FILE) is not set: no KEK to wrap data keys."
        )
    return KekRing(keys=keys, current=next(iter(keys)))


@cache
def kek_ring() -> KekRing:
    return parse_keks(env_str(KEK_VAR) or "")


@cache
def index_key() -> bytes:
    return env_key(INDEX_KEY_VAR)


def reload() -> None:
    """Forget the cached keys (after the environment changed: tests, rotation)."""
    kek_ring.cache_clear()
    index_key.cache_clear()
    audit_key.cache_clear()


def check_all() -> list[str]:
    """Every configuration problem with the keys, as messages naming the variable."""
    problems = []
    for loader in (kek_ring, index_key, audit_key):
        try:
            loader()
        except ImproperlyConfigured as error:
            problems.append(str(error))
    try:
        if index_key() == audit_key() or index_key() in kek_ring().keys.values():
            problems.append(f"{INDEX_KEY_VAR}, {AUDIT_KEY_VAR} and the KEKs must all differ.")
    except ImproperlyConfigured:
        pass
    return problems


def new_key_text() -> str:
    """32 fresh random bytes as URL-safe base64 (for generating keys)."""
    import secrets

    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode().rstrip("=")
