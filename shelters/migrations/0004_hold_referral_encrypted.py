# Hold.referral was stored in clear (issue 9, hole 8): it becomes an encrypted field, sealed under
# the client's key when the hold names a client, else under a data subject of the hold's own
# (kind "referral"). Existing rows, live and in the history table, are sealed here; the history
# rows of a hold take the subject of their live hold.
#
# Steps: add `subject` (nullable) and a temporary binary column, seal every note into it, drop the
# clear column, give the sealed one its name and its final type, make `subject` required.
# The data step needs the vault's keys (PRZYSTAN_KEKS) only when there are holds to seal.

import django.db.models.deletion
from django.db import migrations, models

import privacy.fields

LABEL = "hold.referral"


def _field():
    return privacy.fields.EncryptedTextField(label=LABEL, blank=True, max_length=200)


def seal(apps, schema_editor):
    from privacy import vault

    Hold = apps.get_model("shelters", "Hold")
    HistoricalHold = apps.get_model("shelters", "HistoricalHold")
    field = _field()
    subjects = {}
    for hold in Hold.objects.order_by("pk"):
        subject_id = hold.client_id or vault.subject_create(kind="referral").pk
        subjects[hold.pk] = subject_id
        sealed = vault.encrypt_value(
            field.encode(hold.referral or ""), label=LABEL, subject_id=subject_id
        )
        Hold.objects.filter(pk=hold.pk).update(subject_id=subject_id, referral_sealed=sealed)
    for row in HistoricalHold.objects.order_by("history_id"):
        subject_id = subjects.get(row.id) or row.client_id
        if subject_id is None:
            # A history row of a hold that no longer exists (holds are never deleted, but a
            # hand-edited database may differ): a subject of its own keeps the note sealed.
            subject_id = vault.subject_create(kind="referral").pk
        sealed = vault.encrypt_value(
            field.encode(row.referral or ""), label=LABEL, subject_id=subject_id
        )
        HistoricalHold.objects.filter(history_id=row.history_id).update(
            subject_id=subject_id, referral_sealed=sealed
        )


def unseal(apps, schema_editor):
    from privacy import vault

    field = _field()
    for name, key in (("Hold", "pk"), ("HistoricalHold", "history_id")):
        model = apps.get_model("shelters", name)
        for row in model.objects.order_by(key):
            plaintext = vault.decrypt_value(
                bytes(row.referral_sealed), label=LABEL, subject_id=row.subject_id
            )
            text = "" if plaintext is vault.ERASED_KEY else (field.decode(plaintext) or "")
            model.objects.filter(**{key: getattr(row, key)}).update(referral=text)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0003_subject_kind_referral"),
        ("shelters", "0003_household_rooms"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="hold", name="shelters_hold_for_someone"),
        migrations.AddField(
            model_name="hold",
            name="subject",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="privacy.subject",
            ),
        ),
        migrations.AddField(
            model_name="historicalhold",
            name="subject",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="privacy.subject",
            ),
        ),
        migrations.AddField(
            model_name="hold", name="referral_sealed", field=models.BinaryField(null=True)
        ),
        migrations.AddField(
            model_name="historicalhold",
            name="referral_sealed",
            field=models.BinaryField(null=True),
        ),
        migrations.RunPython(seal, unseal, elidable=False),
        migrations.RemoveField(model_name="hold", name="referral"),
        migrations.RemoveField(model_name="historicalhold", name="referral"),
        migrations.RenameField(model_name="hold", old_name="referral_sealed", new_name="referral"),
        migrations.RenameField(
            model_name="historicalhold", old_name="referral_sealed", new_name="referral"
        ),
        # Required first as a plain binary column (every row is sealed by now), then typed as
        # the encrypted field: SQLite would otherwise ask the encrypted field for a default.
        migrations.AlterField(model_name="hold", name="referral", field=models.BinaryField()),
        migrations.AlterField(
            model_name="historicalhold", name="referral", field=models.BinaryField()
        ),
        migrations.AlterField(
            model_name="hold",
            name="referral",
            field=privacy.fields.EncryptedTextField(
                blank=True, label=LABEL, max_length=200, verbose_name="referral"
            ),
        ),
        migrations.AlterField(
            model_name="historicalhold",
            name="referral",
            field=privacy.fields.EncryptedTextField(
                blank=True, label=LABEL, max_length=200, verbose_name="referral"
            ),
        ),
        migrations.AlterField(
            model_name="hold",
            name="subject",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="privacy.subject",
            ),
        ),
        migrations.AddConstraint(
            model_name="hold",
            constraint=models.CheckConstraint(
                condition=models.Q(("client__isnull", True), ("subject", models.F("client")), _connector="OR"),
                name="shelters_hold_subject",
            ),
        ),
    ]
