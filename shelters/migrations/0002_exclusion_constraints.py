"""On PostgreSQL the database itself forbids double-booking over time.

- a bed holds at most one stay at a time, and a client is in at most one bed at a time
  (exclusion constraints over [started_at, ended_at) ranges; an open stay runs to infinity);
- a bed has at most one hold at a time.

SQLite (the demo) has no exclusion constraints: there the partial unique indexes of 0001 keep one
open stay per bed and per client, and the services check overlaps under SQLite's write lock.
"""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE shelters_stay ADD CONSTRAINT shelters_stay_bed_no_overlap
    EXCLUDE USING gist (bed_id WITH =, tstzrange(started_at, ended_at, '[)') WITH &&);
ALTER TABLE shelters_stay ADD CONSTRAINT shelters_stay_client_no_overlap
    EXCLUDE USING gist (client_id WITH =, tstzrange(started_at, ended_at, '[)') WITH &&);
ALTER TABLE shelters_hold ADD CONSTRAINT shelters_hold_bed_no_overlap
    EXCLUDE USING gist (bed_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&);
"""

BACKWARD = """
ALTER TABLE shelters_hold DROP CONSTRAINT IF EXISTS shelters_hold_bed_no_overlap;
ALTER TABLE shelters_stay DROP CONSTRAINT IF EXISTS shelters_stay_client_no_overlap;
ALTER TABLE shelters_stay DROP CONSTRAINT IF EXISTS shelters_stay_bed_no_overlap;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("shelters", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
