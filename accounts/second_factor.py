"""The second factor: a code from an authenticator app (TOTP), or a backup code, after the password.

Who must: administrators, managers and data protection officers always (REQUIRED_ROLES); everyone
of an organisation that asks it of all its staff (Organisation.requires_second_factor). Whoever
has a confirmed device is asked for a code at every sign-in, required or not. Until the code is
given, accounts.middleware.SecondFactorMiddleware sends every page to the code's page (or, for
someone required who has no device yet, to the enrolment).

Codes are limited as passwords are (accounts/reconfirm.py): each code typed is an access-log row
(action `confirm`, purpose `second_factor`, outcome `ok` or `denied`); the LOGIN_FAILURE_LIMIT-th
wrong one in a row within LOGIN_COOLOFF_MINUTES ends the session, and no code is even checked
until the cool-off has passed. Each device also slows guessing down by itself (django-otp's
throttling: after n wrong codes in a row the next is refused for 2^(n-1) seconds).

The devices are django-otp's: one TOTPDevice (the app) and one StaticDevice holding the backup
codes, each code working once. Losing the phone is handled by an administrator of the same
organisation (second_factor_reset): logged, and kept in the account's history.
"""

from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import django_otp
import segno
from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.reconfirm import ConfirmationLocked, recent_failures
from accounts.roles import Role
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.services import access_log_write

PURPOSE = Purpose.SECOND_FACTOR
# Roles that may never sign in on a password alone.
REQUIRED_ROLES = frozenset({Role.ADMINISTRATOR, Role.MANAGER, Role.DPO})
# How many backup codes a person is given at enrolment (each works once).
BACKUP_CODES = 10
# Names of the devices (they show nowhere but the database).
APP_DEVICE_NAME = "app"
BACKUP_DEVICE_NAME = "backup"


# Who owes a code at sign-in beyond the required roles (a User filter): an organisation that asks
# it of all its staff, or a confirmed app of their own.
MAY_OWE_CODE = Q(organisation__requires_second_factor=True) | Q(totpdevice__confirmed=True)
# The same condition read with the signed-in user's row (accounts.backends).
LOADED_MAY_OWE_CODE = "signed_in_may_owe_code"


class SecondFactorLocked(ConfirmationLocked):
    """Too many wrong codes in a row: the session has been ended."""


def is_required(user) -> bool:
    """Whether `user` may not work on a password alone: their role, or their organisation."""
    if not user.is_authenticated:
        return False
    # The role held, whatever the organisation says.
    if user.roles & REQUIRED_ROLES:
        return True
    # The organisation asks it of all its staff.
    organisation = user.organisation
    return organisation is not None and organisation.requires_second_factor


def app_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have one."""
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_device(user) -> bool:
    """Whether `user` signs in with a second factor (a confirmed app)."""
    return app_device(user) is not None


def needs_verification(user) -> bool:
    """Whether this signed-in session must still give a code (or enrol) before anything else.

    Asked on every request (the middleware): one query at most, none for a verified session.
    """
    if not user.is_authenticated:
        return False
    # django-otp's middleware: a device verified in this session.
    if user.is_verified():
        return False
    # The role held (read once per request, and by the page anyway).
    if user.roles & REQUIRED_ROLES:
        return True
    # The organisation asks it of all its staff, or the person has an app: read with the user
    # when the request signed them in (accounts.backends, used once), else one query for both.
    loaded = getattr(user, LOADED_MAY_OWE_CODE, None)
    if loaded is not None:
        # request.user is a lazy proxy: delattr reaches the user object itself.
        delattr(user, LOADED_MAY_OWE_CODE)
        return bool(loaded)
    return User.objects.filter(pk=user.pk).filter(MAY_OWE_CODE).exists()


# --- enrolment ------------------------------------------------------------------------------


def enrolment_device(user: User) -> TOTPDevice:
    """The user's app being enrolled (unconfirmed), created with a fresh secret if none waits.

    Refused once the user has a confirmed app: a second one is added only after a reset.
    """
    if has_device(user):
        raise PermissionDenied(_("You already have an authenticator app."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as an app asks for it when typed by hand: base32, in groups of four."""
    encoded = b32encode(device.bin_key).decode()
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address of `device` as an inline SVG (drawn here: no image service)."""
    code = segno.make(device.config_url, error="m")
    return code.svg_inline(scale=5, border=2, dark="#000", light="#fff", omitsize=True)


def _new_backup_codes(user: User) -> list[str]:
    """Replace the user's backup codes with BACKUP_CODES new ones; the new codes."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _n in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def enrolment_confirm(
    *, user: User, device: TOTPDevice, code: str, request
) -> tuple["Result", list[str]]:
    """Confirm the app being enrolled with a code it shows: the answer, and the backup codes.

    The first right code confirms the device, verifies this session (django_otp.login) and
    gives the backup codes, shown once (none for a wrong code). Wrong codes count as at every
    other code (limited).
    """
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied
    result = _attempt(user, device, normalise(code), request=request)
    if not result.ok:
        return result, []
    with transaction.atomic():
        device.confirmed = True
        device.save()
        # A reset leaves nothing behind; an enrolment replaces any backup codes left.
        codes = _new_backup_codes(user)
        # A row of the account's history says when the second factor was set up.
        user._change_reason = "second_factor_enrol"
        user.save()
    _verified(request, device)
    return result, codes


