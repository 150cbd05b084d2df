"""On PostgreSQL the access log is partitioned by month (docs/operations.md, "Partitioning").

`audit_accesslogentry` becomes a table `PARTITION BY RANGE (at)`: one partition a month (UTC),
`audit_accesslogentry_yYYYYmMM`, from the first entry's month to three months ahead, and a
default partition `audit_accesslogentry_default` so that an insert never fails. The rows are
copied in `seq` order, the old table dropped, the new one takes its name; its indexes, check
constraints and the actor's foreign key keep their names. Django's model state is unchanged
(SQLite, the demo, keeps one table).

Keys: a partitioned table's unique constraints must include the partition key, so the primary
key is `(id, at)` (Django still uses `id`, drawn from the table's identity sequence) and `seq`
is unique per partition only, `(seq, at)`. A second entry with a taken seq is kept out by the
chain head's lock and its trigger (the head advances only over entries that all exist,
counted: a duplicate makes the count wrong and the append is refused), and found by
verification; no longer by the index (docs/privacy.md).

Triggers: the row trigger refusing deletions beyond the prune point (0006) is defined on the
parent and cloned by PostgreSQL to every partition. Statement triggers are not cloned, so the
UPDATE/TRUNCATE refusal is created on the parent and on each partition, by
`audit_partition_create` (the owner's; not granted to anyone).

`audit_partition_ahead(months)` (SECURITY DEFINER, EXECUTE granted to the application's role
by grant_app_role) creates this month's and the next `months` months' partitions that do not
exist yet; `anchor_access_log` calls it. A month whose rows already sit in the default
partition (the timer stopped for months) is refused with a message: moving them is a
maintenance-window job.

`audit_prune_through` (0006) is extended: after recording the prune point it drops whole
monthly partitions that begin no later than the pruned entry, end before the database's
365-day floor and hold no entry beyond the prune point (every row of them is one the row path
would delete), then deletes the remaining rows up to the prune point by the row path (the row
trigger allows exactly those): the entries of the partly newer month go as before, so what is
left after a prune, and where verification starts, is the same with or without partitions.
"""

from django.db import migrations


# The same floor as audit_prune_through of 0006: no entry younger than this ever goes.
PRUNE_FLOOR_DAYS = 365
# Monthly partitions made ahead of time, by the migration and by the anchor timer.
MONTHS_AHEAD = 3

