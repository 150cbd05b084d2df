"""A caseload filter for social workers: clients staying tonight in a given facility."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from cases.selectors import CASELOAD_FILTERS


def _choices(user):
    from shelters.models import Facility

    return [(str(f.pk), f.name) for f in Facility.objects.order_by("name")]


def _apply(clients, value):
    from shelters.models import Stay

    try:
        facility_id = int(value)
    except (TypeError, ValueError):
        return clients
    open_stay = Stay.objects.filter(
        client=OuterRef("pk"), facility_id=facility_id, ended_at__isnull=True
    )
    return clients.filter(Exists(open_stay))


CASELOAD_FILTERS["facility"] = {"label": _("Staying in"), "choices": _choices, "apply": _apply}
