"""Imports of past records uploaded as a ZIP (issue 12): checked, sealed, run in the background.

The administrator's upload page hands the ZIP to `job_create`, which checks it (a ZIP, only the
import's file names at its top, a bounded unpacked size), seals it under a key of its own and
writes it to the private folder VAR_DIR/imports/, records an ImportJob and, once that is
committed, starts a daemon thread that runs `job_run`. `manage.py run_import_job ID` runs the
same function (a job left queued when the server stopped). `job_run` unpacks the ZIP into a
temporary folder beside it and calls reports.importing.import_records, the command's own import
(one transaction, one access-log row); the ZIP, the folder and the key are gone when it ends.

Progress is not written to the database: on SQLite the import holds the only write lock for its
whole transaction, so a second connection could not record it (it would wait, then fail). It
goes to a small JSON file beside the ZIP (counts of rows per file, nothing else), replaced
atomically, which every server process can read (docs/architecture.md, "Uploaded imports").
"""

import io
import json
import logging
import os
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import asdict
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import Role
from privacy import crypto, keys
from reports.importing import COLUMNS, ImportRefused, Progress, import_records
from reports.models import ImportJob

logger = logging.getLogger(__name__)

# The unpacked files together: a ZIP that would unpack to more is refused unopened (a zip bomb).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = len(COLUMNS)
SEAL_LABEL = "import-zip"
CHUNK = 1024 * 1024


def imports_dir() -> Path:
    """The private folder of waiting ZIPs and progress files (only the server's user reads it)."""
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _sealed_path(job_id: uuid.UUID) -> Path:
    return imports_dir() / f"{job_id.hex}.zip.sealed"


def _progress_path(job_id: uuid.UUID) -> Path:
    return imports_dir() / f"{job_id.hex}.progress.json"


def _shown(name: str) -> str:
    # A member's name, as the person wrote it, shortened: never a whole path in a message.
    return repr(name[:40])


def zip_check(content: bytes) -> list[zipfile.ZipInfo]:
    """The ZIP's members, if it is one the import may open; ValidationError with every reason.

    Refused: not a ZIP; more members than the import has files; a member in a folder or with
    `..` or a backslash in its name; a name that is not one of the import's files; a name twice;
    an encrypted member or one compressed other than stored or deflated; more than
    MAX_UNPACKED_BYTES unpacked together (the sizes the ZIP declares, which unpacking holds it
    to: Python's zipfile reads no more than a member's declared size and checks its CRC).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise ValidationError(_("The file is not a ZIP archive."), code="not_zip") from None
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ValidationError(
            ngettext(
                "The ZIP holds %(count)d files; the import has at most %(most)d.",
                "The ZIP holds %(count)d files; the import has at most %(most)d.",
                len(members),
            )
            % {"count": len(members), "most": MAX_MEMBERS},
            code="too_many",
        )
    errors = []
    seen = set()
    for member in members:
        name = member.filename
        if "/" in name or "\\" in name or ".." in name or member.is_dir():
            errors.append(
                _("%(name)s: the files must be at the top of the ZIP, not in a folder.")
                % {"name": _shown(name)}
            )
        elif name not in COLUMNS:
            errors.append(
                _("%(name)s is not a file of the import (expected: %(files)s).")
                % {"name": _shown(name), "files": ", ".join(COLUMNS)}
            )
        elif name in seen:
            errors.append(_("%(name)s is in the ZIP twice.") % {"name": _shown(name)})
        elif member.flag_bits & 0x1:
            errors.append(_("%(name)s is encrypted.") % {"name": _shown(name)})
        elif member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            errors.append(
                _("%(name)s is compressed in a way the import cannot open.")
                % {"name": _shown(name)}
            )
        seen.add(name)
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        errors.append(
            _("Unpacked, the files would take more than %(mb)d MB.")
            % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    if not members:
        errors.append(_("The ZIP is empty."))
    if errors:
        raise ValidationError(errors, code="refused")
    return members


def _unpack(content: bytes, folder: Path) -> None:
    """Write the checked members into `folder`, never more than their declared sizes."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for member in zip_check(content):
            written = 0
            with archive.open(member) as source, (folder / member.filename).open("wb") as target:
                while chunk := source.read(CHUNK):
                    written += len(chunk)
                    if written > member.file_size:
                        raise zipfile.BadZipFile("member larger than declared")
                    target.write(chunk)


