"""The ways case work reaches a person, registered in the rule book (accounts.reach).

Registered from CasesConfig.ready(). Each query reads indexed columns only and runs nothing by
itself: the rule book nests it into its own one query.
- holder: the worker the file is assigned to (guardian's per-client rows of the user);
- team: a member of the team the file is assigned with (the rows of the user's groups);
- break_glass: an emergency access in force, read-only (the file and the stays), without the
  sensitive part, and never to a person whose do-not-disclose list names someone the reader
  reaches another way;
- partner: a partner organisation's user, for the referrals sent to it while consent holds;
- organisation: a manager, for the names of the files held in their organisation (to assign
  them and to decide handovers), nothing of the files themselves;
- walk_in: a social worker, for who a walk-in is (registered at the door of a facility of
  their organisation, not yet taken by anyone and held by no one), so that one of them takes
  the file; nothing else of the person until then.
"""

from django.utils.translation import gettext_lazy as _

from accounts import reach
from accounts.reach import Part, Way
from accounts.roles import Role
from cases.models import (
    Assignment,
    BreakGlassAccess,
    ClientGroupObjectPermission,
    ClientUserObjectPermission,
    DoNotDisclose,
    Referral,
    WalkIn,
)

# The caseload: the ways a social worker holds files by (the search, the to-do list and the
# waitlist form mean these).
CASELOAD_WAYS = ("holder", "team")

# The file's parts, for those who hold it.
_HOLDING = frozenset({Part.IDENTITY, Part.FILE, Part.SENSITIVE, Part.STAY})


# guardian's direct tables of clients hold clients' permissions only, so the codename names
# the permission; joining the content type too cost planning time on every page.
VIEW, CHANGE = "view_client", "change_client"


def _by_user(user, codename, person_id):
    rows = ClientUserObjectPermission.objects.filter(user_id=user.pk, permission__codename=codename)
    if person_id is not None:
        rows = rows.filter(content_object_id=person_id)
    return rows.values("content_object_id")


def _by_group(user, codename, person_id):
    # Driven by the user's own groups (a handful), not by every team's grants.
    rows = ClientGroupObjectPermission.objects.filter(
        group_id__in=user.groups.values("pk"), permission__codename=codename
    )
    if person_id is not None:
        rows = rows.filter(content_object_id=person_id)
    return rows.values("content_object_id")


def _holder(user, *, person_id):
    """Clients whose per-user permission row the user holds (the caseload's own files)."""
    return _by_user(user, VIEW, person_id)


def _holder_changes(user, *, person_id):
    return _by_user(user, CHANGE, person_id)


def _team(user, *, person_id):
    """Clients granted to one of the user's groups (a team)."""
    return _by_group(user, VIEW, person_id)


def _team_changes(user, *, person_id):
    return _by_group(user, CHANGE, person_id)


def undisclosed_to(user, *, person_id=None):
    """Ids of the clients whose do-not-disclose list names someone `user` reaches.

    Any way but break-glass counts (holding, a team, a facility, a referral...): whoever
    reaches the aggressor must not find or open the file of the person hiding from them.
    """
    reached = reach.person_ids(user, Part.IDENTITY, exclude=("break_glass",))
    entries = DoNotDisclose.objects.filter(other_client_id__in=reached)
    if person_id is not None:
        entries = entries.filter(client_id=person_id)
    return entries.values("client_id")


def _break_glass(user, *, person_id):
    """Clients of the user's emergency accesses in force (less the vetoed, see below)."""
    grants = BreakGlassAccess.objects.in_force().filter(user_id=user.pk)
    if person_id is not None:
        grants = grants.filter(client_id=person_id)
    return grants.values("client_id")


def _hidden(user, *, person_id):
    """Break-glass never opens the file of someone hiding from a person the user reaches."""
    return undisclosed_to(user, person_id=person_id)


def _partner(user, *, person_id):
    """Clients referred to the user's organisation while their consent holds today."""
    referrals = Referral.objects.to_partner(user.organisation_id).consented()
    if person_id is not None:
        referrals = referrals.filter(client_id=person_id)
    return referrals.values("client_id")


def _organisation(user, *, person_id):
    """Clients whose file is held now by a worker of the manager's organisation."""
    held = Assignment.objects.current().held_in(user.organisation_id)
    if person_id is not None:
        held = held.filter(client_id=person_id)
    return held.values("client_id")


def _walk_in(user, *, person_id):
    """Walk-ins of the worker's organisation that nobody has taken and nobody holds."""
    waiting = WalkIn.objects.waiting().of_organisation(user.organisation_id)
    if person_id is not None:
        waiting = waiting.filter(client_id=person_id)
    return waiting.values("client_id")


HOLDER = reach.register(
    Way(
        code="holder",
        label=_("holds the file"),
        roles=frozenset({Role.SOCIAL_WORKER}),
        reads=_HOLDING,
        writes=_HOLDING,
        reach=_holder,
        change_reach=_holder_changes,
    )
)
TEAM = reach.register(
    Way(
        code="team",
        label=_("in the team that holds the file"),
        roles=frozenset({Role.SOCIAL_WORKER}),
        reads=_HOLDING,
        writes=_HOLDING,
        reach=_team,
        change_reach=_team_changes,
    )
)
BREAK_GLASS = reach.register(
    Way(
        code="break_glass",
        label=_("emergency access"),
        roles=frozenset({Role.SOCIAL_WORKER}),
        # Read-only, and no special categories: sensitive notes, health, medical documents and
        # the children's names stay with the holders. Stays are in: where a person sleeps is
        # often what a night's emergency needs to know.
        reads=frozenset({Part.IDENTITY, Part.FILE, Part.STAY}),
        reach=_break_glass,
        veto=_hidden,
        logged_as="break_glass",
    )
)
PARTNER = reach.register(
    Way(
        code="partner",
        label=_("referred to the partner, with consent"),
        roles=frozenset({Role.PARTNER}),
        reads=frozenset({Part.IDENTITY, Part.REFERRAL}),
        writes=frozenset({Part.REFERRAL}),
        reach=_partner,
    )
)
ORGANISATION = reach.register(
    Way(
        code="organisation",
        label=_("held in the manager's organisation"),
        roles=frozenset({Role.MANAGER}),
        reads=frozenset({Part.IDENTITY}),
        reach=_organisation,
    )
)
WALK_IN = reach.register(
    Way(
        code="walk_in",
        label=_("a new walk-in of the worker's organisation, not yet taken"),
        roles=frozenset({Role.SOCIAL_WORKER}),
        # Who the person is, to take the file: the file itself comes with taking it.
        reads=frozenset({Part.IDENTITY}),
        reach=_walk_in,
    )
)
