"""What the pathway pages share: loading a client's activation through the rule book."""

from django.http import Http404

from accounts.reach import Part
from audit.purposes import Purpose
from cases.access import ClientAccess, get_client_access


def activation_access(
    request, client_id, *, write: bool = False, purpose: str = Purpose.ACTIVATION_FILE
) -> ClientAccess:
    """The client for the user to read (or change) their activation, logged; 404 alike for a
    missing person and one out of reach (a coach reaches their participants, a worker their
    caseload), 403 for a visible one they may not change."""
    return get_client_access(
        request.user, client_id, part=Part.ACTIVATION, write=write, request=request, purpose=purpose
    )


def load_for_client(rows, pk, request, *, write: bool = False, purpose: str):
    """A row of a person's activation (an enrolment, a placement, a follow-up) and the access
    to its person; 404 alike for a missing row and one of a person out of reach."""
    try:
        row = rows.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        row = None
    if row is None:
        raise Http404
    access = activation_access(request, row.client_id, write=write, purpose=purpose)
    return row, access


def error_text(error) -> str:
    """A ValidationError's or PermissionDenied's translated messages as one line."""
    return " ".join(getattr(error, "messages", None) or [str(error)])
