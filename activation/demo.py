"""Synthetic demo data for activation: the foundation's workshops, a CIS with two groups, a
course, two social cooperatives, three months of attendance with every kind of absence, and
placements with follow-ups in every state. Invented names only.

Every date is counted back from today, so the demo holds on any date and at any hour: the
groups started in the month three months before this one, attendance is saved for every
participant of every group on each weekday up to yesterday (today's is left for `trener` to
take), so that last month can be closed, and the follow-ups fall overdue, due
within days, answered and unreachable whatever the day (tests/activation/test_demo.py seeds at
frozen moments: weekends, month and year ends, both DST switches, 29 February).
"""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.roles import Role
from activation import services
from activation.dates import add_months, month_start
from activation.models import Programme, Trade
from cases.access import clients_visible_to
from cases.models import Consent
from cases.pathway import pathway_recompute

CATERING = "Spółdzielnia Socjalna Smaki Przystani (demo)"
SEWING = "Spółdzielnia Socjalna Igła i Nitka (demo)"
CIS = "CIS Przystań"
# The second job coach of the foundation's groups (trener coaches two of them).
SECOND_COACH = ("trener2", "Piotr", "Bukowy")

# (name, kind, trade code, what it leads to)
PROGRAMMES = [
    ("Stolarnia", "workshop", "carpentry", "Zaświadczenie: pomocnik stolarza"),
    ("Ślusarnia", "workshop", "locksmithing", "Zaświadczenie: pomocnik ślusarza"),
    ("Pralnia", "workshop", "laundry", "Zaświadczenie: pracownik pralni"),
    (CIS, "cis", None, "Zatrudnienie socjalne; przygotowanie do pracy"),
    ("Kurs: pomoc kuchenna", "course", None, "Certyfikat: pomoc kuchenna"),
]
# The absences a participant's day may have, spread over the days (everyone else present).
ABSENCES = {3: "excused", 7: "unexcused", 11: "sick", 15: "day_off", 19: "other"}
OTHER_NOTE = "Wezwanie do urzędu"
# The demo CIS's regulations: the month's allowance lost past 3 unexcused days, 6 days off at most
# (as CIS Ostrzyce's, docs/activation.md rule 6 and 9), and a bonus for one participant.
DEMO_FORFEIT_AFTER = 3
DEMO_DAYS_OFF = 6
DEMO_REGULATIONS = "Regulamin uczestnictwa CIS Przystań (demo), § 7 i § 9"
DEMO_BONUS = Decimal("300.00")


def seed() -> int:
    """Create the activation demo once; returns the number of programmes created."""
    manager = User.objects.filter(username="kierownik").first()
    coach = User.objects.filter(username="trener").first()
    worker = User.objects.filter(username="pracownik").first()
    if manager is None or coach is None or worker is None:
        return 0
    if Programme.objects.filter(organisation=manager.organisation, name=CIS).exists():
        return 0
    today = timezone.localdate()
    start = add_months(month_start(today), -3)
    second = _second_coach(coach)
    cooperatives = _cooperatives()
    programmes = {}
    for name, kind, trade, leads_to in PROGRAMMES:
        programmes[name] = services.programme_create(
            by=manager,
            name=name,
            kind=kind,
            trade=Trade.objects.get(code=trade) if trade else None,
            leads_to=leads_to,
        )
    cohort = services.cohort_create
    groups = {
        "cis_a": cohort(
            by=manager,
            programme=programmes[CIS],
            name="Grupa A",
            starts_on=start,
            capacity=12,
            lead_coach=coach,
            place="ul. Warsztatowa 3",
        ),
        "laundry": cohort(
            by=manager,
            programme=programmes["Pralnia"],
            name="Pralnia, grupa bieżąca",
            starts_on=start,
            capacity=8,
            lead_coach=coach,
            place="ul. Warsztatowa 3, suterena",
        ),
        "cis_b": cohort(
            by=manager,
            programme=programmes[CIS],
            name="Grupa B",
            starts_on=start,
            capacity=12,
            lead_coach=second,
        ),
    }
    for name in ("Stolarnia", "Ślusarnia", "Kurs: pomoc kuchenna"):
        cohort(
            by=manager,
            programme=programmes[name],
            name="Grupa bieżąca",
            starts_on=start,
            capacity=8,
            lead_coach=second,
        )
    clients = list(
        clients_visible_to(worker, write=True).filter(closed_on__isnull=True).order_by("pk")[:12]
    )
    placed = clients[8:12]
    members = {"cis_a": clients[0:5], "laundry": clients[5:8], "cis_b": placed[:1]}
    for key, people in members.items():
        for person in people:
            _enrol(worker=worker, manager=manager, client=person, cohort=groups[key], start=start)
    # Every group's attendance, every working day up to yesterday (Grupa B by its own coach):
    # a month with a day nobody recorded cannot be closed, and kierownik closes last month.
    for key in ("cis_a", "laundry"):
        _attendance(coach=coach, cohort=groups[key], start=start, today=today)
    _attendance(coach=second, cohort=groups["cis_b"], start=start, today=today)
    _allowance(manager=manager, programme=programmes[CIS], start=start, today=today)
    _placements(worker=worker, clients=placed, cooperatives=cooperatives, today=today)
    _mother_placement(worker=worker, today=today)
    for person in clients:
        pathway_recompute(client=person, by=worker)
    return len(programmes)


def _second_coach(coach: User) -> User:
    username, first, last = SECOND_COACH
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username, first_name=first, last_name=last, organisation=coach.organisation
        )
        user.set_unusable_password()
        user._change_reason = "seed_demo"
        user.save()
        user.groups.set([Group.objects.get(name=Role.JOB_COACH)])
    return user


