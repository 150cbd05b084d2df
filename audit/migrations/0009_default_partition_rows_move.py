"""On PostgreSQL a month's new partition takes its rows out of the default partition.

Before, `audit_partition_create` (0007) refused to make a month whose entries sat in the default
partition (the anchor timer had stopped for months): they stayed there for good, and a prune
could only delete them row by row. Now it moves them, in the caller's transaction, without a
single UPDATE or DELETE on the log (its triggers stay on):

1. lock the log (appends wait until the commit; making a partition locks it anyway) and detach
   the default partition, renamed;
2. create the month's partition, with its statement trigger, and a new empty default one;
3. insert every row of the old default partition, as it was (its id too), into the log: each goes
   to its partition, the month's or the new default; the count is checked;
4. drop the old default partition.

Rows are copied, never changed: their seq, MAC and chain stay as they were, so verification
passes as before. Without such rows the function is the same as 0007's.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION audit_partition_create(p_month timestamptz) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp SET timezone = 'UTC' AS $$
DECLARE
    lo timestamptz := date_trunc('month', p_month);
    hi timestamptz := date_trunc('month', p_month) + interval '1 month';
    name text := 'audit_accesslogentry_' || to_char(date_trunc('month', p_month), '"y"YYYY"m"MM');
    stranded boolean;
    columns text;
    kept bigint;
    moved bigint;
BEGIN
    IF to_regclass(name) IS NOT NULL THEN
        RETURN false;
    END IF;
    -- As CREATE TABLE ... PARTITION OF would, but before the look into the default partition:
    -- no append until the commit, so none lands there between the look, the copy and the drop.
    LOCK TABLE audit_accesslogentry IN ACCESS EXCLUSIVE MODE;
    SELECT EXISTS (
        SELECT 1 FROM audit_accesslogentry_default WHERE at >= lo AND at < hi
    ) INTO stranded;
    IF stranded THEN
        ALTER TABLE audit_accesslogentry DETACH PARTITION audit_accesslogentry_default;
        ALTER TABLE audit_accesslogentry_default RENAME TO audit_accesslogentry_default_moved;
    END IF;
    EXECUTE format(
        'CREATE TABLE %I PARTITION OF audit_accesslogentry FOR VALUES FROM (%L) TO (%L)',
        name, lo, hi
    );
    EXECUTE format(
        'CREATE TRIGGER audit_accesslogentry_append_only BEFORE UPDATE OR TRUNCATE ON %I '
        'FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()', name
    );
    IF NOT stranded THEN
        RETURN true;
    END IF;
    CREATE TABLE audit_accesslogentry_default PARTITION OF audit_accesslogentry DEFAULT;
    CREATE TRIGGER audit_accesslogentry_append_only BEFORE UPDATE OR TRUNCATE
        ON audit_accesslogentry_default FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
    -- The log's columns by name (a partition's order need not be the parent's).
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO columns
        FROM pg_attribute
        WHERE attrelid = 'audit_accesslogentry'::regclass AND attnum > 0 AND NOT attisdropped;
    SELECT COUNT(*) INTO kept FROM audit_accesslogentry_default_moved;
    EXECUTE format(
        'INSERT INTO audit_accesslogentry (%s) OVERRIDING SYSTEM VALUE '
        'SELECT %s FROM audit_accesslogentry_default_moved ORDER BY seq',
        columns, columns
    );
    GET DIAGNOSTICS moved = ROW_COUNT;
    IF moved <> kept THEN
        RAISE EXCEPTION 'audit: % of % entries of the default partition were moved', moved, kept;
    END IF;
    DROP TABLE audit_accesslogentry_default_moved;
    RETURN true;
END
$$;

REVOKE ALL ON FUNCTION audit_partition_create(timestamptz) FROM PUBLIC;
"""


def forward(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
    sql = FUNCTION.replace("{schema}", connection.ops.quote_name(schema))
    schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_access_log_chains")]

    # Backwards the function stays: it does what 0007's did, and moves rows 0007's refused.
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
