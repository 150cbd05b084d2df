"""What every activation service shares: saving with a history reason, and the closed months."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from activation.dates import month_start
from activation.models import AllowanceMonth, Programme
from audit.services import access_log_write


def save(obj, *, by, reason: str) -> None:
    """Validate the row (constraints too) and save it with its history reason and author.

    The author is set on the row itself, so the history names them outside a request too
    (a management command, an import).
    """
    obj.full_clean()
    obj._change_reason = reason
    obj._history_user = by
    obj.save()


def log(*, by, action: str, subject_id=None, purpose: str, request=None) -> None:
    """The access-log row of a write that touched a person's data (call it last: it locks)."""
    access_log_write(
        actor=by, action=action, subject_id=subject_id, purpose=purpose, request=request
    )


def today() -> datetime.date:
    return timezone.localdate()


def refuse_future(day: datetime.date, message: str) -> None:
    """A record of what happened cannot be dated after today."""
    if day > today():
        raise ValidationError(message, code="future")


def month_is_closed(programme: Programme, day: datetime.date) -> bool:
    """Whether the programme's allowance month containing `day` has been closed."""
    return AllowanceMonth.objects.filter(programme=programme, month=month_start(day)).exists()


def refuse_closed_month(programme: Programme, day: datetime.date) -> None:
    """A closed month's list is final: it changes only by a correction entry."""
    if programme.is_cis and month_is_closed(programme, day):
        raise ValidationError(
            _(
                "The allowance month of %(month)s is closed: it can be changed only by a "
                "correction entry of the manager."
            )
            % {"month": formats.date_format(day, "YEAR_MONTH_FORMAT")},
            code="closed_month",
        )


def choice(value, choices, message: str):
    """Refuse a code that is not one of the choices (a person chooses; nothing is assumed)."""
    if value not in choices.values:
        raise ValidationError(message, code="invalid_choice")
    return value
