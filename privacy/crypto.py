"""The vault's cryptography: AES-256-GCM from `cryptography`, nothing hand-written.

Ciphertext layout (a field value or a file):
    version (1 byte) | data-key id (8 bytes, big-endian) | nonce (12 bytes) | AES-GCM output
Associated data binds the version, a fixed field label and the subject id, so a ciphertext copied
to another field or another person fails to open. Data keys are wrapped by a KEK with the KEK id
and the subject id as associated data.
"""

import os
import struct
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
_HEADER = struct.Struct(">BQ")
NONCE_BYTES = 12
HEADER_BYTES = _HEADER.size + NONCE_BYTES
WRAP_VERSION = b"przystan-dek-v1"


class DecryptionError(Exception):
    """A ciphertext did not open: tampered, moved, malformed, or its key is missing.

    Raised, never swallowed: the vault never returns a raw column value in place of plaintext.
    """


def _associated_data(label: str, subject_id: uuid.UUID) -> bytes:
    return b"|".join([bytes([VERSION]), label.encode(), subject_id.bytes])


def encrypt(
    plaintext: bytes, *, key: bytes, key_id: int, label: str, subject_id: uuid.UUID
) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, _associated_data(label, subject_id))
    return _HEADER.pack(VERSION, key_id) + nonce + sealed


def key_id_of(blob: bytes) -> int:
    """The data-key id a ciphertext names (checked again by the AEAD when it opens)."""
    if len(blob) < HEADER_BYTES + 16:
        raise DecryptionError("ciphertext too short")
    version, key_id = _HEADER.unpack_from(blob)
    if version != VERSION:
        raise DecryptionError("unknown ciphertext version")
    return key_id


def decrypt(blob: bytes, *, key: bytes, label: str, subject_id: uuid.UUID) -> bytes:
    key_id_of(blob)
    nonce = blob[_HEADER.size : HEADER_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[HEADER_BYTES:], _associated_data(label, subject_id))
    except InvalidTag:
        raise DecryptionError("ciphertext does not open (tampered, moved or wrong key)") from None


def _wrap_ad(kek_id: str, subject_id: uuid.UUID) -> bytes:
    return b"|".join([WRAP_VERSION, kek_id.encode(), subject_id.bytes])


def wrap_key(dek: bytes, *, kek: bytes, kek_id: str, subject_id: uuid.UUID) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, dek, _wrap_ad(kek_id, subject_id))


def unwrap_key(wrapped: bytes, *, kek: bytes, kek_id: str, subject_id: uuid.UUID) -> bytes:
    # Too short for a nonce and a tag: AESGCM would raise ValueError, not InvalidTag.
    if len(wrapped) < NONCE_BYTES + 16:
        raise DecryptionError("data key is malformed (too short)")
    try:
        return AESGCM(kek).decrypt(
            wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _wrap_ad(kek_id, subject_id)
        )
    except InvalidTag:
        raise DecryptionError("data key does not unwrap (wrong KEK or tampered)") from None


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)
