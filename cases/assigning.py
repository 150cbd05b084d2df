"""Reads for the manager's assignment pages: which clients their organisation holds, and by whom.

A manager reaches no case file through here: the rows carry the client's name (to recognise
the person), the holder, the team and dates, and nothing of the file.
"""

from django.db.models import QuerySet

from cases.models import Assignment
from privacy import vault

# What a row shows. Everything else of the client stays unloaded, even as ciphertext.
ROW_FIELDS = [
    "started_at",
    "client__first_name",
    "client__surname",
    "client__closed_on",
    "worker__first_name",
    "worker__last_name",
    "worker__username",
    "worker__is_active",
    "team__team__name",
]


def held_in_organisation(manager, *, worker=None, team=None) -> QuerySet[Assignment]:
    """Current assignments whose holder works in `manager`'s organisation, newest first.

    Optionally only one holder's or one team's. A manager without an organisation sees none.
    """
    # Managers reach the files held in their own organisation only (the rule book's
    # "organisation" way reads the same query).
    rows = Assignment.objects.current().held_in(manager.organisation_id)
    if worker is not None:
        rows = rows.filter(worker=worker)
    if team is not None:
        rows = rows.filter(team_id=team.group_id)
    return (
        rows.select_related("client", "worker", "team__team")
        .only(*ROW_FIELDS)
        .order_by("-started_at", "-pk")
    )


def with_names(rows) -> list[Assignment]:
    """The rows of one page, with their clients' keys unwrapped in one query for all."""
    rows = list(rows)
    vault.prefetch(row.client_id for row in rows)
    return rows
