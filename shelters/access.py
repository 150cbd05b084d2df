"""Who reaches which facility, and through it which stays, holds, bans and clients.

Per-facility reach is a guardian object permission (`shelters.operate_facility`) on Facility,
read here from guardian's two direct tables (the user's rows and their groups'), never through
a model-wide permission or a superuser flag. Anything of a facility out of the user's reach
answers 404, the same as a missing one. The people a facility knows are the rule book's
"facility_staff" way (shelters/ways.py, built on `known_client_ids`); a social worker's own
clients are the caseload of cases.access. Reads of a client's data write an access-log row here.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.roles import Role
from audit.purposes import Purpose
from audit.services import access_log_write
from cases import access as case_access
from cases.models import Client, Household
from config.compiled import Compiled
from shelters.models import (
    Ban,
    BedOutage,
    Facility,
    FacilityGroupObjectPermission,
    FacilityUserObjectPermission,
    Hold,
    RoomAllocation,
    Stay,
    WaitlistEntry,
    WaitlistStatus,
)

OPERATE = "shelters.operate_facility"
# The roles whose members may work in a facility (given its permission).
FACILITY_ROLES = (Role.SHELTER_STAFF, Role.MANAGER, Role.SOCIAL_WORKER)
# Waitlist entries a facility still acts on.
OPEN_WAITLIST = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


def _operated_ids(user_id: int) -> QuerySet:
    """Ids of the facilities user `user_id` holds the object permission on, as one sub-query.

    guardian's direct tables of facilities hold facilities' permissions only, so the codename
    names the permission (a join of the content type cost planning time on every page).
    """
    by_user = FacilityUserObjectPermission.objects.filter(
        user_id=user_id, permission__codename="operate_facility"
    ).values("content_object_id")
    # Driven by the user's own groups (a handful), not by every group's grants.
    by_group = FacilityGroupObjectPermission.objects.filter(
        group_id__in=User.groups.through.objects.filter(user_id=user_id).values("group_id"),
        permission__codename="operate_facility",
    ).values("content_object_id")
    return by_user.union(by_group)


def _works_in_facilities(user) -> bool:
    """Whether `user` may work in any facility at all (then their permissions say which)."""
    # Inactive or anonymous users reach nothing.
    if not user.is_authenticated or not user.is_active:
        return False
    # A role that never works in a facility reaches none, whatever rows it kept.
    return user.has_role(*FACILITY_ROLES)


def _operated_facilities(user_id: int) -> QuerySet[Facility]:
    # Object permissions only: a model-wide permission or a superuser flag opens nothing.
    return (
        Facility.objects.active()
        .filter(pk__in=_operated_ids(user_id))
        .select_related("organisation")
    )


def facilities_for_user(user) -> QuerySet[Facility]:
    """Facilities `user` works in (bed board, check-in, holds, waitlist, bans)."""
    if not _works_in_facilities(user):
        return Facility.objects.none()
    return _operated_facilities(user.pk)


# `facilities_for_user(user).filter(pk=…)`, its statement built once a process: the ORM took
# about 1.5 ms of CPU to build it on every page of a facility (config/compiled.py).
_facility_in_reach = Compiled(
    lambda user_id, facility_id: _operated_facilities(user_id).filter(pk=facility_id),
    ids=("user_id", "facility_id"),
)


def facilities_for_counts(user) -> QuerySet[Facility]:
    """Facilities whose aggregate figures (night count, occupancy) `user` may see.

    Managers see every facility of their organisation (aggregates only); staff their own.
    """
    # A manager's reach is their organisation's facilities.
    if user.has_role(Role.MANAGER) and user.organisation_id:
        own = Facility.objects.active().of_organisation(user.organisation_id)
        return (own | facilities_for_user(user)).distinct()
    return facilities_for_user(user)


def get_facility_for_user(user, facility_id) -> Facility:
    """A facility `user` works in; 404 alike for missing and out of reach.

    The rule is `facilities_for_user`'s: the same checks, then the same statement.
    """
    try:
        pk = int(facility_id)
    except (TypeError, ValueError):
        raise Http404 from None
    found = (
        _facility_in_reach.objects(user_id=user.pk, facility_id=pk)
        if _works_in_facilities(user)
        else []
    )
    # Missing and hidden look the same.
    if not found:
        raise Http404
    return found[0]


def _in_reach(user, queryset, object_id):
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        raise Http404 from None
    found = queryset.filter(pk=pk, facility__in=facilities_for_user(user)).first()
    # An object of a facility out of reach is as missing as one that never was.
    if found is None:
        raise Http404
    return found


def get_stay_for_user(user, stay_id, *, request=None, purpose: str = Purpose.STAY) -> Stay:
    """A stay in one of `user`'s facilities, logging the read; 404 otherwise."""
    stay = _in_reach(user, Stay.objects.select_related("client", "bed__room", "facility"), stay_id)
    access_log_write(
        actor=user,
        action="view",
        subject_id=stay.client_id,
        purpose=purpose,
        request=request,
        way="facility_staff",
    )
    return stay


