import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Subject(models.Model):
    """A data subject: a person whose personal data the vault holds under their own data key.

    Clients are subjects; later, each child and household member too. Rows with personal data
    point here (`subject` foreign key) so their encrypted fields know whose key to use.
    """

    class Kind(models.TextChoices):
        CLIENT = "client", _("Client")
        HOUSEHOLD_MEMBER = "household_member", _("Household member")
        # Someone expected on a referral (a shelter's hold) before they are registered.
        REFERRAL = "referral", _("Person expected on a referral")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data subject")
        verbose_name_plural = _("data subjects")

    def __str__(self) -> str:
        return str(self.id)

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class DataKey(models.Model):
    """A subject's 256-bit data key, stored only wrapped by a KEK (AES-GCM, subject-bound).

    Erasure overwrites `wrapped` and sets `destroyed_at`: every ciphertext under the key, in live
    and history tables and in exports, becomes unreadable at once. The row itself stays, so its id
    is never reused by another subject's key.
    """

    subject = models.OneToOneField(Subject, on_delete=models.PROTECT, related_name="data_key")
    kek_id = models.CharField(max_length=32, db_index=True)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")

    def __str__(self) -> str:
        return f"data key {self.pk}"


class VaultEpoch(models.Model):
    """One row: a counter every erasure moves, in the erasure's own transaction.

    Each app server caches unwrapped data keys for a while (privacy/vault.py). Reading this
    counter, one primary-key lookup, tells a server whether anyone, on any server, erased
    somebody since it last looked: if the counter moved, it forgets every cached key.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("erasure epoch")
        verbose_name_plural = _("erasure epoch")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="vault_epoch_one_row")]

    def __str__(self) -> str:
        return f"erasure epoch {self.value}"


class ErasureReason(models.TextChoices):
    """Why a subject was erased: a code from a closed list, never free text (it could name the
    person, and it outlives their data)."""

    REQUEST = "request", _("Request of the person (art. 17(1)(a) GDPR)")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn (art. 17(1)(b) GDPR)")
    UNLAWFUL = "unlawful", _("Unlawful processing (art. 17(1)(d) GDPR)")
    RETENTION = "retention", _("Retention period expired")
    OTHER = "other", _("Other (give a reference)")
    # Set by the system only: `manage.py reapply_erasures` after a restore from backup.
    REAPPLIED = "reapplied", _("Erased again after a restore from backup")


class ErasureRecord(models.Model):
    """The erasure ledger: which subject was erased, on which day, why (a code), under which
    reference, by whom, and with whose erasure. Nothing that names the person.

    The subject id and the day are also appended to a file outside the database
    (PRZYSTAN_ERASURE_LEDGER), so that after a restore from backup `manage.py reapply_erasures`
    can erase again what the backup brought back.
    """

    subject_id = models.UUIDField(unique=True)
    erased_on = models.DateField()
    reason = models.CharField(_("reason"), max_length=20, choices=ErasureReason.choices, blank=True)
    # A short reference the DPO gives (a letter's sign, a case number); never a name.
    reference = models.CharField(_("reference"), max_length=32, blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The subject whose erasure this one went with (a child erased with the parent), if any.
    erased_with = models.UUIDField(null=True, blank=True)

    class Meta:
        verbose_name = _("erasure record")
        verbose_name_plural = _("erasure ledger")

    def __str__(self) -> str:
        return f"{self.subject_id} {self.erased_on}"


class EncryptedFile(models.Model):
    """An uploaded file stored on disk encrypted under its subject's key, under a generated name."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="files")
    label = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set on erasure: the bytes on disk are deleted, the row stays (documents and signed consent
    # forms keep pointing at it), so no app needs to know how files are erased.
    shredded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return str(self.id)


class ChildrenInExport(models.TextChoices):
    """What of the children's (household members') data goes with a parent's export."""

    NONE = "none", _("Nothing of the children")
    NAMES = "names", _("Their names and dates of birth")
    EVERYTHING = "everything", _("Everything the system holds on them")


class StaffNaming(models.TextChoices):
    """How the export names the staff who read or changed the data."""

    ROLE = "role", _("By role and organisation")
    NAME = "name", _("By name, role and organisation")


class SubjectExport(models.Model):
    """A person's export package (GDPR art. 15 and 20): an encrypted ZIP waiting for download.

    The file lives in PRZYSTAN_EXPORT_DIR under a random name; its password was shown once to
    the DPO and is stored nowhere. The file is deleted on download or when `expires_at` passes
    (`deleted_at` set); the row stays as the record of what was exported, when and by whom.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="exports")
    children = models.CharField(_("children's data"), max_length=12, choices=ChildrenInExport)
    staff_naming = models.CharField(_("staff named"), max_length=8, choices=StaffNaming)
    storage_name = models.CharField(max_length=64, unique=True)
    size = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("export package")
        verbose_name_plural = _("export packages")

    def __str__(self) -> str:
        return str(self.id)

    @property
    def is_available(self) -> bool:
        return self.deleted_at is None


class RefusedRequest(models.TextChoices):
    """What the person asked for that the DPO refused."""

    ERASURE = "erasure", _("Erasure (art. 17 GDPR)")
    OBJECTION = "objection", _("Objection to processing (art. 21 GDPR)")


class RefusalGround(models.TextChoices):
    """Why a request was refused: a code from a closed list (art. 17(3) and 21(1) GDPR)."""

    LEGAL_OBLIGATION = (
        "legal_obligation",
        _("Legal obligation to keep the records (social assistance, art. 17(3)(b) GDPR)"),
    )
    PUBLIC_TASK = "public_task", _("A task in the public interest (art. 17(3)(b) GDPR)")
    PUBLIC_HEALTH = "public_health", _("Public health (art. 17(3)(c) GDPR)")
    ARCHIVING = "archiving", _("Archiving or statistics (art. 17(3)(d) GDPR)")
    LEGAL_CLAIMS = "legal_claims", _("Legal claims (art. 17(3)(e) GDPR)")
    COMPELLING_GROUNDS = (
        "compelling_grounds",
        _("Compelling legitimate grounds that override the objection (art. 21(1) GDPR)"),
    )


class RequestRefusal(models.Model):
    """A request of a person (erasure, objection) the DPO refused, on a ground of the closed list,
    with the day it is looked at again. Nothing that names anyone: a code and a reference."""

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="refusals")
    request = models.CharField(_("request"), max_length=12, choices=RefusedRequest)
    ground = models.CharField(_("ground"), max_length=24, choices=RefusalGround)
    # A short sign of the letter or decision, as for an erasure (privacy.services._clean_reason).
    reference = models.CharField(_("reference"), max_length=32, blank=True)
    refused_on = models.DateField(_("refused on"))
    review_on = models.DateField(_("review on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Set when the DPO has looked at it again (and recorded a new refusal, or let it go).
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("refused request")
        verbose_name_plural = _("refused requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_on__gt=models.F("refused_on")),
                name="privacy_refusal_review_after_refusal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.ground} {self.refused_on}"


class RetentionPeriod(models.Model):
    """How long one kind of record is kept, and the legal basis the DPO gives for the period.

    One row per kind (defaults in migration 0004, chosen in docs/privacy.md); the DPO changes
    them, each change kept in the history. `manage.py apply_retention` reads them.
    """

    class Kind(models.TextChoices):
        CASE_FILE = "case_file", _("Case file (after the case is closed)")
        STAY = "stay", _("Shelter stays (after the check-out)")
        DOCUMENT = "document", _("Documents of a case file (after the case is closed)")
        ACCESS_LOG = "access_log", _("Access log (after the entry)")
        BACKUP = "backup", _("Backups (after the copy is made)")

    kind = models.CharField(_("kind of record"), max_length=20, choices=Kind.choices, unique=True)
    years = models.PositiveSmallIntegerField(_("years"), validators=[MaxValueValidator(100)])
    days = models.PositiveSmallIntegerField(
        _("and days"), default=0, validators=[MaxValueValidator(366)]
    )
    legal_basis = models.TextField(_("legal basis"), max_length=2000)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind"]
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")

    def __str__(self) -> str:
        return f"{self.kind}: {self.years}y {self.days}d"

    def expired_before(self, today):
        """The first day still kept: what ended before it has expired on `today`."""
        import datetime

        try:
            start = today.replace(year=today.year - self.years)
        except ValueError:  # 29 February in a year that has none
            start = today.replace(year=today.year - self.years, day=28)
        return start - datetime.timedelta(days=self.days)


# The restriction of processing and the unusual-access thresholds (their own module: the
# restriction's note is an encrypted field, and privacy.fields imports this module's keys).
from privacy.restriction_models import (  # noqa: E402
    AccessWatch,
    Restriction,
    RestrictionReason,
)

__all__ = [
    "AccessWatch",
    "DataKey",
    "EncryptedFile",
    "ErasureReason",
    "ErasureRecord",
    "Restriction",
    "RetentionPeriod",
    "RestrictionReason",
    "Subject",
]
