"""The episodes built once more where reports 0005 had to wait for the stays' stored end date."""

from django.db import migrations


def build(apps, schema_editor):
    from reports.episodes import episodes_rebuild

    Episode = apps.get_model("reports", "Episode")
    Stay = apps.get_model("shelters", "Stay")
    alias = schema_editor.connection.alias
    # Built already (reports 0005 ran on a database that had the column): nothing to do.
    if Episode.objects.using(alias).exists() or not Stay.objects.using(alias).exists():
        return
    episodes_rebuild(using=alias)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_build_episodes"),
        ("shelters", "0008_stay_ended_on"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
