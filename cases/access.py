"""The only way to load a client, or an object of their file, for a user.

Who reaches whom is the rule book's (accounts.reach; the ways of case work are in
cases/ways.py): this module asks it and turns the answer into a loaded object, a 404 (missing
and out of reach look the same), a 403 (readable but not writable) and the access-log row of the
read. Services ask the same functions before they write (`require_change`), so a page and its
service can never disagree.

The caseload is what a social worker holds: the ways "holder" and "team". Break-glass opens a
file for reading only, without its sensitive part, and never the file of someone hiding from a
person the reader reaches. Managers reach the names of the files their organisation holds, the
handover requests for those files, their workers' emergency accesses and the plans waiting for
their approval; partners the referrals sent to them while consent holds.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts import reach
from accounts.reach import Part, Reach
from accounts.roles import Role
from audit.models import AccessLogEntry
from audit.purposes import Purpose
from audit.services import access_log_write
from cases.models import (
    BreakGlassAccess,
    CaseNote,
    Client,
    Document,
    HandoverRequest,
    Plan,
    Referral,
    WalkIn,
)
from cases.ways import CASELOAD_WAYS, undisclosed_to
from privacy.models import Restriction
from privacy.restriction import ProcessingRestricted, require_processing_allowed

Action = AccessLogEntry.Action
Outcome = AccessLogEntry.Outcome


def _parse(client_id) -> uuid.UUID:
    try:
        return uuid.UUID(str(client_id))
    except ValueError:
        raise Http404 from None


def clients_reached(
    user, part: str = Part.FILE, *, write: bool = False, ways=None
) -> QuerySet[Client]:
    """Clients whose `part` `user` may read (or change), through any way or only `ways`."""
    ids = reach.person_ids(user, part, write=write, ways=ways)
    return Client.objects.filter(pk__in=ids).select_related("subject")


def clients_visible_to(user, *, write: bool = False) -> QuerySet[Client]:
    """The clients of `user`'s caseload: files they hold, alone or with their team."""
    return clients_reached(user, Part.FILE, write=write, ways=CASELOAD_WAYS)


def in_caseload(user, client_id) -> bool:
    """Whether the client is in `user`'s caseload (one query)."""
    return bool(reach.reach_of(user, client_id, Part.FILE).ways & set(CASELOAD_WAYS))


def readable_among(user, client_ids, part: str = Part.FILE) -> set:
    """Which of `client_ids` `user` may read `part` of (one query for them all)."""
    ids = list(client_ids)
    if not ids:
        return set()
    found = Client.objects.filter(pk__in=ids).filter(pk__in=reach.person_ids(user, part))
    return set(found.values_list("pk", flat=True))


def hidden_from(user, client_ids) -> set:
    """Which of `client_ids` must stay hidden from `user` (their do-not-disclose list names
    someone `user` reaches): the search leaves them out, break-glass refuses them."""
    ids = list(client_ids)
    if not ids:
        return set()
    hidden = undisclosed_to(user).filter(client_id__in=ids)
    return set(hidden.values_list("client_id", flat=True))


def require_change(
    user, client_id, part: str = Part.FILE, *, starts_processing: bool = True
) -> None:
    """Refuse (PermissionDenied) unless `user` may change `part` of the client: every service
    that writes to a file asks this, as the page did.

    A person whose processing is restricted (art. 18 GDPR) has a read-only file: the change is
    refused with the restriction's ValidationError, unless it stops processing rather than
    starting it (`starts_processing=False`: a consent withdrawn).
    """
    if not reach.may_change(user, client_id, part):
        raise PermissionDenied(_("You may not change this file."))
    # The one rule of restriction (privacy.restriction), asked after the reach: a worker out
    # of reach learns nothing of a restriction.
    if starts_processing:
        require_processing_allowed(client_id)


def _with_restriction(clients: QuerySet[Client]) -> QuerySet[Client]:
    """The clients with `is_restricted` (a restriction in force today), in the same query."""
    in_force = Restriction.objects.in_force().filter(subject_id=OuterRef("pk"))
    return clients.annotate(is_restricted=Exists(in_force))


@dataclass(frozen=True)
class ClientAccess:
    """A loaded client, how the user reached it, and what of it they may read and change."""

    client: Client
    reach: Reach
    break_glass: BreakGlassAccess | None = None
    # Processing restricted (art. 18 GDPR): the file is read-only for every way.
    restricted: bool = False

    def may_read(self, part: str) -> bool:
        return self.reach.may_read(part)

    def may_change(self, part: str) -> bool:
        return self.reach.may_change(part) and not self.restricted

    @property
    def can_write(self) -> bool:
        """Whether the file may be changed (templates show the forms by this)."""
        return self.may_change(Part.FILE)

    @property
    def holds(self) -> bool:
        """Whether the user holds the file (alone or with the team): they see who saw it."""
        return bool(self.reach.ways & set(CASELOAD_WAYS))

    @property
    def sees_sensitive(self) -> bool:
        """Whether sensitive notes, health facts, medical documents and children's names show."""
        return self.reach.may_read(Part.SENSITIVE)


