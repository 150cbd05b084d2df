"""Case-file benchmark: the caseload and a client's file at 10,000 and 100,000 clients.

Run on its own: `.venv/bin/python bench/case_file.py [10000,100000]` (or BENCH_SIZES=...).
It sets its own environment before Django is imported: a temporary folder (SQLite file, media,
static files), fresh random keys (KEKs, index key, audit key, SECRET_KEY), DEBUG off as in
production. BENCH_DATABASE_URL=postgres://user@host:5432/postgres runs on PostgreSQL instead: a
fresh database with a random name is created on that server and dropped at the end (the user
needs CREATEDB). Everything it made is removed when it ends.

Synthetic data, written with bulk_create and real ciphertexts: each client is a Subject with a
random data key wrapped by the current KEK (privacy.crypto.wrap_key); every encrypted column is
sealed by privacy.crypto.encrypt from the field's own encode() under the field's label (wrapped
in privacy.fields.Ciphertext, as pre_save would); blind indexes as Client.refresh_blind_indexes
computes them. Names are invented, PESELs valid (cases.pesel.synthesize). Every client is in
some worker's caseload (an Assignment and guardian's view and change rows in
ClientUserObjectPermission, 250 clients a worker) and has a note; a quarter have an active plan,
a tenth a referral, a quarter of the other workers' cases are closed. The measured worker holds
200 open cases with five notes and an active plan each; one of them has 300 notes, 20 documents
(small PDFs stored encrypted by privacy.files.file_store) and 10 assessments, another 30 notes,
2 documents and 1 assessment. A second worker holds 20 clients. Bulk rows carry no history.
A sanity check reads a few clients back through the ORM, finds them by PESEL and downloads a
document through its view.

The sizes grow in place (10,000, then 90,000 more), so both sizes measure the same files.
The file's overview shows the newest 50 notes (cases.views.NOTES_PER_PAGE), so the long file is
measured on its first page and on its oldest; the timeline tab lists all 300.
Each page is fetched through django.test.Client, logged in as the social worker: 3 warm-up
requests, then 20 timed ones (wall time of the in-process request: all middleware, the session,
guardian's query, the access-log append, decryption and the template; p50 and p95), next to
the process's CPU time per request (p50: less disturbed when other jobs share the machine); the
query counts come from 3 more requests. The load average and a yardstick (CPU time of
sum(range(10**6))) are printed so figures from busy and idle machines can be told apart.
`--queries` prints each page's SQL with its time, `--profile` the 25 functions that cost most
(cProfile over 5 more requests; `--profile=cumulative` sorts by time spent within them,
PROFILE_LINES=N shows N). Not a test: figures go to docs/benchmarks.md.
"""

import datetime
import os
import platform
import re
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import django

if __name__ == "__main__":
    # Run as a script: the benchmark's own environment (bench/env.py), before Django is
    # imported. Imported as a module (tests), nothing happens here.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench import env as bench_env

    ENV = bench_env.prepare(prefix="przystan-casebench-")
    django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group, Permission  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organisation, User  # noqa: E402
from accounts.roles import Role  # noqa: E402
from cases.models import (  # noqa: E402
    ASSESSMENT_DOMAINS,
    Assessment,
    Assignment,
    CaseNote,
    Client,
    ClientUserObjectPermission,
    Document,
    Plan,
    Referral,
)
from cases.pesel import synthesize, validate_pesel  # noqa: E402
from cases.views import NOTES_PER_PAGE  # noqa: E402
from privacy import blind, crypto, keys, vault  # noqa: E402
from privacy.fields import Ciphertext, EncryptedField  # noqa: E402
from privacy.files import file_store  # noqa: E402
from privacy.models import DataKey, Subject  # noqa: E402

