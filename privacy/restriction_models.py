"""The restriction of processing (art. 18 GDPR) and the DPO's thresholds of unusual access.

Imported by privacy.models (so Django finds them) after the vault's own models.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from privacy.fields import EncryptedTextField, VaultQuerySet
from privacy.models import Subject


class RestrictionReason(models.TextChoices):
    """Why processing of a person's data is restricted (art. 18(1) GDPR): a code, never a name."""

    ACCURACY_CONTESTED = "accuracy", _("Accuracy contested by the person (art. 18(1)(a) GDPR)")
    UNLAWFUL_KEEP = (
        "unlawful_keep",
        _("Unlawful processing, the person opposes erasure (art. 18(1)(b) GDPR)"),
    )
    LEGAL_CLAIMS = "legal_claims", _("Needed by the person for legal claims (art. 18(1)(c) GDPR)")
    OBJECTION_PENDING = "objection", _("Objection being verified (art. 18(1)(d) GDPR)")


class RestrictionQuerySet(VaultQuerySet):
    def in_force(self, on=None):
        """Restrictions in force on `on` (today): begun on or before it and not lifted."""
        day = on or timezone.localdate()
        return self.filter(restricted_on__lte=day, lifted_at__isnull=True)


class Restriction(models.Model):
    """A restriction of processing (art. 18 GDPR) of one data subject, set and lifted by the DPO.

    While one is in force the person's file is kept but read-only: new processing is refused
    (privacy.restriction.processing_allowed is the one rule). Rows are never deleted: lifting
    sets `lifted_at`, and the history keeps every change.
    """

    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="restrictions")
    reason = models.CharField(_("reason"), max_length=20, choices=RestrictionReason.choices)
    # The DPO's own words (a letter's reference, what is contested): sealed under the person's
    # key, since it may say something of them; never written to the access log.
    note = EncryptedTextField(_("note"), label="restriction.note", max_length=2000, blank=True)
    restricted_on = models.DateField(_("restricted from"))
    restricted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    objects = RestrictionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("restriction of processing")
        verbose_name_plural = _("restrictions of processing")
        constraints = [
            # One restriction at a time for a person: the next one comes after the lifting.
            models.UniqueConstraint(
                fields=["subject"],
                condition=models.Q(lifted_at__isnull=True),
                name="privacy_one_restriction_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"restriction {self.pk}"


class AccessWatch(models.Model):
    """An organisation's thresholds of unusual access, set by its DPO (with history)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="access_watch"
    )
    files_per_hour = models.PositiveIntegerField(
        _("files opened by one person within an hour"), default=20
    )
    day_starts_at = models.TimeField(_("working day starts at"), default=datetime.time(7, 0))
    day_ends_at = models.TimeField(_("working day ends at"), default=datetime.time(19, 0))
    empty_searches_per_day = models.PositiveIntegerField(
        _("searches that opened nothing, by one person in a day"), default=10
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("thresholds of unusual access")
        verbose_name_plural = _("thresholds of unusual access")

    def __str__(self) -> str:
        return f"access watch {self.organisation_id}"
