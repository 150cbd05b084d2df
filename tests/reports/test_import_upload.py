"""The administrator's upload of past records: a ZIP of the import's CSV files, run in the
background (reports/jobs.py), its page showing progress, then the counts or the errors."""

import datetime
import io
import shutil
import threading
import zipfile
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError, connection, transaction

from accounts.roles import Role
from audit.models import AccessLogEntry
from cases.models import Client
from reports import jobs
from reports.importing import Progress
from reports.models import ImportJob
from shelters.models import Facility, Stay
from tests.factories import OrganisationFactory, UserFactory

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "import-example"
MOMENT = datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC)


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _example(**changes) -> bytes:
    files = {path.name: path.read_bytes() for path in sorted(EXAMPLE.glob("*.csv"))}
    files.update(changes)
    return _zip(files)


def _upload(client, content: bytes, name="records.zip"):
    return client.post(
        "/reports/import/", {"archive": SimpleUploadedFile(name, content, "application/zip")}
    )


def _imports_folder_is_empty() -> bool:
    return not any(jobs.imports_dir().iterdir())


@pytest.fixture(autouse=True)
def _empty_imports_folder():
    """Each test starts with an empty imports folder (jobs of earlier tests never run)."""
    for path in jobs.imports_dir().iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


@pytest.fixture
def uploaded(client, administrator):
    """The example files uploaded as a ZIP by the administrator (the job queued, not run)."""
    client.force_login(administrator)
    response = _upload(client, _example())
    assert response.status_code == 302
    return ImportJob.objects.get()


def test_the_example_files_zipped_are_imported_with_their_counts(client, uploaded):
    assert uploaded.status == ImportJob.Status.QUEUED
    assert client.get(f"/reports/import/{uploaded.pk}/").status_code == 200
    # The uploaded ZIP waits sealed: its bytes are not in the folder in clear.
    sealed = b"".join(p.read_bytes() for p in jobs.imports_dir().iterdir())
    assert b"Testowy" not in sealed and b"clients.csv" not in sealed
    with time_machine.travel(MOMENT, tick=False):
        job = jobs.job_run(uploaded.pk)
    assert job.status == ImportJob.Status.DONE
    # The example: 2 facilities, 10 clients, 15 stays, 2 programmes, 3 enrolments,
    # 4 placements, 3 follow-ups, all new.
    assert job.result["facilities.csv"] == {"read": 2, "created": 2, "unchanged": 0}
    assert job.result["clients.csv"] == {"read": 10, "created": 10, "unchanged": 0}
    assert job.result["stays.csv"] == {"read": 15, "created": 15, "unchanged": 0}
    assert job.result["followups.csv"] == {"read": 3, "created": 3, "unchanged": 0}
    assert Client.objects.count() == 10
    assert Stay.objects.count() == 15
    assert set(Facility.objects.values_list("organisation", flat=True)) == {
        uploaded.organisation_id
    }
    # One access-log row for the import, by the administrator who uploaded.
    entry = AccessLogEntry.objects.get()
    assert (entry.action, entry.purpose, entry.actor_id) == (
        "create",
        "import_records",
        uploaded.created_by_id,
    )
    # The ZIP, the unpacked files and the key are gone.
    assert _imports_folder_is_empty()
    assert job.sealed_key is None
    html = client.get(f"/reports/import/{job.pk}/").content.decode()
    assert "http-equiv" not in html
    assert "Testowy" not in html
    assert "stays.csv" in html


def test_a_second_upload_of_the_same_files_changes_nothing(client, uploaded):
    with time_machine.travel(MOMENT, tick=False):
        jobs.job_run(uploaded.pk)
        assert _upload(client, _example()).status_code == 302
        second = jobs.job_run(ImportJob.objects.get(status="queued").pk)
    assert second.result["clients.csv"] == {"read": 10, "created": 0, "unchanged": 10}
    assert second.result["stays.csv"] == {"read": 15, "created": 0, "unchanged": 15}
    assert Client.objects.count() == 10