def get_hold_for_user(user, hold_id) -> Hold:
    return _in_reach(user, Hold.objects.select_related("facility", "bed"), hold_id)


def get_ban_for_user(user, ban_id) -> Ban:
    return _in_reach(user, Ban.objects.select_related("facility"), ban_id)


def get_allocation_for_user(user, allocation_id) -> RoomAllocation:
    """A household's room allocation in one of `user`'s facilities; 404 otherwise."""
    return _in_reach(user, RoomAllocation.objects.select_related("facility"), allocation_id)


def get_waitlist_entry_for_user(user, entry_id) -> WaitlistEntry:
    return _in_reach(user, WaitlistEntry.objects.select_related("facility"), entry_id)


def _known_to(facilities, *, person_id=None) -> tuple[QuerySet, ...]:
    """The people `facilities` know, as four one-column queries of client ids: on a waitlist
    (waiting or offered), holding a bed now, staying or having stayed, banned (so that check-in
    shows the ban on the very person, never on a namesake)."""
    waiting = WaitlistEntry.objects.filter(facility__in=facilities, status__in=OPEN_WAITLIST)
    held = Hold.objects.active().filter(facility__in=facilities, client__isnull=False)
    stayed = Stay.objects.filter(facility__in=facilities)
    banned = Ban.objects.filter(facility__in=facilities)
    if person_id is not None:
        waiting = waiting.filter(client_id=person_id)
        held = held.filter(client_id=person_id)
        stayed = stayed.filter(client_id=person_id)
        banned = banned.filter(client_id=person_id)
    return (
        waiting.values("client_id"),
        held.values("client_id"),
        stayed.values("client_id"),
        banned.values("client_id"),
    )


def known_client_ids(user, *, person_id=None) -> tuple[QuerySet, ...]:
    """The people known to any facility `user` works in: the rule book's facility_staff way."""
    # The facilities' ids once, as a light sub-query (no select_related) the three share.
    return _known_to(facilities_for_user(user).values("pk"), person_id=person_id)


def clients_known_to(facility: Facility) -> QuerySet[Client]:
    """Clients this facility already knows: on its waitlist, holding a bed, staying, or banned.

    Shelter staff pick clients for check-in from this set only; they never search case files.
    """
    first, *rest = _known_to(Facility.objects.filter(pk=facility.pk))
    return Client.objects.filter(pk__in=first.union(*rest))


def households_known_to(facility: Facility) -> QuerySet[Household]:
    """Households whose head (the mother) this facility already knows (`clients_known_to`)."""
    return Household.objects.filter(head__in=clients_known_to(facility)).select_related("head")


def get_client_in_facility(user, facility: Facility, client_id, *, request=None) -> Client:
    """A client known to `facility` (which `user` works in), logging the access; 404 otherwise."""
    try:
        pk = uuid.UUID(str(client_id))
    except ValueError:
        raise Http404 from None
    # The facility itself must be in reach first.
    get_facility_for_user(user, facility.pk)
    client = clients_known_to(facility).filter(pk=pk).first()
    if client is None:
        raise Http404
    access_log_write(
        actor=user,
        action="view",
        subject_id=client.pk,
        purpose=Purpose.CHECK_IN,
        request=request,
        way="facility_staff",
    )
    return client


def get_caseload_client(user, client_id) -> Client:
    """A client of a social worker's own caseload (to put on a waitlist); 404 otherwise."""
    try:
        pk = uuid.UUID(str(client_id))
    except ValueError:
        raise Http404 from None
    client = case_access.clients_visible_to(user).filter(pk=pk).first()
    if client is None:
        raise Http404
    return client


def require_manager(user) -> None:
    """Overrides and lifting bans are a manager's decision."""
    if not user.has_role(Role.MANAGER):
        raise PermissionDenied


