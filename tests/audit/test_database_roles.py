"""The application's PostgreSQL role owns nothing and may only append to the access log.

Migrations run as the owner (here the test suite's superuser); `grant_app_role ROLE` gives the
application's role its privileges; connected as that role the application works, and the
tampering that a cut of the log's tail needs is refused by the database. The system check warns
about a superuser, an owner, or a role granted too much.
"""

import contextlib
import io
import uuid

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse

from audit.checks import check_database_role
from audit.models import AccessLogEntry, ChainHead
from audit.verify import access_log_verify
from tests.factories import make_client

postgres_only = pytest.mark.postgres


def new_role_name() -> str:
    # Roles belong to the whole cluster: a fresh name, so parallel runs never meet.
    return f"przystan_test_{uuid.uuid4().hex[:12]}"


def sql(statement: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def grant(role: str) -> str:
    out = io.StringIO()
    call_command("grant_app_role", role, stdout=out)
    return out.getvalue()


@contextlib.contextmanager
def connected_as(role: str, **changes):
    """Make Django's default connection a new one, logged in as `role`, for the block."""
    original = connections["default"]
    settings_dict = {**original.settings_dict, "USER": role, "PASSWORD": "", **changes}
    replacement = original.__class__(settings_dict, alias="default")
    connections["default"] = replacement
    try:
        yield replacement
    finally:
        replacement.close()
        connections["default"] = original


@contextlib.contextmanager
def acting_as(role: str):
    """Inside the test's transaction, take `role`'s privileges (SET LOCAL ROLE) for the block."""
    sql(f"SET LOCAL ROLE {role}")
    try:
        yield
    finally:
        sql("RESET ROLE")


@pytest.fixture
def app_role(transactional_db):
    """A login role given the application's grants, committed so that it can connect."""
    role = new_role_name()
    sql(f"CREATE ROLE {role} LOGIN")
    grant(role)
    yield role
    # Its privileges in this database go first (DROP OWNED revokes them), then the role.
    sql(f"DROP OWNED BY {role}")
    sql(f"DROP ROLE {role}")


@pytest.fixture
def role(db):
    """A role created inside the test's transaction (rolled back with it)."""
    name = new_role_name()
    sql(f"CREATE ROLE {name}")
    return name


def refused(statement: str, params=None) -> str:
    """Run a statement that must fail; return the database's message."""
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        sql(statement, params)
    return str(error.value)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_app_role_signs_in_reads_a_file_and_appends_to_the_log(
    app_role, client, social_worker, password
):
    person = make_client(holder=social_worker, registered_by=social_worker)
    rows_before = AccessLogEntry.objects.count()

    with connected_as(app_role):
        assert sql("SELECT current_user") == [(app_role,)]
        signed_in = client.post(
            "/login/", {"username": social_worker.username, "password": password}
        )
        page = client.get(reverse("cases:client-detail", args=[person.pk]))
        result = access_log_verify()
        warnings = check_database_role()

    assert signed_in.status_code == 302
    assert page.status_code == 200
    assert "Nowak" in page.content.decode()
    # The file's view was logged (and whatever the sign-in logs), chained and intact.
    viewed = AccessLogEntry.objects.filter(subject_id=person.pk, action="view")
    assert viewed.count() == 1
    assert AccessLogEntry.objects.count() > rows_before
    assert ChainHead.objects.get().seq == AccessLogEntry.objects.count()
    assert result.is_intact
    assert warnings == []


# What a role that could cut the log's tail unseen would run, and the database's refusal.
TAMPERING = [
    ("UPDATE audit_accesslogentry SET purpose = 'x'", "permission denied for table"),
    ("DELETE FROM audit_accesslogentry WHERE seq > 1", "permission denied for table"),
    ("TRUNCATE audit_accesslogentry", "permission denied for table"),
    ("DELETE FROM audit_chainhead", "permission denied for table"),
    ("UPDATE audit_chainhead SET id = 2", "permission denied for table"),
    ("UPDATE audit_chainhead SET seq = 1, mac = %(first_mac)s", "may only advance"),
    ("ALTER TABLE audit_accesslogentry DISABLE TRIGGER ALL", "must be owner of table"),
    ("ALTER TABLE audit_chainhead DISABLE TRIGGER audit_chainhead_forward_only", "must be owner"),
    ("DROP TRIGGER audit_accesslogentry_append_only ON audit_accesslogentry", "must be owner"),
    ("DROP TABLE audit_accesslogentry", "must be owner of table"),
    ("ALTER TABLE audit_accesslogentry OWNER TO CURRENT_USER", "must be owner of table"),
    ("SET session_replication_role = replica", "permission denied to set parameter"),
    (
        "CREATE TRIGGER t BEFORE INSERT ON audit_accesslogentry "
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
        "permission denied for table",
    ),
]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_app_role_cannot_change_remove_or_unprotect_the_log(app_role, write_entries):
    entries = write_entries(3)
    messages = {}

    with connected_as(app_role):
        for statement, _expected in TAMPERING:
            params = {"first_mac": entries[0].mac} if "%(" in statement else None
            messages[statement] = refused(statement, params)
        # A GRANT by a role without the grant option gives nothing (PostgreSQL only warns).
        sql(f"GRANT UPDATE, DELETE ON audit_accesslogentry TO {app_role}")
        still_appends = write_entries(1)

    unexpected = {
        statement: messages[statement]
        for statement, expected in TAMPERING
        if expected not in messages[statement]
    }
    assert unexpected == {}
    assert still_appends[0].seq == 4
    assert ChainHead.objects.get().seq == 4
    assert access_log_verify().is_intact
    assert sql(
        "SELECT has_table_privilege(%s, 'audit_accesslogentry', 'UPDATE'), "
        "has_table_privilege(%s, 'audit_accesslogentry', 'DELETE')",
        [app_role, app_role],
    ) == [(False, False)]


def privileges(role: str, table: str) -> set[str]:
    kinds = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"]
    held = sql(
        "SELECT k FROM unnest(%s::text[]) AS k WHERE has_table_privilege(%s, %s, k)",
        [kinds, role, table],
    )
    return {kind for (kind,) in held}


def column_updates(role: str, table: str) -> set[str]:
    held = sql(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
        "AND NOT attisdropped AND has_column_privilege(%s, %s, attname, 'UPDATE')",
        [table, role, table],
    )
    return {name for (name,) in held}


@postgres_only
def test_the_grants_are_exactly_the_documented_ones(role):
    out = grant(role)

    assert privileges(role, "audit_accesslogentry") == {"SELECT", "INSERT"}
    assert privileges(role, "audit_chainhead") == {"SELECT", "INSERT"}
    assert column_updates(role, "audit_chainhead") == {"seq", "mac"}
    assert column_updates(role, "audit_accesslogentry") == set()
    assert privileges(role, "cases_client") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert privileges(role, "django_session") == {"SELECT", "INSERT", "UPDATE", "DELETE"}
    assert privileges(role, "django_migrations") == {"SELECT"}
    assert out.startswith(f"Granted {role}: read and write on the application's tables; ")


@postgres_only
def test_granting_again_takes_back_what_was_added_by_hand(role):
    grant(role)
    sql(f"GRANT ALL ON audit_accesslogentry, audit_chainhead TO {role}")

    grant(role)

    assert privileges(role, "audit_accesslogentry") == {"SELECT", "INSERT"}
    assert privileges(role, "audit_chainhead") == {"SELECT", "INSERT"}
    assert column_updates(role, "audit_chainhead") == {"seq", "mac"}


@postgres_only
def test_the_sql_option_prints_the_grants_and_changes_nothing(role):
    out = io.StringIO()

    call_command("grant_app_role", role, "--sql", stdout=out)

    text = out.getvalue()
    assert text.startswith("BEGIN;\n")
    assert text.rstrip().endswith("COMMIT;")
    assert (
        f'GRANT SELECT, INSERT ON TABLE "audit_accesslogentry", "audit_chainhead" TO "{role}";'
        in text
    )
    assert f'GRANT UPDATE ("seq", "mac") ON TABLE "audit_chainhead" TO "{role}";' in text
    assert privileges(role, "audit_accesslogentry") == set()


@postgres_only
def test_grant_app_role_refuses_a_missing_role(db):
    with pytest.raises(CommandError, match="There is no role 'przystan_nobody_here'"):
        grant("przystan_nobody_here")


@postgres_only
def test_grant_app_role_refuses_a_superuser(db):
    (superuser,) = sql("SELECT current_user")[0]

    with pytest.raises(CommandError, match="is a superuser: no grant can hold it back"):
        grant(superuser)


@postgres_only
def test_grant_app_role_refuses_the_owner_of_the_audit_tables(role):
    sql(f"ALTER TABLE audit_accesslogentry OWNER TO {role}")

    with pytest.raises(CommandError, match="owns the audit tables or their schema"):
        grant(role)


@postgres_only
def test_grant_app_role_refuses_a_role_name_that_is_not_plain(db):
    """The name goes into the statements as an identifier: plain lower-case names only."""
    name = f"Przystan-App {uuid.uuid4().hex[:8]}"
    sql(f'CREATE ROLE "{name}"')

    with pytest.raises(CommandError, match="is not a plain role name"):
        grant(name)


def test_grant_app_role_refuses_sqlite(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")

    with pytest.raises(CommandError, match="Database roles are PostgreSQL's"):
        grant("przystan_app")


def test_the_role_check_says_nothing_on_sqlite(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")

    assert check_database_role() == []


@postgres_only
def test_the_role_check_warns_when_connected_as_a_superuser(db):
    """The test suite's own connection: the superuser `postgres` (so is CI's)."""
    (superuser,) = sql("SELECT current_user")[0]

    (warning,) = check_database_role()

    assert warning.id == "audit.W001"
    assert warning.level == checks.WARNING
    assert warning.msg.startswith(f"The application connects to PostgreSQL as {superuser}, a ")
    assert "grant_app_role" in warning.hint


@postgres_only
def test_the_role_check_is_a_deployment_check(db):
    everyday = {message.id for message in checks.run_checks()}
    deployment = {message.id for message in checks.run_checks(include_deployment_checks=True)}

    assert "audit.W001" not in everyday
    assert "audit.W001" in deployment


@postgres_only
def test_the_role_check_warns_when_connected_as_the_owner_of_the_log(role):
    sql(f"ALTER TABLE audit_accesslogentry OWNER TO {role}")

    with acting_as(role):
        (warning,) = check_database_role()

    assert warning.id == "audit.W002"
    assert f"as {role}, which owns the audit tables' objects (audit_accesslogentry)" in warning.msg


@postgres_only
def test_the_role_check_warns_when_connected_as_the_owner_of_their_schema(role):
    (schema,) = sql("SELECT current_schema()")[0]
    sql(f"ALTER SCHEMA {schema} OWNER TO {role}")

    with acting_as(role):
        (warning,) = check_database_role()

    assert warning.id == "audit.W002"
    assert "(their schema)" in warning.msg


@postgres_only
def test_the_role_check_warns_about_a_role_granted_too_much(role):
    grant(role)
    sql(f"GRANT DELETE, TRUNCATE ON audit_accesslogentry TO {role}")

    with acting_as(role):
        (warning,) = check_database_role()

    assert warning.id == "audit.W003"
    assert "holds DELETE on audit_accesslogentry, TRUNCATE on audit_accesslogentry" in warning.msg


@postgres_only
def test_the_role_check_is_silent_for_the_app_role(role):
    grant(role)

    with acting_as(role):
        assert check_database_role() == []


@postgres_only
def test_the_role_check_notes_a_database_it_cannot_reach(db):
    with connected_as("nobody", PORT="1"):
        (note,) = check_database_role()

    assert note.id == "audit.I001"
    assert note.level == checks.INFO
    assert note.msg == "The database role was not checked: OperationalError while connecting."
