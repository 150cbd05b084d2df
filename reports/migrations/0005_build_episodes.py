"""The episodes of the stays already stored (reports.Episode), built once."""

from django.db import migrations


def build(apps, schema_editor):
    # The same set-based rebuild as `manage.py rebuild_episodes` (it reads the stays as the
    # measures do, through the project's own models).
    from reports.episodes import episodes_rebuild

    episodes_rebuild(using=schema_editor.connection.alias)


def empty(apps, schema_editor):
    schema_editor.execute("DELETE FROM reports_episode")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_episode"),
        ("shelters", "0007_stay_report_index"),
    ]

    operations = [migrations.RunPython(build, empty)]
