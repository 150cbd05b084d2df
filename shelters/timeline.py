"""Stays on a client's timeline (cases.timeline): where and when, never the stay notes."""

from django.utils.translation import gettext as _

from cases.timeline import register


@register
def stay_events(access):
    from shelters.models import Stay

    stays = Stay.objects.filter(client=access.client).select_related("facility", "bed")
    for stay in stays.order_by("started_at"):
        # A transfer continues a stay: only its first part is an arrival.
        if stay.transferred_from_id is None:
            yield stay.started_at.date(), _("Stay"), f"{stay.facility} · {stay.bed}"
        # Moves between beds and a night shelter's mornings are not exits worth a line.
        if stay.ended_at is not None and stay.exit_destination not in (
            "",
            "transfer",
            "night_ended",
        ):
            yield stay.ended_at.date(), _("Check-out"), stay.get_exit_destination_display()