FUNCTIONS = """
CREATE FUNCTION audit_partition_create(p_month timestamptz) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp SET timezone = 'UTC' AS $$
DECLARE
    lo timestamptz := date_trunc('month', p_month);
    hi timestamptz := date_trunc('month', p_month) + interval '1 month';
    name text := 'audit_accesslogentry_' || to_char(date_trunc('month', p_month), '"y"YYYY"m"MM');
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN false;
    END IF;
    IF EXISTS (
        SELECT 1 FROM audit_accesslogentry_default WHERE at >= lo AND at < hi
    ) THEN
        RAISE EXCEPTION 'audit: entries of % sit in the default partition: move them to a new '
            'partition in a maintenance window (docs/operations.md)', to_char(lo, 'YYYY-MM');
    END IF;
    EXECUTE format(
        'CREATE TABLE %I PARTITION OF audit_accesslogentry FOR VALUES FROM (%L) TO (%L)',
        name, lo, hi
    );
    EXECUTE format(
        'CREATE TRIGGER audit_accesslogentry_append_only BEFORE UPDATE OR TRUNCATE ON %I '
        'FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()', name
    );
    RETURN true;
END
$$;

REVOKE ALL ON FUNCTION audit_partition_create(timestamptz) FROM PUBLIC;

CREATE FUNCTION audit_partition_ahead(p_months integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp SET timezone = 'UTC' AS $$
DECLARE
    made integer := 0;
BEGIN
    IF p_months < 0 OR p_months > 24 THEN
        RAISE EXCEPTION 'audit: partitions are made 0 to 24 months ahead, not %', p_months;
    END IF;
    FOR i IN 0..p_months LOOP
        IF audit_partition_create(date_trunc('month', now()) + make_interval(months => i)) THEN
            made := made + 1;
        END IF;
    END LOOP;
    RETURN made;
END
$$;

REVOKE ALL ON FUNCTION audit_partition_ahead(integer) FROM PUBLIC;

CREATE OR REPLACE FUNCTION audit_prune_through(p_seq bigint, p_mac text, p_anchor text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp SET timezone = 'UTC' AS $$
DECLARE
    done bigint;
    doomed bigint;
    youngest timestamptz;
    cut_at timestamptz;
    part record;
    youngest_seq bigint;
BEGIN
    -- One prune at a time; appends go on (they take the chain head's lock, not this one).
    LOCK TABLE audit_prunepoint IN EXCLUSIVE MODE;
    SELECT COALESCE(MAX(seq), 0) INTO done FROM audit_prunepoint;
    IF p_seq <= done THEN
        RAISE EXCEPTION 'audit: the access log is already pruned up to seq %', done;
    END IF;
    SELECT at INTO cut_at FROM audit_accesslogentry WHERE seq = p_seq AND mac = p_mac;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit: no entry % with that MAC: nothing is pruned', p_seq;
    END IF;
    SELECT COUNT(*), MAX(at) INTO doomed, youngest
        FROM audit_accesslogentry WHERE seq <= p_seq;
    IF youngest >= now() - make_interval(days => {floor}) THEN
        RAISE EXCEPTION 'audit: prune refused: entries younger than % days are never pruned', {floor};
    END IF;
    INSERT INTO audit_prunepoint (seq, mac, anchor, pruned_at, entries)
        VALUES (p_seq, p_mac, p_anchor, now(), doomed);
    -- Whole months: a monthly partition beginning no later than the pruned entry, ending before
    -- the floor (so none of its entries can be younger), none of whose entries lies beyond the
    -- prune point: every row it holds is one the DELETE below would remove. The default
    -- partition is never dropped.
    FOR part IN
        SELECT c.oid::regclass AS rel,
               substring(pg_get_expr(c.relpartbound, c.oid) FROM 'FROM \\(''([^'']+)''\\)')::timestamptz
                   AS lower_bound,
               substring(pg_get_expr(c.relpartbound, c.oid) FROM 'TO \\(''([^'']+)''\\)')::timestamptz
                   AS upper_bound
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit_accesslogentry'::regclass
          AND c.relname ~ '^audit_accesslogentry_y[0-9]{4}m[0-9]{2}$'
    LOOP
        IF part.lower_bound <= cut_at
           AND part.upper_bound <= now() - make_interval(days => {floor}) THEN
            EXECUTE format('SELECT COALESCE(MAX(seq), 0) FROM %s', part.rel) INTO youngest_seq;
            IF youngest_seq <= p_seq THEN
                BEGIN
                    EXECUTE format('DROP TABLE %s', part.rel);
                EXCEPTION WHEN object_in_use THEN
                    -- Rows written to it in this very transaction (pending trigger events):
                    -- the partition stays and its rows go by the DELETE below.
                    NULL;
                END;
            END IF;
        END IF;
    END LOOP;
    -- The rest (the partly newer month, the default partition) row by row.
    DELETE FROM audit_accesslogentry WHERE seq <= p_seq;
    RETURN doomed;
END
$$;
"""

