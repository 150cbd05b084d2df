from django.db import models
from django.utils.translation import gettext_lazy as _


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