def _cooperatives() -> dict:
    kind = Organisation.Kind.SOCIAL_COOPERATIVE
    return {
        "catering": Organisation.objects.get_or_create(name=CATERING, defaults={"kind": kind})[0],
        "sewing": Organisation.objects.get_or_create(name=SEWING, defaults={"kind": kind})[0],
    }


def _enrol(*, worker, manager, client, cohort, start):
    enrolment = services.enrolment_create(
        by=worker, client=client, cohort=cohort, applied_on=start - datetime.timedelta(days=7)
    )
    services.enrolment_set_status(
        by=manager, enrolment=enrolment, status="accepted", on=start - datetime.timedelta(days=3)
    )
    return services.enrolment_set_status(by=manager, enrolment=enrolment, status="active", on=start)


def _attendance(*, coach, cohort, start, today):
    """Every weekday from the group's start to yesterday, each kind of absence on some days."""
    enrolments = list(cohort.enrolments.order_by("pk").values_list("pk", flat=True))
    day, number = start, 0
    while day < today:
        if day.weekday() < 5:
            statuses, notes = {}, {}
            for person, enrolment_id in enumerate(enrolments):
                status = ABSENCES.get((number + 5 * person) % 23)
                if status:
                    statuses[enrolment_id] = status
                if status == "other":
                    notes[enrolment_id] = OTHER_NOTE
            services.attendance_save_day(
                by=coach, cohort=cohort, day=day, statuses=statuses, notes=notes, seen=None
            )
            number += 1
        day += datetime.timedelta(days=1)


def _allowance(*, manager, programme, start, today):
    """The CIS's own allowance rules (its regulations, as its manager set them when it opened)
    and a motivation bonus last month, so that kierownik can compute, close and print last
    month's list straight away (without the centre's rules a month is refused, never computed
    with a guess)."""
    services.programme_allowance_rule_set(
        by=manager,
        programme=programme,
        valid_from=start,
        forfeit_after_unexcused_days=DEMO_FORFEIT_AFTER,
        days_off_limit=DEMO_DAYS_OFF,
        source=DEMO_REGULATIONS,
    )
    last_month = add_months(month_start(today), -1)
    enrolment = programme.enrolments.order_by("pk").first()
    if enrolment is not None:
        services.allowance_bonus_set(
            by=manager, enrolment=enrolment, month=last_month, amount=DEMO_BONUS
        )


def _mother_placement(*, worker, today):
    """The demo mother of cases.demo takes a training placement in the laundry: with her
    follow-ups, her data package (the DPO's export) shows records of most kinds."""
    from cases.models import Client

    mother = (
        Client.objects.filter(registered_by=worker, household__isnull=False).order_by("pk").first()
    )
    if mother is None:
        return
    services.placement_start(
        by=worker,
        client=mother,
        kind="training_placement",
        started_on=today - datetime.timedelta(days=20),
        contract_type="none",
        wage_band="unpaid",
        employer_name="Pralnia Fundacji Przystań",
        hours_per_week="20",
    )


def _placements(*, worker, clients, cooperatives, today):
    """Follow-ups in every state: overdue, due within days, answered, unreachable."""
    if len(clients) < 4:
        return
    from cases import services as case_services

    # A job in the catering cooperative: its 3-month follow-up fell due ten days ago (overdue).
    overdue_start = add_months(today, -3) - datetime.timedelta(days=10)
    services.placement_start(
        by=worker,
        client=clients[0],
        kind="cooperative",
        started_on=overdue_start,
        contract_type="cooperative_membership",
        wage_band="minimum",
        employer_organisation=cooperatives["catering"],
        hours_per_week="30",
    )
    # A job with an outside employer: its 3-month follow-up is due in a week.
    due_start = add_months(today, -3) + datetime.timedelta(days=7)
    if due_start > today:
        due_start = today
    services.placement_start(
        by=worker,
        client=clients[1],
        kind="open_market",
        started_on=due_start,
        contract_type="employment_contract",
        wage_band="up_to_150",
        employer_name="Hurtownia Tęcza (demo)",
        employer_nip="5260250274",
        hours_per_week="40",
    )
    # Seven months in the sewing cooperative: at 3 months in work, at 6 not reached.
    long_start = add_months(today, -7)
    sewing = services.placement_start(
        by=worker,
        client=clients[2],
        kind="cooperative",
        started_on=long_start,
        contract_type="cooperative_membership",
        wage_band="below_minimum",
        employer_organisation=cooperatives["sewing"],
        hours_per_week="20",
    )
    follow_ups = {f.months: f for f in sewing.follow_ups.all()}
    services.followup_answer(
        by=worker,
        follow_up=follow_ups[3],
        answered_on=follow_ups[3].due_on,
        answer="employed_same",
        hours_per_week="20",
        housing="training_flat",
        note="Pracuje na zmianie porannej.",
    )
    services.followup_answer(
        by=worker, follow_up=follow_ups[6], answered_on=follow_ups[6].due_on, answer="unreachable"
    )
    # A supported job in the partner cooperative, shared with it by consent (the `partner`
    # user sees this worker and the follow-ups).
    partner = User.objects.filter(username="partner").first()
    if partner is not None and partner.organisation_id:
        case_services.consent_record(
            by=worker,
            client=clients[3],
            purpose=Consent.Purpose.SHARE_PARTNER,
            legal_basis="consent",
            given_on=add_months(today, -2),
            partner=partner.organisation,
        )
        services.placement_start(
            by=worker,
            client=clients[3],
            kind="supported",
            started_on=add_months(today, -2),
            contract_type="employment_contract",
            wage_band="minimum",
            employer_organisation=partner.organisation,
            hours_per_week="25",
        )
