"""Who may open which page. Role checks live here and nowhere else."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Team, User
from accounts.roles import ASSIGNABLE_BY, STAFF_MANAGERS, Role


def role_required(*roles: str):
    """Decorate a view: anonymous users go to login, users without one of `roles` get 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            # A page of another role's work: refuse, but do not hide that the page exists.
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def assignable_roles(actor: User) -> list[str]:
    """The roles `actor` may hand out, in the order of Role."""
    allowed: set[str] = set()
    for role in actor.roles & STAFF_MANAGERS:
        allowed |= {str(r) for r in ASSIGNABLE_BY[role]}
    return [code for code in Role.values if code in allowed]


def staff_visible_to(actor: User) -> QuerySet[User]:
    """Staff accounts `actor` may see: all for an administrator, else their organisation's."""
    users = User.objects.select_related("organisation").prefetch_related("groups")
    # Administrators manage every organisation's staff.
    if actor.has_role(Role.ADMINISTRATOR):
        return users.order_by("last_name", "first_name", "username")
    # Managers manage the staff of their own organisation only.
    if actor.has_role(Role.MANAGER) and actor.organisation_id:
        return users.of_organisation(actor.organisation_id).order_by(
            "last_name", "first_name", "username"
        )
    return users.none()


def get_staff_for_user(actor: User, user_id: int) -> User:
    """Load a staff account `actor` may manage; 404 alike for missing and out of reach.

    A manager may not manage an account whose role they could not hand out (an administrator).
    """
    try:
        target = staff_visible_to(actor).get(pk=user_id)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not may_manage_staff(actor, target):
        raise PermissionDenied
    return target


def may_manage_staff(actor: User, target: User, roles: list[str] | None = None) -> bool:
    """Whether `actor` may open `target`'s account (one of staff_visible_to): not when it holds
    a role beyond the actor's reach (an administrator's or a DPO's account, for a manager).
    `roles`: assignable_roles(actor), when already known."""
    # An account holding any role beyond the actor's reach is managed by an administrator.
    return not target.roles - set(assignable_roles(actor) if roles is None else roles)


def teams_visible_to(actor: User) -> QuerySet[Team]:
    """Teams `actor` may manage or assign files to: their own organisation's, for a manager."""
    # Teams are run by the managers of their organisation; nobody else, administrators included.
    if not actor.has_role(Role.MANAGER) or not actor.organisation_id:
        return Team.objects.none()
    return Team.objects.of_organisation(actor.organisation_id).order_by("name")


def get_team_for_user(actor: User, team_id: int) -> Team:
    """Load a team `actor` may manage; 404 alike for missing and another organisation's."""
    try:
        return teams_visible_to(actor).select_related("group").get(pk=team_id)
    except (Team.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def team_member_candidates(team: Team) -> QuerySet[User]:
    """Who may be in `team`: active social workers of the team's organisation.

    A team's members reach every file assigned to the team, so nobody else may join it.
    """
    return (
        User.objects.of_organisation(team.organisation_id)
        .filter(is_active=True)
        .with_role(Role.SOCIAL_WORKER)
        .order_by("last_name", "first_name", "username")
    )


def team_members(team: Team) -> QuerySet[User]:
    """The members of `team` (deactivated accounts included: they reach nothing meanwhile)."""
    return team.group.user_set.order_by("last_name", "first_name", "username")


def team_has_member(team: Team, user: User) -> bool:
    """Whether `user` is in `team`'s group, and so reaches the files assigned to the team."""
    return team.group.user_set.filter(pk=user.pk).exists()


def get_staff_for_second_factor_reset(actor: User, user_id: int) -> User:
    """Load a staff account whose second factor `actor` may reset; 404 alike for missing and
    out of reach (another organisation's), 403 for one's own (accounts.second_factor.may_reset).
    """
    from accounts.second_factor import may_reset

    # Administrators only (the view's role check says so first).
    if not actor.has_role(Role.ADMINISTRATOR) or actor.organisation_id is None:
        raise PermissionDenied
    # Of the administrator's own organisation.
    target = User.objects.of_organisation(actor.organisation_id).filter(pk=user_id).first()
    if target is None:
        raise Http404
    # Never one's own: another administrator checks who is asking.
    if not may_reset(actor, target):
        raise PermissionDenied
    return target