WARMUP, TIMED, COUNTED = 3, 20, 3
CASELOAD_A, CASELOAD_B = 200, 20  # the measured worker's clients, the second worker's
BIG_FILE = {"notes": 300, "documents": 20, "assessments": 10}  # client 0
SMALL_FILE = {"notes": 30, "documents": 2, "assessments": 1}  # client 1
CLIENTS_PER_OTHER_WORKER = 250
CHUNK = 2500
AIM_FILE_MS, AIM_CASELOAD_MS = 60, 50
PER_PAGE = NOTES_PER_PAGE
LOGIN_URL = "/login/"
ANONYMOUS = HttpClient()
TODAY = timezone.localdate()

FIRST_F = [
    "Halina", "Bożena", "Jadwiga", "Grażyna", "Marianna", "Wiesława", "Teresa", "Łucja",
    "Zofia", "Danuta", "Krystyna", "Elżbieta", "Irena", "Barbara", "Agnieszka", "Dorota",
]  # fmt: skip
FIRST_M = [
    "Zdzisław", "Mirosław", "Bogdan", "Kazimierz", "Ryszard", "Czesław", "Łukasz", "Henryk",
    "Tadeusz", "Zbigniew", "Jerzy", "Andrzej", "Wiesław", "Józef", "Marian", "Leszek",
]  # fmt: skip
# Invented surnames: stem + middle + ending ("Wierzbogórski", "Wierzbogórska").
STEMS = [
    "Wierzbo", "Kalino", "Żurawio", "Grabo", "Dębo", "Olszo", "Brzozo", "Ciso", "Jaworo",
    "Sosno", "Lipo", "Buko", "Klono", "Jesiono", "Głogo", "Trzcino", "Wrzoso", "Jagodo",
]  # fmt: skip
MIDDLES = ["gór", "pol", "dol", "brzeg", "staw", "łęk", "mir", "sław", "bor", "grod", "krzew"]
ENDINGS = [("ski", "ska"), ("ecki", "ecka"), ("ak", "ak"), ("owicz", "owicz"), ("ny", "na")]
SURNAMES = [(s + m + e[0], s + m + e[1]) for s in STEMS for m in MIDDLES for e in ENDINGS]
SENTENCES = [
    "Rozmowa w punkcie pomocy, klient trzeźwy, spokojny.",
    "Omówiono sprawę dowodu osobistego i wizytę w urzędzie.",
    "Zgłosił ból nogi, umówiono wizytę w przychodni.",
    "Ustalono termin kolejnego spotkania na przyszły tydzień.",
    "Przyniósł zaświadczenie o dochodach, skan w dokumentach.",
    "Noc spędził w noclegowni, rano wyszedł do pracy dorywczej.",
    "Kontakt z siostrą wznowiony, rozważa powrót do rodziny.",
    "Rozmowa o długu za mieszkanie i możliwości rozłożenia na raty.",
    "Przypomniano o terminie w poradni uzależnień.",
    "Brak kontaktu telefonicznego, zostawiono wiadomość w schronisku.",
]
MUNICIPALITIES = ["1465011", "1261011", "0264011", "3064011", "2469011", "0661011"]
_FIRST_DAY = datetime.date(1945, 1, 1)
_DAYS = (datetime.date(2005, 12, 31) - _FIRST_DAY).days + 1
_DAY_STEP = 7919  # coprime with _DAYS: i -> day of birth is a bijection modulo _DAYS


