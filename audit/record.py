"""Saving a change to personal data: validated, with its history, and one access-log row.

Every service of the domain apps saves through here, so the three things a change owes are never
forgotten one by one: `full_clean()` before the save, a history row whose user is the actor (set
on the instance, not taken from the request's thread-local: a service called from a command or
another service has no request) and whose reason is a code, and the access-log row.
"""

from django.db.models import Model

from audit.models import AccessLogEntry
from audit.services import access_log_write


def save_with_history(obj: Model, *, by, reason: str, validate: bool = True) -> Model:
    """Validate and save `obj`; its history row names `by` and `reason`. Logs nothing."""
    if validate:
        obj.full_clean()
    # simple-history reads these two attributes when it writes the history row.
    obj._history_user = by
    obj._change_reason = reason
    obj.save()
    return obj


def record(
    obj: Model,
    *,
    by,
    reason: str,
    subject_id,
    action: str = AccessLogEntry.Action.UPDATE,
    purpose: str = "",
    request=None,
    validate: bool = True,
) -> Model:
    """Save `obj` as `save_with_history` does, then write the one access-log row of the change.

    Call it inside the service's transaction: the row and the change commit together.
    """
    save_with_history(obj, by=by, reason=reason, validate=validate)
    access_log_write(
        actor=by, action=action, subject_id=subject_id, purpose=purpose, request=request
    )
    return obj
