"""Synthetic demo clients: invented names, valid-format PESELs with correct check digits.

The names are drawn from lists of common Polish first names and invented surnames; the PESELs
are generated (cases.pesel.synthesize), so they pass the checksum but belong to nobody on purpose.
"""

import datetime
import random

from django.utils import timezone

from accounts.models import User
from audit.record import save_with_history
from cases import services
from cases.models import CaseEpisode, Client, PathwayStep
from cases.pesel import synthesize

WOMEN = ["Halina", "Bożena", "Jadwiga", "Grażyna", "Marianna", "Wiesława", "Teresa", "Łucja"]
MEN = ["Zdzisław", "Mirosław", "Bogdan", "Kazimierz", "Ryszard", "Włodzimierz", "Czesław", "Łukasz"]
SURNAMES = [
    ("Wierzbowy", "Wierzbowa"),
    ("Kalinowski", "Kalinowska"),
    ("Żurawiecki", "Żurawiecka"),
    ("Sosnówko", "Sosnówko"),
    ("Grabiński", "Grabińska"),
    ("Dębowiak", "Dębowiak"),
    ("Jarzębina", "Jarzębina"),
    ("Olszyński", "Olszyńska"),
    ("Brzozowy", "Brzozowa"),
    ("Cisowski", "Cisowska"),
    ("Modrzewski", "Modrzewska"),
    ("Jaworecki", "Jaworecka"),
]
MUNICIPALITIES = ["1465011", "1261011", "0264011", "3064011"]
# A synthetic "scan": a PNG header and blank bytes, enough to be stored and exported.
DEMO_SCAN = b"\x89PNG\r\n\x1a\n" + b"\x00" * 256


def seed(*, count: int = 24) -> int:
    """Create demo clients in the demo social workers' caseloads, once."""
    worker = User.objects.filter(username="pracownik").first()
    other = User.objects.filter(username="pracownik2").first()
    if worker is None:
        return 0
    if Client.objects.exists():
        # A demo seeded before teams existed gets its team's file too.
        _seed_team_file(worker)
        _seed_expired_file(worker)
        return 0
    rng = random.Random(2026)
    for n in range(count):
        female = n % 3 == 0
        first = rng.choice(WOMEN if female else MEN)
        surname = rng.choice(SURNAMES)[1 if female else 0]
        born = datetime.date(rng.randint(1950, 2002), rng.randint(1, 12), rng.randint(1, 28))
        has_pesel = n % 4 != 3  # some clients have no PESEL, or do not know it
        registrar = worker if (n % 5 or other is None) else other
        client = services.client_register(
            by=registrar,
            first_name=first,
            surname=surname,
            pesel=synthesize(born, female=female, serial=rng.randint(0, 999)) if has_pesel else "",
            birth_date=born if n % 6 != 5 else None,
            sex="female" if female else "male",
            phone=f"+48600{rng.randint(100, 999)}{rng.randint(100, 999)}" if n % 2 else "",
            municipality_code=rng.choice(MUNICIPALITIES),
            contact_note="Zwykle przy dworcu rano." if n % 7 == 0 else "",
        )
        _backdate_registration(client, by=registrar, back=REGISTERED_DAYS_AGO + n)
    _seed_case_work(worker, other, rng)
    _seed_team_file(worker)
    _seed_expired_file(worker)
    return count


# A file closed long ago: the DPO's retention page (and `apply_retention --dry-run`) lists it.
EXPIRED_SURNAME = "Dawny"


