import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import OrganisationScoped


class ExternalRef(models.Model):
    """The id a record had in the spreadsheets it was imported from (issue 12's import).

    Facilities, clients, programmes and placements are named by these refs in the CSV files; a
    second import of the same refs finds them here and changes nothing. Placements and
    programmes also keep the ref on their own row (`external_ref`).
    """

    class Kind(models.TextChoices):
        FACILITY = "facility", _("Facility")
        CLIENT = "client", _("Client")
        PROGRAMME = "programme", _("Programme")
        PLACEMENT = "placement", _("Placement")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ref = models.CharField(_("reference in past records"), max_length=100)
    # The record's primary key as text: an integer, or a client's subject UUID.
    object_id = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reference in past records")
        verbose_name_plural = _("references in past records")
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref"], name="reports_externalref_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref}"


class SavedReportQuerySet(OrganisationScoped, models.QuerySet):
    """Saved reports; `of_organisation` gives those saved for an organisation."""


class SavedReport(models.Model):
    """A report as it was computed and suppressed, kept unchanged to be shown or sent again.

    The figures are the suppressed JSON object (counts, "<5", "*", "—"): no names, nothing that
    a later change of the data or of the threshold could alter.
    """

    # Empty for a report of the whole cluster (a coordinator's).
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    parameters = models.JSONField(_("parameters"), default=dict)
    figures = models.JSONField(_("figures"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("saved at"))

    objects = SavedReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")

    def __str__(self) -> str:
        return f"report {self.pk}"


class ImportJobQuerySet(models.QuerySet):
    def of_organisation(self, organisation):
        """Jobs importing into `organisation` (an Organisation or its id; none for None)."""
        organisation_id = getattr(organisation, "pk", organisation)
        if organisation_id is None:
            return self.none()
        return self.filter(organisation_id=organisation_id)


class ImportJob(models.Model):
    """An upload of past records (a ZIP of the import's CSV files) and how its import went.

    It holds no personal data: the status, counts of rows per file, and the errors found (each
    its file, line, column and message; a message quotes at most 20 characters of a bad cell,
    as the command's do). The uploaded ZIP waits in the private folder VAR_DIR/imports/, sealed
    under a key of its own (`sealed_key`, wrapped by the vault's KEK), until the job ends; then
    the file is deleted and the key forgotten (reports/jobs.py, docs/architecture.md).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported in full")
        FAILED = "failed", _("Not imported")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"))
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # The uploader's language: the errors are written in it.
    language = models.CharField(max_length=10)
    # {"clients.csv": {"read": 10, "created": 10, "unchanged": 0}, ...} once done.
    result = models.JSONField(default=dict, blank=True)
    # [{"file": ..., "line": ..., "column": ..., "message": ...}, ...] once refused.
    errors = models.JSONField(default=list, blank=True)
    # The ZIP's own key, wrapped by the KEK named; emptied when the job ends.
    sealed_key = models.BinaryField(null=True, blank=True, editable=False)
    kek_id = models.CharField(max_length=64, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import of past records")
        verbose_name_plural = _("imports of past records")

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Episode(models.Model):
    """A client's stays chained across facilities (docs/measures.md, "Episodes"), precomputed.

    Kept by reports.episodes whenever a stay is written (and rebuilt by `rebuild_episodes`),
    so that the measures read these rows instead of chaining every stay by window functions.
    Ids, dates and an exit code only: nothing personal beyond the client's id.
    """

    client = models.ForeignKey("cases.Client", on_delete=models.CASCADE, related_name="+")
    first_start = models.DateField()
    # Empty while the episode's last stay is open.
    last_end = models.DateField(null=True, blank=True)
    # The exit destination of the episode's last stay (a code, possibly empty).
    exit = models.CharField(max_length=20, blank=True)
    # The first start of the client's next episode (empty if none): the returns read it.
    next_start = models.DateField(null=True, blank=True)
    stays = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["last_end", "exit"], name="reports_episode_end"),
            models.Index(fields=["client", "first_start"], name="reports_episode_client"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.first_start}–{self.last_end or ''}"
