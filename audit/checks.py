"""System checks of the audit trail: the anchors' syslog address, and the database role.

The role check (PostgreSQL only, with `check --deploy`) warns when the application connects as a
role that could cut the access log unseen: a superuser (audit.W001), the owner of the audit
tables or of their schema (audit.W002), or a role granted more than SELECT and INSERT on the log
(audit.W003). See audit/dbroles.py and docs/privacy.md ("Database roles").
"""

from django.conf import settings
from django.core.checks import Error, Info, Tags, Warning, register
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from audit.anchors import syslog_address
from audit.dbroles import role_facts

ROLE_HINT = (
    "Run the application as a role that owns nothing: migrate as the owner, then "
    "`manage.py grant_app_role ROLE` and connect as ROLE (docs/privacy.md, 'Database roles')."
)


@register()
def check_anchor_syslog(app_configs=None, **kwargs):
    """A malformed PRZYSTAN_ANCHOR_SYSLOG stops every command, not just the next anchoring."""
    address = settings.PRZYSTAN_ANCHOR_SYSLOG
    if not address:
        return []
    try:
        syslog_address(address)
    except ValueError as error:
        return [
            Error(
                f"PRZYSTAN_ANCHOR_SYSLOG: {error}.",
                hint="Give /dev/log (the local syslog) or host:port of a UDP syslog server.",
                id="audit.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_database_role(app_configs=None, **kwargs):
    """Warn when the application's database role could change or remove access-log rows.

    A deployment check (`check --deploy`, which operators run as the application's role), not
    tagged `database`: Django skips those unless a database is named, and `migrate`, which runs
    them, connects as the owner on purpose.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return []
    try:
        facts = role_facts(connection)
    except DatabaseError as error:
        # No database here (a build step): say so, without failing a WARNING-level check.
        return [
            Info(
                f"The database role was not checked: {type(error).__name__} while connecting.",
                id="audit.I001",
            )
        ]
    if facts.is_superuser:
        return [
            Warning(
                f"The application connects to PostgreSQL as {facts.role}, a superuser: it can "
                "switch the access log's triggers off, delete its newest rows and rewind its head.",
                hint=ROLE_HINT,
                id="audit.W001",
            )
        ]
    if facts.owns or facts.owns_schema:
        owned = ", ".join([*facts.owns, *(["their schema"] if facts.owns_schema else [])])
        return [
            Warning(
                f"The application connects to PostgreSQL as {facts.role}, which owns the audit "
                f"tables' objects ({owned}): it can ALTER TABLE … DISABLE TRIGGER, or drop them.",
                hint=ROLE_HINT,
                id="audit.W002",
            )
        ]
    if facts.excess:
        rights = ", ".join(f"{privilege} on {table}" for table, privilege in facts.excess)
        return [
            Warning(
                f"The application's database role {facts.role} holds {rights}: the access log "
                "must be SELECT and INSERT only.",
                hint="Run `manage.py grant_app_role ROLE` again as the owner: it revokes the rest.",
                id="audit.W003",
            )
        ]
    return []
