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
from audit.purposes import Purpose
from audit.services import access_log_write

PURPOSE = Purpose.PASSWORD_CONFIRMATION


class ConfirmationLocked(PermissionDenied):
    """Too many wrong passwords in a row: the session has been ended."""


def recent_failures(actor, *, purpose: str = PURPOSE) -> int:
    """The actor's wrong confirmations within the cool-off, since their last right one.

    Passwords and second-factor codes (accounts.second_factor) are counted apart, by purpose.
    """
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    confirmations = AccessLogEntry.objects.filter(
        actor=actor, action=AccessLogEntry.Action.CONFIRM, purpose=purpose, at__gte=since
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
    """A form's `confirm_password` field: the acting user's own password, checked and limited;
    and, for whoever signs in with a second factor, `confirm_code`: a code from their app (or a
    backup code), checked and limited the same way (accounts.second_factor.code_check).

    The form takes `actor` (the signed-in user) and, for the log and the sign-out, `request`.
    """

    def __init__(self, *args, actor, request=None, **kwargs):
        from accounts import second_factor

        super().__init__(*args, **kwargs)
        self.actor = actor
        self.request = request
        self.fields["confirm_password"] = forms.CharField(
            label=_("Your password (to confirm)"),
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        )
        if second_factor.has_device(actor):
            self.fields["confirm_code"] = code_field()

    def clean_confirm_password(self):
        password = self.cleaned_data["confirm_password"]
        if not password_confirmed(self.actor, password, request=self.request):
            raise forms.ValidationError(_("Your password is not correct."))
        # The code is checked here, right after a right password, whatever the order of the
        # fields: after a wrong password it stays unspent, and uncounted.
        if "confirm_code" in self.fields:
            code = str(self.data.get(self.add_prefix("confirm_code"), "")).strip()
            # An empty code: the field's own "required" error answers.
            error = code_refused(self.actor, code, request=self.request) if code else None
            if error:
                self.add_error("confirm_code", error)
        return password


def code_field() -> forms.CharField:
    """The field of a second-factor code asked with a password (re-confirmation, new password)."""
    return forms.CharField(
        label=_("Code from your authenticator app (or a backup code)"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}),
    )


def code_refused(actor, code: str, *, request=None) -> str | None:
    """Why `code` does not confirm `actor` (a translated message), or None when it does.

    Checked, logged and limited by accounts.second_factor.code_check: too many wrong codes in
    a row end the session (SecondFactorLocked). A right backup code is used up.
    """
    from accounts import second_factor

    result = second_factor.code_check(actor, code, request=request)
    if result.answer == second_factor.Answer.WAIT:
        return _("Too many wrong codes: wait a few seconds and try again.")
    if not result.ok:
        return _("This code is not correct.")
    return None
