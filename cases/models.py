import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from cases.pesel import validate_pesel
from privacy import blind
from privacy.fields import (
    ERASED,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedTextField,
    VaultQuerySet,
)
from privacy.models import Subject
from privacy.vault import SubjectErased

BLIND_INDEX_FIELDS = ["pesel_bidx", "name_bidx", "surname_birth_bidx"]


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NOT_KNOWN = "not_known", _("Not known")


class Client(models.Model):
    """A person the foundation serves (podopieczny), and a data subject of the vault.

    The identity is encrypted under the person's own key. Only what reports need stays in clear:
    year of birth, sex, the responsible municipality and dates. URLs carry the subject's UUID.
    """

    subject = models.OneToOneField(
        Subject, primary_key=True, on_delete=models.PROTECT, related_name="client"
    )
    first_name = EncryptedCharField(_("first name"), label="client.first_name", max_length=100)
    surname = EncryptedCharField(_("surname"), label="client.surname", max_length=100)
    pesel = EncryptedCharField(
        _("PESEL"), label="client.pesel", max_length=11, blank=True, validators=[validate_pesel]
    )
    birth_date = EncryptedDateField(
        _("date of birth"), label="client.birth_date", null=True, blank=True
    )
    phone = EncryptedCharField(_("phone"), label="client.phone", max_length=40, blank=True)
    email = EncryptedCharField(_("e-mail"), label="client.email", max_length=254, blank=True)
    contact_note = EncryptedTextField(
        _("how to reach"), label="client.contact_note", blank=True, max_length=2000
    )

    # In clear, for statistics: not identifying on their own.
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.NOT_KNOWN)
    municipality_code = models.CharField(_("municipality (TERYT code)"), max_length=7, blank=True)
    registered_on = models.DateField(_("registered on"), default=datetime.date.today)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    # Blind indexes (truncated HMACs); cleared on erasure; never copied to history.
    pesel_bidx = models.IntegerField(null=True, db_index=True, editable=False)
    name_bidx = models.IntegerField(null=True, db_index=True, editable=False)
    surname_birth_bidx = models.IntegerField(null=True, db_index=True, editable=False)

    BLIND_INDEX_FIELDS = BLIND_INDEX_FIELDS
    objects = VaultQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=BLIND_INDEX_FIELDS)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["-registered_on"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.surname}".strip()

    def save(self, *args, **kwargs):
        # The indexes are an invariant of the row: computed from the plaintext on every save.
        self.refresh_blind_indexes()
        if isinstance(self.birth_date, datetime.date):
            self.birth_year = self.birth_date.year
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        """First name and the initial of the surname: what a bed board shows."""
        surname = str(self.surname)
        return f"{self.first_name} {surname[:1]}." if surname else str(self.first_name)

    @property
    def is_erased(self) -> bool:
        return self.subject.is_erased

    def refresh_blind_indexes(self) -> None:
        # An erased person has no plaintext to index, and nothing of theirs may be written.
        if ERASED in (self.first_name, self.surname, self.pesel, self.birth_date):
            raise SubjectErased(str(self.pk))
        birth = self.birth_date.isoformat() if isinstance(self.birth_date, datetime.date) else ""
        self.pesel_bidx = blind.index_value("client.pesel", self.pesel or "")
        self.name_bidx = blind.index_value(
            "client.surname+first_name", self.surname, self.first_name
        )
        self.surname_birth_bidx = blind.index_value(
            "client.surname+birth_date", self.surname, birth
        )


class ClientUserObjectPermission(UserObjectPermissionBase):
    """Direct per-client permissions of a user (guardian), e.g. a social worker's caseload."""

    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)


class ClientGroupObjectPermission(GroupObjectPermissionBase):
    """Direct per-client permissions of a group (guardian), e.g. a team's caseload."""

    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)
