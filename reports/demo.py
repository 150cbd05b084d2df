"""Demo records for the dashboard's returns and retention (make run), through the import.

The other apps' demo data cover the last year of stays; returns need permanent exits two years
before the period and retention needs placements with follow-ups. This writes such records as
CSV files dated from today (so the demo holds on any date) and imports them as a foundation
would import its spreadsheets: zipped and uploaded by the administrator (reports/jobs.py), so
the import page shows a finished import. The refs are fixed, so a second run changes nothing.
"""

import csv
import datetime
import io
import zipfile

from django.utils import timezone

from accounts.demo import FOUNDATION
from accounts.models import User
from activation.dates import add_months
from reports.episodes import episodes_rebuild
from reports.importing import COLUMNS
from reports.jobs import job_create, job_run
from reports.models import ExternalRef, ImportJob

CLIENTS = 30
# Synthetic, and unlike any text kept in clear (the demo dump test looks for them).
FIRST_NAMES = ["Bonifacy", "Celestyna", "Dobrosław", "Eulalia", "Florentyna", "Gerwazy"]
PLACEMENT_KINDS = ["supported", "cooperative", "subsidised", "open_market"]
ANSWERS = ["employed_same", "employed_other", "not_employed", "unreachable"]


def _rows(today: datetime.date) -> dict[str, list[list]]:
    month = today.replace(day=1)
    # Permanent exits inside the returns cohort of the dashboard's default period (the twelve
    # full months before this one, moved back 730 days).
    cohort_start = add_months(month, -12) - datetime.timedelta(days=730)
    clients, stays, placements, followups = [], [], [], []
    for i in range(CLIENTS):
        ref = f"demo-r{i}"
        sex = "female" if i % 3 == 0 else "male"
        birth = datetime.date(1960 + i, 1 + i % 12, 1 + i % 28)
        first = FIRST_NAMES[i % len(FIRST_NAMES)]
        clients.append([ref, first, f"Archiwalny{i}", birth.isoformat(), sex, "", "1465011"])
        exit_on = cohort_start + datetime.timedelta(days=5 + 11 * i)
        stays.append(
            [
                ref,
                "demo-archive",
                (exit_on - datetime.timedelta(days=40)).isoformat(),
                exit_on.isoformat(),
                "own_housing" if i % 2 else "rented_room",
            ]
        )
        gap = {0: 100, 1: 150, 2: 250, 3: 420}.get(i % 5)
        if gap is not None:
            back = exit_on + datetime.timedelta(days=gap + i)
            stays.append(
                [
                    ref,
                    "demo-archive",
                    back.isoformat(),
                    (back + datetime.timedelta(days=20)).isoformat(),
                    "street",
                ]
            )
        # A placement started 3 to 14 months ago, with the follow-ups already due.
        started = add_months(month, -(3 + i % 12)) + datetime.timedelta(days=i % 20)
        placement = f"demo-p{i}"
        placements.append(
            [
                placement,
                ref,
                "Firma Przykładowa sp. z o.o.",
                PLACEMENT_KINDS[i % 4],
                started.isoformat(),
                "",
                "",
            ]
        )
        for months in (3, 6, 12):
            due = add_months(started, months)
            if due >= today or (months == 6 and i % 5 == 0):
                continue  # not due yet, or never answered
            answered = min(due + datetime.timedelta(days=3), today)
            followups.append([placement, months, answered.isoformat(), ANSWERS[(i + months) % 4]])
    return {
        "facilities.csv": [["demo-archive", "Schronisko Archiwalne (demo)", "shelter", 20]],
        "clients.csv": clients,
        "stays.csv": stays,
        "placements.csv": placements,
        "followups.csv": followups,
    }


def seed() -> int:
    """Import the demo's past records once; the number of records created.

    First the episodes table is rebuilt from every stay: the shelters' seed (an app below this
    one, which runs before) writes its stays in bulk, without the signals that keep it."""
    episodes_rebuild()
    if ExternalRef.objects.filter(kind="facility", ref="demo-archive").exists():
        return 0
    admin = User.objects.filter(username="admin", organisation__name=FOUNDATION).first()
    if admin is None:
        return 0
    # Uploaded as the administrator would upload it, so the import page lists a finished import.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in _rows(timezone.localdate()).items():
            text = io.StringIO(newline="")
            writer = csv.writer(text)
            writer.writerow(COLUMNS[name])
            writer.writerows(rows)
            archive.writestr(name, text.getvalue().encode("utf-8"))
    job = job_create(by=admin, content=buffer.getvalue(), language="pl", start=False)
    job = job_run(job.pk)
    if job.status != ImportJob.Status.DONE:
        raise RuntimeError(f"the demo's import was refused: {job.errors[:3]}")
    return sum(counts["created"] for counts in job.result.values())
