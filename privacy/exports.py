"""The DPO's export of a person's data: make the encrypted package, hand it out once, purge it.

The package is a ZIP encrypted with AES-256 (pyzipper, WinZip AES) under a password made here,
shown once to the DPO and stored nowhere (not in the database, a session, a URL or a log). It
is written to PRZYSTAN_EXPORT_DIR, outside MEDIA_ROOT, under a random name, and deleted when it
is downloaded or when PRZYSTAN_EXPORT_HOURS pass (`purge_exports` on a timer, and every making
or download purges first). Making and downloading are access-log rows.
"""

import io
import json
import secrets
from pathlib import Path

import pyzipper
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import DPO_ROLES
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.services import access_log_write
from privacy import scope
from privacy.export import Options, package_build
from privacy.export_pdf import export_pdf
from privacy.models import ChildrenInExport, StaffNaming, Subject, SubjectExport

# Letters and digits nobody confuses when reading them aloud or copying them by hand.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"  # noqa: S105 - an alphabet
# 6 groups of 5: 30 characters of 54 symbols, 30 × log2(54) ≈ 172 bits.
PASSWORD_GROUPS, PASSWORD_GROUP = 6, 5
JSON_NAME = "export.json"
PDF_NAME = "dane-osobowe.pdf"


class ExportGone(Exception):
    """The package was downloaded already or has expired: its file is deleted."""


def export_dir() -> Path:
    path = Path(settings.PRZYSTAN_EXPORT_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def export_password() -> str:
    """A strong random password in groups (`abcde-fghij-…`), easy to dictate or copy."""
    groups = [
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_GROUP))
        for _ in range(PASSWORD_GROUPS)
    ]
    return "-".join(groups)


def _zip(package, pdf: bytes, password: str) -> bytes:
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        document = json.dumps(package.document, ensure_ascii=False, indent=2)
        archive.writestr(JSON_NAME, document.encode())
        archive.writestr(PDF_NAME, pdf)
        for attached in package.files:
            archive.writestr(attached.path, attached.content)
    return buffer.getvalue()


def _require_dpo(by, subject_id) -> None:
    # The export is the data protection officer's work, and theirs only: for the people they
    # act for (their organisation's; everyone's for the cluster's DPO, privacy/scope.py).
    if by is None or not by.has_role(*DPO_ROLES):
        raise PermissionDenied(_("Only the data protection officer exports a person's data."))
    if not scope.dpo_reaches(by, subject_id):
        raise PermissionDenied(_("This person is not one of your organisation's data subjects."))


def subject_export_create(
    *, subject: Subject, by, children: str, staff_naming: str, request=None
) -> tuple[SubjectExport, str]:
    """Make a person's package; returns the row and the password (shown once, kept nowhere).

    Refused for an erased person (nothing of them can be read). The file is written before the
    row and removed again if the transaction fails, so no file outlives a rolled-back export.
    """
    _require_dpo(by, subject.pk)
    if children not in ChildrenInExport.values or staff_naming not in StaffNaming.values:
        raise ValidationError(
            _("Choose what of the children's data goes, and how staff are named.")
        )
    if subject.is_erased:
        raise ValidationError(_("This person's data has been erased: there is nothing to export."))
    exports_purge()
    package = package_build(
        subject=subject, options=Options(children=children, staff_naming=staff_naming)
    )
    password = export_password()
    content = _zip(package, export_pdf(package), password)
    name = f"{secrets.token_hex(16)}.zip"
    path = export_dir() / name
    path.write_bytes(content)
    path.chmod(0o600)
    now = timezone.now()
    try:
        with transaction.atomic():
            export = SubjectExport(
                subject=subject,
                children=children,
                staff_naming=staff_naming,
                storage_name=name,
                size=len(content),
                created_by=by,
                created_at=now,
                expires_at=now + timezone.timedelta(hours=settings.PRZYSTAN_EXPORT_HOURS),
            )
            export.full_clean()
            export._change_reason = "export made"
            export.save()
            access_log_write(
                actor=by,
                action=AccessLogEntry.Action.EXPORT,
                subject_id=subject.pk,
                purpose=Purpose.DPO_EXPORT,
                request=request,
            )
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return export, password


def _delete_file(export: SubjectExport, *, reason: str, downloaded: bool = False) -> None:
    (export_dir() / export.storage_name).unlink(missing_ok=True)
    now = timezone.now()
    export.deleted_at = now
    if downloaded:
        export.downloaded_at = now
    export._change_reason = reason
    export.save(update_fields=["deleted_at", "downloaded_at"])


def subject_export_take(*, export: SubjectExport, by, request=None) -> bytes:
    """The package's bytes, once: the file is deleted as it is handed out (and logged).

    Raises ExportGone when it was downloaded before or has expired.
    """
    _require_dpo(by, export.subject_id)
    exports_purge()
    with transaction.atomic():
        export = SubjectExport.objects.select_for_update().get(pk=export.pk)
        if not export.is_available:
            raise ExportGone(str(export.pk))
        content = (export_dir() / export.storage_name).read_bytes()
        _delete_file(export, reason="export downloaded", downloaded=True)
        access_log_write(
            actor=by,
            action=AccessLogEntry.Action.EXPORT,
            subject_id=export.subject_id,
            purpose=Purpose.DPO_EXPORT_DOWNLOAD,
            request=request,
        )
    return content


def exports_purge(*, now=None) -> int:
    """Delete the files of expired packages, and stray files no package points at; how many.

    A stray file (a crash between writing it and saving its row) is deleted once it is older
    than the export window, so a package being made right now is never taken for one.
    """
    now = now or timezone.now()
    count = 0
    for export in SubjectExport.objects.filter(deleted_at__isnull=True, expires_at__lte=now):
        with transaction.atomic():
            _delete_file(export, reason="export expired")
        count += 1
    folder = export_dir()
    live = set(
        SubjectExport.objects.filter(deleted_at__isnull=True).values_list("storage_name", flat=True)
    )
    oldest = now.timestamp() - settings.PRZYSTAN_EXPORT_HOURS * 3600
    for path in folder.glob("*.zip"):
        if path.name not in live and path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)
            count += 1
    return count


def exports_discard_for_subject(subject_id) -> int:
    """Delete the waiting packages of a person being erased (the files when the transaction
    commits, so a rolled-back erasure leaves them); how many."""
    waiting = list(SubjectExport.objects.filter(subject_id=subject_id, deleted_at__isnull=True))
    now = timezone.now()
    for export in waiting:
        export.deleted_at = now
        export._change_reason = "person erased"
        export.save(update_fields=["deleted_at"])
    paths = [export_dir() / export.storage_name for export in waiting]
    transaction.on_commit(lambda: [path.unlink(missing_ok=True) for path in paths])
    return len(waiting)