PARTITION = """
LOCK TABLE audit_chainhead IN EXCLUSIVE MODE;
LOCK TABLE audit_accesslogentry IN ACCESS EXCLUSIVE MODE;

CREATE TABLE audit_accesslogentry_p (
    LIKE audit_accesslogentry INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY
) PARTITION BY RANGE (at);
ALTER TABLE audit_accesslogentry_p ADD PRIMARY KEY (id, at);
"""


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
        # The secondary indexes and the foreign keys, by name, to be made again on the new table.
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = 'audit_accesslogentry'::regclass "
            "AND NOT x.indisprimary AND NOT x.indisunique ORDER BY i.relname"
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'audit_accesslogentry'::regclass AND contype = 'f' ORDER BY conname"
        )
        foreign_keys = cursor.fetchall()
    q = connection.ops.quote_name
    run(PARTITION, params=None)
    run(
        "CREATE TABLE audit_accesslogentry_default PARTITION OF audit_accesslogentry_p DEFAULT",
        params=None,
    )
    # Monthly partitions from the first entry's month to MONTHS_AHEAD months ahead (UTC).
    run(
        "DO $$ DECLARE m timestamptz; BEGIN "
        "FOR m IN SELECT generate_series("
        "date_trunc('month', COALESCE((SELECT MIN(at) FROM audit_accesslogentry), now()) "
        "AT TIME ZONE 'UTC'), "
        f"date_trunc('month', now() AT TIME ZONE 'UTC') + interval '{MONTHS_AHEAD} months', "
        "interval '1 month') AT TIME ZONE 'UTC' LOOP "
        "EXECUTE format('CREATE TABLE %I PARTITION OF audit_accesslogentry_p "
        "FOR VALUES FROM (%L) TO (%L)', "
        "'audit_accesslogentry_' || to_char(m AT TIME ZONE 'UTC', '\"y\"YYYY\"m\"MM'), "
        "m, m + interval '1 month'); "
        "END LOOP; END $$",
        params=None,
    )
    run(
        "INSERT INTO audit_accesslogentry_p OVERRIDING SYSTEM VALUE "
        "SELECT * FROM audit_accesslogentry ORDER BY seq",
        params=None,
    )
    run(
        "SELECT setval(pg_get_serial_sequence('audit_accesslogentry_p', 'id'), "
        "COALESCE((SELECT MAX(id) FROM audit_accesslogentry), 0) + 1, false)",
        params=None,
    )
    run("DROP TABLE audit_accesslogentry", params=None)
    run("ALTER TABLE audit_accesslogentry_p RENAME TO audit_accesslogentry", params=None)
    run(
        "ALTER SEQUENCE audit_accesslogentry_p_id_seq RENAME TO audit_accesslogentry_id_seq",
        params=None,
    )
    run(
        "ALTER INDEX audit_accesslogentry_p_pkey RENAME TO audit_accesslogentry_pkey",
        params=None,
    )
    run(
        "ALTER TABLE audit_accesslogentry ADD CONSTRAINT audit_accesslogentry_seq_key "
        "UNIQUE (seq, at)",
        params=None,
    )
    for _name, definition in indexes:
        # The definition names the old table, whose name the new one now has.
        run(definition, params=None)
    for name, definition in foreign_keys:
        run(f"ALTER TABLE audit_accesslogentry ADD CONSTRAINT {q(name)} {definition}", params=None)
    run(
        "CREATE TRIGGER audit_accesslogentry_append_only BEFORE UPDATE OR TRUNCATE "
        "ON audit_accesslogentry FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change(); "
        "CREATE TRIGGER audit_accesslogentry_pruned_only BEFORE DELETE ON audit_accesslogentry "
        "FOR EACH ROW EXECUTE FUNCTION audit_delete_behind_prune_point()",
        params=None,
    )
    # The statement trigger on every partition (the default one too).
    run(
        "DO $$ DECLARE part regclass; BEGIN "
        "FOR part IN SELECT inhrelid::regclass FROM pg_inherits "
        "WHERE inhparent = 'audit_accesslogentry'::regclass LOOP "
        "EXECUTE format('CREATE TRIGGER audit_accesslogentry_append_only "
        "BEFORE UPDATE OR TRUNCATE ON %s FOR EACH STATEMENT "
        "EXECUTE FUNCTION audit_refuse_change()', part); "
        "END LOOP; END $$",
        params=None,
    )
    sql = FUNCTIONS.replace("{schema}", q(schema)).replace("{floor}", str(PRUNE_FLOOR_DAYS))
    run(sql, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        raise migrations.exceptions.IrreversibleError(
            "The access log stays partitioned: restore the pre-upgrade backup to go back."
        )


class Migration(migrations.Migration):
    # The table is swapped in one transaction; the log's writers wait on its lock.
    atomic = True

    dependencies = [("audit", "0006_access_log_prune_points")]

    operations = [migrations.RunPython(forward, backward)]
