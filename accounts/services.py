"""Writes to staff accounts: each in one transaction, with a history reason."""

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import positions
from accounts.access import assignable_roles, team_has_member, team_member_candidates
from accounts.models import Organisation, Team, User
from accounts.roles import Role

# simple-history's change reason column holds 100 characters.
_REASON_MAX = 100


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
    """Give `user` exactly one role; their other groups (teams) are not roles and stay."""
    group = Group.objects.get(name=role)
    user.groups.remove(*Group.objects.filter(name__in=Role.values).exclude(pk=group.pk))
    user.groups.add(group)
    if hasattr(user, "_roles_cache"):
        del user._roles_cache


def _leave_team(user: User, group: Group) -> None:
    """Take `user` out of a team's group, with the member's id in the team's history."""
    user.groups.remove(group)
    group.team._change_reason = f"team_member_remove user={user.pk}"
    group.team.save()


def _leave_teams_out_of_reach(user: User) -> None:
    """Take `user` out of every team they may no longer be in (see team_member_candidates).

    A team's files follow its members: someone who stops being a social worker, or moves to
    another organisation, must not keep reaching them through an old team.
    """
    teams = Group.objects.filter(team__isnull=False, user=user).select_related("team")
    # The role, not has_role(): what counts here is the role held, active or not.
    if Role.SOCIAL_WORKER in user.roles:
        teams = teams.exclude(team__organisation_id=user.organisation_id)
    for group in teams:
        _leave_team(user, group)


def teams_leave_all(user: User) -> int:
    """Take `user` out of every team (the end of a position); how many teams they left.

    Registered as the `teams` hook of accounts.positions (accounts/apps.py): a deactivated or
    moved member reaches none of the teams' files, and reactivation does not bring them back.
    """
    groups = list(Group.objects.filter(team__isnull=False, user=user).select_related("team"))
    for group in groups:
        _leave_team(user, group)
    return len(groups)


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


def _position_changes(user: User, *, role: str, organisation: Organisation | None) -> bool:
    """Whether `user` would leave their role or their organisation."""
    leaves_role = user.roles != {role}
    leaves_organisation = user.organisation_id != (organisation.pk if organisation else None)
    return leaves_role or leaves_organisation


def _check_nothing_held(user: User) -> None:
    """Refuse to change the position of someone who still holds what must be handed over.

    A social worker's caseload permissions would go with them: a worker moved to another
    organisation would keep reading the old one's clients. The files are handed over first (the
    manager's client list), then the account changes. Each app says what it holds
    (accounts.positions); the message names no one.
    """
    held = positions.holdings(user)
    if held:
        raise ValidationError(
            [
                _(
                    "The role or organisation of this account cannot change yet: hand over "
                    "what it still holds first."
                ),
                *held,
            ]
        )


def _end_position(user: User, reason: str) -> str:
    """Revoke every grant that came with `user`'s position; the history reason that says so.

    E.g. "user_update revoked shelters:2 teams:1" (kinds and counts, never names or ids).
    """
    revoked = positions.revoke(user)
    if not revoked:
        return reason
    summary = " ".join(f"{name}:{count}" for name, count in revoked.items())
    return f"{reason} revoked {summary}"[:_REASON_MAX]


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
    moves = _position_changes(user, role=role, organisation=organisation)
    if moves:
        _check_nothing_held(user)
    with transaction.atomic():
        # What the old position granted goes before the new one begins.
        reason = _end_position(user, "user_update") if moves else "user_update"
        user.first_name = first_name
        user.last_name = last_name
        user.email = email
        user.organisation = organisation
        user.is_staff = role == "administrator"
        user.full_clean()
        user._change_reason = reason
        user.save()
        set_role(user, role)
        _leave_teams_out_of_reach(user)
    return user


