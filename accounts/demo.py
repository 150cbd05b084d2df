"""Synthetic demo data for accounts: a small cluster and one user per role. Invented names only."""

from django.contrib.auth.models import Group

from accounts import services
from accounts.models import Organisation, Team, User
from accounts.roles import Role

# Published in the README on purpose: demo data only, and seed_demo refuses outside the demo.
DEMO_PASSWORD = "przystan-demo-2026"  # noqa: S105

FOUNDATION = "Fundacja Przystań (demo)"
WELFARE_CENTRE = "MOPS Przykładowo (demo)"
COOPERATIVE = "Spółdzielnia Socjalna Warsztat (demo)"
EMPLOYER = "Stolarnia Dębowy Sęk sp. z o.o. (demo)"

ORGANISATIONS = [
    (FOUNDATION, Organisation.Kind.FOUNDATION),
    (WELFARE_CENTRE, Organisation.Kind.WELFARE_CENTRE),
    (COOPERATIVE, Organisation.Kind.SOCIAL_COOPERATIVE),
    (EMPLOYER, Organisation.Kind.EMPLOYER),
]

# username, first name, surname, role, organisation
USERS = [
    ("pracownik", "Agata", "Wierzbicka", Role.SOCIAL_WORKER, FOUNDATION),
    ("pracownik2", "Tomasz", "Jaworek", Role.SOCIAL_WORKER, WELFARE_CENTRE),
    ("pracownik3", "Katarzyna", "Olchowa", Role.SOCIAL_WORKER, FOUNDATION),
    ("schronisko", "Marek", "Cichoń", Role.SHELTER_STAFF, FOUNDATION),
    ("trener", "Joanna", "Kruczek", Role.JOB_COACH, COOPERATIVE),
    ("kierownik", "Ewa", "Lipińska", Role.MANAGER, FOUNDATION),
    ("iod", "Paweł", "Sosnowy", Role.DPO, FOUNDATION),
    ("iod-klaster", "Irena", "Jesionowska", Role.CLUSTER_DPO, WELFARE_CENTRE),
    ("partner", "Beata", "Grabowa", Role.PARTNER, COOPERATIVE),
    ("admin", "Adam", "Klonowski", Role.ADMINISTRATOR, FOUNDATION),
]


def seed_accounts() -> list[User]:
    """Create what is missing; leave what exists (passwords included) as it is."""
    orgs = {}
    for name, kind in ORGANISATIONS:
        orgs[name], _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind})
    users = []
    for username, first, last, role, org in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                organisation=orgs[org],
                is_staff=(role == Role.ADMINISTRATOR),
            )
            user.set_password(DEMO_PASSWORD)
            user._change_reason = "seed_demo"
            user.save()
            user.groups.set([Group.objects.get(name=role)])
        users.append(user)
    seed_team()
    return users


# The foundation's street-work team: two of its social workers share the team's files.
TEAM = "Zespół streetworkingu"
TEAM_MEMBERS = ["pracownik", "pracownik3"]


def seed_team() -> Team | None:
    """Create the demo team with its members once, as the demo manager would."""
    manager = User.objects.filter(username="kierownik").first()
    if manager is None or manager.organisation is None:
        return None
    team = Team.objects.filter(organisation=manager.organisation, name=TEAM).first()
    if team is not None:
        return team
    team = services.team_create(actor=manager, name=TEAM)
    for username in TEAM_MEMBERS:
        member = User.objects.get(username=username)
        services.team_member_add(actor=manager, team=team, user=member)
    return team
