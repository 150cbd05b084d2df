"""Give the application's PostgreSQL role exactly its privileges (as the owner, after migrate)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from audit.dbroles import AUDIT_TABLES, RoleError, app_role_grants, role_facts


class Command(BaseCommand):
    help = (
        "Grant ROLE what the application needs and no more: read and write on its tables, "
        "SELECT and INSERT only on the access log (docs/privacy.md, 'Database roles'). "
        "Run it as the tables' owner after every migrate."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the existing role the application connects as")
        parser.add_argument(
            "--sql", action="store_true", help="print the statements instead of running them"
        )

    def handle(self, *args, role, sql=False, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are PostgreSQL's; this database has none.")
        facts = role_facts(connection, role)
        # Each refusal names the reason: the grants would hide nothing from such a role.
        if not facts.exists:
            raise CommandError(
                f"There is no role {role!r}: create it first (CREATE ROLE {role} LOGIN PASSWORD …)."
            )
        if facts.is_superuser:
            raise CommandError(f"{role} is a superuser: no grant can hold it back.")
        if facts.owns or facts.owns_schema:
            raise CommandError(
                f"{role} owns the audit tables or their schema: migrate as the owner and run "
                "the application as another role."
            )
        try:
            statements = app_role_grants(connection, role)
        except RoleError as error:
            raise CommandError(str(error)) from None
        if sql:
            self.stdout.write("BEGIN;\n" + "".join(f"{s};\n" for s in statements) + "COMMIT;")
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(
            f"Granted {role}: read and write on the application's tables; SELECT and INSERT "
            f"only on {', '.join(AUDIT_TABLES)} (and UPDATE of the chain head's seq and mac)."
        )
