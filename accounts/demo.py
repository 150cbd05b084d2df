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
    seed_second_factors()
    return users


# The second factor in the demo (accounts/second_factor.py): `kierownik` has no app, so the
# first sign-in shows the enrolment (QR code, key, backup codes); `iod` and `admin` have one
# already, with a fixed synthetic key printed by seed_demo, so anyone can add it to an app (or
# ask `manage.py demo_code iod` for the current code). Demo only: seed_demo refuses elsewhere.
DEMO_SECOND_FACTOR_KEYS = {
    # 20 bytes each, invented: "przystan-demo-iod..." as hex.
    "iod": b"przystan-demo-iod-01".hex(),
    "admin": b"przystan-demo-admin1".hex(),
}
DEMO_BACKUP_CODES = 5


def seed_second_factors() -> None:
    """Give `iod` and `admin` their demo app and a few backup codes, once."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.second_factor import APP_DEVICE_NAME, BACKUP_DEVICE_NAME

    for username, key in DEMO_SECOND_FACTOR_KEYS.items():
        user = User.objects.filter(username=username).first()
        if user is None or TOTPDevice.objects.filter(user=user).exists():
            continue
        TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, key=key, confirmed=True)
        backup = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
        for _n in range(DEMO_BACKUP_CODES):
            StaticToken.objects.create(device=backup, token=StaticToken.random_token())


def second_factor_lines() -> list[str]:
    """What seed_demo prints of the demo's second factors: who enrols, and the keys and codes."""
    from django_otp.plugins.otp_static.models import StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.second_factor import secret_text

    lines = [
        "Second factor (demo only): administrators, managers and the DPO sign in with a code.",
        "  kierownik    sets up an authenticator app at the first sign-in (QR code on the page).",
    ]
    for username in DEMO_SECOND_FACTOR_KEYS:
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            lines.append(f"  {username:<12} no app (reset by an administrator): enrols again.")
            continue
        codes = StaticToken.objects.filter(device__user=device.user).values_list("token", flat=True)
        lines.append(f"  {username:<12} app key {secret_text(device)}")
        lines.append(f"  {'':<12} backup codes (each works once): {' '.join(codes) or 'none left'}")
    lines.append(
        "  Add a key to an authenticator app, or print the current code with "
        "'make demo-code USER=iod'."
    )
    return lines


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
