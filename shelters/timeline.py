"""Stays on a client's timeline (cases.timeline): where and when, never the stay notes.

Dates are local (Europe/Warsaw): a check-in at 00:30 belongs to that day, not to the UTC day
before it, which is what `started_at.date()` of an aware UTC datetime would give.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from cases.timeline import register


@register
def stay_events(access):
    from shelters.models import Stay

    stays = Stay.objects.filter(client=access.client).select_related("facility", "bed")
    for stay in stays.order_by("started_at"):
        # A transfer continues a stay: only its first part is an arrival.
        if stay.transferred_from_id is None:
            yield timezone.localdate(stay.started_at), _("Stay"), f"{stay.facility} · {stay.bed}"
        # Moves between beds and a night shelter's mornings are not exits worth a line.
        if stay.ended_at is not None and stay.exit_destination not in (
            "",
            "transfer",
            "night_ended",
        ):
            yield (
                timezone.localdate(stay.ended_at),
                _("Check-out"),
                stay.get_exit_destination_display(),
            )
