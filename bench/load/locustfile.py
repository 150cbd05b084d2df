"""A working evening at Przystań for locust (issue 14): `make load` runs it (docs/benchmarks.md).

Who is at work, and what they do (demo accounts of `seed_demo`, password in accounts/demo.py):
- shelter staff (`schronisko`): keep their bed board open (htmx asks for it again every 30 s),
  open a stay, check a person in from the board's list and check another out;
- social workers (`pracownik`, `pracownik2`, `pracownik3`): open their caseload, a case file,
  and now and then write a note;
- job coaches (`trener`): open the day's attendance of a cohort and save it;
- one manager (`kierownik`): signs in with a second-factor code (computed here from the app
  key that bench/load/setup_demo.py gave the demo manager) and opens the dashboard.

Think times are an evening compressed: LOAD_WAIT_MIN..LOAD_WAIT_MAX seconds between two actions
of one person (3..9 by default, where a real board is polled every 30 s). LOAD_HOSTS (comma-
separated base URLs) spreads the users over several servers, one after the other (CI: two
gunicorn instances on one database).

Every response's time goes to LOAD_SUMMARY (JSON) by kind at the end: bench/load/report.py
prints it next to the aims. A refused action that a busy evening makes normal (the person was
just checked in by a colleague, the attendance was saved by another coach a moment before) is
an outcome of its own, not an error; an HTTP status of 400 or more, or a page that is not the
one expected, is an error.

Nothing of Django is imported here (locust and Django do not share a process well).
"""

import itertools
import json
import os
import random
import re
from collections import defaultdict

from locust import HttpUser, between, events, task

# locust puts this file's folder on sys.path: the module next to it, free of Django.
from totp import totp

PASSWORD = "przystan-demo-2026"  # noqa: S105  (the published demo password, demo data only)
MANAGER_KEY_HEX = os.environ.get("LOAD_MANAGER_KEY_HEX", b"przystan-load-mgr-01".hex())
HOSTS = [h.strip() for h in os.environ.get("LOAD_HOSTS", "").split(",") if h.strip()]
WAIT = between(
    float(os.environ.get("LOAD_WAIT_MIN", "3")), float(os.environ.get("LOAD_WAIT_MAX", "9"))
)
SUMMARY = os.environ.get("LOAD_SUMMARY", "")

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_next_host = itertools.count()

# Response times (ms) and failures by kind; written to LOAD_SUMMARY when locust stops.
TIMES: dict[str, list[float]] = defaultdict(list)
FAILURES: dict[str, int] = defaultdict(int)
OUTCOMES: dict[str, int] = defaultdict(int)


@events.request.add_listener
def _record(request_type, name, response_time, exception, **kwargs):
    TIMES[name].append(response_time)
    if exception is not None:
        FAILURES[name] += 1


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


class Staff(HttpUser):
    """Someone who signs in once at the start of the evening and works until it ends."""

    abstract = True
    wait_time = WAIT
    usernames: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if HOSTS:
            self.client.base_url = HOSTS[next(_next_host) % len(HOSTS)]

    def on_start(self):
        self.username = random.choice(self.usernames)
        self.sign_in()

    def sign_in(self):
        page = self.client.get("/login/", name="sign-in page")
        with self.client.post(
            "/login/",
            data={
                "csrfmiddlewaretoken": _csrf(page.text),
                "username": self.username,
                "password": PASSWORD,
            },
            name="sign-in (Argon2)",
            catch_response=True,
        ) as response:
            if "/login/" in response.url:
                response.failure("still on the sign-in page")

    def post_form(self, path: str, page_html: str, data: dict, *, name: str):
        """POST a form of `page_html` (its CSRF token) and return the response."""
        return self.client.post(
            path, data={"csrfmiddlewaretoken": _csrf(page_html), **data}, name=name
        )


