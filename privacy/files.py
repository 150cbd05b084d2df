"""Encrypted files: uploaded bytes sealed under the subject's data key, stored under random names.

The file name on disk says nothing (a random hex name in MEDIA_ROOT/vault/); the sealed bytes
are bound to the EncryptedFile row's id, so a file swapped for another does not open.
"""

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction

from privacy import vault
from privacy.models import EncryptedFile, Subject


def vault_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.MEDIA_ROOT / "vault", base_url=None)


def _label(file_id: uuid.UUID) -> str:
    return f"file:{file_id}"


def file_store(*, subject: Subject, content: bytes, label: str, content_type: str) -> EncryptedFile:
    """Seal `content` under the subject's key and write it under a generated name."""
    file_id = uuid.uuid4()
    sealed = vault.encrypt_value(content, label=_label(file_id), subject_id=subject.id)
    storage = vault_storage()
    name = storage.save(f"{uuid.uuid4().hex}.bin", ContentFile(sealed))
    try:
        return EncryptedFile.objects.create(
            id=file_id,
            subject=subject,
            label=label,
            storage_name=name,
            size=len(content),
            content_type=content_type,
        )
    except Exception:
        storage.delete(name)
        raise


def file_read(encrypted_file: EncryptedFile) -> bytes:
    """The plaintext bytes; raises DecryptionError if tampered, SubjectErased if erased."""
    with vault_storage().open(encrypted_file.storage_name, "rb") as handle:
        sealed = handle.read()
    plaintext = vault.decrypt_value(
        sealed, label=_label(encrypted_file.id), subject_id=encrypted_file.subject_id
    )
    if plaintext is vault.ERASED_KEY:
        raise vault.SubjectErased(str(encrypted_file.subject_id))
    return plaintext


def files_delete_for_subject(subject_id: uuid.UUID) -> int:
    """Delete a subject's files: the rows now, the bytes on disk when the transaction commits."""
    files = list(EncryptedFile.objects.filter(subject_id=subject_id))
    names = [f.storage_name for f in files]
    EncryptedFile.objects.filter(subject_id=subject_id).delete()
    storage = vault_storage()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    return len(files)