def job_create(*, by, content: bytes, language: str, start: bool = True) -> ImportJob:
    """Record an import of `content` (a ZIP) into `by`'s organisation; it starts after commit.

    `start=False` leaves it queued for the caller to run (`job_run`; the demo's seeding).
    Administrators only, of an organisation (the records go to it). The ZIP is checked first
    (ValidationError, nothing kept), then sealed with a fresh key wrapped by the current KEK:
    the folder holds ciphertext only, and the key is forgotten when the job ends.
    """
    if not by.has_role(Role.ADMINISTRATOR) or by.organisation_id is None:
        raise PermissionDenied(_("Only an administrator of an organisation may import records."))
    zip_check(content)
    job = ImportJob(
        organisation_id=by.organisation_id,
        created_by=by,
        created_at=timezone.now(),
        language=language,
    )
    key = crypto.new_data_key()
    ring = keys.kek_ring()
    job.kek_id = ring.current
    job.sealed_key = crypto.wrap_key(
        key, kek=ring.keys[ring.current], kek_id=ring.current, subject_id=job.id
    )
    sealed = crypto.encrypt(content, key=key, key_id=0, label=SEAL_LABEL, subject_id=job.id)
    path = _sealed_path(job.id)
    # Created for the server's user only, and never over another file.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(sealed)
    try:
        job.full_clean(exclude=["sealed_key"])
        job.save()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    if start:
        transaction.on_commit(lambda: job_start(job.pk))
    return job


def job_start(job_id: uuid.UUID) -> threading.Thread:
    """Run the job in a daemon thread of this process (its own database connection)."""
    thread = threading.Thread(
        target=_run_in_thread, args=(job_id,), name="przystan-import", daemon=True
    )
    thread.start()
    return thread


def _run_in_thread(job_id: uuid.UUID) -> None:
    try:
        job_run_guarded(job_id)
    finally:
        connections.close_all()


def job_run_guarded(job_id: uuid.UUID) -> None:
    """`job_run` as the thread runs it: nothing raised, every failure logged (ids and error
    types only) and, where the database lets it be written, shown on the job's page."""
    try:
        job_run(job_id)
    except JobNotStarted:
        # The job could not even be claimed: say so on its page rather than leave it queued.
        _fail_unstarted(job_id)
    except Exception as error:
        # The job's own handler records failures; this is the last resort (no personal data).
        logger.error("import job %s stopped: %s", job_id, type(error).__name__)


# The thread's first write (claiming the job) meets a database still busy with the upload's own
# request on SQLite ("database is locked", after SQLite's own wait): it tries again, waiting
# 0.25, 0.5, 1 and 2 s between tries (under 4 s more in all), before giving up.
START_ATTEMPTS = 5
START_PAUSE_SECONDS = 0.25


class JobNotStarted(Exception):
    """The job could not be claimed: the database stayed busy through every attempt."""


def _retrying(what: str, job_id: uuid.UUID, work, *, give_up=JobNotStarted):
    """`work()`, tried again on OperationalError; when the last try fails, `give_up` is raised
    (JobNotStarted), or with `give_up=None` the last error itself.

    Each failure is logged with the job's id and the error's type only (its text may quote a
    row's value)."""
    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            return work()
        except OperationalError as error:
            logger.warning(
                "import job %s: %s failed (attempt %d of %d): %s",
                job_id,
                what,
                attempt,
                START_ATTEMPTS,
                type(error).__name__,
            )
            # A broken connection is replaced at the next query; a healthy one is kept (the
            # thread runs in autocommit; inside a caller's transaction nothing is closed).
            connection = connections[DEFAULT_DB_ALIAS]
            if not connection.in_atomic_block:
                connection.close_if_unusable_or_obsolete()
            if attempt < START_ATTEMPTS:
                time.sleep(START_PAUSE_SECONDS * 2 ** (attempt - 1))
            elif give_up is None:
                raise
    raise give_up


def _fail_unstarted(job_id: uuid.UUID) -> None:
    """Mark a job that could not start failed (its page says so), if the database lets us;
    the sealed ZIP and its key are forgotten then, as at every end. Else it stays queued for
    `manage.py run_import_job` (and the log says so)."""

    def fail() -> bool:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().get(pk=job_id)
            if job.status != ImportJob.Status.QUEUED:
                # Another runner has it (or it ended): nothing to mark.
                return False
            with translation.override(job.language):
                message = _(
                    "The import could not start (the database was busy); nothing was "
                    "stored. Upload the file again."
                )
            job.status = ImportJob.Status.FAILED
            job.errors = [{"file": "", "line": 0, "column": "", "message": message}]
            job.sealed_key = None
            job.kek_id = ""
            job.finished_at = timezone.now()
            job.save()
        _sealed_path(job_id).unlink(missing_ok=True)
        _progress_path(job_id).unlink(missing_ok=True)
        return True

    try:
        marked = _retrying("marking it failed", job_id, fail)
    except JobNotStarted:
        logger.error("import job %s could not start and stays queued", job_id)
        return
    if marked:
        logger.error("import job %s could not start: marked failed", job_id)