class ShelterStaff(Staff):
    weight = 8
    usernames = ("schronisko",)

    def on_start(self):
        super().on_start()
        start = self.client.get("/shelters/start/", name="shelters: start")
        boards = sorted(set(re.findall(r'href="/shelters/(\d+)/"', start.text)))
        self.facility = random.choice(boards or ["2"])

    @task(6)
    def poll_board(self):
        # What htmx asks every 30 s: the inner part of the board.
        self.client.get(
            f"/shelters/{self.facility}/", headers={"HX-Request": "true"}, name="board (htmx)"
        )

    @task(2)
    def open_board_and_stay(self):
        board = self.client.get(f"/shelters/{self.facility}/", name="board")
        stays = re.findall(r'href="/shelters/stays/(\d+)/"', board.text)
        if stays:
            self.client.get(f"/shelters/stays/{random.choice(stays)}/", name="stay")

    @task(1)
    def check_in_from_the_list(self):
        board = self.client.get(f"/shelters/{self.facility}/", name="board")
        waiting = re.findall(r'name="client" value="([0-9a-f-]{36})"', board.text)
        if not waiting:
            OUTCOMES["check-in: nobody waiting"] += 1
            return
        response = self.post_form(
            f"/shelters/{self.facility}/check-in/",
            board.text,
            {"client": random.choice(waiting)},
            name="check-in",
        )
        # A redirect back to the board is a check-in; the form again means a colleague was
        # quicker (the person is in a bed already) or no bed was left: a normal refusal.
        OUTCOMES[
            "check-in: done"
            if response.url.rstrip("/").endswith(f"/shelters/{self.facility}")
            else "check-in: refused"
        ] += 1

    @task(1)
    def check_out(self):
        board = self.client.get(f"/shelters/{self.facility}/", name="board")
        stays = re.findall(r'href="/shelters/stays/(\d+)/"', board.text)
        if not stays:
            return
        stay_id = random.choice(stays)
        stay = self.client.get(f"/shelters/stays/{stay_id}/", name="stay")
        if f"/shelters/stays/{stay_id}/check-out/" not in stay.text:
            OUTCOMES["check-out: already out"] += 1
            return
        response = self.post_form(
            f"/shelters/stays/{stay_id}/check-out/",
            stay.text,
            {"destination": random.choice(["family", "rented_room", "unknown", "street"])},
            name="check-out",
        )
        OUTCOMES["check-out: done" if "/stays/" not in response.url else "check-out: refused"] += 1


class SocialWorker(Staff):
    weight = 7
    usernames = ("pracownik", "pracownik2", "pracownik3")

    def on_start(self):
        super().on_start()
        self.clients = []
        self.open_caseload()

    @task(2)
    def open_caseload(self):
        caseload = self.client.get("/clients/", name="caseload")
        self.clients = sorted(set(re.findall(r'href="/clients/([0-9a-f-]{36})/"', caseload.text)))

    @task(5)
    def open_a_file(self):
        if self.clients:
            self.client.get(f"/clients/{random.choice(self.clients)}/", name="case file")

    @task(1)
    def write_a_note(self):
        if not self.clients:
            return
        path = f"/clients/{random.choice(self.clients)}/"
        page = self.client.get(path, name="case file")
        day = re.search(r'name="noted_on" value="([0-9-]+)"', page.text)
        if day is None:
            OUTCOMES["note: no form"] += 1
            return
        response = self.post_form(
            path,
            page.text,
            {
                "kind": random.choice(["conversation", "phone", "visit"]),
                "noted_on": day.group(1),
                "text": "Rozmowa o planie na zimę; umówiona kolejna wizyta (dane testowe).",
            },
            name="note (write)",
        )
        OUTCOMES["note: written" if response.history else "note: refused"] += 1


ATTENDANCE_FORM = re.compile(r'<form method="post" class="att-form".*?</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
CHECKED = re.compile(r'<input type="radio"[^>]*name="(status-\d+)"[^>]*value="(\w+)" checked')


class JobCoach(Staff):
    weight = 3
    usernames = ("trener",)

    def on_start(self):
        super().on_start()
        cohorts = self.client.get("/activation/attendance/", name="attendance: cohorts")
        self.cohorts = sorted(
            set(re.findall(r"/activation/cohorts/(\d+)/attendance/", cohorts.text))
        )

    @task(3)
    def open_the_day(self):
        if self.cohorts:
            self.client.get(
                f"/activation/cohorts/{random.choice(self.cohorts)}/attendance/",
                name="attendance: day",
            )

    @task(1)
    def take_attendance(self):
        if not self.cohorts:
            return
        path = f"/activation/cohorts/{random.choice(self.cohorts)}/attendance/"
        page = self.client.get(path, name="attendance: day")
        form = ATTENDANCE_FORM.search(page.text)
        if form is None:
            OUTCOMES["attendance: no form"] += 1
            return
        data = dict(HIDDEN.findall(form.group(0)))
        data.update(dict(CHECKED.findall(form.group(0))))
        response = self.client.post(path, data=data, name="attendance: save")
        OUTCOMES["attendance: saved" if response.history else "attendance: refused"] += 1


class Manager(Staff):
    fixed_count = 1
    usernames = ("kierownik",)

    def sign_in(self):
        super().sign_in()
        page = self.client.get("/second-factor/", name="second factor page")
        # django-otp accepts each time step's code once: wait for a fresh step if needed.
        with self.client.post(
            "/second-factor/",
            data={"csrfmiddlewaretoken": _csrf(page.text), "code": totp(MANAGER_KEY_HEX)},
            name="second factor",
            catch_response=True,
        ) as response:
            if "/second-factor/" in response.url:
                response.failure("the code was refused")

    @task(3)
    def open_the_dashboard(self):
        self.client.get("/reports/", name="dashboard")

    @task(1)
    def open_the_todo(self):
        self.client.get("/todo/", name="manager: to do")


@events.quitting.add_listener
def _write_summary(environment, **kwargs):
    if not SUMMARY:
        return
    with open(SUMMARY, "w", encoding="utf-8") as handle:
        json.dump(
            {"times": TIMES, "failures": FAILURES, "outcomes": OUTCOMES}, handle, sort_keys=True
        )
