"""A test-only model with one encrypted field of each kind (installed by tests/settings.py)."""

from django.db import models

from privacy.fields import (
    EncryptedBooleanField,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedIntegerField,
    EncryptedJSONField,
    EncryptedTextField,
    VaultQuerySet,
)
from privacy.models import Subject


class Sample(models.Model):
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT)
    text = EncryptedTextField(label="sample.text", null=True, blank=True)
    short = EncryptedCharField(label="sample.short", max_length=20, null=True, blank=True)
    day = EncryptedDateField(label="sample.day", null=True, blank=True)
    number = EncryptedIntegerField(label="sample.number", null=True, blank=True)
    flag = EncryptedBooleanField(label="sample.flag", null=True, blank=True)
    data = EncryptedJSONField(label="sample.data", null=True, blank=True)
    other_text = EncryptedTextField(label="sample.other_text", blank=True)

    objects = VaultQuerySet.as_manager()

    def __str__(self) -> str:
        return f"sample {self.pk}"
