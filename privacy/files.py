"""Encrypted files: uploaded bytes sealed under the subject's data key, stored under random names.

The file name on disk says nothing (a random hex name in MEDIA_ROOT/vault/); the sealed bytes
are bound to the EncryptedFile row's id, so a file swapped for another does not open.
"""

import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone

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
    # The bytes of an erased subject's file are gone from disk: nothing to open.
    if encrypted_file.shredded_at is not None:
        raise vault.SubjectErased(str(encrypted_file.subject_id))
    with vault_storage().open(encrypted_file.storage_name, "rb") as handle:
        sealed = handle.read()
    plaintext = vault.decrypt_value(
        sealed, label=_label(encrypted_file.id), subject_id=encrypted_file.subject_id
    )
    if plaintext is vault.ERASED_KEY:
        raise vault.SubjectErased(str(encrypted_file.subject_id))
    return plaintext


def files_shred_for_subject(subject_id: uuid.UUID) -> int:
    """Mark a subject's files shredded now and delete their bytes when the transaction commits.

    The rows stay: documents, signed consent forms and whatever a later app keeps point at them
    (often with PROTECT), and deleting the rows would make erasure depend on every such app.
    The bytes are sealed under the subject's key, destroyed in the same transaction; deleting
    them after the commit means a rolled-back erasure leaves every file readable.
    """
    return _shred(EncryptedFile.objects.filter(subject_id=subject_id))


def files_shred(file_ids) -> int:
    """Shred these files alone (retention of documents: the person stays), as erasure does."""
    return _shred(EncryptedFile.objects.filter(pk__in=list(file_ids)))


def _shred(files) -> int:
    files = files.filter(shredded_at__isnull=True)
    names = list(files.values_list("storage_name", flat=True))
    files.update(shredded_at=timezone.now())
    storage = vault_storage()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    return len(names)
