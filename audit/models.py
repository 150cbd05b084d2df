"""The read-access log: append-only rows, each chained to the one before it by an HMAC.

The log is several chains (PRZYSTAN_ACCESS_LOG_CHAINS), each with its own head, positions and
MACs, so that appends to different chains do not wait for each other; a row names its `chain`.
The rows written before chains existed are chain 0, sealed exactly as before.

Rows are written only by `audit.services.access_log_write` and checked by `audit.verify`.
A row records who touched whose data, how, why and from where; never a value of the client.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The `prev_mac` of the first row, and the `mac` of the chain head before any row exists.
GENESIS_MAC = "0" * 64
# Chains are numbered 0 to MAX_CHAINS - 1 (the setting's ceiling; the database checks it too).
MAX_CHAINS = 64


class AppendOnlyError(RuntimeError):
    """An attempt to change or remove an access-log row (a programming error, never a user's)."""


class Action(models.TextChoices):
    VIEW = "view", _("Viewing")
    SEARCH = "search", _("Searching")
    EXPORT = "export", _("Exporting")
    PRINT = "print", _("Printing")
    CREATE = "create", _("Creation")
    UPDATE = "update", _("Modification")
    BREAK_GLASS = "break_glass", _("Emergency access")
    ERASE = "erase", _("Erasure")
    HANDOVER = "handover", _("Handover")
    CONFIRM = "confirm", _("Password confirmation")


class Outcome(models.TextChoices):
    OK = "ok", _("Access granted")
    DENIED = "denied", _("Access refused")
    NOT_FOUND = "not_found", _("Not found")


class Way(models.TextChoices):
    """How the access was granted: the rule book's way (cases/ways.py, activation/ways.py,
    shelters/ways.py) that let the actor in, or how the person was met otherwise."""

    HOLDER = "holder", _("holds the file")
    TEAM = "team", _("in the team holding the file")
    BREAK_GLASS = "break_glass", _("emergency access")
    PARTNER = "partner", _("partner, with consent")
    ORGANISATION = "organisation", _("manager of the holding organisation")
    WALK_IN = "walk_in", _("new walk-in")
    FACILITY_STAFF = "facility_staff", _("works in the facility")
    JOB_COACH = "job_coach", _("coaches the person's group")
    COOPERATIVE = "cooperative", _("the cooperative employing the person")
    SEARCH = "search", _("search hit")
    DPO = "dpo", _("data protection officer")


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Access-log rows are never updated.")

    def delete(self):
        raise AppendOnlyError("Access-log rows are never deleted.")


class AccessLogEntry(models.Model):
    """One access to personal data (or a refused attempt), as one link of the chain."""

    # Nested names for callers: AccessLogEntry.Action.VIEW, AccessLogEntry.Outcome.DENIED.
    Action = Action
    Outcome = Outcome
    Way = Way

    # Which chain the row belongs to (audit/services.py picks a free one); 0 for the old rows.
    chain = models.PositiveSmallIntegerField(_("chain"), default=0, editable=False)
    # The position in its chain: each chain counts from 1.
    seq = models.PositiveBigIntegerField(_("position in the chain"), editable=False)
    at = models.DateTimeField(_("time"), editable=False)
    # PROTECT: staff are deactivated, never deleted, so the actor of a row always exists.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    actor_role = models.CharField(_("role at the time"), max_length=30, blank=True)
    # Not a foreign key: the row must outlive the client's record, even its erasure.
    subject_id = models.UUIDField(_("data subject"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    # How the access was granted (a code of Way, or empty where nothing was granted: a
    # refusal, a system action, rows written before the column existed). Sealed by the MAC.
    way = models.CharField(_("how access was granted"), max_length=20, blank=True)
    prev_mac = models.CharField(_("MAC of the previous entry"), max_length=64, editable=False)
    mac = models.CharField(_("MAC"), max_length=64, editable=False)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access-log entry")
        verbose_name_plural = _("access-log entries")
        # One person's rows by time: a reviewer's "what did this worker open", and the count of
        # recent wrong password confirmations (accounts.reconfirm).
        indexes = [models.Index(fields=["actor", "at"], name="audit_entry_actor_at")]
        constraints = [
            # PostgreSQL's partitioned table holds it as (chain, seq, at): audit migration 0008.
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_entry_chain_seq_unique"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="audit_entry_seq_from_one"),
            models.CheckConstraint(
                condition=Q(chain__lt=MAX_CHAINS), name="audit_entry_chain_in_range"
            ),
            models.CheckConstraint(
                condition=Q(action__in=Action.values), name="audit_entry_action_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="audit_entry_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.chain}.{self.seq} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        # A row is written once; a loaded row (or one saved before) is never written again.
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError("Access-log rows are never updated.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Access-log rows are never deleted.")


class ChainHeadQuerySet(models.QuerySet):
    def delete(self):
        raise AppendOnlyError("The access-log chain head is never deleted.")


class ChainHead(models.Model):
    """The row naming the newest entry of one chain (its seq and mac); its id is the chain.

    Writers lock it to append to its chain one at a time; verification compares it with the
    chain's newest row, so deleting the newest rows (truncation) is seen.
    """

    # The first chain (the only one with PRZYSTAN_ACCESS_LOG_CHAINS = 1).
    PK = 0

    id = models.PositiveSmallIntegerField(_("chain"), primary_key=True, default=PK, editable=False)
    seq = models.PositiveBigIntegerField(_("position of the newest entry"), default=0)
    mac = models.CharField(_("MAC of the newest entry"), max_length=64, default=GENESIS_MAC)

    objects = ChainHeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("access-log chain head")
        verbose_name_plural = _("access-log chain heads")
        constraints = [
            models.CheckConstraint(condition=Q(id__lt=MAX_CHAINS), name="audit_chainhead_in_range")
        ]

    def __str__(self) -> str:
        return f"head of chain {self.id} #{self.seq}"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The access-log chain head is never deleted.")


class PrunePointQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Prune points are never updated.")

    def delete(self):
        raise AppendOnlyError("Prune points are never deleted.")


class PrunePoint(models.Model):
    """Where one chain was pruned: its every entry up to `seq` is gone, behind a signed anchor.

    Written only by `audit.prune.access_log_prune` (on PostgreSQL by the SECURITY DEFINER
    function `audit_prune_through` of audit/migrations/0006). `anchor` is the signed anchor
    line naming (`seq`, `mac`): verification starts after the newest prune point, from that
    MAC, once the line's signature holds, so the first kept entry is authenticated by it.
    """

    chain = models.PositiveSmallIntegerField(_("chain"), default=0)
    seq = models.PositiveBigIntegerField(_("pruned up to the position"))
    mac = models.CharField(_("MAC of the last pruned entry"), max_length=64)
    anchor = models.TextField(_("the signed anchor naming it"))
    pruned_at = models.DateTimeField(_("pruned at"))
    entries = models.PositiveBigIntegerField(_("entries deleted"))

    objects = PrunePointQuerySet.as_manager()

    class Meta:
        verbose_name = _("access-log prune point")
        verbose_name_plural = _("access-log prune points")
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_prune_chain_seq_unique"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="audit_prune_seq_from_one"),
        ]

    def __str__(self) -> str:
        return f"chain {self.chain} pruned up to #{self.seq}"

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Prune points are never deleted.")
