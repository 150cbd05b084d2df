"""The only way to load a client for a user. Object permissions are checked here, nowhere else.

Every read of a client's personal data through here writes an access-log row.
"""

import uuid

from django.db.models import QuerySet
from django.http import Http404
from guardian.shortcuts import get_objects_for_user

from audit.services import access_log_write
from cases.models import Client


def clients_visible_to(user, *, write: bool = False) -> QuerySet[Client]:
    """Clients whose file `user` may open (read, or change with write=True)."""
    permission = "cases.change_client" if write else "cases.view_client"
    # Object permissions only: a model-wide permission held through a group must not open the
    # whole table, and a superuser flag opens nothing by itself.
    return get_objects_for_user(
        user,
        permission,
        klass=Client.objects.select_related("subject"),
        accept_global_perms=False,
        with_superuser=False,
    )


def get_client_for_user(
    user, client_id, *, write: bool = False, request=None, purpose: str = ""
) -> Client:
    """Load a client `user` may see, logging the access; 404 alike for missing and out of reach."""
    try:
        pk = uuid.UUID(str(client_id))
    except ValueError:
        raise Http404 from None
    # Inactive or anonymous users reach nothing.
    if not user.is_authenticated or not user.is_active:
        raise Http404
    client = clients_visible_to(user, write=write).filter(pk=pk).first()
    if client is None:
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
    access_log_write(
        actor=user,
        action="update" if write else "view",
        subject_id=pk,
        purpose=purpose,
        request=request,
    )
    return client
