"""The access log becomes several chains, each with its own head (audit/models.py, services.py).

Every existing entry becomes chain 0, sealed as before (the MAC covers `chain` only when it is
not 0: audit/chain.py), so the log verifies across the change; the one chain head (id 1) becomes
chain 0's head (id 0); prune points name their chain (0 for those written before). The other
chains' heads are made by the first appends that need them.

On PostgreSQL (run as the tables' owner, like every migration):

- the partitioned log's unique key becomes `(chain, seq, at)` (it was `(seq, at)`: a unique key
  of a partitioned table must hold the partition key); Django's state says `(chain, seq)`, as
  SQLite has it;
- the head's trigger lets a head advance only over entries of its own chain, all there, to an
  entry of its chain that exists with that MAC (as 0005 did for the one chain); a new trigger
  lets a head be created only at the start of its chain (seq 0, the genesis MAC): the
  application's role may insert heads (appends create them), never one naming entries;
- the row trigger refusing deletions lets an entry go only behind its own chain's newest prune
  point;
- `audit_prune_through(chain, seq, mac, anchor)` replaces `audit_prune_through(seq, mac,
  anchor)`: the same checks and floor (0006, 0007), for one chain; a monthly partition is
  dropped only when every entry in it, of every chain, lies behind its chain's prune point.
  Run `manage.py grant_app_role ROLE` after this migration (as after every one): the
  application's role is given EXECUTE on the new function.
"""

from django.db import migrations, models

# The same floor as 0006 and 0007: no entry younger than this ever goes.
PRUNE_FLOOR_DAYS = 365


class OnlyElsewhereThanPostgres(migrations.operations.base.Operation):
    """`operation` in the state everywhere, in the database except on PostgreSQL (SQL below)."""

    def __init__(self, operation):
        self.operation = operation

    def state_forwards(self, app_label, state):
        self.operation.state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"{self.operation.describe()} (PostgreSQL: by SQL)"

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.operation], {})


FORWARD = """
ALTER TABLE audit_accesslogentry DROP CONSTRAINT audit_accesslogentry_seq_key;
ALTER TABLE audit_accesslogentry
    ADD CONSTRAINT audit_entry_chain_seq_unique UNIQUE (chain, seq, at);

CREATE OR REPLACE FUNCTION audit_chainhead_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.seq <= OLD.seq OR NOT EXISTS (
        SELECT 1 FROM audit_accesslogentry
        WHERE chain = NEW.id AND seq = NEW.seq AND mac = NEW.mac
    ) OR (
        SELECT COUNT(*) FROM audit_accesslogentry
        WHERE chain = NEW.id AND seq > OLD.seq AND seq <= NEW.seq
    ) <> NEW.seq - OLD.seq THEN
        RAISE EXCEPTION 'audit: the chain head may only advance to the next entry';
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION audit_chainhead_starts_at_genesis() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq <> 0 OR NEW.mac <> repeat('0', 64) THEN
        RAISE EXCEPTION 'audit: a chain head is created at the start of its chain';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_chainhead_starts_at_genesis
    BEFORE INSERT ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION audit_chainhead_starts_at_genesis();

CREATE OR REPLACE FUNCTION audit_delete_behind_prune_point() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.seq > COALESCE(
        (SELECT MAX(seq) FROM audit_prunepoint WHERE chain = OLD.chain), 0
    ) THEN
        RAISE EXCEPTION 'audit: DELETE on % refused: the access log is append-only', TG_TABLE_NAME;
    END IF;
    RETURN OLD;
END
$$;

DROP FUNCTION audit_prune_through(bigint, text, text);

CREATE FUNCTION audit_prune_through(p_chain integer, p_seq bigint, p_mac text, p_anchor text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp SET timezone = 'UTC' AS $$
DECLARE
    done bigint;
    doomed bigint;
    youngest timestamptz;
    cut_at timestamptz;
    part record;
    kept boolean;
BEGIN
    -- One prune at a time; appends go on (they take a chain head's lock, not this one).
    LOCK TABLE audit_prunepoint IN EXCLUSIVE MODE;
    SELECT COALESCE(MAX(seq), 0) INTO done FROM audit_prunepoint WHERE chain = p_chain;
    IF p_seq <= done THEN
        RAISE EXCEPTION 'audit: chain % of the access log is already pruned up to seq %',
            p_chain, done;
    END IF;
    SELECT at INTO cut_at FROM audit_accesslogentry
        WHERE chain = p_chain AND seq = p_seq AND mac = p_mac;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'audit: no entry % with that MAC in chain %: nothing is pruned',
            p_seq, p_chain;
    END IF;
    SELECT COUNT(*), MAX(at) INTO doomed, youngest
        FROM audit_accesslogentry WHERE chain = p_chain AND seq <= p_seq;
    IF youngest >= now() - make_interval(days => {floor}) THEN
        RAISE EXCEPTION 'audit: prune refused: entries younger than % days are never pruned', {floor};
    END IF;
    INSERT INTO audit_prunepoint (chain, seq, mac, anchor, pruned_at, entries)
        VALUES (p_chain, p_seq, p_mac, p_anchor, now(), doomed);
    -- Whole months: a monthly partition beginning no later than the pruned entry, ending before
    -- the floor (so none of its entries can be younger), none of whose entries, of any chain,
    -- lies beyond its chain's newest prune point (this one included): every row it holds is
    -- one the row path would delete. The default partition is never dropped.
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
            EXECUTE format(
                'SELECT EXISTS (SELECT 1 FROM %s e WHERE e.seq > COALESCE('
                '(SELECT MAX(p.seq) FROM audit_prunepoint p WHERE p.chain = e.chain), 0))',
                part.rel
            ) INTO kept;
            IF NOT kept THEN
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
    DELETE FROM audit_accesslogentry WHERE chain = p_chain AND seq <= p_seq;
    RETURN doomed;
END
$$;

REVOKE ALL ON FUNCTION audit_prune_through(integer, bigint, text, text) FROM PUBLIC;
"""

