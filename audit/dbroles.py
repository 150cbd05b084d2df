"""PostgreSQL roles: the application runs as a role that owns nothing.

The owner of a table may `ALTER TABLE … DISABLE TRIGGER`, drop it, or grant itself anything, and a
superuser may switch every trigger off (`session_replication_role`): either could cut the access
log's tail and rewind its head unseen by the database. So migrations run as the owner, and the
application as another role, given exactly what it needs by `app_role_grants` (run by
`manage.py grant_app_role ROLE`, after every `migrate`, so new tables are covered too):

- every table of the application: SELECT, INSERT, UPDATE, DELETE (never TRUNCATE, REFERENCES or
  TRIGGER), and USAGE on their sequences;
- `django_migrations`: SELECT (only `migrate`, as the owner, writes it);
- the access log (`audit_accesslogentry`): SELECT and INSERT only;
- the chain heads (`audit_chainhead`, one row per chain): SELECT, INSERT (appends create the
  heads; the trigger of audit/migrations/0008 lets a head be created only at the start of its
  chain) and UPDATE of `seq` and `mac`. Every append moves a head, and `select_for_update` (the
  lock that makes a chain's appends one at a time) needs the UPDATE privilege in PostgreSQL.
  The trigger of audit/migrations/0002 (as changed by 0005 and 0008) lets an UPDATE only
  advance a head over entries of its chain, to one that exists with that MAC, so this right
  cannot rewind it; DELETE and TRUNCATE are neither granted nor allowed by the triggers;
- the prune points (`audit_prunepoint`): SELECT only, and EXECUTE on `audit_prune_through`, the
  SECURITY DEFINER function of audit/migrations/0006 (per chain since 0008) that records a
  prune point and deletes the entries behind it (never one younger than its floor): the role's
  only way to delete from the log;
- the log's monthly partitions (audit/migrations/0007): nothing on the partitions themselves
  (the role reaches the rows only through the parent table), and EXECUTE on
  `audit_partition_ahead`, the SECURITY DEFINER function that makes the next months'
  partitions (the anchor timer calls it).

`role_facts` reads what the connected role may do to the audit tables (audit/checks.py warns).
"""

import re
from dataclasses import dataclass

from django.db.backends.base.base import BaseDatabaseWrapper

from audit.models import AccessLogEntry, ChainHead, PrunePoint

LOG_TABLE = AccessLogEntry._meta.db_table
HEAD_TABLE = ChainHead._meta.db_table
PRUNE_TABLE = PrunePoint._meta.db_table
AUDIT_TABLES = (LOG_TABLE, HEAD_TABLE)
PRUNE_FUNCTION = "audit_prune_through(integer, bigint, text, text)"
PARTITION_FUNCTION = "audit_partition_ahead(integer)"
MIGRATIONS_TABLE = "django_migrations"
# Plain lower-case names only: the name is put into SQL as an identifier.
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleError(ValueError):
    """The role cannot be given the application's grants (a message for the operator)."""


