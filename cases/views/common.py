"""What the file's pages share: the context of the file's header."""

from cases import selectors
from cases.access import ClientAccess


def file_context(access: ClientAccess, **extra) -> dict:
    """The header of every tab: the client, how they were reached, the holder, and the
    do-not-disclose warnings (the sensitive part: not for an emergency reader)."""
    client = access.client
    return {
        "client": client,
        "access": access,
        "warnings": list(client.do_not_disclose.with_keys()) if access.sees_sensitive else [],
        "holder": selectors.current_holders([client.pk]).get(client.pk),
        **extra,
    }


def error_text(error) -> str:
    """A ValidationError's or PermissionDenied's translated messages as one line."""
    return " ".join(getattr(error, "messages", None) or [str(error)])
