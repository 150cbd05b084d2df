"""Writes to staff accounts: each in one transaction, with a history reason."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import assignable_roles
from accounts.models import Organisation, User


def _check_may_assign(actor: User, role: str, organisation: Organisation | None) -> None:
    if role not in assignable_roles(actor):
        raise PermissionDenied(_("You may not assign this role."))
    # A manager works within their own organisation.
    if not actor.has_role("administrator") and (
        organisation is None or organisation.pk != actor.organisation_id
    ):
        raise PermissionDenied(_("You may only manage staff of your own organisation."))


def _check_may_manage(actor: User, user: User) -> None:
    # Administrators manage everyone; managers their organisation's staff of assignable roles.
    if actor.has_role("administrator"):
        return
    if not actor.has_role("manager") or user.organisation_id != actor.organisation_id:
        raise PermissionDenied(_("You may only manage staff of your own organisation."))
    if user.roles - set(assignable_roles(actor)):
        raise PermissionDenied(_("You may not manage this account."))


def set_role(user: User, role: str) -> None:
    group = Group.objects.get(name=role)
    user.groups.set([group])
    if hasattr(user, "_roles_cache"):
        del user._roles_cache


def user_create(
    *,
    actor: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    organisation: Organisation | None,
    role: str,
    password: str,
) -> User:
    """Create a staff account with one role; the password must pass the validators."""
    _check_may_assign(actor, role, organisation)
    with transaction.atomic():
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            organisation=organisation,
            is_staff=(role == "administrator"),
        )
        validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user._change_reason = "user_create"
        user.save()
        set_role(user, role)
    return user


def user_update(
    *,
    actor: User,
    user: User,
    first_name: str,
    last_name: str,
    email: str,
    organisation: Organisation | None,
    role: str,
) -> User:
    """Change a staff account's name, organisation or role."""
    _check_may_manage(actor, user)
    _check_may_assign(actor, role, organisation)
    if user.pk == actor.pk and role != actor.role:
        raise PermissionDenied(_("You cannot change your own role."))
    with transaction.atomic():
        user.first_name = first_name
        user.last_name = last_name
        user.email = email
        user.organisation = organisation
        user.is_staff = role == "administrator"
        user.full_clean()
        user._change_reason = "user_update"
        user.save()
        set_role(user, role)
    return user


def _end_sessions(user: User) -> int:
    """Delete every live session of `user`: they are signed out everywhere at once."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def user_deactivate(*, actor: User, user: User) -> User:
    """Deactivate a staff account and end its sessions; the row and its history stay."""
    _check_may_manage(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        user.is_active = False
        user._change_reason = "user_deactivate"
        user.save(update_fields=["is_active"])
        _end_sessions(user)
    return user


def user_reactivate(*, actor: User, user: User) -> User:
    """Let a deactivated staff account sign in again."""
    _check_may_manage(actor, user)
    with transaction.atomic():
        user.is_active = True
        user._change_reason = "user_reactivate"
        user.save(update_fields=["is_active"])
    return user