def test_a_bad_csv_gives_file_line_and_column_in_polish_and_stores_nothing(client, administrator):
    client.force_login(administrator)
    lines = (EXAMPLE / "stays.csv").read_text(encoding="utf-8").splitlines()
    lines[3] = "c03,F1,2025-03-05,2025-13-06,own_housing"
    _upload(client, _example(**{"stays.csv": "\n".join(lines).encode()}))
    job = jobs.job_run(ImportJob.objects.get().pk)
    assert job.status == ImportJob.Status.FAILED
    assert {"file": "stays.csv", "line": 4, "column": "ended_on"} in [
        {key: error[key] for key in ("file", "line", "column")} for error in job.errors
    ]
    assert Client.objects.count() == Stay.objects.count() == Facility.objects.count() == 0
    assert AccessLogEntry.objects.count() == 0
    assert _imports_folder_is_empty()
    html = client.get(f"/reports/import/{job.pk}/").content.decode()
    # The message in the uploader's language (Polish by default).
    assert "nie jest datą" in html
    assert "Nic nie zaimportowano" in html


def test_a_bad_birth_date_is_named_but_never_quoted_in_the_stored_errors(client, administrator):
    # The job's errors are kept in clear on its row and shown on its page: a birth date (even a
    # mistyped one) is personal, so its error names file, line and column but not the value.
    client.force_login(administrator)
    lines = (EXAMPLE / "clients.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = "c01,Jan,Testowy,1980-06-31,male,,1465011"
    _upload(client, _example(**{"clients.csv": "\n".join(lines).encode()}))
    job = jobs.job_run(ImportJob.objects.get().pk)
    assert job.status == ImportJob.Status.FAILED
    (error,) = [e for e in job.errors if e["column"] == "birth_date"]
    assert (error["file"], error["line"]) == ("clients.csv", 2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT errors FROM reports_importjob")
        (raw,) = cursor.fetchone()
    assert "1980-06-31" not in str(raw) and "wpisz RRRR-MM-DD" in str(raw)


def test_the_progress_callback_writes_counts_the_page_shows_while_running(client, uploaded):
    progress = jobs.ProgressFile(uploaded.pk)
    progress(Progress("clients.csv", "read", 10, 10))
    progress(Progress("clients.csv", "stored", 4, 10))
    assert jobs.job_progress(uploaded) == {"clients.csv": {"read": 10, "stored": 4}}
    uploaded.status = ImportJob.Status.RUNNING
    uploaded.save()
    html = client.get(f"/reports/import/{uploaded.pk}/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "<td>clients.csv</td><td>10</td><td>4</td>" in html


def test_progress_is_written_during_the_import_not_only_at_its_end(uploaded, monkeypatch):
    seen = []
    write = jobs.ProgressFile.__call__

    def spy(self, step):
        write(self, step)
        # What a page would read at this moment, in the middle of the import.
        seen.append(jobs.job_progress(ImportJob.objects.get(pk=uploaded.pk)))

    monkeypatch.setattr(jobs.ProgressFile, "__call__", spy)
    with time_machine.travel(MOMENT, tick=False):
        jobs.job_run(uploaded.pk)
    assert {"read": 10, "stored": 0} in [counts.get("clients.csv") for counts in seen]
    assert seen[-1]["followups.csv"] == {"read": 3, "stored": 3}


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"../clients.csv": b"x"}, "nie w folderze"),
        ({"records/clients.csv": b"x"}, "nie w folderze"),
        ({"notes.txt": b"x"}, "nie jest plikiem importu"),
    ],
)
def test_a_zip_with_folders_or_unknown_files_is_refused(client, administrator, files, message):
    client.force_login(administrator)
    response = _upload(client, _zip(files))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_that_is_not_a_zip_is_refused(client, administrator):
    client.force_login(administrator)
    response = _upload(client, b"client_ref,first_name\n", name="clients.csv")
    assert response.status_code == 400
    assert "To nie jest archiwum ZIP." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_zip_bomb_is_refused_before_anything_is_unpacked(client, administrator, monkeypatch):
    client.force_login(administrator)
    monkeypatch.setattr(jobs, "MAX_UNPACKED_BYTES", 1024 * 1024)
    # 2 MB of zeros pack into about 2 kB: over the (lowered) limit of 1 MB unpacked.
    response = _upload(client, _zip({"clients.csv": b"0" * (2 * 1024 * 1024)}))
    assert response.status_code == 400
    assert "zajęłyby ponad 1 MB" in response.content.decode()
    too_many = _zip({f"{n}.csv": b"" for n in range(8)})
    with pytest.raises(Exception, match="at most 7"), jobs.translation.override("en"):
        jobs.zip_check(too_many)