# The one chain head becomes chain 0's: its trigger refuses a change of id, so it is off for
# this one statement (the owner's right, inside the migration's transaction).
MOVE_HEAD_POSTGRES = """
ALTER TABLE audit_chainhead DISABLE TRIGGER audit_chainhead_forward_only;
UPDATE audit_chainhead SET id = 0 WHERE id = 1;
ALTER TABLE audit_chainhead ENABLE TRIGGER audit_chainhead_forward_only;
"""


def move_head(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(MOVE_HEAD_POSTGRES, params=None)
    else:
        schema_editor.execute("UPDATE audit_chainhead SET id = 0 WHERE id = 1", params=None)


def move_head_back(apps, schema_editor):
    """SQLite only (PostgreSQL refuses to go back, below): while there is one chain."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM audit_accesslogentry WHERE chain <> 0")
        (others,) = cursor.fetchone()
    if others:
        raise migrations.exceptions.IrreversibleError("The access log has more than one chain.")
    schema_editor.execute("DELETE FROM audit_chainhead WHERE id <> 0", params=None)
    schema_editor.execute("UPDATE audit_chainhead SET id = 1 WHERE id = 0", params=None)


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
        raise migrations.exceptions.IrreversibleError(
            "The access log stays in chains: restore the pre-upgrade backup to go back."
        )


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("audit", "0007_access_log_partitioned_by_month"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="chainhead",
            options={
                "verbose_name": "access-log chain head",
                "verbose_name_plural": "access-log chain heads",
            },
        ),
        migrations.AddField(
            model_name="accesslogentry",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="chain"),
        ),
        migrations.AddField(
            model_name="prunepoint",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="chain"),
        ),
        migrations.RemoveConstraint(
            model_name="chainhead",
            name="audit_chainhead_single",
        ),
        migrations.AlterField(
            model_name="chainhead",
            name="id",
            field=models.PositiveSmallIntegerField(
                default=0, editable=False, primary_key=True, serialize=False, verbose_name="chain"
            ),
        ),
        migrations.RunPython(move_head, move_head_back),
        migrations.AddConstraint(
            model_name="chainhead",
            constraint=models.CheckConstraint(
                condition=models.Q(("id__lt", 64)), name="audit_chainhead_in_range"
            ),
        ),
        OnlyElsewhereThanPostgres(
            migrations.AlterField(
                model_name="accesslogentry",
                name="seq",
                field=models.PositiveBigIntegerField(
                    editable=False, verbose_name="position in the chain"
                ),
            )
        ),
        migrations.AlterField(
            model_name="prunepoint",
            name="seq",
            field=models.PositiveBigIntegerField(verbose_name="pruned up to the position"),
        ),
        OnlyElsewhereThanPostgres(
            migrations.AddConstraint(
                model_name="accesslogentry",
                constraint=models.UniqueConstraint(
                    fields=("chain", "seq"), name="audit_entry_chain_seq_unique"
                ),
            )
        ),
        migrations.AddConstraint(
            model_name="accesslogentry",
            constraint=models.CheckConstraint(
                condition=models.Q(("chain__lt", 64)), name="audit_entry_chain_in_range"
            ),
        ),
        migrations.AddConstraint(
            model_name="prunepoint",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="audit_prune_chain_seq_unique"
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
