"""The only way to load a client for a user. Object permissions are checked here, nowhere else.

Reach, in order:
- the caseload: guardian object permissions `view_client` / `change_client`, granted on
  assignment and revoked on handover (cases.services);
- break-glass: read-only, time-limited, for a stated reason, logged and reviewed;
- nothing else: managers, shelter staff, partners and the DPO reach a file only through their own
  pages (shelters, referrals, erasure), which show what that work needs.
Every read of a client's personal data through here writes an access-log row.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from audit.services import access_log_write
from cases.models import (
    BreakGlassAccess,
    CaseNote,
    Client,
    ClientGroupObjectPermission,
    ClientUserObjectPermission,
)


def clients_visible_to(user, *, write: bool = False) -> QuerySet[Client]:
    """Clients of `user`'s caseload (read, or change with write=True).

    Object permissions only, held by the user or by one of their groups (a team): a model-wide
    permission held through a group must not open the whole table, and a superuser flag opens
    nothing by itself. The two permission tables are read directly, on indexed columns, and
    joined by UNION: guardian's get_objects_for_user, like an OR of two IN sub-selects, makes
    PostgreSQL scan the whole client table (docs/benchmarks.md).
    """
    if not user.is_authenticated or not user.is_active:
        return Client.objects.none()
    codename = "change_client" if write else "view_client"
    by_user = ClientUserObjectPermission.objects.filter(
        user=user,
        permission__codename=codename,
        permission__content_type__app_label="cases",
        permission__content_type__model="client",
    ).values("content_object_id")
    # Driven by the user's own groups (a handful), not by every team's grants of the permission.
    by_group = ClientGroupObjectPermission.objects.filter(
        group_id__in=user.groups.values("pk"),
        permission__codename=codename,
        permission__content_type__app_label="cases",
        permission__content_type__model="client",
    ).values("content_object_id")
    # One IN over the UNION of both: with an OR of two INs PostgreSQL scans the whole client
    # table; an IN over a union becomes a semi-join that looks the few clients up by key.
    return Client.objects.filter(pk__in=by_user.union(by_group)).select_related("subject")


def active_break_glass(user, client_id) -> BreakGlassAccess | None:
    """The user's unexpired emergency access to this client, if any."""
    return (
        BreakGlassAccess.objects.filter(
            user=user, client_id=client_id, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )


@dataclass(frozen=True)
class ClientAccess:
    """A loaded client and how the user reached it."""

    client: Client
    is_holder: bool
    break_glass: BreakGlassAccess | None

    @property
    def can_write(self) -> bool:
        return self.is_holder


def _parse(client_id) -> uuid.UUID:
    try:
        return uuid.UUID(str(client_id))
    except ValueError:
        raise Http404 from None


def get_client_access(
    user, client_id, *, write: bool = False, request=None, purpose: str = ""
) -> ClientAccess:
    """Load a client for `user`, logging the access; 404 alike for missing and out of reach.

    The row logged is a view: loading shows the file, even for editing (write=True); the change
    itself is logged once, by the service that makes it. Visible but not writable: 403, logged.
    """
    pk = _parse(client_id)
    # Inactive or anonymous users reach nothing.
    if not user.is_authenticated or not user.is_active:
        raise Http404
    client = clients_visible_to(user).filter(pk=pk).first()
    if client is not None:
        # Readable but not writable: the file's existence is no secret to this user, so 403.
        if write and not clients_visible_to(user, write=True).filter(pk=pk).exists():
            access_log_write(
                actor=user,
                action="update",
                subject_id=pk,
                purpose=purpose,
                outcome="denied",
                request=request,
            )
            raise PermissionDenied
        access_log_write(actor=user, action="view", subject_id=pk, purpose=purpose, request=request)
        return ClientAccess(client=client, is_holder=True, break_glass=None)
    # Break-glass opens a file for reading only, until it expires.
    grant = active_break_glass(user, pk)
    if grant is not None and write:
        access_log_write(
            actor=user,
            action="update",
            subject_id=pk,
            purpose=purpose,
            outcome="denied",
            request=request,
        )
        raise PermissionDenied
    if grant is not None:
        client = Client.objects.select_related("subject").get(pk=pk)
        access_log_write(
            actor=user,
            action="break_glass",
            subject_id=pk,
            purpose=purpose or "read",
            request=request,
        )
        return ClientAccess(client=client, is_holder=False, break_glass=grant)
    # A refused attempt on an existing person is logged too: it is what a reviewer looks for.
    if Client.objects.filter(pk=pk).exists():
        access_log_write(
            actor=user,
            action="update" if write else "view",
            subject_id=pk,
            purpose=purpose,
            outcome="not_found",
            request=request,
        )
    raise Http404


def get_client_for_user(
    user, client_id, *, write: bool = False, request=None, purpose: str = ""
) -> Client:
    """Load a client `user` may see (caseload or break-glass), logging the access."""
    return get_client_access(user, client_id, write=write, request=request, purpose=purpose).client


def notes_visible_to(access: ClientAccess) -> QuerySet[CaseNote]:
    """A client's notes for this access: sensitive notes only for the caseload holders."""
    notes = access.client.notes.with_keys()
    # Sensitive notes (health, violence) are hidden from everyone else, break-glass included.
    if not access.is_holder:
        notes = notes.filter(is_sensitive=False)
    return notes
