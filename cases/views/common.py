"""What the file's pages share: the context of the file's header."""

from cases import selectors
from cases.access import ClientAccess

# Tabs of the file other apps add (e.g. activation: programmes, placements and the ladder):
# (url name taking the client's id, label, the Part the tab shows).
FILE_TABS: list[tuple] = []


def file_context(access: ClientAccess, **extra) -> dict:
    """The header of every tab: the client, how they were reached, the holder, and the
    do-not-disclose warnings (the sensitive part: not for an emergency reader)."""
    client = access.client
    return {
        "client": client,
        "access": access,
        "warnings": list(client.do_not_disclose.with_keys()) if access.sees_sensitive else [],
        "holder": selectors.current_holders([client.pk]).get(client.pk),
        "more_tabs": [
            {"url_name": name, "label": label}
            for name, label, part in FILE_TABS
            if access.may_read(part)
        ],
        **extra,
    }


def error_text(error) -> str:
    """A ValidationError's or PermissionDenied's translated messages as one line."""
    return " ".join(getattr(error, "messages", None) or [str(error)])