def get_client_access(
    user,
    client_id,
    *,
    part: str = Part.FILE,
    write: bool = False,
    request=None,
    purpose: str = Purpose.FILE,
    starts_processing: bool = True,
) -> ClientAccess:
    """Load a client for `user` to read (or change) `part`, logging it; 404 alike for missing
    and out of reach.

    The row logged is a view (a break_glass row when only an emergency access shows the part):
    loading shows the file, even for editing; the change itself is logged once, by the service
    that makes it. Readable but not writable: 403, logged as a refused update; so is a change
    to a restricted person's file (art. 18 GDPR), with the restriction's own refusal
    (ProcessingRestricted), unless it stops processing (`starts_processing=False`).
    """
    pk = _parse(client_id)
    # The row, its restriction and the reach in one query; nothing of the row is used unless
    # the reach allows.
    rows = _with_restriction(Client.objects.select_related("subject"))
    client, found = reach.load(rows, user, pk, part)
    # No way of the user shows this part of this person: as missing as a person who never was.
    if not found.may_read(part):
        # A refused attempt on an existing person is logged: it is what a reviewer looks for.
        if user.is_authenticated and client is not None:
            access_log_write(
                actor=user,
                action=Action.UPDATE if write else Action.VIEW,
                subject_id=pk,
                purpose=purpose,
                outcome=Outcome.NOT_FOUND,
                request=request,
            )
        raise Http404
    # Readable but not writable: the file's existence is no secret to this user, so 403.
    if write and not found.may_change(part):
        access_log_write(
            actor=user,
            action=Action.UPDATE,
            subject_id=pk,
            purpose=purpose,
            outcome=Outcome.DENIED,
            request=request,
        )
        raise PermissionDenied
    restricted = bool(client.is_restricted)
    # Restricted: kept, read-only (privacy.restriction is the rule; the service asks it too).
    if write and restricted and starts_processing:
        access_log_write(
            actor=user,
            action=Action.UPDATE,
            subject_id=pk,
            purpose=purpose,
            outcome=Outcome.DENIED,
            request=request,
        )
        raise ProcessingRestricted
    action = found.logged_as(part)
    grant = None
    # Read through an emergency access only: the page shows its banner and expiry.
    if action == Action.BREAK_GLASS:
        grant = (
            BreakGlassAccess.objects.in_force()
            .filter(user=user, client_id=pk)
            .order_by("-expires_at")
            .first()
        )
    access_log_write(
        actor=user,
        action=action,
        subject_id=pk,
        purpose=purpose,
        request=request,
        way=found.logged_way(part),
    )
    return ClientAccess(client=client, reach=found, break_glass=grant, restricted=restricted)


def get_client_for_user(
    user, client_id, *, write: bool = False, request=None, purpose: str = Purpose.FILE
) -> Client:
    """Load a client whose file `user` may read (or change), logging the access."""
    return get_client_access(user, client_id, write=write, request=request, purpose=purpose).client


def get_client_known_to(user, client_id, *, action: str, request=None) -> Client:
    """A client the search may show to `user`, to ask for their file or open it in an emergency.

    404 alike for a missing person and one hiding from someone `user` reaches (their
    do-not-disclose list); the refusal of the latter is logged as denied, since it is what a
    reviewer looks for (a worker who knew the id of the file of their client's victim).
    """
    pk = _parse(client_id)
    client = Client.objects.select_related("subject").filter(pk=pk).first()
    # Missing: nothing to log.
    if client is None:
        raise Http404
    # Hidden from this user: refused, logged, and answered as if missing.
    if hidden_from(user, [pk]):
        access_log_write(
            actor=user, action=action, subject_id=pk, outcome=Outcome.DENIED, request=request
        )
        raise Http404
    return client


def notes_visible_to(access: ClientAccess) -> QuerySet[CaseNote]:
    """A client's notes for this access: sensitive notes only for ways that read them."""
    notes = access.client.notes.with_keys()
    # Sensitive notes (health, violence) are hidden from everyone else, break-glass included.
    if not access.sees_sensitive:
        notes = notes.filter(is_sensitive=False)
    return notes


