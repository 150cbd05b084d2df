"""The episodes of the stays already stored (reports.Episode), built once."""

from django.db import migrations


def build(apps, schema_editor):
    # The same set-based rebuild as `manage.py rebuild_episodes` (it reads the stays as the
    # measures do, through the project's own models). Those models read the stays' stored end
    # date (shelters 0008), which a database migrated from scratch has not yet got here:
    # reports 0006 builds the episodes then.
    from reports.episodes import episodes_rebuild

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        columns = connection.introspection.get_table_description(cursor, "shelters_stay")
    if "ended_on" not in {column.name for column in columns}:
        return

    episodes_rebuild(using=schema_editor.connection.alias)


def empty(apps, schema_editor):
    schema_editor.execute("DELETE FROM reports_episode")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_episode"),
        ("shelters", "0007_stay_report_index"),
    ]

    operations = [migrations.RunPython(build, empty)]