def person(i: int) -> dict:
    """The synthetic person number `i`: invented, deterministic, a valid and unique PESEL."""
    female = i % 5 < 2
    born = _FIRST_DAY + datetime.timedelta(days=(i % _DAYS) * _DAY_STEP % _DAYS)
    surname = SURNAMES[(i * 7 + i // 3) % len(SURNAMES)][1 if female else 0]
    return {
        "first_name": (FIRST_F if female else FIRST_M)[(i * 13 + i // 17) % 16],
        "surname": surname,
        "pesel": synthesize(born, female=female, serial=i // _DAYS * 37 + 101),
        "birth_date": born,
        "phone": f"+48 600 {100 + i % 900:03d} {i // 900 % 1000:03d}" if i % 2 else "",
        "contact_note": "Zwykle rano przy dworcu." if i % 3 == 0 else "",
        "citizenship": "polskie",
        "preferred_language": "polski",
        "homelessness_reasons": ["eviction", "debt"] if i % 2 else ["family_breakdown"],
        "income_sources": ["social_benefit"],
        "identity_documents": ["id_card"] if i % 4 else ["none"],
        "health_note": "Cukrzyca, leczona." if i % 7 == 0 else "",
        "disability": "none",
        "addictions": ["alcohol"] if i % 3 == 1 else ["none"],
        "sex": "female" if female else "male",
    }


def note_text(i: int, n: int) -> str:
    """About 250 characters of a made-up note."""
    return " ".join(SENTENCES[(i + n * k) % len(SENTENCES)] for k in range(1, 6))


def tiny_pdf(title: str) -> bytes:
    from io import BytesIO

    from reportlab.pdfgen import canvas

    out = BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, title)
    page.drawString(72, 700, "Dokument syntetyczny (benchmark).")
    page.showPage()
    page.save()
    return out.getvalue()


def seal(column, value, key: tuple[int, bytes], subject_id: uuid.UUID, row=None) -> Ciphertext:
    """What the field's pre_save writes, made with the data key (id, key) we already hold.

    Bound to `row` when given (a client's row: its id is the subject's); the other rows' ids
    come from the INSERT, so they are written in version 1 (`manage.py bind_ciphertexts`).
    """
    return Ciphertext(
        crypto.encrypt(
            column.encode(value),
            key=key[1],
            key_id=key[0],
            label=column.label,
            subject_id=subject_id,
            row=row,
        )
    )


def _column(model, name: str):
    return model._meta.get_field(name)


CLIENT_COLUMNS = [
    (f.name, f, f.get_default())
    for f in Client._meta.concrete_fields
    if isinstance(f, EncryptedField)
]
NOTE_TEXT = _column(CaseNote, "text")
PLAN_SITUATION, PLAN_CAUSES = _column(Plan, "situation"), _column(Plan, "causes")
REFERRAL_SUMMARY, REFERRAL_DECLINE, REFERRAL_SERVICE = (
    _column(Referral, "summary"),
    _column(Referral, "decline_reason"),
    _column(Referral, "service"),
)
MEASURED_FILES = {0: BIG_FILE, 1: SMALL_FILE}


def in_caseload(i: int) -> bool:
    return i < CASELOAD_A + CASELOAD_B


def note_count(i: int) -> int:
    return MEASURED_FILES[i]["notes"] if i in MEASURED_FILES else 5 if in_caseload(i) else 1


def sealed_client(i: int, sid: uuid.UUID, key: tuple[int, bytes]) -> dict:
    """Client number `i`'s ciphertexts (made under `key`, its data key's id and value) and
    blind indexes: what the fields' pre_save and Client.refresh_blind_indexes would write."""
    p = person(i)
    birth = p["birth_date"].isoformat()
    return {
        "i": i,
        "sid": sid,
        "key": key,
        "person": p,
        "client": {
            name: seal(column, p.get(name, default), key, sid, crypto.row_binding("client", sid))
            for name, column, default in CLIENT_COLUMNS
        }
        | {
            "pesel_bidx": blind.index_value("client.pesel", p["pesel"]),
            "name_bidx": blind.index_value(
                "client.surname+first_name", p["surname"], p["first_name"]
            ),
            "surname_birth_bidx": blind.index_value(
                "client.surname+birth_date", p["surname"], birth
            ),
        },
        "notes": [seal(NOTE_TEXT, note_text(i, n), key, sid) for n in range(note_count(i))],
        "plan": (
            (
                seal(PLAN_SITUATION, note_text(i, 7), key, sid),
                seal(PLAN_CAUSES, note_text(i, 9), key, sid),
            )
            if in_caseload(i) or i % 4 == 0
            else None
        ),
        "referral": (
            (
                seal(REFERRAL_SUMMARY, "Sprawa o eksmisję.", key, sid),
                seal(REFERRAL_DECLINE, "", key, sid),
                seal(REFERRAL_SERVICE, "Poradnictwo prawne", key, sid),
            )
            if i % 10 == 3
            else None
        ),
    }


class World:
    """The organisation, its workers and the clients written so far."""

    def __init__(self):
        self.org = Organisation.objects.create(name="Fundacja Benchmarkowa", kind="foundation")
        self.partner = Organisation.objects.create(name="Stowarzyszenie Partner", kind="ngo")
        self.social_worker = Group.objects.get(name=Role.SOCIAL_WORKER)
        self.worker_a = self._worker("bench-a")
        self.worker_b = self._worker("bench-b")
        self.others: list[User] = []
        self.perms = [
            Permission.objects.get(content_type__app_label="cases", codename=codename).pk
            for codename in ("view_client", "change_client")
        ]
        self.size = 0
        self.client_ids: dict[int, uuid.UUID] = {}  # the caseloads' clients, by number
        self.samples: list[tuple[int, uuid.UUID]] = []  # a few others, for the sanity check

    def _worker(self, username: str) -> User:
        user = User.objects.create_user(username=username, organisation=self.org)
        user.groups.set([self.social_worker])
        return user

    def holder(self, i: int) -> User:
        """Worker A holds clients 0-199, worker B 200-219, other workers 250 each after that."""
        if i < CASELOAD_A:
            return self.worker_a
        if i < CASELOAD_A + CASELOAD_B:
            return self.worker_b
        k = (i - CASELOAD_A - CASELOAD_B) // CLIENTS_PER_OTHER_WORKER
        while len(self.others) <= k:
            user = User.objects.create(
                username=f"bench-w{len(self.others)}",
                organisation=self.org,
                password=make_password(None),
            )
            user.groups.add(self.social_worker)
            self.others.append(user)
        return self.others[k]

    def grow(self, size: int) -> None:
        """Write clients self.size..size-1, in committed chunks."""
        for low in range(self.size, size, CHUNK):
            self._write(range(low, min(size, low + CHUNK)))
        self.size = size
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")

    def _write(self, indexes: range) -> None:
        """Clients `indexes`: subjects, wrapped data keys, the client rows, caseload rows
        (assignment, guardian's view and change permissions), notes, plans and referrals."""
        now = timezone.now()
        ring = keys.kek_ring()
        kek, kek_id = ring.keys[ring.current], ring.current
        fresh = [(i, uuid.uuid4(), crypto.new_data_key()) for i in indexes]
        rows = {Client: [], Assignment: [], ClientUserObjectPermission: [], CaseNote: []}
        rows |= {Plan: [], Referral: []}
        with transaction.atomic():
            Subject.objects.bulk_create(
                [Subject(id=sid, kind="client", created_at=now) for _i, sid, _dek in fresh]
            )
            data_keys = DataKey.objects.bulk_create(
                [
                    DataKey(
                        subject_id=sid,
                        kek_id=kek_id,
                        wrapped=crypto.wrap_key(dek, kek=kek, kek_id=kek_id, subject_id=sid),
                        created_at=now,
                    )
                    for _i, sid, dek in fresh
                ]
            )
            if data_keys[0].pk is None:  # a backend that returns no ids from bulk inserts
                ids = dict(
                    DataKey.objects.filter(
                        subject_id__in=[sid for _i, sid, _dek in fresh]
                    ).values_list("subject_id", "pk")
                )
                for data_key in data_keys:
                    data_key.pk = ids[data_key.subject_id]
            measured = []
            for (i, sid, dek), data_key in zip(fresh, data_keys, strict=True):
                one = sealed_client(i, sid, (data_key.pk, dek))
                self._rows(rows, one, self.holder(i), now)
                if i in MEASURED_FILES:
                    measured.append(one)
            for model, objs in rows.items():
                model.objects.bulk_create(objs, batch_size=1000)
            for one in measured:
                self._file_extras(one["i"], one["sid"], one["key"], self.holder(one["i"]))

    def _rows(self, rows: dict, one: dict, worker: User, now) -> None:
        i, sid, p = one["i"], one["sid"], one["person"]
        if in_caseload(i):
            self.client_ids[i] = sid
        elif i % 1999 == 5:
            self.samples.append((i, sid))
        rows[Client].append(
            Client(
                subject_id=sid,
                **one["client"],
                birth_year=p["birth_date"].year,
                sex=p["sex"],
                municipality_code=MUNICIPALITIES[i % len(MUNICIPALITIES)],
                ethos=str(1 + i % 6),
                registered_on=TODAY - datetime.timedelta(days=(i * 37) % 1800),
                # A quarter of the other workers' cases are closed; the caseloads are open.
                closed_on=None
                if in_caseload(i) or i % 4
                else TODAY - datetime.timedelta(days=i % 90),
            )
        )
        rows[Assignment].append(
            Assignment(client_id=sid, worker=worker, started_at=now, assigned_by=worker)
        )
        rows[ClientUserObjectPermission] += [
            ClientUserObjectPermission(permission_id=perm, user_id=worker.pk, content_object_id=sid)
            for perm in self.perms
        ]
        for n, text in enumerate(one["notes"]):
            rows[CaseNote].append(
                CaseNote(
                    client_id=sid,
                    kind=CaseNote.Kind.values[n % 4],
                    noted_on=TODAY - datetime.timedelta(days=3 * n + i % 30),
                    text=text,
                    is_important=n % 11 == 0,
                    is_sensitive=n % 13 == 0,
                    author=worker,
                    created_at=now,
                )
            )
        if one["plan"]:
            rows[Plan].append(
                Plan(
                    client_id=sid,
                    kind=Plan.Kind.IPWZB,
                    status=Plan.Status.ACTIVE,
                    situation=one["plan"][0],
                    causes=one["plan"][1],
                    starts_on=TODAY - datetime.timedelta(days=60 + i % 200),
                    next_review_on=TODAY + datetime.timedelta(days=i % 21 - 5),
                    requires_approval=False,
                    created_by=worker,
                )
            )
        if one["referral"]:
            rows[Referral].append(
                Referral(
                    client_id=sid,
                    partner=self.partner,
                    service=one["referral"][2],
                    summary=one["referral"][0],
                    decline_reason=one["referral"][1],
                    sent_on=TODAY - datetime.timedelta(days=i % 40),
                    created_by=worker,
                )
            )

    def _file_extras(self, i: int, sid: uuid.UUID, key, worker) -> None:
        """Documents (real encrypted files) and assessments of the two measured files."""
        spec = MEASURED_FILES[i]
        subject = Subject.objects.get(pk=sid)
        documents = []
        for n in range(spec["documents"]):
            title = f"Skan {n + 1}: zaświadczenie"
            stored = file_store(
                subject=subject,
                content=tiny_pdf(f"Zaswiadczenie nr {n + 1}"),
                label="document",
                content_type="application/pdf",
            )
            documents.append(
                Document(
                    client_id=sid,
                    kind=Document.Kind.values[n % len(Document.Kind.values)],
                    title=seal(_column(Document, "title"), title, key, sid),
                    file=stored,
                    uploaded_by=worker,
                )
            )
        Document.objects.bulk_create(documents)
        domains = [code for code, _label in ASSESSMENT_DOMAINS]
        Assessment.objects.bulk_create(
            [
                Assessment(
                    client_id=sid,
                    kind="intake" if n == 0 else "reassessment",
                    assessed_on=TODAY - datetime.timedelta(days=30 * (spec["assessments"] - n)),
                    scores=seal(
                        _column(Assessment, "scores"),
                        {d: 1 + (n + k) % 5 for k, d in enumerate(domains)},
                        key,
                        sid,
                    ),
                    notes=seal(
                        _column(Assessment, "notes"),
                        {d: SENTENCES[(n + k) % len(SENTENCES)] for k, d in enumerate(domains)},
                        key,
                        sid,
                    ),
                    author=worker,
                )
                for n in range(spec["assessments"])
            ]
        )


# --- measuring ------------------------------------------------------------------------------


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


ROW = {
    "caseload": re.compile(rb'<td><a href="/clients/[0-9a-f-]{36}/">'),
    "file": re.compile(rb'<article class="note'),
    "timeline": re.compile(rb"<li><time>[^<]*</time> <strong>(?:Notatka|Note)</strong>"),
    "documents": re.compile(rb'<a href="/clients/[0-9a-f-]{36}/documents/\d+/">'),
    "assessments": re.compile(rb"<li>[^<]* \xc2\xb7 [^<]* \xc2\xb7 "),
}


@dataclass
class Figure:
    label: str
    kind: str
    rows: int
    p50: float = 0.0
    p95: float = 0.0
    cpu50: float = 0.0
    extra: list = field(default_factory=list)
    queries: tuple[int, int] = (0, 0)
    login50: float = 0.0  # the sign-in page's p50, measured between this page's requests
    sql: list = field(default_factory=list)
    profile: str = ""

    @property
    def query_text(self) -> str:
        low, high = self.queries
        return str(low) if low == high else f"{low}-{high}"


TABLE = re.compile(r'(?:FROM|UPDATE|INTO)\s+"([^"]+)"')


def _shape(sql: str) -> str:
    """A statement's verb and first table: 'UPDATE django_session', 'BEGIN'..."""
    table = TABLE.search(sql)
    return f"{sql.split()[0]} {table.group(1)}" if table else sql.split()[0]


# --profile sorts by own time; --profile=cumulative (or any pstats key) by that.
PROFILE = next(
    (a.partition("=")[2] or "tottime" for a in sys.argv if a.startswith("--profile")), ""
)


def measure(http: HttpClient, url: str, figure: Figure) -> Figure:
    def get():
        response = http.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{figure.label}: {url} answered {response.status_code}")
        return response

    for _ in range(WARMUP):
        response = get()
    shown = len(ROW[figure.kind].findall(response.content))
    if shown != figure.rows:
        raise SystemExit(f"{figure.label}: the page shows {shown} rows, not {figure.rows}")
    times, cpu, logins = [], [], []
    for _ in range(TIMED):
        start, start_cpu = time.perf_counter(), time.process_time()
        get()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        # The sign-in page after each, so the two share the same minutes (issue 14's yardstick).
        start = time.perf_counter()
        ANONYMOUS.get(LOGIN_URL)
        logins.append((time.perf_counter() - start) * 1000)
    figure.login50 = percentile(logins, 50)
    captures = []
    for _ in range(COUNTED):
        with CaptureQueriesContext(connection) as captured:
            get()
        captures.append(captured.captured_queries)
    captures.sort(key=len)
    figure.p50, figure.p95 = percentile(times, 50), percentile(times, 95)
    figure.cpu50 = percentile(cpu, 50)
    figure.queries = (len(captures[0]), len(captures[-1]))
    figure.sql = [(float(q["time"]) * 1000, q["sql"]) for q in captures[-1]]
    if PROFILE:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(5):
            get()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(PROFILE).print_stats(
            int(os.environ.get("PROFILE_LINES", "25"))
        )
        figure.profile = out.getvalue()
    # What a request with more queries than the steady count did besides (key cache, session).
    extra = Counter(_shape(q["sql"]) for q in captures[-1])
    extra.subtract(Counter(_shape(q["sql"]) for q in captures[0]))
    figure.extra = sorted(shape for shape, n in extra.items() if n > 0)
    return figure


def sanity(world: World) -> str:
    """Do the bulk rows open like the app's own? A few clients read through the ORM and found
    by PESEL (blind index), and one document downloaded (decrypted) through the view."""
    from cases.selectors import client_search

    good = 0
    for i, sid in world.samples[-5:]:
        p, row = person(i), Client.objects.get(pk=sid)
        opened = (row.first_name, row.surname, row.pesel) == (
            p["first_name"],
            p["surname"],
            p["pesel"],
        )
        good += opened and sid in {c.pk for c in client_search(pesel=p["pesel"])}
    http = HttpClient()
    http.force_login(world.worker_a)
    document = Document.objects.filter(client_id=world.client_ids[0]).first()
    pdf = http.get(f"/clients/{world.client_ids[0]}/documents/{document.pk}/").content
    return f"{good}/{len(world.samples[-5:])} sampled clients open and are found by PESEL; " + (
        "a document decrypts to a PDF" if pdf.startswith(b"%PDF-") else "DOCUMENT DID NOT OPEN"
    )


def measure_all(world: World, show_sql: bool) -> list[Figure]:
    a, b = HttpClient(), HttpClient()
    a.force_login(world.worker_a)
    b.force_login(world.worker_b)
    big, small = world.client_ids[0], world.client_ids[1]
    plan = [
        (a, "/clients/", Figure(f"caseload, {CASELOAD_A} clients", "caseload", CASELOAD_A)),
        (b, "/clients/", Figure(f"caseload, {CASELOAD_B} clients", "caseload", CASELOAD_B)),
    ]
    # The overview shows the newest NOTES_PER_PAGE notes; the oldest page of the long file too.
    for spec, cid in ((BIG_FILE, big), (SMALL_FILE, small)):
        n = spec["notes"]
        plan.append((a, f"/clients/{cid}/", Figure(f"file, {n} notes", "file", min(n, PER_PAGE))))
    last = -(-BIG_FILE["notes"] // PER_PAGE)
    oldest = BIG_FILE["notes"] - (last - 1) * PER_PAGE
    plan.append(
        (a, f"/clients/{big}/?page={last}", Figure("file, 300, oldest page", "file", oldest))
    )
    for spec, cid in ((BIG_FILE, big), (SMALL_FILE, small)):
        n = spec["notes"]
        plan.append((a, f"/clients/{cid}/timeline/", Figure(f"timeline, {n} notes", "timeline", n)))
    for spec, cid in ((BIG_FILE, big), (SMALL_FILE, small)):
        n = spec["documents"]
        plan.append(
            (a, f"/clients/{cid}/documents/", Figure(f"documents tab, {n}", "documents", n))
        )
    for spec, cid in ((BIG_FILE, big), (SMALL_FILE, small)):
        n = spec["assessments"]
        plan.append(
            (a, f"/clients/{cid}/assessments/", Figure(f"assessments tab, {n}", "assessments", n))
        )
    figures = []
    for http, url, figure in plan:
        figures.append(measure(http, url, figure))
        print(
            f"  {figure.label:<26} p50 {figure.p50:6.1f} ms  p95 {figure.p95:6.1f} ms"
            f"  (CPU p50 {figure.cpu50:6.1f} ms)  {figure.query_text:>5} queries"
            f"  sign-in page p50 {figure.login50:5.1f} ms,"
            f" ratio {figure.p50 / figure.login50:4.1f}×",
            flush=True,
        )
        if figure.extra:
            print(f"      (the request with more queries also ran: {', '.join(figure.extra)})")
        if show_sql:
            for ms, sql in figure.sql:
                print(f"      {ms:6.2f} ms  {' '.join(sql.split())[:220]}")
        if figure.profile:
            print(figure.profile)
    return figures


# --- the report -------------------------------------------------------------------------------


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if connection.vendor == "sqlite":
        import sqlite3

        engine = f"SQLite {sqlite3.sqlite_version}"
    else:
        engine = f"PostgreSQL {connection.pg_version // 10000}"
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"Django {django.get_version()}, {engine}"
    )


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def yardstick() -> float:
    """CPU milliseconds of sum(range(10**6)), best of 5: how fast this CPU is right now."""
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        sum(range(10**6))
        best = min(best, time.process_time() - start)
    return best * 1000


def aims(results: dict[int, list[Figure]]) -> None:
    sizes = list(results)
    by = {size: {f.label: f for f in figures} for size, figures in results.items()}
    print("\nAims" + " " * 46 + "".join(f"{size:>14,}" for size in sizes) + "   met?")
    pairs = [
        ("caseload queries, 200 / 20 clients", "caseload, 200 clients", "caseload, 20 clients"),
        ("file queries, 300 / 30 notes", "file, 300 notes", "file, 30 notes"),
        ("documents tab queries, 20 / 2", "documents tab, 20", "documents tab, 2"),
        ("assessments tab queries, 10 / 1", "assessments tab, 10", "assessments tab, 1"),
    ]
    for text, long, short in pairs:
        cells = "".join(
            f"{by[s][long].queries[0]:>9} / {by[s][short].queries[0]:<2}" for s in sizes
        )
        # The steady count (the fewest of the counted requests) at every size and both lengths.
        same = len({by[s][label].queries[0] for s in sizes for label in (long, short)}) == 1
        print(f"  {text:<48}{cells}   {'yes' if same else 'no'}")
    for text, label, aim in (
        (f"file with 300 notes < {AIM_FILE_MS} ms (p50 / p95)", "file, 300 notes", AIM_FILE_MS),
        (
            f"caseload of 200 clients < {AIM_CASELOAD_MS} ms (p50 / p95)",
            "caseload, 200 clients",
            AIM_CASELOAD_MS,
        ),
    ):
        cells = "".join(f"{by[s][label].p50:>7.0f} / {by[s][label].p95:<4.0f}" for s in sizes)
        p50 = all(by[s][label].p50 < aim for s in sizes)
        p95 = all(by[s][label].p95 < aim for s in sizes)
        verdict = "yes" if p95 else "at p50 only" if p50 else "no"
        print(f"  {text:<48}{cells}   {verdict}")
        ratios = "".join(
            f"{by[s][label].login50:>7.1f} / {by[s][label].p50 / by[s][label].login50:<3.1f}×"
            for s in sizes
        )
        print(f"  {'  next to the sign-in page (its p50 ms / ratio)':<48}{ratios}")
    print(
        f"  (queries: the fewest of 3 requests, the steady count; {connection.vendor}, "
        f"load average now {load()})"
    )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    show_sql = "--queries" in sys.argv
    raw = args[0] if args else os.environ.get("BENCH_SIZES", "10000,100000")
    sizes = sorted({int(s.replace("_", "")) for s in raw.split(",") if s.strip()})
    if sizes[0] < CASELOAD_A + CASELOAD_B + 1:
        raise SystemExit(f"sizes start at {CASELOAD_A + CASELOAD_B + 1} clients")
    run_started, load_at_start = time.perf_counter(), os.getloadavg()
    print(f"Case-file benchmark, {datetime.datetime.now():%Y-%m-%d %H:%M}")
    print(f"  {machine()}")
    print(
        f"  load average at start: {' '.join(f'{x:.2f}' for x in load_at_start)}; "
        f"yardstick (CPU time of sum(range(10**6)), best of 5): {yardstick():.0f} ms"
    )
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    # DEBUG is off, so pages need the hashed static files, as in production.
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"  migrate and collectstatic: {time.perf_counter() - started:.0f} s", flush=True)
    sample = [person(i)["pesel"] for i in (0, 1, 99_999, 123_456)]
    for pesel in sample:
        validate_pesel(pesel)
    world = World()
    results = {}
    for size in sizes:
        started = time.perf_counter()
        world.grow(size)
        built = time.perf_counter() - started
        print(
            f"\n{size:,} clients in the database (written in {built:.0f} s; "
            f"load average {load()}; yardstick {yardstick():.0f} ms)",
            flush=True,
        )
        print(f"  check: {sanity(world)}", flush=True)
        vault.cache.clear()
        results[size] = measure_all(world, show_sql)
    aims(results)
    whole = time.perf_counter() - run_started
    print(f"\nload average at the end: {load()}; whole run {whole:.0f} s")


if __name__ == "__main__":
    try:
        main()
    finally:
        bench_env.cleanup(ENV)
