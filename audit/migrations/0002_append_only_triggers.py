"""On PostgreSQL the database itself keeps the access log append-only.

- audit_accesslogentry: every UPDATE, DELETE and TRUNCATE statement is refused.
- audit_chainhead: DELETE and TRUNCATE are refused; an UPDATE may only advance the head by one,
  to an entry that exists with that MAC (so the head cannot be rewound to hide truncation).

The triggers are ordinary ones, so `session_replication_role = replica` (superuser only) skips
them: that is how `flush` empties the tables (audit/management/commands/flush.py) and how tests
tamper with rows. SQLite (the demo) relies on the model's refusals and on verification.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit: % on % refused: the access log is append-only', TG_OP, TG_TABLE_NAME;
END
$$;

CREATE TRIGGER audit_accesslogentry_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_accesslogentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_chainhead_never_removed
    BEFORE DELETE OR TRUNCATE ON audit_chainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE FUNCTION audit_chainhead_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 OR NOT EXISTS (
        SELECT 1 FROM audit_accesslogentry WHERE seq = NEW.seq AND mac = NEW.mac
    ) THEN
        RAISE EXCEPTION 'audit: the chain head may only advance to the next entry';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_chainhead_forward_only
    BEFORE UPDATE ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_forward_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_chainhead_forward_only ON audit_chainhead;
DROP FUNCTION IF EXISTS audit_chainhead_forward_only();
DROP TRIGGER IF EXISTS audit_chainhead_never_removed ON audit_chainhead;
DROP TRIGGER IF EXISTS audit_accesslogentry_append_only ON audit_accesslogentry;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(add_triggers, drop_triggers)]
