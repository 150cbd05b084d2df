"""On PostgreSQL the chain head may advance over a batch of entries written under one lock.

`audit.services.access_log_write_many` (a page listing people logs each person) inserts N
entries, then moves the head once. The head may still only move forward, to an entry that
exists with that MAC, and only when every entry between the old head and the new one exists:
no gap can be hidden behind a head that jumped.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION audit_chainhead_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.seq <= OLD.seq OR NOT EXISTS (
        SELECT 1 FROM audit_accesslogentry WHERE seq = NEW.seq AND mac = NEW.mac
    ) OR (
        SELECT COUNT(*) FROM audit_accesslogentry WHERE seq > OLD.seq AND seq <= NEW.seq
    ) <> NEW.seq - OLD.seq THEN
        RAISE EXCEPTION 'audit: the chain head may only advance to the next entry';
    END IF;
    RETURN NEW;
END
$$;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION audit_chainhead_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 OR NOT EXISTS (
        SELECT 1 FROM audit_accesslogentry WHERE seq = NEW.seq AND mac = NEW.mac
    ) THEN
        RAISE EXCEPTION 'audit: the chain head may only advance to the next entry';
    END IF;
    RETURN NEW;
END
$$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_access_log_way")]

    operations = [migrations.RunPython(forward, backward)]