def documents_visible_to(access: ClientAccess) -> QuerySet[Document]:
    """A client's documents for this access: special-category kinds only for ways that read
    the sensitive part."""
    documents = access.client.documents.with_keys()
    if not access.sees_sensitive:
        documents = documents.exclude(kind__in=Document.SENSITIVE_KINDS)
    return documents


# --- the manager's reach -------------------------------------------------------------------


def get_client_held_in_organisation(manager, client_id, *, request=None) -> Client:
    """A client whose file a worker of `manager`'s organisation holds (to assign it); 404 else.

    Logged as a read: the page names the person so the manager knows whose file moves.
    """
    pk = _parse(client_id)
    # Through the rule book's "organisation" way: the names of the files held there, no more.
    if "organisation" not in reach.reach_of(manager, pk, Part.IDENTITY).ways:
        raise Http404
    client = Client.objects.select_related("subject").get(pk=pk)
    access_log_write(
        actor=manager, action=Action.VIEW, subject_id=pk, purpose=Purpose.ASSIGN, request=request
    )
    return client


def decides_for_holder(manager, client_id) -> bool:
    """Whether `manager` decides for the organisation holding the file now (one query)."""
    return manager.has_role(Role.MANAGER) and (
        "organisation" in reach.reach_of(manager, client_id, Part.IDENTITY).ways
    )


def handovers_to_decide(manager) -> QuerySet[HandoverRequest]:
    """Open handover requests for files held in `manager`'s organisation (theirs to decide)."""
    # Managers only: another role's organisation decides nothing.
    if not manager.has_role(Role.MANAGER):
        return HandoverRequest.objects.none()
    return HandoverRequest.objects.open().held_in(manager.organisation_id)


def get_handover_to_decide(manager, request_id) -> HandoverRequest:
    """An open request `manager` decides; 404 alike for missing, decided and another's."""
    found = (
        handovers_to_decide(manager)
        .select_related("requested_by__organisation", "client")
        .filter(pk=request_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def grants_to_review(manager) -> QuerySet[BreakGlassAccess]:
    """Unreviewed emergency accesses opened by workers of `manager`'s organisation."""
    if not manager.has_role(Role.MANAGER):
        return BreakGlassAccess.objects.none()
    return BreakGlassAccess.objects.of_staff_of(manager.organisation_id).unreviewed()


def get_grant_to_review(manager, grant_id) -> BreakGlassAccess:
    """An emergency access of `manager`'s organisation; 404 alike for missing and another's."""
    if not manager.has_role(Role.MANAGER):
        raise Http404
    found = (
        BreakGlassAccess.objects.of_staff_of(manager.organisation_id)
        .select_related("user")
        .filter(pk=grant_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def plans_to_approve(manager) -> QuerySet[Plan]:
    """Plans waiting for the approval of `manager` (written in their organisation)."""
    if not manager.has_role(Role.MANAGER):
        return Plan.objects.none()
    return Plan.objects.awaiting_approval_in(manager.organisation_id).select_related(
        "created_by", "client"
    )


def get_plan_to_approve(manager, plan_id) -> Plan:
    """A plan waiting for `manager`'s approval; 404 alike for any other plan."""
    found = plans_to_approve(manager).with_keys().filter(pk=plan_id).first()
    if found is None:
        raise Http404
    return found


# --- the partner's reach -------------------------------------------------------------------


def referrals_for_partner(user) -> QuerySet[Referral]:
    """Referrals sent to `user`'s organisation whose client the partner way reaches (consent
    holds today, checked in the query: a withdrawal cuts the partner off in the same request)."""
    reached = reach.person_ids(user, Part.REFERRAL, ways=("partner",))
    return (
        Referral.objects.to_partner(user.organisation_id)
        .filter(client_id__in=reached)
        .select_related("client")
        .with_keys()
    )


def get_referral_for_partner(user, referral_id) -> Referral:
    """One referral for the partner; 404 alike for missing, another's and without consent."""
    found = referrals_for_partner(user).filter(pk=referral_id).first()
    if found is None:
        raise Http404
    return found


# --- walk-ins waiting for a social worker --------------------------------------------------


def walk_ins_for(user) -> QuerySet[WalkIn]:
    """The new walk-ins `user` may take: the rule book's walk_in way (registered at a facility
    of the worker's organisation, not taken, held by nobody)."""
    reached = reach.person_ids(user, Part.IDENTITY, ways=("walk_in",))
    # An erased person has nothing left to take over.
    return WalkIn.objects.filter(client_id__in=reached, client__subject__erased_at__isnull=True)


def get_walk_in_for_user(user, client_id) -> WalkIn:
    """A walk-in `user` may take; 404 alike for missing, taken and another organisation's."""
    pk = _parse(client_id)
    found = walk_ins_for(user).select_related("client").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
