"""Blind indexes: search for a person without decrypting everyone (as CipherSweet does).

Each index has its own key, derived with HKDF from the index key (kept apart from the KEKs).
A value is normalised (NFKC, casefold, spaces collapsed, Polish letters folded), MACed with
HMAC-SHA256 and truncated to PRZYSTAN_BLIND_INDEX_BITS bits (16 by default). Truncation makes
many people share an index value: the index narrows the search to a few candidates, which are
decrypted and compared exactly, so false positives never reach the user, and the column alone
cannot confirm who is in the database (docs/privacy.md has the arithmetic).
"""

import hashlib
import hmac
import re
import unicodedata
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from privacy import keys

# Polish letters that do not decompose under NFKD (ł) are folded explicitly; the rest also are,
# so the folding does not depend on Unicode decomposition details.
_POLISH = str.maketrans("ąćęłńóśźż", "acelnoszz")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """'  ŁUKASZ   Nowak ' -> 'lukasz nowak'. Letters of other languages lose their accents too."""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_POLISH)
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(ch)
    )
    return _SPACES.sub(" ", stripped).strip()


@cache
def _index_key(name: str) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"przystan/blind-index/" + name.encode(),
    )
    return hkdf.derive(keys.index_key())


def forget_keys() -> None:
    """Drop the derived keys (after the index key changed)."""
    _index_key.cache_clear()


def index_value(name: str, *parts: str) -> int | None:
    """The truncated HMAC of the normalised parts, or None if any part is empty."""
    normalised = [normalise(part) for part in parts]
    if not all(normalised):
        return None
    message = "\x1f".join(normalised).encode("utf-8")
    digest = hmac.new(_index_key(name), message, hashlib.sha256).digest()
    bits = settings.PRZYSTAN_BLIND_INDEX_BITS
    return int.from_bytes(digest[:4], "big") >> (32 - bits)