@pytest.mark.parametrize(
    "role",
    [role for role in Role.values if role != Role.ADMINISTRATOR],
)
def test_every_other_role_is_refused(client, personas, uploaded, role):
    client.force_login(personas[role])
    assert client.get("/reports/import/").status_code == 403
    assert _upload(client, _example()).status_code == 403
    assert client.get(f"/reports/import/{uploaded.pk}/").status_code == 403
    assert ImportJob.objects.count() == 1


def test_an_administrator_of_another_organisation_cannot_see_the_job(client, uploaded):
    other = UserFactory(
        username="root-elsewhere", organisation=OrganisationFactory(), role=Role.ADMINISTRATOR
    )
    client.force_login(other)
    assert client.get(f"/reports/import/{uploaded.pk}/").status_code == 404
    assert client.get(f"/reports/import/{ImportJob().pk}/").status_code == 404
    assert str(uploaded.pk) not in client.get("/reports/import/").content.decode()


def test_anonymous_is_sent_to_login(client, db):
    response = client.get("/reports/import/")
    assert response.status_code == 302
    assert "/login/" in response.url


def test_the_administrator_finds_the_page_in_the_navigation(client, administrator):
    client.force_login(administrator)
    assert 'href="/reports/import/"' in client.get("/reports/import/").content.decode()


def test_run_import_job_runs_a_queued_upload(uploaded):
    out = io.StringIO()
    with time_machine.travel(MOMENT, tick=False):
        call_command("run_import_job", str(uploaded.pk), stdout=out)
    assert "clients.csv 10" in out.getvalue()
    uploaded.refresh_from_db()
    assert uploaded.status == ImportJob.Status.DONE
    # A job runs once: a second runner finds it done and imports nothing.
    with pytest.raises(Exception, match="done"):
        call_command("run_import_job", str(uploaded.pk))


@pytest.mark.django_db(transaction=True)
def test_the_upload_runs_its_import_in_a_thread_after_commit(client, administrator, monkeypatch):
    started = []
    start = jobs.job_start

    def keep(job_id):
        started.append(start(job_id))
        return started[-1]

    monkeypatch.setattr(jobs, "job_start", keep)
    client.force_login(administrator)
    response = _upload(client, _example())
    assert response.status_code == 302
    (thread,) = started
    assert isinstance(thread, threading.Thread) and thread.daemon
    thread.join(timeout=120)
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.result["clients.csv"]["created"] == 10
    assert Client.objects.count() == 10
    # The page of the finished job stops reloading and shows the counts.
    html = client.get(response.url).content.decode()
    assert "http-equiv" not in html
    assert _imports_folder_is_empty()


