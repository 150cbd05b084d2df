# A data subject of kind "referral": the person a shelter's hold expects, before registration.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0002_erasure_reason_and_shredded_files"),
    ]

    operations = [
        migrations.AlterField(
            model_name="subject",
            name="kind",
            field=models.CharField(
                choices=[
                    ("client", "Client"),
                    ("household_member", "Household member"),
                    ("referral", "Person expected on a referral"),
                ],
                max_length=20,
            ),
        ),
    ]
