"""Whom a data protection officer acts for: their organisation's data subjects, or everyone.

A DPO (Role.DPO) acts for the data subjects of their own organisation; a cluster DPO
(Role.CLUSTER_DPO, a separate role handed out by administrators only) for every data subject
of the cluster. "An organisation's data subjects" is the union of what the apps register here
from their AppConfig.ready() (privacy imports no domain app), each a query of subject ids for
an organisation id:
- cases: clients whose file a worker of the organisation holds now or held before (the
  organisation keeps that file's records), walk-ins registered at its facilities, and the
  household members of those clients;
- shelters: people who stayed at one of its facilities.
A person of two organisations (a file handed over) is in both: each DPO answers for what their
organisation holds. A person no organisation claims (registered, never held, never at a
facility) is every DPO's: someone must be able to answer for them, and no organisation's
scope is crossed. So a DPO reaches everyone but the people claimed by other organisations
only. Every DPO page that names a person asks `get_subject_for_dpo` (404 alike for missing and
out of scope) or filters by `dpo_reaches_among`.
"""

import uuid
from collections.abc import Callable, Iterable

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.roles import Role
from privacy.models import Subject

SubjectsOf = Callable[[int], QuerySet | tuple[QuerySet, ...]]

_SOURCES: list[SubjectsOf] = []


def register(source: SubjectsOf) -> SubjectsOf:
    """Add a source: `source(organisation_id)` is a query (or a tuple of queries) of one
    column of subject ids, without ordering; `source(None)`: those of any organisation."""
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def acts_for_cluster(user) -> bool:
    """Whether `user` is the cluster's DPO (every data subject)."""
    return user.has_role(Role.CLUSTER_DPO)


def _claimed(organisation_id) -> QuerySet:
    """The ids of the subjects of `organisation_id` (of any organisation, for None)."""
    queries: list[QuerySet] = []
    for source in _SOURCES:
        found = source(organisation_id)
        queries += [found] if isinstance(found, QuerySet) else list(found)
    if not queries:
        return Subject.objects.none().values("pk")
    first, *rest = queries
    return first.union(*rest) if rest else first


def elsewhere_only(user) -> Q | None:
    """A condition on a subject id (`subject_id`) true for the people `user` does NOT act for:
    claimed by an organisation, and not by theirs. None for the cluster DPO (no one)."""
    if acts_for_cluster(user):
        return None
    if not user.has_role(Role.DPO) or user.organisation_id is None:
        return Q(pk__isnull=False) | Q(pk__isnull=True)
    return Q(subject_id__in=_claimed(None)) & ~Q(subject_id__in=_claimed(user.organisation_id))


def dpo_subjects(user) -> QuerySet[Subject]:
    """The subjects `user` acts for as a DPO: their organisation's and nobody's; everyone for
    the cluster DPO; no one for a user who is no DPO."""
    if acts_for_cluster(user):
        return Subject.objects.all()
    if not user.has_role(Role.DPO) or user.organisation_id is None:
        return Subject.objects.none()
    claimed = _claimed(None)
    own = _claimed(user.organisation_id)
    return Subject.objects.exclude(Q(pk__in=claimed) & ~Q(pk__in=own))


def dpo_reaches(user, subject_id) -> bool:
    """Whether `user` acts as a DPO for the subject (one query)."""
    return dpo_subjects(user).filter(pk=subject_id).exists()


def dpo_reaches_among(user, subject_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of the ids `user` acts for as a DPO (one query)."""
    ids = list(subject_ids)
    if not ids:
        return set()
    return set(dpo_subjects(user).filter(pk__in=ids).values_list("pk", flat=True))


def get_subject_for_dpo(user, subject_id) -> Subject:
    """A subject `user` acts for as a DPO; 404 alike for missing and another organisation's."""
    found = dpo_subjects(user).filter(pk=subject_id).first()
    if found is None:
        raise Http404
    return found
