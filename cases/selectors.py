"""Reads shared by pages and reports, with their prefetches."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.access import clients_visible_to, walk_ins_for
from cases.models import Assignment, CaseNote, Client, HandoverRequest, Plan, Referral
from privacy import blind


def client_search(
    *,
    pesel: str = "",
    surname: str = "",
    first_name: str = "",
    birth_date: datetime.date | None = None,
) -> list[Client]:
    """Clients matching a PESEL, or a surname with a first name or a birth date, exactly.

    The blind index narrows the table to a few candidates (people who share a truncated index
    value); each candidate is decrypted and compared, so false positives never reach the caller.
    Comparison ignores case, extra spaces and Polish diacritics, like the index. A term that
    folds to nothing has no index value and finds nobody: filtering on None would match every
    row without one (erased people, everyone without a PESEL) and decrypt them all.
    """
    # Erased people have no plaintext to compare; their indexes are cleared on erasure anyway.
    candidates = (
        Client.objects.select_related("subject").filter(subject__erased_at__isnull=True).with_keys()
    )
    if pesel:
        value = blind.index_value("client.pesel", pesel)
        if value is None:
            return []
        rows = candidates.filter(pesel_bidx=value)
        return [c for c in rows if c.pesel == pesel.strip()]
    if surname and first_name:
        value = blind.index_value("client.surname+first_name", surname, first_name)
        if value is None:
            return []
        rows = candidates.filter(name_bidx=value)
        wanted = (blind.normalise(surname), blind.normalise(first_name))
        matches = [
            c for c in rows if (blind.normalise(c.surname), blind.normalise(c.first_name)) == wanted
        ]
        if birth_date is not None:
            matches = [c for c in matches if c.birth_date == birth_date]
        return matches
    if surname and birth_date:
        value = blind.index_value("client.surname+birth_date", surname, birth_date.isoformat())
        if value is None:
            return []
        rows = candidates.filter(surname_birth_bidx=value)
        wanted = blind.normalise(surname)
        return [
            c for c in rows if blind.normalise(c.surname) == wanted and c.birth_date == birth_date
        ]
    return []


# How strongly a search result is the person searched for, strongest first. The search compares
# every term it was given exactly, so the strength follows from the terms: a PESEL is one
# person, a name is shared by namesakes (a worker must not take one for the other).
SEARCH_MATCHES = {
    "pesel": _("Strong match: the same PESEL."),
    "name_and_birth_date": _("Likely match: the same name and date of birth. Check a document."),
    "surname_and_birth_date": _(
        "Possible match: the same surname and date of birth; the first name was not compared."
    ),
    "name": _("Weak match: the same name only. It may be a namesake: compare the date of birth."),
}


def match_strength(
    *,
    pesel: str = "",
    surname: str = "",
    first_name: str = "",
    birth_date: datetime.date | None = None,
) -> str:
    """The key in SEARCH_MATCHES of what `client_search` compared for these terms."""
    if pesel:
        return "pesel"
    if surname and first_name and birth_date is not None:
        return "name_and_birth_date"
    if surname and birth_date is not None:
        return "surname_and_birth_date"
    return "name"


def client_by_id(client_id) -> Client | None:
    """The client with this file identifier, or None: to link a file (the do-not-disclose
    list's "their file"), never to show it."""
    return Client.objects.filter(pk=client_id).first()


def files_held_by(worker) -> int:
    """How many files `worker` holds now (current assignments, open or closed cases)."""
    return Assignment.objects.current().filter(worker=worker).count()


def current_holders(client_ids) -> dict:
    """{client id: current Assignment with worker and organisation} for the given clients."""
    rows = Assignment.objects.current().filter(client_id__in=list(client_ids))
    return {a.client_id: a for a in rows.select_related("worker__organisation")}


# Caseload filters other apps contribute: name -> {"label", "choices(user)", "apply(qs, value)"}.
CASELOAD_FILTERS: dict[str, dict] = {}


def caseload(
    user,
    *,
    status: str = "open",
    overdue_only: bool = False,
    no_contact_days: int | None = None,
    stage: str = "",
    extra_filters: dict | None = None,
) -> QuerySet[Client]:
    """The user's clients with their last contact and next plan review, filtered, in one query."""
    today = timezone.localdate()
    # Correlated sub-selects, not joins with GROUP BY: each reads a client's own few rows by
    # index, and the caseload's rows are not multiplied by its notes and plans.
    notes = CaseNote.objects.filter(client=OuterRef("pk")).order_by("-noted_on")
    reviews = Plan.objects.filter(client=OuterRef("pk"), status=Plan.Status.ACTIVE).order_by(
        "next_review_on"
    )
    clients = clients_visible_to(user).annotate(
        last_contact_on=Subquery(notes.values("noted_on")[:1]),
        next_review_on=Subquery(
            reviews.filter(next_review_on__isnull=False).values("next_review_on")[:1]
        ),
    )
    if status == "open":
        clients = clients.filter(closed_on__isnull=True)
    elif status == "closed":
        clients = clients.filter(closed_on__isnull=False)
    if overdue_only:
        clients = clients.filter(next_review_on__lt=today)
    if stage:
        clients = clients.filter(pathway_stage=stage)
    # Filters other apps contribute (e.g. shelters: "staying in facility X"), by name.
    for name, value in (extra_filters or {}).items():
        if value:
            clients = CASELOAD_FILTERS[name]["apply"](clients, value)
    if no_contact_days:
        since = today - datetime.timedelta(days=no_contact_days)
        quiet = ~Exists(CaseNote.objects.filter(client=OuterRef("pk"), noted_on__gte=since))
        clients = clients.filter(quiet)
    # Only the shown columns: a client row holds a dozen encrypted facts the list never opens.
    shown = ("subject", "surname", "first_name", "birth_year", "pathway_stage", "closed_on")
    clients = clients.select_related(None).only(*shown, "registered_on")
    return clients.order_by("-registered_on").with_keys()


# The Polish alphabet: each letter with a diacritic is a letter of its own, after its base.
_POLISH_ORDER = {letter: n for n, letter in enumerate("aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż")}


def polish_sort_key(text) -> list[int]:
    """A key ordering words as a Polish list does: case ignored, Ł after L, Ż after Ź; other
    accented letters (é, ü) beside their base letter."""
    key = []
    for char in str(text).casefold():
        if char not in _POLISH_ORDER:
            char = blind.normalise(char)[:1] or char
        key.append(_POLISH_ORDER.get(char, 1000 + ord(char)))
    return key


def by_name(clients) -> list[Client]:
    """Clients in alphabetical order of surname, then first name, as the caseload shows them.

    Names are ciphertext in the database, so the order is made here, after decryption (a
    caseload is small).
    """
    return sorted(
        clients, key=lambda c: (polish_sort_key(c.surname), polish_sort_key(c.first_name))
    )


def todo_for(user) -> dict:
    """A worker's to-do counts: plan reviews overdue and due within 3 days (together
    `reviews_due`), drafts to finish, referrals waiting for the partner, their own handover
    requests waiting, and the new walk-ins of their organisation nobody has taken yet."""
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=3)
    active = Q(plans__status=Plan.Status.ACTIVE)
    # One query over the caseload: each separate count would compile and run the permission
    # sub-selects again. distinct=True because a client's plans and referrals are both joined.
    counts = clients_visible_to(user).aggregate(
        reviews_due=Count(
            "plans", filter=active & Q(plans__next_review_on__lte=soon), distinct=True
        ),
        reviews_overdue=Count(
            "plans", filter=active & Q(plans__next_review_on__lt=today), distinct=True
        ),
        reviews_soon=Count(
            "plans",
            filter=active & Q(plans__next_review_on__gte=today, plans__next_review_on__lte=soon),
            distinct=True,
        ),
        drafts=Count("plans", filter=Q(plans__status=Plan.Status.DRAFT), distinct=True),
        awaiting_approval=Count(
            "plans", filter=Q(plans__status=Plan.Status.AWAITING_APPROVAL), distinct=True
        ),
        referrals_waiting=Count(
            "referrals", filter=Q(referrals__status=Referral.Status.SENT), distinct=True
        ),
    )
    return {
        **counts,
        "handovers": HandoverRequest.objects.open().asked_by(user).count(),
        "walk_ins": walk_ins_for(user).count(),
    }