def test_the_job_row_holds_no_name(client, uploaded):
    jobs.job_run(uploaded.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT result, errors FROM reports_importjob")
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    for name in ("Testowy", "Przykładowa"):
        assert name not in stored


def test_a_job_whose_server_stopped_mid_import_runs_again_with_restart(uploaded):
    # The thread died with its process: the job still says running, nothing was stored.
    uploaded.status = ImportJob.Status.RUNNING
    uploaded.save()
    with pytest.raises(Exception, match="running, not queued"):
        call_command("run_import_job", str(uploaded.pk))
    with time_machine.travel(MOMENT, tick=False):
        call_command("run_import_job", str(uploaded.pk), "--restart", stdout=io.StringIO())
    uploaded.refresh_from_db()
    assert uploaded.status == ImportJob.Status.DONE
    assert Client.objects.count() == 10


def test_an_upload_without_a_file_gives_the_form_back_with_an_error(client, administrator):
    client.force_login(administrator)
    response = client.post("/reports/import/", {})
    assert response.status_code == 400
    assert "To pole jest wymagane." in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(
    ("row", "personal"),
    [
        # One value too many (a surname split in two): refused by its count, nothing quoted.
        ("c01,Jan,Testowa,Kowalska,1980-06-15,male,,1465011", ["Testowa", "Kowalska", "1980-06"]),
        # The right count but shifted by one: a surname where the sex's code was.
        ("c01,Jan,,Kowalska,Nowakowska,,1465011", ["Kowalska", "Nowakowska"]),
    ],
)
def test_a_shifted_client_row_is_named_but_never_quoted_in_the_stored_errors(
    client, administrator, row, personal
):
    # A shifted column can put a name or a birth date where a code was: the errors of clients.csv
    # name file and line (and the column) but quote no value, as stored on the job's row.
    client.force_login(administrator)
    lines = (EXAMPLE / "clients.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = row
    _upload(client, _example(**{"clients.csv": "\n".join(lines).encode()}))
    job = jobs.job_run(ImportJob.objects.get().pk)
    assert job.status == ImportJob.Status.FAILED
    assert [e for e in job.errors if (e["file"], e["line"]) == ("clients.csv", 2)]
    assert Client.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT errors FROM reports_importjob")
        (raw,) = cursor.fetchone()
    assert not [value for value in personal if value in str(raw)], raw


# --- the thread's first write while the database is busy ---------------------------------------


@pytest.fixture
def busy_start(monkeypatch):
    """Claiming a job fails with SQLite's "database is locked" the first `n` times (n set by
    the test: a list, so the test can change it); the waits are recorded, not slept."""
    failures = [0]
    waits = []
    claim = jobs._claim

    def locked_claim(job_id):
        if failures[0] > 0:
            failures[0] -= 1
            raise OperationalError("database is locked")
        return claim(job_id)

    monkeypatch.setattr(jobs, "_claim", locked_claim)
    monkeypatch.setattr(jobs.time, "sleep", waits.append)
    return failures, waits


def test_the_first_write_is_tried_again_while_the_database_is_locked(uploaded, busy_start, caplog):
    failures, waits = busy_start
    failures[0] = 2
    with time_machine.travel(MOMENT, tick=False):
        jobs.job_run_guarded(uploaded.pk)
    uploaded.refresh_from_db()
    assert uploaded.status == ImportJob.Status.DONE
    assert Client.objects.count() == 10
    # Two failures, two waits: 0.25 s, then 0.5 s.
    assert waits == [0.25, 0.5]
    warnings = [r.getMessage() for r in caplog.records if r.name == "reports.jobs"]
    assert len(warnings) == 2
    assert all(str(uploaded.pk) in w and "OperationalError" in w for w in warnings)


def test_an_import_that_meets_a_locked_database_runs_again_whole(uploaded, monkeypatch, caplog):
    # The upload's request still writes (its session, its access-log row) while the thread
    # imports: SQLite answers "database is locked". The import is one transaction, so nothing
    # of the failed try is kept and the whole import runs again after a pause.
    waits = []
    monkeypatch.setattr(jobs.time, "sleep", waits.append)
    real_import = jobs.import_records
    failures = [2]

    def locked_then_real(**kwargs):
        if failures[0] > 0:
            failures[0] -= 1
            # Part of the work was done inside the transaction before the lock was met.
            with transaction.atomic():
                real_import(**kwargs)
                raise OperationalError("database is locked")
        return real_import(**kwargs)

    monkeypatch.setattr(jobs, "import_records", locked_then_real)
    with time_machine.travel(MOMENT, tick=False):
        jobs.job_run_guarded(uploaded.pk)
    uploaded.refresh_from_db()
    assert uploaded.status == ImportJob.Status.DONE, uploaded.errors
    # Ten clients, not thirty: the failed tries left nothing behind.
    assert Client.objects.count() == 10
    assert uploaded.result["clients.csv"]["created"] == 10
    assert waits == [0.25, 0.5]
    warnings = [r.getMessage() for r in caplog.records if r.name == "reports.jobs"]
    assert len(warnings) == 2
    assert all("the import failed" in w and "OperationalError" in w for w in warnings)


def test_an_import_locked_on_every_try_fails_with_nothing_stored(uploaded, monkeypatch):
    monkeypatch.setattr(jobs.time, "sleep", lambda seconds: None)
    tries = []

    def always_locked(**kwargs):
        tries.append(1)
        raise OperationalError("database is locked")

    monkeypatch.setattr(jobs, "import_records", always_locked)
    jobs.job_run_guarded(uploaded.pk)
    uploaded.refresh_from_db()
    assert len(tries) == jobs.START_ATTEMPTS
    assert uploaded.status == ImportJob.Status.FAILED
    assert Client.objects.count() == 0
    assert _imports_folder_is_empty()


def test_a_job_that_cannot_start_is_marked_failed_not_left_queued(uploaded, busy_start, caplog):
    failures, waits = busy_start
    failures[0] = jobs.START_ATTEMPTS
    jobs.job_run_guarded(uploaded.pk)
    uploaded.refresh_from_db()
    assert uploaded.status == ImportJob.Status.FAILED
    # The uploader's language (Polish): the page says what happened and what to do.
    (error,) = uploaded.errors
    assert error["message"].startswith("Import nie mógł się rozpocząć")
    # 0.25 + 0.5 + 1 + 2 = 3.75 s of waiting over five tries.
    assert waits == [0.25, 0.5, 1.0, 2.0]
    assert Client.objects.count() == 0
    # The sealed ZIP and its key are gone, as at every end (raw database).
    assert _imports_folder_is_empty()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sealed_key, kek_id, status FROM reports_importjob WHERE id = %s",
            [uploaded.pk.hex if connection.vendor == "sqlite" else uploaded.pk],
        )
        assert cursor.fetchone() == (None, "", "failed")
    # The log: the job's id and the error's type, never a name from the files.
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "could not start: marked failed" in logged
    assert "Testowy" not in logged and "Przykładowa" not in logged


def test_a_job_that_cannot_even_be_marked_stays_queued_for_the_command(
    uploaded, busy_start, monkeypatch, caplog
):
    failures, _waits = busy_start
    failures[0] = jobs.START_ATTEMPTS

    def locked_save(self, *args, **kwargs):
        raise OperationalError("database is locked")

    with monkeypatch.context() as patch:
        patch.setattr(ImportJob, "save", locked_save)
        # Nothing raised out of the thread's function.
        jobs.job_run_guarded(uploaded.pk)
    uploaded.refresh_from_db()
    assert uploaded.status == ImportJob.Status.QUEUED
    assert "stays queued" in caplog.text
    # The command runs it once the database is free.
    with time_machine.travel(MOMENT, tick=False):
        call_command("run_import_job", str(uploaded.pk), stdout=io.StringIO())
    uploaded.refresh_from_db()
    assert uploaded.status == ImportJob.Status.DONE


def test_the_command_says_so_when_the_database_stays_busy(uploaded, busy_start):
    failures, _waits = busy_start
    failures[0] = jobs.START_ATTEMPTS
    with pytest.raises(Exception, match="still queued"):
        call_command("run_import_job", str(uploaded.pk))
    uploaded.refresh_from_db()
    assert uploaded.status == ImportJob.Status.QUEUED
