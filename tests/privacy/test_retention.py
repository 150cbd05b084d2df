"""Retention: expired people erased through the vault's erasure, fresh ones kept, figures whole."""

import datetime
import io
import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessLogEntry
from audit.purposes import Purpose
from cases.models import Client
from privacy.fields import ERASED
from privacy.models import ErasureReason, ErasureRecord, RetentionPeriod
from privacy.retention import retention_apply, retention_periods
from reports.measures import outcome_report
from tests.factories import make_client, make_facility
from tests.reports.helpers import make_stay
from tests.second_factor import confirmation_of

D = datetime.date
# Noon in Warsaw, frozen: the periods count from the local date.
NOW = timezone.make_aware(datetime.datetime(2026, 11, 30, 12, 0))
TODAY = D(2026, 11, 30)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(foundation, frozen):
    """Four people; with the default periods (10 years after closure, 10 after a stay) only
    the first has expired on 2026-11-30 (first day kept: 2016-11-30)."""
    shelter = make_facility(organisation=foundation, name="Noclegownia R")
    beds = list(shelter.beds.order_by("pk"))
    # Closed 2015-05-04, last stay ended 2015-04-30: expired.
    expired = make_client(
        first_name="Edward", surname="Dawny", birth_date=D(1970, 6, 15), closed_on=D(2015, 5, 4)
    )
    make_stay(expired, shelter, D(2014, 3, 1), D(2015, 4, 30), "street", bed=beds[0])
    # Closed 2020: within the period.
    recent = make_client(first_name="Renata", sex="female", closed_on=D(2020, 1, 10))
    make_stay(recent, shelter, D(2019, 12, 1), D(2020, 1, 5), "family", bed=beds[1])
    # Closed long ago, but came back to the shelter in 2020: the stay keeps the person.
    returned = make_client(first_name="Roman", closed_on=D(2014, 1, 1))
    make_stay(returned, shelter, D(2020, 2, 1), D(2020, 3, 1), "hostel", bed=beds[2])
    # An open case.
    current = make_client(first_name="Celina", sex="female")
    return expired, recent, returned, current


def figures():
    """The outcome reports of the years the people's stays fall in, as their JSON."""
    return [
        json.dumps(outcome_report(start=D(year, 1, 1), end=D(year, 12, 31)), sort_keys=True)
        for year in (2014, 2015, 2019, 2020)
    ]


def test_the_default_periods_have_a_legal_basis_each(db):
    periods = retention_periods()
    assert set(periods) == set(RetentionPeriod.Kind.values)
    assert periods["case_file"].years == 10
    assert all(p.legal_basis for p in periods.values())


def test_a_dry_run_lists_the_expired_person_and_erases_nothing(people):
    expired, *_kept = people
    run = retention_apply(today=TODAY, dry_run=True)
    assert run.subjects == [expired.pk]
    assert run.erased == 0
    assert Client.objects.get(pk=expired.pk).first_name == "Edward"


def test_expired_people_are_erased_fresh_ones_kept_and_the_figures_do_not_change(people):
    expired, recent, returned, current = people
    before = figures()
    run = retention_apply(today=TODAY, dry_run=False)
    assert run.erased == 1
    assert Client.objects.get(pk=expired.pk).first_name is ERASED
    for kept in (recent, returned, current):
        assert Client.objects.get(pk=kept.pk).first_name == kept.first_name
    record = ErasureRecord.objects.get(subject_id=expired.pk)
    assert record.reason == ErasureReason.RETENTION
    assert AccessLogEntry.objects.filter(
        subject_id=expired.pk, action="erase", purpose=Purpose.RETENTION
    ).exists()
    # The stay rows stay, with their dates, facility and exit: every figure is the same.
    assert figures() == before
    # A second run finds nobody left.
    assert retention_apply(today=TODAY, dry_run=False).erased == 0