def _seed_expired_file(worker) -> None:
    """One client whose case was closed eleven years ago (past the 10-year default), once."""
    from django.utils import timezone

    from audit.record import save_with_history
    from cases.models import CaseEpisode

    today = timezone.localdate()
    registered = today.replace(year=today.year - 13, day=1)
    closed = today.replace(year=today.year - 11, day=1)
    if Client.objects.filter(closed_on__lte=closed).exists():
        return
    client = services.client_register(
        by=worker,
        first_name="Zdzisław",
        surname=EXPIRED_SURNAME,
        pesel="",
        birth_date=datetime.date(1948, 3, 9),
        sex="male",
        municipality_code=MUNICIPALITIES[0],
    )
    # Dated in the past as an import of old records would be (the services date things today).
    episode = CaseEpisode.objects.filter(client=client).first()
    if episode is None:
        episode = CaseEpisode(client=client)
    episode.opened_on, episode.closed_on, episode.closed_by = registered, closed, worker
    episode.outcome = CaseEpisode.Outcome.LOST_CONTACT
    save_with_history(episode, by=worker, reason="demo: closed in the past")
    client.closed_on, client.registered_on = closed, registered
    save_with_history(client, by=worker, reason="demo: closed in the past")


# The demo's clients came to the foundation over a year ago: before the first stay of the
# shelters' demo (up to 365 days back) and the activation's enrolments and placements, so that
# each ladder starts with the street at registration and climbs from there (registering them
# today would end every ladder with a step down to the street today).
REGISTERED_DAYS_AGO = 400


def _backdate_registration(client: Client, *, by, back: int) -> None:
    """Date the registration, its first case episode and its street step `back` days ago."""
    on = timezone.localdate() - datetime.timedelta(days=back)
    client.registered_on = on
    save_with_history(client, by=by, reason="seed_demo", validate=False)
    for episode in CaseEpisode.objects.filter(client=client):
        episode.opened_on = on
        save_with_history(episode, by=by, reason="seed_demo", validate=False)
    for step in PathwayStep.objects.filter(client=client, source=PathwayStep.Source.MANUAL):
        step.on = on
        save_with_history(step, by=by, reason="seed_demo", validate=False)


def _seed_team_file(worker) -> None:
    """One open file of `worker` shared with the demo team (accounts.demo.TEAM), once."""
    from accounts.demo import TEAM
    from accounts.models import Team
    from cases.models import Assignment

    manager = User.objects.filter(username="kierownik").first()
    team = Team.objects.filter(name=TEAM, organisation_id=worker.organisation_id).first()
    if manager is None or team is None:
        return
    if Assignment.objects.filter(team=team.group, ended_at__isnull=True).exists():
        return
    # Not one of the files the other demo states use (emergency access, handover, closed).
    held = Assignment.objects.filter(worker=worker, ended_at__isnull=True, team__isnull=True)
    client = (
        Client.objects.filter(pk__in=held.values("client_id"), closed_on__isnull=True)
        .exclude(handover_requests__isnull=False)
        .exclude(break_glass__isnull=False)
        .order_by("registered_on", "pk")
        .first()
    )
    if client is not None:
        services.client_handover(by=manager, client=client, to_worker=worker, team=team)


