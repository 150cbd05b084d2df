# Handover requests: the requester's reason (encrypted under the client's key) and a history.
# Referral.service: sealed under the client's key (it was stored in clear, in the live and the
# history table). Existing values are sealed in place by a data migration: a column is added,
# filled with each row's ciphertext, the clear column dropped and the new one renamed.
# Rows of an erased person (their key destroyed) get a value nobody can open, as erasure leaves
# every other field of theirs; old handover requests get an empty reason.

import os

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import privacy.fields

SERVICE_LABEL = "referral.service"
REASON_LABEL = "handover.reason"


def _seal(text: str, *, label: str, subject_id) -> bytes:
    """`text` sealed as EncryptedCharField would seal it, under the subject's key; for an erased
    subject, under a random key thrown away at once (it reads as erased, like the rest)."""
    from privacy import crypto, vault
    from privacy.fields import EncryptedCharField
    from privacy.models import DataKey

    plaintext = EncryptedCharField(label=label, max_length=2000).encode(text)
    try:
        return vault.encrypt_value(plaintext, label=label, subject_id=subject_id)
    except vault.SubjectErased:
        key_id = DataKey.objects.filter(subject_id=subject_id).values_list("pk", flat=True).get()
        return crypto.encrypt(
            plaintext, key=os.urandom(32), key_id=key_id, label=label, subject_id=subject_id
        )


def seal_existing(apps, schema_editor):
    for name in ("Referral", "HistoricalReferral"):
        model = apps.get_model("cases", name)
        pk = model._meta.pk.attname
        for row_id, client_id, service in model.objects.values_list(pk, "client_id", "service"):
            if client_id is None:
                continue
            sealed = _seal(service or "", label=SERVICE_LABEL, subject_id=client_id)
            model.objects.filter(**{pk: row_id}).update(service_sealed=sealed)
    requests = apps.get_model("cases", "HandoverRequest")
    for row_id, client_id in requests.objects.values_list("pk", "client_id"):
        sealed = _seal("", label=REASON_LABEL, subject_id=client_id)
        requests.objects.filter(pk=row_id).update(reason_sealed=sealed)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_pathway"),
        ("privacy", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="handoverrequest",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
        ),
        migrations.AlterField(
            model_name="handoverrequest",
            name="status",
            field=models.CharField(
                choices=[("open", "Waiting"), ("done", "Handed over"), ("refused", "Refused")],
                default="open",
                max_length=10,
                verbose_name="status",
            ),
        ),
        # Columns for the ciphertexts, filled below before the clear ones go.
        migrations.AddField(
            model_name="handoverrequest",
            name="reason_sealed",
            field=models.BinaryField(null=True),
        ),
        migrations.AddField(
            model_name="referral",
            name="service_sealed",
            field=models.BinaryField(null=True),
        ),
        migrations.AddField(
            model_name="historicalreferral",
            name="service_sealed",
            field=models.BinaryField(null=True),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="referral", name="service"),
        migrations.RemoveField(model_name="historicalreferral", name="service"),
        migrations.RenameField(
            model_name="referral", old_name="service_sealed", new_name="service"
        ),
        migrations.RenameField(
            model_name="historicalreferral", old_name="service_sealed", new_name="service"
        ),
        # The column becomes NOT NULL (every row has its ciphertext now); the state says
        # it is the encrypted field (whose own default could not be written by the schema
        # editor: an encrypted field takes ciphertext only).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="referral", name="service", field=models.BinaryField(default=b"")
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="referral",
                    name="service",
                    field=privacy.fields.EncryptedCharField(
                        label="referral.service",
                        max_length=200,
                        subject_field="client",
                        verbose_name="service",
                    ),
                ),
            ],
        ),
        # The column becomes NOT NULL (every row has its ciphertext now); the state says
        # it is the encrypted field (whose own default could not be written by the schema
        # editor: an encrypted field takes ciphertext only).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="historicalreferral",
                    name="service",
                    field=models.BinaryField(default=b""),
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="historicalreferral",
                    name="service",
                    field=privacy.fields.EncryptedCharField(
                        label="referral.service",
                        max_length=200,
                        subject_field="client",
                        verbose_name="service",
                    ),
                ),
            ],
        ),
        migrations.RenameField(
            model_name="handoverrequest", old_name="reason_sealed", new_name="reason"
        ),
        # The column becomes NOT NULL (every row has its ciphertext now); the state says
        # it is the encrypted field (whose own default could not be written by the schema
        # editor: an encrypted field takes ciphertext only).
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="handoverrequest",
                    name="reason",
                    field=models.BinaryField(default=b""),
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="handoverrequest",
                    name="reason",
                    field=privacy.fields.EncryptedTextField(
                        blank=True,
                        label="handover.reason",
                        max_length=2000,
                        subject_field="client",
                        verbose_name="why you need the file",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="HistoricalHandoverRequest",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("requested_at", models.DateTimeField(blank=True, editable=False)),
                (
                    "reason",
                    privacy.fields.EncryptedTextField(
                        blank=True,
                        label="handover.reason",
                        max_length=2000,
                        subject_field="client",
                        verbose_name="why you need the file",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Waiting"),
                            ("done", "Handed over"),
                            ("refused", "Refused"),
                        ],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                (
                    "decided_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="decided at"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                        max_length=1,
                    ),
                ),
                (
                    "client",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cases.client",
                        verbose_name="client",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical handover request",
                "verbose_name_plural": "historical handover requests",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
    ]