def _end_sessions(user: User) -> int:
    """Delete every live session of `user`: they are signed out everywhere at once."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def user_deactivate(
    *,
    actor: User,
    user: User,
    successor: User | None = None,
    team: Team | None = None,
    request=None,
) -> User:
    """Deactivate a staff account, end its sessions and its position; the row and history stay.

    What the person still holds (files) goes in the same transaction to `successor`, an active
    social worker of their organisation (with `team`, one of its teams the successor is in, or
    none): without one, a deactivation of someone who holds anything is refused, so no file is
    ever left with an inactive holder. Every grant of the position goes (facilities, teams,
    what the apps registered), so a reactivated account starts with none.
    """
    _check_may_manage(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic():
        # Both accounts locked, in id order: two managers handing A's files to B and B's to A
        # at the same moment cannot both succeed (the second sees its successor deactivated),
        # and no file is assigned to the person while they are being deactivated
        # (cases.services.assignment_start locks the worker too).
        ids = sorted({user.pk, successor.pk} if successor is not None else {user.pk})
        locked = {
            u.pk: u for u in User.objects.select_for_update().filter(pk__in=ids).order_by("pk")
        }
        if positions.holdings(user):
            if successor is None:
                raise ValidationError(
                    [
                        _(
                            "This person still holds files: choose who takes them over, then "
                            "deactivate the account."
                        ),
                        *positions.holdings(user),
                    ],
                    code="successor",
                )
            _check_successor(user, locked[successor.pk], team)
            positions.hand_over(
                user,
                to=successor,
                team=team.group if team is not None else None,
                by=actor,
                request=request,
            )
            left = positions.holdings(user)
            if left:
                raise ValidationError(left, code="successor")
        reason = _end_position(user, "user_deactivate")
        user.is_active = False
        user._change_reason = reason
        user.save(update_fields=["is_active"])
        _end_sessions(user)
    return user


def _check_successor(user: User, successor: User, team: Team | None) -> None:
    """Who takes over a deactivated person's files: an active social worker of their
    organisation, other than themselves; the team, if any, is of that organisation and has
    the successor as a member (the team's members reach the files)."""
    if successor.pk == user.pk:
        raise ValidationError(_("Choose someone else to take over the files."), code="successor")
    if (
        not successor.is_active
        or not successor.has_role(Role.SOCIAL_WORKER)
        or successor.organisation_id != user.organisation_id
    ):
        raise ValidationError(
            _("Files can be handed over only to an active social worker of the organisation."),
            code="successor",
        )
    if team is not None:
        if team.organisation_id != user.organisation_id:
            raise ValidationError(_("Choose a team of the organisation."), code="team")
        if not team_has_member(team, successor):
            raise ValidationError(_("The social worker is not a member of this team."), code="team")


def user_reactivate(*, actor: User, user: User) -> User:
    """Let a deactivated staff account sign in again, with its role and no object grants.

    The grants of the old position were revoked at deactivation; the manager gives the
    facilities and teams again where they are still the person's work.
    """
    _check_may_manage(actor, user)
    with transaction.atomic():
        user.is_active = True
        user._change_reason = "user_reactivate"
        user.save(update_fields=["is_active"])
    return user


# --- teams -----------------------------------------------------------------------------------


def _check_manages_teams_of(actor: User, organisation_id: int | None) -> None:
    # Teams are run by a manager of their own organisation, and by nobody else.
    if not actor.has_role(Role.MANAGER):
        raise PermissionDenied(_("Only managers run teams."))
    if not actor.organisation_id or actor.organisation_id != organisation_id:
        raise PermissionDenied(_("You may only manage teams of your own organisation."))


def team_create(*, actor: User, name: str) -> Team:
    """Create a team of the manager's organisation, with a group of its own and no members.

    The group's name is opaque (Team.new_group_name), so it can never be taken for a role.
    """
    _check_manages_teams_of(actor, actor.organisation_id)
    with transaction.atomic():
        team = Team(organisation_id=actor.organisation_id, name=" ".join(name.split()))
        # The name is checked (unique in the organisation) before the group is made.
        team.full_clean(exclude=["group"])
        team.group = Group.objects.create(name=Team.new_group_name())
        team._change_reason = "team_create"
        team.save()
    return team


def team_member_add(*, actor: User, team: Team, user: User) -> Team:
    """Add an active social worker of the team's organisation to the team.

    From now on they reach every file assigned to the team. The team's history records the
    change, with the member's id in the reason.
    """
    _check_manages_teams_of(actor, team.organisation_id)
    if not team_member_candidates(team).filter(pk=user.pk).exists():
        raise ValidationError(
            _("Only active social workers of the team's organisation can join it.")
        )
    if team_has_member(team, user):
        raise ValidationError(_("This person is already a member of the team."))
    with transaction.atomic():
        team.group.user_set.add(user)
        team._change_reason = f"team_member_add user={user.pk}"
        team.save()
    return team


def team_member_remove(*, actor: User, team: Team, user: User) -> Team:
    """Take a member out of the team: their reach to the team's files ends with this request.

    Files they hold themselves stay theirs (those are granted to them, not to the team).
    """
    _check_manages_teams_of(actor, team.organisation_id)
    if not team_has_member(team, user):
        raise ValidationError(_("This person is not a member of the team."))
    with transaction.atomic():
        team.group.user_set.remove(user)
        team._change_reason = f"team_member_remove user={user.pk}"
        team.save()
    return team


def organisation_second_factor_set(*, actor: User, required: bool) -> Organisation:
    """Ask a second factor of all the actor's organisation's staff, or stop asking it.

    An administrator or a manager of that organisation; the roles that always need one
    (accounts.second_factor.REQUIRED_ROLES) keep needing it either way.
    """
    if not actor.has_role(Role.ADMINISTRATOR, Role.MANAGER) or actor.organisation_id is None:
        raise PermissionDenied(_("Only an administrator or a manager of the organisation may."))
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=actor.organisation_id)
        if organisation.requires_second_factor != required:
            organisation.requires_second_factor = required
            organisation.full_clean()
            organisation._change_reason = (
                "second_factor_required" if required else ("second_factor_not_required")
            )
            organisation._history_user = actor
            organisation.save()
    return organisation