def _seed_case_work(worker, other, rng) -> None:
    """Notes, assessments, plans, consents, a referral, a household: a file in every state."""
    from accounts.models import Organisation
    from cases.models import Client

    today = datetime.date.today()
    manager = User.objects.filter(username="kierownik").first()
    cooperative = Organisation.objects.filter(kind="social_cooperative").first()
    clients = list(Client.objects.filter(registered_by=worker).order_by("registered_on", "pk"))
    notes = [
        ("conversation", "Rozmowa o dokumentach; umówiona wizyta w urzędzie."),
        ("visit", "Spotkanie przy dworcu, przyjął ciepłą odzież."),
        ("phone", "Telefon w sprawie terminu w poradni."),
    ]
    for index, client in enumerate(clients[:12]):
        for back, (kind, text) in enumerate(notes[: 1 + index % 3]):
            services.note_add(
                by=worker,
                client=client,
                kind=kind,
                noted_on=today - datetime.timedelta(days=3 + back * 9 + index),
                text=text,
            )
        scores = {
            d: rng.randint(1, 3)
            for d in ("housing", "income", "employment", "documents", "mental_health")
        }
        services.assessment_record(
            by=worker,
            client=client,
            kind="intake",
            assessed_on=today - datetime.timedelta(days=60),
            scores=scores,
            notes={"housing": "Nocuje w altanie działkowej."},
        )
        if index % 2 == 0:
            better = {d: min(5, s + rng.randint(0, 2)) for d, s in scores.items()}
            services.assessment_record(
                by=worker,
                client=client,
                kind="reassessment",
                assessed_on=today - datetime.timedelta(days=10),
                scores=better,
                notes={},
            )
    for index, client in enumerate(clients[:5]):
        plan = services.plan_create(
            by=worker,
            client=client,
            kind="ipwzb" if index % 2 == 0 else "contract",
            starts_on=today - datetime.timedelta(days=20 + index * 3),
            situation="Bez stałego miejsca zamieszkania od dwóch lat.",
            causes="Eksmisja po utracie pracy.",
            requires_approval=index != 4,
        )
        goal = services.goal_add(by=worker, plan=plan, text="Wyrobienie dowodu osobistego")
        services.step_add(
            by=worker,
            goal=goal,
            party="client",
            text="Zrobić zdjęcie do dowodu",
            due_on=today + datetime.timedelta(days=7),
        )
        services.step_add(
            by=worker,
            goal=goal,
            party="worker",
            text="Umówić wizytę w urzędzie",
            due_on=today + datetime.timedelta(days=3),
        )
        goal2 = services.goal_add(by=worker, plan=plan, text="Zatrudnienie w spółdzielni socjalnej")
        services.step_add(
            by=worker, goal=goal2, party="partner", text="Staż w pralni", responsible=cooperative
        )
        if index < 3:
            services.plan_submit(by=worker, plan=plan)
            if manager is not None and index < 2:
                services.plan_approve(by=manager, plan=plan)
    if cooperative is not None:
        for client in clients[1:3]:
            services.consent_record(
                by=worker,
                client=client,
                purpose="referral",
                legal_basis="consent",
                given_on=today - datetime.timedelta(days=15),
                partner=cooperative,
            )
        services.referral_send(
            by=worker,
            client=clients[1],
            partner=cooperative,
            service="Staż w pralni spółdzielni",
            summary="Chce pracować na porannej zmianie; ma doświadczenie w magazynie.",
        )
    mother = next((c for c in clients if c.sex == "female"), None)
    if mother is not None:
        for first, born in (
            ("Zuzanna", datetime.date(2019, 4, 2)),
            ("Kacper", datetime.date(2022, 9, 15)),
        ):
            services.household_member_add(
                by=worker,
                client=mother,
                first_name=first,
                surname=str(mother.surname),
                birth_date=born,
                relationship="child",
                sex="female" if first == "Zuzanna" else "male",
            )
        # For the DPO's data package (docs/privacy.md): a scanned document, and a phone number
        # first noted wrongly, then corrected (the package marks it "rectified").
        services.document_upload(
            by=worker,
            client=mother,
            kind="identity",
            title="Skan dowodu osobistego",
            content=DEMO_SCAN,
        )
        services.client_update(by=worker, client=mother, phone="+48 600 200 301")
        services.client_update(by=worker, client=mother, phone="+48 600 200 310")
        services.do_not_disclose_add(
            by=worker,
            client=mother,
            person_name="Były partner (imię w notatce)",
            note="Zakaz zbliżania się; nie podawać informacji telefonicznie.",
        )
    if len(clients) > 6:
        services.case_close(by=worker, client=clients[6], outcome="own_housing")
    if other is not None and clients:
        services.break_glass_open(
            by=other, client=clients[0], reason="Interwencja nocna: pytanie o leki"
        )
        # Across organisations: the foundation's manager (who holds the file) decides it.
        services.handover_request(
            by=other,
            client=clients[3],
            reason="Klient przeprowadził się i zgłosił do MOPS; chce tam kontynuować pracę.",
        )