def test_a_longer_period_set_by_the_dpo_keeps_the_person(people):
    period = retention_periods()["case_file"]
    period.years = 12
    period._change_reason = "dpo"
    period.save()
    assert retention_apply(today=TODAY, dry_run=True).subjects == []
    assert period.history.count() >= 1


def test_the_command_dry_run_prints_ids_and_no_names(people):
    expired, *_kept = people
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Would erase 1 people" in text
    assert str(expired.pk) in text
    assert "Edward" not in text and "Dawny" not in text
    assert Client.objects.get(pk=expired.pk).first_name == "Edward"


def test_the_dpo_page_lists_what_the_run_would_erase_and_saves_a_period(
    client, dpo, password, people
):
    expired, *_kept = people
    client.force_login(dpo)
    page = client.get("/privacy/retention/")
    assert page.status_code == 200
    html = page.content.decode()
    assert str(expired.pk) in html
    assert "Edward" not in html
    response = client.post(
        "/privacy/retention/",
        {
            "kind": "case_file",
            "case_file-years": "12",
            "case_file-days": "0",
            "case_file-legal_basis": "Uchwała zarządu fundacji nr 3/2026.",
            **{f"case_file-{name}": value for name, value in confirmation_of(client).items()},
        },
    )
    assert response.status_code == 302
    period = RetentionPeriod.objects.get(kind="case_file")
    assert period.years == 12
    assert period.history.first().history_user == dpo