def can_operate(user, facility: Facility) -> bool:
    """Whether `user` works in `facility` (the services check it again before every write)."""
    return facilities_for_user(user).filter(pk=facility.pk).exists()


def in_caseload(user, client: Client) -> bool:
    """Whether `client` is in the caseload of `user` (a social worker placing someone)."""
    return case_access.in_caseload(user, client.pk)


# --- configuration by managers ----------------------------------------------------------------


def facilities_managed_by(user) -> QuerySet[Facility]:
    """Facilities `user` configures (rooms, beds, outages, winter mode, who operates them).

    A manager configures every facility of their own organisation, active or not; no one else
    configures any.
    """
    # Inactive or anonymous users reach nothing.
    if not user.is_authenticated or not user.is_active:
        return Facility.objects.none()
    # Only managers configure facilities.
    if not user.has_role(Role.MANAGER):
        return Facility.objects.none()
    # A manager's reach is their organisation; without one, nothing.
    if not user.organisation_id:
        return Facility.objects.none()
    return Facility.objects.of_organisation(user.organisation_id)


def get_managed_facility(user, facility_id) -> Facility:
    """A facility `user` configures; 404 alike for missing and another organisation's."""
    try:
        pk = int(facility_id)
    except (TypeError, ValueError):
        raise Http404 from None
    facility = facilities_managed_by(user).filter(pk=pk).first()
    # Missing and hidden look the same.
    if facility is None:
        raise Http404
    return facility


def get_managed(user, queryset, object_id):
    """A room, bed or outage of a facility `user` configures; 404 otherwise."""
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        raise Http404 from None
    field = "bed__facility__in" if queryset.model is BedOutage else "facility__in"
    found = queryset.filter(pk=pk, **{field: facilities_managed_by(user)}).first()
    # An object of another organisation's facility is as missing as one that never was.
    if found is None:
        raise Http404
    return found


def operators_of(facility: Facility):
    """Staff who operate `facility` through a grant of their own (the manager's page lists them).

    Grants to groups (FacilityGroupObjectPermission) reach the facility too; the services grant
    to users only, so that each grant has a name on the page and a line in the history.
    """
    from accounts.models import User

    grants = FacilityUserObjectPermission.objects.filter(
        content_object=facility, permission__codename="operate_facility"
    )
    return User.objects.filter(pk__in=grants.values("user_id"))


# --- walk-ins: finding the person at the door ------------------------------------------------


def _door_search(user, terms: dict) -> list[Client]:
    """cases' blind-index search (exact names or a PESEL), less the people hiding from someone
    `user` reaches (their do-not-disclose list), as the social workers' search leaves out."""
    from cases import selectors as case_selectors

    found = case_selectors.client_search(**terms)
    hidden = case_access.hidden_from(user, [c.pk for c in found])
    return [c for c in found if c.pk not in hidden]


def found_at_the_door(user, facility: Facility, *, terms: dict, request=None) -> list[Client]:
    """The known people matching what staff typed at the door of `facility` (exactly: a first
    name and surname, or a PESEL); each one found is a `search` row of the access log.

    Shelter staff learn only that the person is known (year of birth, short id) and whether
    this facility may admit them: never the file, nor who holds it.
    """
    # The facility itself must be in reach first.
    get_facility_for_user(user, facility.pk)
    found = _door_search(user, terms)
    for client in found:
        access_log_write(
            actor=user,
            action="search",
            subject_id=client.pk,
            purpose=Purpose.WALK_IN_SEARCH,
            request=request,
            way="search",
        )
    if not found:
        access_log_write(
            actor=user, action="search", purpose=Purpose.WALK_IN_SEARCH, request=request
        )
    return found


def get_found_at_the_door(
    user, facility: Facility, client_id, *, terms: dict, request=None
) -> Client:
    """A person found by the same search at the door (the terms are sent again with the pick),
    to check them in; 404 for an id the search does not find: an id alone opens no one."""
    try:
        pk = uuid.UUID(str(client_id))
    except ValueError:
        raise Http404 from None
    get_facility_for_user(user, facility.pk)
    client = next((c for c in _door_search(user, terms) if c.pk == pk), None)
    if client is None:
        raise Http404
    access_log_write(
        actor=user, action="view", subject_id=client.pk, purpose=Purpose.CHECK_IN, request=request
    )
    return client
