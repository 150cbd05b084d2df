"""Pruning the access log behind a signed anchor (audit/prune.py), and on PostgreSQL its one door.

The application's role still has no DELETE on the log (audit/dbroles.py). The only way it can
remove entries is `audit_prune_through(seq, mac, anchor)`, a SECURITY DEFINER function owned by
the tables' owner, which:

- prunes forward only (beyond the newest prune point), up to an entry that exists with that MAC;
- refuses when any entry it would delete is younger than PRUNE_FLOOR_DAYS by the database's own
  clock, whatever the application asks (the retention period is the DPO's, in a table the
  application's role may write, so the database keeps its own floor);
- records the prune point (with the signed anchor line, which only verification can check: the
  database has no key) before it deletes.

The log's statement trigger no longer covers DELETE; a row trigger refuses the deletion of any
entry beyond the newest prune point, whoever deletes (the owner too, unless it switches the
triggers off). Prune points are append-only like the log.
"""

from django.db import migrations, models

# The database never lets an entry younger than this go, even through the function.
PRUNE_FLOOR_DAYS = 365

FORWARD = """
DROP TRIGGER audit_accesslogentry_append_only ON audit_accesslogentry;

CREATE TRIGGER audit_accesslogentry_append_only
    BEFORE UPDATE OR TRUNCATE ON audit_accesslogentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE FUNCTION audit_delete_behind_prune_point() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.seq > COALESCE((SELECT MAX(seq) FROM audit_prunepoint), 0) THEN
        RAISE EXCEPTION 'audit: DELETE on % refused: the access log is append-only', TG_TABLE_NAME;
    END IF;
    RETURN OLD;
END
$$;

CREATE TRIGGER audit_accesslogentry_pruned_only
    BEFORE DELETE ON audit_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION audit_delete_behind_prune_point();

CREATE TRIGGER audit_prunepoint_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_prunepoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE FUNCTION audit_prune_through(p_seq bigint, p_mac text, p_anchor text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    done bigint;
    doomed bigint;
    youngest timestamptz;
BEGIN
    -- One prune at a time; appends go on (they take the chain head's lock, not this one).
    LOCK TABLE audit_prunepoint IN EXCLUSIVE MODE;
    SELECT COALESCE(MAX(seq), 0) INTO done FROM audit_prunepoint;
    IF p_seq <= done THEN
        RAISE EXCEPTION 'audit: the access log is already pruned up to seq %', done;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM audit_accesslogentry WHERE seq = p_seq AND mac = p_mac) THEN
        RAISE EXCEPTION 'audit: no entry % with that MAC: nothing is pruned', p_seq;
    END IF;
    SELECT COUNT(*), MAX(at) INTO doomed, youngest
        FROM audit_accesslogentry WHERE seq <= p_seq;
    IF youngest >= now() - make_interval(days => {floor}) THEN
        RAISE EXCEPTION 'audit: prune refused: entries younger than % days are never pruned', {floor};
    END IF;
    INSERT INTO audit_prunepoint (seq, mac, anchor, pruned_at, entries)
        VALUES (p_seq, p_mac, p_anchor, now(), doomed);
    DELETE FROM audit_accesslogentry WHERE seq <= p_seq;
    RETURN doomed;
END
$$;

REVOKE ALL ON FUNCTION audit_prune_through(bigint, text, text) FROM PUBLIC;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS audit_prune_through(bigint, text, text);
DROP TRIGGER IF EXISTS audit_prunepoint_append_only ON audit_prunepoint;
DROP TRIGGER IF EXISTS audit_accesslogentry_pruned_only ON audit_accesslogentry;
DROP FUNCTION IF EXISTS audit_delete_behind_prune_point();
DROP TRIGGER IF EXISTS audit_accesslogentry_append_only ON audit_accesslogentry;
CREATE TRIGGER audit_accesslogentry_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_accesslogentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
    sql = FORWARD.replace("{schema}", connection.ops.quote_name(schema)).replace(
        "{floor}", str(PRUNE_FLOOR_DAYS)
    )
    schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_chain_head_advances_over_a_batch"),
    ]

    operations = [
        migrations.CreateModel(
            name="PrunePoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "seq",
                    models.PositiveBigIntegerField(
                        unique=True, verbose_name="pruned up to the position"
                    ),
                ),
                (
                    "mac",
                    models.CharField(max_length=64, verbose_name="MAC of the last pruned entry"),
                ),
                ("anchor", models.TextField(verbose_name="the signed anchor naming it")),
                ("pruned_at", models.DateTimeField(verbose_name="pruned at")),
                ("entries", models.PositiveBigIntegerField(verbose_name="entries deleted")),
            ],
            options={
                "verbose_name": "access-log prune point",
                "verbose_name_plural": "access-log prune points",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("seq__gte", 1)), name="audit_prune_seq_from_one"
                    )
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
