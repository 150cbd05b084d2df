"""The vault's cryptography: AES-256-GCM from `cryptography`, nothing hand-written.

Ciphertext layout (a field value or a file):
    version (1 byte) | data-key id (8 bytes, big-endian) | nonce (12 bytes) | AES-GCM output
Associated data binds the version, a fixed field label and the subject id, so a ciphertext copied
to another field or another person fails to open. Version 2 (ROW_VERSION) also binds the row the
value belongs to (a fixed row label and the primary key, `row_binding`), so a value copied to
another row of the same person (one note over another) fails to open too; version 1 blobs, written
before, still open until `manage.py bind_ciphertexts` has rewritten them. Data keys are wrapped by
a KEK with the KEK id and the subject id as associated data.
"""

import os
import struct
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
# Bound to its row as well (field values since issue 13); files keep VERSION (their label names
# the file's own id).
ROW_VERSION = 2
VERSIONS = frozenset({VERSION, ROW_VERSION})
_HEADER = struct.Struct(">BQ")
NONCE_BYTES = 12
HEADER_BYTES = _HEADER.size + NONCE_BYTES
WRAP_VERSION = b"przystan-dek-v1"


class DecryptionError(Exception):
    """A ciphertext did not open: tampered, moved, malformed, or its key is missing.

    Raised, never swallowed: the vault never returns a raw column value in place of plaintext.
    """


def row_binding(row_label: str, pk) -> bytes:
    """The identity of a row bound into its values: a fixed row label and the primary key."""
    return f"{row_label}#{pk}".encode()


def _associated_data(
    version: int, label: str, subject_id: uuid.UUID, row: bytes | None = None
) -> bytes:
    parts = [bytes([version]), label.encode(), subject_id.bytes]
    if version == ROW_VERSION:
        # Length-prefixed: the row part is last, and no two rows can share one encoding.
        parts.append(struct.pack(">H", len(row)) + row)
    return b"|".join(parts)


def encrypt(
    plaintext: bytes,
    *,
    key: bytes,
    key_id: int,
    label: str,
    subject_id: uuid.UUID,
    row: bytes | None = None,
) -> bytes:
    """Seal `plaintext`; bound to `row` (version 2) when given, else to field and subject only."""
    version = VERSION if row is None else ROW_VERSION
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(
        nonce, plaintext, _associated_data(version, label, subject_id, row)
    )
    return _HEADER.pack(version, key_id) + nonce + sealed


def version_of(blob: bytes) -> int:
    """The format version a ciphertext declares (checked again by the AEAD when it opens)."""
    if len(blob) < HEADER_BYTES + 16:
        raise DecryptionError("ciphertext too short")
    version, _key_id = _HEADER.unpack_from(blob)
    if version not in VERSIONS:
        raise DecryptionError("unknown ciphertext version")
    return version


def key_id_of(blob: bytes) -> int:
    """The data-key id a ciphertext names (checked again by the AEAD when it opens)."""
    version_of(blob)
    return _HEADER.unpack_from(blob)[1]


def decrypt(
    blob: bytes, *, key: bytes, label: str, subject_id: uuid.UUID, row: bytes | None = None
) -> bytes:
    """Open a ciphertext; a version 2 one only with the row it was sealed for."""
    version = version_of(blob)
    if version == ROW_VERSION and row is None:
        raise DecryptionError("ciphertext is bound to a row, and no row was given")
    nonce = blob[_HEADER.size : HEADER_BYTES]
    # The version is in the header and in the associated data: a version 2 blob relabelled 1
    # (to shed its row) does not open.
    ad = _associated_data(version, label, subject_id, row)
    try:
        return AESGCM(key).decrypt(nonce, blob[HEADER_BYTES:], ad)
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
