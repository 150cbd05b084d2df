"""Past stays written straight into the tables, for the measures' tests."""

import datetime

from django.utils import timezone

from shelters.models import Stay


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def make_stay(client, facility, started_on, ended_on=None, exit_destination="", bed=None):
    """A stay from the evening of `started_on` to the morning of `ended_on` (open when None)."""
    bed = bed or facility.beds.order_by("pk").first()
    last_night = None
    if ended_on is not None:
        last_night = max(started_on, ended_on - datetime.timedelta(days=1))
    return Stay.objects.create(
        client=client,
        facility=facility,
        bed=bed,
        started_at=at(started_on, 19),
        ended_at=at(ended_on, 9) if ended_on else None,
        night_of=started_on,
        last_night=last_night,
        last_seen_on=ended_on or started_on,
        exit_destination=exit_destination,
    )