def app_role_grants(connection: BaseDatabaseWrapper, role: str) -> list[str]:
    """The statements that give `role` exactly the application's privileges (see the module).

    Each table's privileges are first revoked, so running them again (after a migration, or
    over a hand-made grant) leaves exactly this set.
    """
    if not ROLE_NAME.match(role):
        raise RoleError(f"{role!r} is not a plain role name (a-z, 0-9, _; up to 63 characters).")
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
        existing = set(connection.introspection.table_names(cursor))
        tables = sorted(
            name
            for name in connection.introspection.django_table_names(only_existing=True)
            if name in existing
        )
        sequences = sorted(
            {
                sequence["name"]
                for table in tables
                for sequence in connection.introspection.get_sequences(cursor, table)
            }
        )
    if not set(AUDIT_TABLES) <= set(tables):
        raise RoleError("The audit tables do not exist yet: run `manage.py migrate` first.")
    r = q(role)
    everything = [*tables, *([MIGRATIONS_TABLE] if MIGRATIONS_TABLE in existing else [])]
    others = [t for t in tables if t not in (*AUDIT_TABLES, PRUNE_TABLE)]
    statements = [
        f"GRANT CONNECT ON DATABASE {q(database)} TO {r}",
        f"GRANT USAGE ON SCHEMA {q(schema)} TO {r}",
        # Revoking a table's privileges revokes its column privileges too: a clean slate.
        f"REVOKE ALL ON TABLE {_names(q, everything)} FROM {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {_names(q, others)} TO {r}",
        f"GRANT SELECT, INSERT ON TABLE {_names(q, AUDIT_TABLES)} TO {r}",
        f"GRANT UPDATE ({q('seq')}, {q('mac')}) ON TABLE {q(HEAD_TABLE)} TO {r}",
    ]
    if PRUNE_TABLE in tables:
        statements += [
            f"GRANT SELECT ON TABLE {q(PRUNE_TABLE)} TO {r}",
            f"GRANT EXECUTE ON FUNCTION {PRUNE_FUNCTION} TO {r}",
        ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [PARTITION_FUNCTION])
        (partitioned,) = cursor.fetchone()
    if partitioned:
        statements.append(f"GRANT EXECUTE ON FUNCTION {PARTITION_FUNCTION} TO {r}")
    if MIGRATIONS_TABLE in existing:
        statements.append(f"GRANT SELECT ON TABLE {q(MIGRATIONS_TABLE)} TO {r}")
    if sequences:
        statements.append(f"GRANT USAGE, SELECT ON SEQUENCE {_names(q, sequences)} TO {r}")
    return statements


def _names(quote, names) -> str:
    return ", ".join(quote(name) for name in names)


@dataclass(frozen=True)
class RoleFacts:
    """What a role may do to the audit tables (PostgreSQL)."""

    role: str
    exists: bool
    is_superuser: bool = False
    # The audit tables it owns, or whose owner it can become (SET ROLE).
    owns: tuple[str, ...] = ()
    # It owns their schema (or can become its owner), whose owner may drop them.
    owns_schema: bool = False
    # Privileges on the audit tables beyond the application's: ("audit_accesslogentry", "DELETE").
    excess: tuple[tuple[str, str], ...] = ()


# What the application's role must never hold on each audit table (UPDATE of the head is its own,
# column by column, and guarded by the trigger; a table-wide UPDATE there is not needed).
_FORBIDDEN = [
    *((LOG_TABLE, p) for p in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")),
    *((HEAD_TABLE, p) for p in ("DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")),
    *(
        (PRUNE_TABLE, p)
        for p in ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")
    ),
]


def role_facts(connection: BaseDatabaseWrapper, role: str | None = None) -> RoleFacts:
    """What `role` (default: the connected role) may do to the audit tables, in three queries."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolname, rolsuper FROM pg_roles WHERE rolname = COALESCE(%s, current_user)",
            [role],
        )
        found = cursor.fetchone()
        if found is None:
            return RoleFacts(role or "", exists=False)
        name, is_superuser = found
        cursor.execute(
            "SELECT c.relname, pg_has_role(%s, c.relowner, 'MEMBER'), "
            "pg_has_role(%s, n.nspowner, 'MEMBER') "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.oid IN (to_regclass(%s), to_regclass(%s)) ORDER BY c.relname",
            [name, name, *AUDIT_TABLES],
        )
        tables = cursor.fetchall()
        pairs = ", ".join(["(%s, %s)"] * len(_FORBIDDEN))
        cursor.execute(
            f"SELECT t, p FROM (VALUES {pairs}) AS x(t, p) "  # noqa: S608 - placeholders only
            "WHERE to_regclass(t) IS NOT NULL AND has_table_privilege(%s, to_regclass(t), p)",
            [value for pair in _FORBIDDEN for value in pair] + [name],
        )
        excess = cursor.fetchall()
    return RoleFacts(
        role=name,
        exists=True,
        is_superuser=bool(is_superuser),
        owns=tuple(table for table, owns_table, _ in tables if owns_table),
        owns_schema=any(owns_schema for _, _, owns_schema in tables),
        excess=tuple((table, privilege) for table, privilege in excess),
    )