# --- codes ----------------------------------------------------------------------------------


class Answer(StrEnum):
    RIGHT = "right"
    WRONG = "wrong"
    # The device asks to wait (django-otp's throttling): the code was not even checked.
    WAIT = "wait"


@dataclass(frozen=True)
class Result:
    answer: Answer
    device: object = None
    wait_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.answer == Answer.RIGHT

    @property
    def backup_code_used(self) -> bool:
        return self.ok and isinstance(self.device, StaticDevice)


def normalise(code: str) -> str:
    """A code as typed, without spaces or dashes, lower case (backup codes are base32)."""
    return "".join(code.split()).replace("-", "").lower()


def _device_for(user: User, code: str):
    """The device a code is meant for: six digits are the app's, anything else a backup code."""
    if code.isdigit() and len(code) == 6:
        return app_device(user)
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def _lock(request) -> None:
    if request is not None:
        logout(request)
    raise SecondFactorLocked


def _attempt(user: User, device, code: str, *, request) -> Result:
    """Check `code` on `device` (None: no such device, a wrong code), logged and limited."""
    if recent_failures(user, purpose=PURPOSE) >= settings.AXES_FAILURE_LIMIT:
        _lock(request)
    if device is not None:
        allowed, data = device.verify_is_allowed()
        if not allowed:
            return Result(Answer.WAIT, wait_until=(data or {}).get("locked_until"))
    with transaction.atomic():
        # Locked for the check, so two requests cannot both spend one code.
        right = False
        if device is not None:
            locked = type(device).objects.select_for_update().get(pk=device.pk)
            right = locked.verify_token(code)
            device = locked
    access_log_write(
        actor=user,
        action=AccessLogEntry.Action.CONFIRM,
        purpose=PURPOSE,
        outcome=AccessLogEntry.Outcome.OK if right else AccessLogEntry.Outcome.DENIED,
        request=request,
    )
    if right:
        return Result(Answer.RIGHT, device=device)
    if recent_failures(user, purpose=PURPOSE) >= settings.AXES_FAILURE_LIMIT:
        _lock(request)
    return Result(Answer.WRONG)


def code_check(user: User, code: str, *, request=None) -> Result:
    """Whether `code` is one of `user`'s: the app's current code or an unused backup code.

    Each answer is logged; the LOGIN_FAILURE_LIMIT-th wrong code in a row ends the session
    (SecondFactorLocked, after signing out). A backup code that matches is used up.
    """
    code = normalise(code)
    return _attempt(user, _device_for(user, code), code, request=request)


def verify(*, user: User, code: str, request) -> Result:
    """The code after the password: a right one marks this session verified (django_otp.login)."""
    result = code_check(user, code, request=request)
    if result.ok:
        _verified(request, result.device)
    return result


def _verified(request, device) -> None:
    """Mark the session verified by `device`, under a new session key (the session now opens
    more than it did: an id seen before the code is worth nothing after it)."""
    request.session.cycle_key()
    django_otp.login(request, device)


def backup_codes_renew(*, user: User, request=None) -> list[str]:
    """Replace `user`'s backup codes with BACKUP_CODES new ones (shown once); the new codes.

    For someone with a confirmed app only (the page asks for the password and a code first,
    accounts.reconfirm). Every old code stops working in the same transaction. The renewal is an
    access-log row (purpose SECOND_FACTOR_CODES) and a row of the account's history.
    """
    if not has_device(user):
        raise PermissionDenied(_("Set up the authenticator app first."))
    with transaction.atomic():
        codes = _new_backup_codes(user)
        user._change_reason = "second_factor_codes_renew"
        user.save()
        access_log_write(
            actor=user,
            action=AccessLogEntry.Action.UPDATE,
            purpose=Purpose.SECOND_FACTOR_CODES,
            request=request,
        )
    return codes


def backup_codes_left(user) -> int:
    """How many unused backup codes `user` has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- reset ----------------------------------------------------------------------------------


def may_reset(actor, target) -> bool:
    """Whether `actor` may remove `target`'s second factor (the phone was lost).

    The one rule, asked by the staff page (to show the button) and by the service.
    """
    # Only an administrator.
    if not actor.has_role(Role.ADMINISTRATOR):
        return False
    # Of the same organisation.
    if actor.organisation_id is None or actor.organisation_id != target.organisation_id:
        return False
    # Never their own: another administrator checks that the person is who they say.
    return actor.pk != target.pk


def second_factor_reset(*, actor: User, target: User, request=None) -> int:
    """Remove every device of `target` (app and backup codes); how many were removed.

    The next sign-in asks them to enrol again if their role or organisation requires it. The
    reset is an access-log row of the actor, and a row of the target's history naming who.
    """
    if not may_reset(actor, target):
        raise PermissionDenied(_("Only an administrator of the same organisation may do this."))
    with transaction.atomic():
        removed = 0
        for model in (TOTPDevice, StaticDevice):
            for device in model.objects.filter(user=target):
                device.delete()
                removed += 1
        # A row of the account's history: who reset it, and when (simple-history).
        target._change_reason = "second_factor_reset"
        target._history_user = actor
        target.save()
        access_log_write(
            actor=actor,
            action=AccessLogEntry.Action.UPDATE,
            purpose=Purpose.SECOND_FACTOR_RESET,
            request=request,
        )
    return removed
