"""Shared fixtures: the personas of STYLE.md, each a user with one role.

Object-level reach (caseloads, facilities, programmes) is granted by the fixtures of later apps;
here each persona has its role and organisation.
"""

import pytest
from django.db import connection

from accounts.roles import Role
from tests.factories import TEST_PASSWORD, OrganisationFactory, UserFactory, make_facility


def pytest_collection_modifyitems(config, items):
    """Skip @pytest.mark.postgres tests with a clear reason when the database is not PostgreSQL."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _force_login_gives_the_second_factor():
    """`client.force_login(user)` signs in as far as the pages: for someone the second factor is
    asked of (a manager, a DPO, an administrator, staff of an organisation that requires it, or
    anyone with an app), the session has also given it (tests/second_factor.py). Session-wide,
    so module-scoped fixtures (the authorization matrix's clients) get it too."""
    from django.test.client import ClientMixin

    from tests.second_factor import plain_force_login, verified_force_login

    ClientMixin.force_login = verified_force_login
    yield
    ClientMixin.force_login = plain_force_login


@pytest.fixture(autouse=True)
def _polish_again_after_each_test():
    """A request whose language cookie says English leaves English active in the thread (the
    locale middleware activates a language per request and never deactivates it): Polish is put
    back after each test, so a test reading a translated string outside a request does not
    depend on which test ran before it in the same worker."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache_for_each_test():
    """Each test starts with an empty cache. The test database rolls back, so history ids (the
    reports' data stamp) repeat from test to test while the process's local-memory cache keeps
    what an earlier test stored under the same key: a report cached by one test must never be
    what the next one reads."""
    from django.core.cache import caches

    for alias in caches:
        caches[alias].clear()
    yield


@pytest.fixture(autouse=True)
def vault_of_a_new_process():
    """Each test starts with no key cached and the erasure epoch every test database starts from
    (0, privacy migration 0008) as the last one read. The database rolls back between tests, its
    epoch with it: the epoch an earlier test saw must not decide whether this one's first request
    flushes its keys (query counts stay the same whatever ran before).

    Outside requests a cached key is trusted for EPOCH_RECHECK_SECONDS (1 s), then the epoch is
    read again: a service called by a test a second after its data were made would count one
    query more on a slow machine than on a fast one. Tests trust it for an hour instead, so a
    query count never depends on the machine's speed; tests/privacy/test_erasure_epoch.py moves
    the clock past the vault's own time (this fixture's value, which a test may ask for) to test
    the rule itself."""
    from privacy import vault

    own_recheck_seconds = vault.EPOCH_RECHECK_SECONDS
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(vault, "EPOCH_RECHECK_SECONDS", 3600.0)
    vault.cache.reset(epoch=0)
    yield own_recheck_seconds
    vault.request_ended()
    monkeypatch.undo()


@pytest.fixture
def password():
    """The password every persona signs in with."""
    return TEST_PASSWORD


@pytest.fixture
def foundation(db):
    """The coordinating foundation: runs the shelters, employs the social workers."""
    return OrganisationFactory(name="Fundacja Testowa", kind="foundation")


@pytest.fixture
def cooperative(db):
    """A partner social cooperative of the cluster."""
    return OrganisationFactory(name="Spółdzielnia Testowa", kind="social_cooperative")


@pytest.fixture
def social_worker(foundation):
    """A social worker of the foundation; later apps give them a caseload."""
    return UserFactory(username="sw", organisation=foundation, role=Role.SOCIAL_WORKER)


@pytest.fixture
def other_social_worker(foundation):
    """A second social worker, with no access to the first one's caseload."""
    return UserFactory(username="sw2", organisation=foundation, role=Role.SOCIAL_WORKER)


@pytest.fixture
def shelter_staff(foundation):
    """Shelter staff; later apps give them facility A."""
    return UserFactory(username="staff", organisation=foundation, role=Role.SHELTER_STAFF)


@pytest.fixture
def job_coach(cooperative):
    """A job coach of the cooperative's workshops."""
    return UserFactory(username="coach", organisation=cooperative, role=Role.JOB_COACH)


@pytest.fixture
def manager(foundation):
    """The foundation's manager: statistics, staff, access reviews."""
    return UserFactory(username="boss", organisation=foundation, role=Role.MANAGER)


@pytest.fixture
def dpo(foundation):
    """The data protection officer."""
    return UserFactory(username="dpo", organisation=foundation, role=Role.DPO)


@pytest.fixture
def partner_user(cooperative):
    """A user of a partner organisation: sees only clients referred to them, with consent."""
    return UserFactory(username="partner", organisation=cooperative, role=Role.PARTNER)


@pytest.fixture
def administrator(foundation):
    """The system administrator: configuration and accounts, no case contents."""
    return UserFactory(username="root", organisation=foundation, role=Role.ADMINISTRATOR)


@pytest.fixture
def cluster_dpo(welfare_centre):
    """The cluster's data protection officer (of the welfare centre): everyone's people."""
    return UserFactory(username="dpo-cluster", organisation=welfare_centre, role=Role.CLUSTER_DPO)


@pytest.fixture
def personas(
    social_worker, shelter_staff, job_coach, manager, dpo, partner_user, administrator, cluster_dpo
):
    """One user per role, keyed by role code."""
    return {
        Role.CLUSTER_DPO: cluster_dpo,
        Role.SOCIAL_WORKER: social_worker,
        Role.SHELTER_STAFF: shelter_staff,
        Role.JOB_COACH: job_coach,
        Role.MANAGER: manager,
        Role.DPO: dpo,
        Role.PARTNER: partner_user,
        Role.ADMINISTRATOR: administrator,
    }


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def facility_a(foundation):
    """The foundation's night shelter: men's room 1 (3 beds), women's room 2 (2 beds)."""
    return make_facility(organisation=foundation, name="Noclegownia A")


@pytest.fixture
def facility_b(foundation):
    """Another shelter of the foundation; the shelter_staff persona does not work there."""
    return make_facility(
        organisation=foundation, name="Schronisko B", kind="shelter", rooms=(("Pokój 1", "any", 2),)
    )


@pytest.fixture
def staff_of_a(shelter_staff, facility_a):
    """The shelter_staff persona, granted facility A (and nothing else)."""
    from guardian.shortcuts import assign_perm

    assign_perm("shelters.operate_facility", shelter_staff, facility_a)
    return shelter_staff


@pytest.fixture
def manager_of_a(manager, facility_a):
    """The manager persona, also working in facility A (overrides, lifting bans)."""
    from guardian.shortcuts import assign_perm

    assign_perm("shelters.operate_facility", manager, facility_a)
    return manager


@pytest.fixture
def welfare_centre(db):
    """Another organisation of the cluster, with its own manager, worker and team."""
    return OrganisationFactory(name="MOPS Testowo", kind="welfare_centre")


@pytest.fixture
def other_manager(welfare_centre):
    """The welfare centre's manager: reaches nothing of the foundation's."""
    return UserFactory(username="boss2", organisation=welfare_centre, role=Role.MANAGER)


@pytest.fixture
def outside_worker(welfare_centre):
    """A social worker of the welfare centre."""
    return UserFactory(username="sw-mops", organisation=welfare_centre, role=Role.SOCIAL_WORKER)


@pytest.fixture
def team(manager, social_worker, other_social_worker):
    """The foundation's team: both of its social workers are members."""
    from accounts import services

    team = services.team_create(actor=manager, name="Zespół testowy")
    services.team_member_add(actor=manager, team=team, user=social_worker)
    services.team_member_add(actor=manager, team=team, user=other_social_worker)
    return team


@pytest.fixture
def outside_team(other_manager, outside_worker):
    """The welfare centre's team, with its worker."""
    from accounts import services

    team = services.team_create(actor=other_manager, name="Zespół MOPS")
    services.team_member_add(actor=other_manager, team=team, user=outside_worker)
    return team
