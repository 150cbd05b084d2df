"""The job coach's start page: server time and queries with 20 and 200 participants.

Run on its own: `.venv/bin/python bench/coach_start.py [20,200]` (SQLite in a temporary folder,
removed at the end; BENCH_DATABASE_URL uses a fresh PostgreSQL database, see bench/env.py). The
coach runs eight groups of a CIS, the participants spread over them, each with a placement whose
follow-ups are due; the page is timed through the test client (best of BENCH_REPEAT runs, wall
and CPU). Aim (issue 11): a constant query count, under 50 ms. Figures go to docs/benchmarks.md.
"""

import datetime
import os
import sys
from pathlib import Path

GROUPS = 8


def build(participants: int):
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Organisation, User
    from activation.models import Cohort, Enrolment, FollowUp, Placement, Programme
    from cases.models import Client
    from privacy import vault

    call_command("flush", interactive=False, verbosity=0)
    org = Organisation.objects.create(name="Bench", kind="foundation")
    coach = User.objects.create_user(username="coach", password="x" * 20, organisation=org)
    coach.groups.set([Group.objects.get(name="job_coach")])
    today = timezone.localdate()
    start = today - datetime.timedelta(days=60)
    programme = Programme.objects.create(organisation=org, name="CIS", kind="cis")
    cohorts = [
        Cohort.objects.create(
            programme=programme, name=f"G{n}", starts_on=start, capacity=999, lead_coach=coach
        )
        for n in range(GROUPS)
    ]
    clients = []
    for n in range(participants):
        subject = vault.subject_create(kind="client")
        client = Client(subject=subject, first_name=f"Jan{n}", surname="Benchowy", sex="male")
        client.refresh_blind_indexes()
        clients.append(client)
    Client.objects.bulk_create(clients, batch_size=1000)
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                client=client,
                programme=programme,
                cohort=cohorts[n % GROUPS],
                status="active",
                applied_on=start,
                accepted_on=start,
                started_on=start,
            )
            for n, client in enumerate(clients)
        ]
    )
    placements = Placement.objects.bulk_create(
        [
            Placement(
                client=client,
                kind="open_market",
                employer_name="Firma",
                started_on=today - datetime.timedelta(days=85),
                contract_type="employment_contract",
                wage_band="minimum",
            )
            for client in clients
        ]
    )
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                placement=p,
                client_id=p.client_id,
                months=3,
                due_on=today + datetime.timedelta(days=5),
            )
            for p in placements
        ]
    )
    return coach


def main() -> None:
    from bench import env as bench_env
    from bench.bed_board import setup, timed

    sizes = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "20,200").split(",")]
    env = setup()
    print(f"{env.vendor}, load average {os.getloadavg()[0]:.1f} at the start")
    try:
        from django.test import Client as HttpClient
        from django.urls import reverse

        for size in sizes:
            coach = build(size)
            http = HttpClient()
            http.force_login(coach)
            url = reverse("activation:coach-start")
            assert http.get(url).status_code == 200
            print(f"{size} participants in {GROUPS} groups")
            timed("coach start page", lambda http=http, url=url: http.get(url))
    finally:
        bench_env.cleanup(env)


if __name__ == "__main__":
    # Run as a script: the project on the path (imported as a module, nothing happens here).
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