def _stored_period(kind: str) -> tuple:
    """The period's row as the database holds it (raw SQL, not the model)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT years, days, legal_basis FROM privacy_retentionperiod WHERE kind = %s", [kind]
        )
        return cursor.fetchone()


def _change_case_file_period(client, **confirmation):
    return client.post(
        "/privacy/retention/",
        {
            "kind": "case_file",
            "case_file-years": "1",
            "case_file-days": "0",
            "case_file-legal_basis": "Skrócony okres.",
            **{f"case_file-{name}": value for name, value in confirmation.items()},
        },
    )


@pytest.mark.parametrize(
    "wrong",
    [
        {"confirm_password": "zgaduję", "confirm_code": "right"},
        {"confirm_password": "right", "confirm_code": "000000"},
        {"confirm_password": "right"},
        {},
    ],
    ids=["wrong password", "wrong code", "no code", "nothing"],
)
def test_a_period_is_not_saved_without_the_dpos_password_and_code(client, dpo, people, wrong):
    client.force_login(dpo)
    before = _stored_period("case_file")
    history = RetentionPeriod.objects.get(kind="case_file").history.count()
    right = confirmation_of(client)
    sent = {name: right[name] if value == "right" else value for name, value in wrong.items()}
    response = _change_case_file_period(client, **sent)
    # The page again, with the form's errors; the database row as it was.
    assert response.status_code == 200
    assert 'name="case_file-confirm_code"' in response.content.decode()
    assert _stored_period("case_file") == before
    assert RetentionPeriod.objects.get(kind="case_file").history.count() == history
    # The dry run on the page still counts with the stored period (one expired person).
    assert str(people[0].pk) in response.content.decode()


def test_the_confirmation_of_a_period_is_logged_and_limited(client, dpo, people):
    from django.test import override_settings

    client.force_login(dpo)
    with override_settings(AXES_FAILURE_LIMIT=2):
        _change_case_file_period(client, confirm_password="zgaduję-1", confirm_code="x")
        response = _change_case_file_period(client, confirm_password="zgaduję-2")
    # The second wrong password in a row ends the session; the period is unchanged.
    assert response.status_code == 302 and response.url.startswith("/login/")
    denied = AccessLogEntry.objects.filter(
        actor=dpo, purpose=Purpose.PASSWORD_CONFIRMATION, outcome="denied"
    )
    assert denied.count() == 2
    assert _stored_period("case_file")[0] == 10


def test_only_the_dpo_opens_the_retention_page(client, manager, people):
    client.force_login(manager)
    assert client.get("/privacy/retention/").status_code in (403, 404)


def test_only_the_dpo_sets_a_period(manager, db):
    from django.core.exceptions import PermissionDenied

    from privacy.retention import retention_period_set

    period = retention_periods()["stay"]
    with pytest.raises(PermissionDenied):
        retention_period_set(by=manager, period=period, years=1, days=0, legal_basis="x")


@pytest.mark.django_db
def test_the_demo_has_an_expired_file_for_the_dry_run():
    from django.test import override_settings

    with override_settings(DEMO=True):
        call_command("seed_demo")
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    run = retention_apply(today=timezone.localdate(), dry_run=True)
    assert len(run.subjects) >= 1
    assert f"subject {run.subjects[0]}" in out.getvalue()


def test_retention_days_prints_the_backups_period_the_dpo_set(db, frozen):
    # The default for backups is 0 years and 35 days: 35. Set to 1 year and 10 days on
    # 2026-11-30, the first day kept is 2025-11-30 − 10 days = 2025-11-20: 365 + 10 = 375 days.
    out = io.StringIO()
    call_command("retention_days", "backup", stdout=out)
    assert out.getvalue().strip() == "35"
    RetentionPeriod.objects.filter(kind=RetentionPeriod.Kind.BACKUP).update(years=1, days=10)
    out = io.StringIO()
    call_command("retention_days", "backup", stdout=out)
    assert out.getvalue().strip() == "375"


def _fake_tools(folder, *, days_printed):
    """pg_dump, pg_restore and the app's python as stand-ins: the script's own logic runs."""
    import os
    import stat

    tools = folder / "bin"
    tools.mkdir()
    scripts = {
        # pg_dump --format=custom --file=PATH URL: writes a file at PATH.
        "pg_dump": (
            'for a in "$@"; do case "$a" in --file=*) echo dump > "${a#--file=}";; esac; done'
        ),
        "pg_restore": "exit 0",
        "python": f'echo "$*" >> "{folder}/asked"; echo {days_printed}',
    }
    for name, body in scripts.items():
        path = tools / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return {
        "PATH": f"{tools}:{os.environ['PATH']}",
        "PRZYSTAN_PYTHON": str(tools / "python"),
        "BACKUP_DATABASE_URL": "postgres://owner@db/przystan",
        "BACKUP_DIR": str(folder / "dumps"),
        "LEDGER_COPY_DIR": str(folder / "ledger"),
    }


def _old_dump(folder, name, days_ago):
    import os
    import time

    path = folder / "dumps" / name
    path.mkdir(parents=True)
    moment = time.time() - days_ago * 86400
    os.utime(path, (moment, moment))
    return path


@pytest.mark.parametrize("override", [None, "1"])
def test_the_backup_script_deletes_dumps_past_the_dpos_period_or_the_override(tmp_path, override):
    # The app says 5 days: a dump of 10 days ago goes, one of 3 days ago stays. With
    # BACKUP_KEEP_DAYS=1 the app is not asked and the dump of 3 days ago goes too.
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "ops" / "backup.sh"
    env = _fake_tools(tmp_path, days_printed=5)
    if override:
        env["BACKUP_KEEP_DAYS"] = override
    old = _old_dump(tmp_path, "2020-01-01", days_ago=10)
    recent = _old_dump(tmp_path, "2020-01-08", days_ago=3)
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not old.exists()
    assert recent.exists() is (override is None)
    asked = (tmp_path / "asked").read_text() if (tmp_path / "asked").exists() else ""
    assert ("manage.py retention_days backup" in asked) is (override is None)


def test_the_backup_script_stops_before_deleting_when_the_period_is_not_days(tmp_path):
    import subprocess
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "ops" / "backup.sh"
    env = _fake_tools(tmp_path, days_printed="oops")
    old = _old_dump(tmp_path, "2020-01-01", days_ago=400)
    done = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True)
    assert done.returncode == 1
    assert "no retention period in days" in done.stderr
    assert old.exists()


# --- documents with a period of their own -------------------------------------------------------


@pytest.fixture
def documents(foundation, frozen, social_worker):
    """Three closed cases with a scan each; the documents' period set to 3 years (the case file
    keeps 10): on 2026-11-30 the first day kept for documents is 2023-11-30, for files
    2016-11-30. Renata's case closed 2020-01-10: her scan has expired, she has not. Lena's closed
    2024-06-01: her scan stays. Edward's closed 2015-05-04: he is erased whole, his scan with him,
    so it is not counted among the documents shredded alone."""
    from cases.services.sharing import document_upload

    uploaded = {}
    people = []
    for first_name, closed_on in (
        ("Renata", D(2020, 1, 10)),
        ("Lena", D(2024, 6, 1)),
        ("Edward", D(2015, 5, 4)),
    ):
        person = make_client(first_name=first_name, holder=social_worker)
        uploaded[first_name] = document_upload(
            by=social_worker,
            client=person,
            kind="identity",
            title="Skan dowodu",
            content=b"%PDF-1.4\n% a synthetic scan\n",
        )
        # Closed after the upload (a closed case takes no new documents).
        Client.objects.filter(pk=person.pk).update(closed_on=closed_on)
        people.append(person)
    RetentionPeriod.objects.filter(kind=RetentionPeriod.Kind.DOCUMENT).update(years=3, days=0)
    return people, uploaded


def test_a_dry_run_counts_the_expired_documents_and_shreds_nothing(documents):
    (renata, _lena, edward), uploaded = documents
    run = retention_apply(today=TODAY, dry_run=True)
    assert run.subjects == [edward.pk]
    assert run.files == [uploaded["Renata"].file_id]
    assert run.documents_before == D(2023, 11, 30)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM privacy_encryptedfile WHERE shredded_at IS NOT NULL")
        assert cursor.fetchone() == (0,)


def test_an_expired_document_is_shredded_alone_and_the_person_stays(
    documents, django_capture_on_commit_callbacks
):
    import os

    from privacy import files

    (renata, lena, edward), uploaded = documents
    paths = {
        name: files.vault_storage().path(document.file.storage_name)
        for name, document in uploaded.items()
    }
    with django_capture_on_commit_callbacks(execute=True):
        run = retention_apply(today=TODAY, dry_run=False)
    assert run.erased == 1
    assert run.files_shredded == 1
    # Renata's scan: gone from disk, its row marked (raw database); Renata herself stays.
    assert not os.path.exists(paths["Renata"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, shredded_at FROM privacy_encryptedfile")
        shredded = {str(file_id).replace("-", ""): bool(at) for file_id, at in cursor.fetchall()}
    assert shredded == {
        document.file_id.hex: name in ("Renata", "Edward") for name, document in uploaded.items()
    }
    assert Client.objects.get(pk=renata.pk).first_name == "Renata"
    assert (
        AccessLogEntry.objects.filter(
            subject_id=renata.pk, action="erase", purpose=Purpose.RETENTION_DOCUMENTS
        ).count()
        == 1
    )
    # Lena's scan is whole; Edward went with his scan (erased whole).
    assert os.path.exists(paths["Lena"])
    assert not os.path.exists(paths["Edward"])
    assert Client.objects.get(pk=edward.pk).first_name is ERASED
    # A second run shreds nothing more.
    assert retention_apply(today=TODAY, dry_run=False).files_shredded == 0


def test_a_shredded_document_is_listed_without_a_link_and_answers_404(
    documents, client, social_worker
):
    (renata, _lena, _edward), uploaded = documents
    retention_apply(today=TODAY, dry_run=False)
    client.force_login(social_worker)
    page = client.get(reverse("cases:documents", args=[renata.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Skan dowodu" in html
    link = reverse("cases:document-download", args=[renata.pk, uploaded["Renata"].pk])
    assert link not in html
    assert "zniszczony" in html
    download = client.get(link)
    assert download.status_code == 404


def test_the_command_reports_the_documents(documents):
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "Would shred 1 documents of people who stay (case closed before 2023-11-30)." in (
        out.getvalue()
    )