class ProgressFile:
    """The progress callback of an uploaded import: counts per file, in a JSON file.

    {"clients.csv": {"read": 10, "stored": 10}, ...}: rows read, then records stored. Replaced
    whole at each step (os.replace), so a reader sees the last step or the one before.
    """

    def __init__(self, job_id: uuid.UUID):
        self.path = _progress_path(job_id)
        self.counts: dict[str, dict[str, int]] = {}

    def __call__(self, step: Progress) -> None:
        self.counts.setdefault(step.file, {"read": 0, "stored": 0})[step.stage] = step.done
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps(self.counts), encoding="utf-8")
        os.replace(partial, self.path)


def job_progress(job: ImportJob) -> dict[str, dict[str, int]]:
    """The counts of a running job, as its last step wrote them ({} before the first)."""
    try:
        return json.loads(_progress_path(job.pk).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def _claim(job_id: uuid.UUID) -> ImportJob | None:
    """The job, now running, if it was queued; None if another runner has it or it ended."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status != ImportJob.Status.QUEUED:
            return None
        job.status = ImportJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    return job


def _open_zip(job: ImportJob) -> bytes:
    ring = keys.kek_ring()
    key = crypto.unwrap_key(
        bytes(job.sealed_key), kek=ring.keys[job.kek_id], kek_id=job.kek_id, subject_id=job.id
    )
    sealed = _sealed_path(job.id).read_bytes()
    return crypto.decrypt(sealed, key=key, label=SEAL_LABEL, subject_id=job.id)


def _result(counts: dict, created: dict) -> dict:
    """Per file: rows read, records created, rows already stored (unchanged)."""
    result = {}
    for name in COLUMNS:
        if name not in counts:
            continue
        read = counts[name].get("read", 0)
        made = created.get(name.removesuffix(".csv"), 0)
        result[name] = {"read": read, "created": made, "unchanged": max(read - made, 0)}
    return result


def _importing(job: ImportJob, folder: Path, progress: ProgressFile) -> dict:
    """`import_records` of the unpacked folder, tried again while the database is busy.

    The import is one transaction: an OperationalError (SQLite's "database is locked" while the
    upload's own request still writes its session and access-log rows) leaves nothing stored,
    so the whole import is simply run again, after the same pauses as the claim. The last
    failure is raised (the job then fails with nothing stored)."""
    return _retrying(
        "the import",
        job.pk,
        lambda: import_records(
            directory=folder, by=job.created_by, organisation=job.organisation, progress=progress
        ),
        give_up=None,
    )


def job_run(job_id: uuid.UUID) -> ImportJob:
    """Import a queued job's ZIP (the thread's and run_import_job's work); the job as it ended.

    Done: the counts per file. Refused: the errors, each its file, line, column and message in
    the uploader's language, and nothing stored (import_records' one transaction). Either way
    the sealed ZIP, the unpacked files, the progress file and the key are removed. Claiming the
    job is tried again while the database is busy (OperationalError); JobNotStarted if it stays
    so, the job still queued.
    """
    job = _retrying("claiming it", job_id, lambda: _claim(job_id))
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    progress = ProgressFile(job.pk)
    with translation.override(job.language):
        try:
            content = _open_zip(job)
            with tempfile.TemporaryDirectory(dir=imports_dir()) as folder:
                _unpack(content, Path(folder))
                del content
                created = _importing(job, Path(folder), progress)
            job.status = ImportJob.Status.DONE
            job.result = _result(progress.counts, created)
        except ImportRefused as refused:
            job.status = ImportJob.Status.FAILED
            job.errors = [asdict(error) for error in refused.errors]
        except Exception as error:
            # The type only: a database error's text may quote a value of a row.
            logger.error("import job %s failed: %s", job.pk, type(error).__name__)
            job.status = ImportJob.Status.FAILED
            job.errors = [
                {
                    "file": "",
                    "line": 0,
                    "column": "",
                    "message": _("The import stopped on an unexpected error; nothing was stored."),
                }
            ]
        finally:
            _sealed_path(job.pk).unlink(missing_ok=True)
            _progress_path(job.pk).unlink(missing_ok=True)
    job.sealed_key = None
    job.kek_id = ""
    job.finished_at = timezone.now()
    job.save()
    return job
