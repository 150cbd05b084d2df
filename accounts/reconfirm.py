"""Re-entering one's own password before a sensitive action: staff and role changes, emergency
access to a file (break-glass), erasure, and the old password when changing one's own.

The login page is guarded by django-axes; these forms are reached from inside a session, so a
stolen session could otherwise guess the password here without limit. Each wrong password is an
access-log row (action `confirm`, outcome `denied`), and so is each right one (outcome `ok`), which
starts the count afresh, as a successful sign-in does for django-axes. The LOGIN_FAILURE_LIMIT-th
wrong one in a row within LOGIN_COOLOFF_MINUTES ends the session (the person lands on the
sign-in page with a message, see config.views.permission_denied) and every further confirmation
is refused until the cool-off has passed. The rows are also what a reviewer sees.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AccessLogEntry
from audit.services import access_log_write

PURPOSE = "password confirmation"


class ConfirmationLocked(PermissionDenied):
    """Too many wrong passwords in a row: the session has been ended."""


def recent_failures(actor) -> int:
    """The actor's wrong confirmations within the cool-off, since their last right one."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    confirmations = AccessLogEntry.objects.filter(
        actor=actor, action=AccessLogEntry.Action.CONFIRM, at__gte=since
    )
    last_right = (
        confirmations.filter(outcome=AccessLogEntry.Outcome.OK)
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    wrong = confirmations.filter(outcome=AccessLogEntry.Outcome.DENIED)
    if last_right is not None:
        wrong = wrong.filter(seq__gt=last_right)
    return wrong.count()


def _lock(request) -> None:
    """End the session (if any) and refuse: the caller's page becomes the sign-in page."""
    if request is not None:
        logout(request)
    raise ConfirmationLocked


def password_confirmed(actor, password: str, *, request=None) -> bool:
    """Whether `password` is the actor's; each answer is logged, too many wrong end the session.

    Raises ConfirmationLocked (after signing the session out) when the wrong password just typed
    is the LOGIN_FAILURE_LIMIT-th in a row, as django-axes locks at the limit-th failed sign-in,
    and, until the cool-off has passed, before any further password is even checked.
    """
    if recent_failures(actor) >= settings.AXES_FAILURE_LIMIT:
        _lock(request)
    right = actor.check_password(password)
    access_log_write(
        actor=actor,
        action=AccessLogEntry.Action.CONFIRM,
        purpose=PURPOSE,
        outcome=AccessLogEntry.Outcome.OK if right else AccessLogEntry.Outcome.DENIED,
        request=request,
    )
    if not right and recent_failures(actor) >= settings.AXES_FAILURE_LIMIT:
        _lock(request)
    return right


class ConfirmPasswordMixin:
    """A form's `confirm_password` field: the acting user's own password, checked and limited.

    The form takes `actor` (the signed-in user) and, for the log and the sign-out, `request`.
    """

    def __init__(self, *args, actor, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.request = request
        self.fields["confirm_password"] = forms.CharField(
            label=_("Your password (to confirm)"),
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        )

    def clean_confirm_password(self):
        password = self.cleaned_data["confirm_password"]
        if not password_confirmed(self.actor, password, request=self.request):
            raise forms.ValidationError(_("Your password is not correct."))
        return password
